"""The "Verificar documento" page: is the sheet in front of me a document this secretariat issued?

The clerk types (or reads aloud and types) the verification code printed in the footer; the field
shows it in upper case as it is typed. `app.reports.issue.verify` accepts dashes, spaces and the
O/I/L look-alikes, checks the code's check symbol and looks it up; its sentence is shown in green
when the document is authentic and in red otherwise. Every check is recorded in the audit trail.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.reports.issue import Verification, verify
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.page_header import title_label

OK_STYLE = "color: #1b6e3a; background: #e6f4ea; border: 1px solid #9ccfaa; padding: 10px;"
BAD_STYLE = "color: #8c1d18; background: #fce8e6; border: 1px solid #e6a39c; padding: 10px;"
MAX_CODE_LENGTH = 20


class UpperCaseLineEdit(QLineEdit):
    """A line edit that shows what is typed in upper case, keeping the cursor where it was."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.textEdited.connect(self._upper)

    def _upper(self, text: str) -> None:
        if text != text.upper():
            position = self.cursorPosition()
            self.setText(text.upper())
            self.setCursorPosition(position)


class VerifyPage(QWidget):
    """Code field, "Verificar", and the answer.

    Signals:
        verified(Verification): the database answered.
    """

    verified = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verify_page")
        self.ctx = ctx
        self._build_ui()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Verificar documento"))
        layout.addWidget(title)
        intro = QLabel(
            self.tr(
                "Digite o código de verificação impresso no rodapé do documento "
                "(por exemplo 7K3Q-M9XD-2F). Os traços são opcionais."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(self._build_entry())
        layout.addWidget(self._build_result())
        layout.addStretch(1)

    def _build_entry(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.code = UpperCaseLineEdit()
        self.code.setObjectName("verify_code")
        self.code.setMaxLength(MAX_CODE_LENGTH)
        self.code.setPlaceholderText(self.tr("código de verificação"))
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.code.font().pointSizeF() * 1.3)
        self.code.setFont(font)
        self.code.returnPressed.connect(self.check)
        self.check_button = QPushButton(self.tr("&Verificar"))
        self.check_button.clicked.connect(self.check)
        self.code.setMaximumWidth(self.code.fontMetrics().horizontalAdvance("W") * 18)
        row.addWidget(QLabel(self.tr("&Código:"), buddy=self.code))
        row.addWidget(self.code, 1)
        row.addWidget(self.check_button)
        row.addStretch(1)
        return row

    def _build_result(self) -> QLabel:
        self.result_label = QLabel()
        self.result_label.setObjectName("verify_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        return self.result_label

    def check(self) -> None:
        code = self.code.text().strip()
        if not code:
            self._show(self.tr("Digite o código impresso no documento."), ok=False)
            return
        ctx = self.ctx
        self.check_button.setEnabled(False)

        def work() -> Verification:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return verify(session, ctx.actor, code)

        ctx.ops.run(work, self._answered, self._failed, self)

    def _answered(self, result: Verification) -> None:
        self.check_button.setEnabled(True)
        self._show(result.message, ok=result.authentic)
        self.code.selectAll()
        self.verified.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        show_error(self, exc)

    def _show(self, message: str, *, ok: bool) -> None:
        self.result_label.setText(message)
        self.result_label.setStyleSheet(OK_STYLE if ok else BAD_STYLE)
        self.result_label.setProperty("ok", ok)
        self.result_label.show()
