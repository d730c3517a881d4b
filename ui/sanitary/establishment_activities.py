"""The activities of the establishment form: the CNAE entry, the list of activities and the live
risk.

Typing a CNAE shows its description and rule from the risk table (read once when the form opens,
with the municipal rules applied); "Adicionar" (or Enter) puts it in the list, the first one being
the main activity. A "depende de informação" CNAE shows its questions with Sim/Não buttons
(`ActivityEditor`). The label "Grau de risco: III – alto risco" and its reason follow every change
(`ActivitiesBox`), computed by the same pure rules the service applies on saving
(`app.sanitary.risk`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.sanitary.enums import RiskLevel, RiskRule
from app.sanitary.establishments import ActivityInput
from app.sanitary.risk import CnaeInfo, RiskResult, clean_cnae, establishment_risk, format_cnae
from ui.widgets.fields import ErrorLabel

RISK_COLORS = {RiskLevel.LOW: "#1b5e20", RiskLevel.MEDIUM: "#8a5a00", RiskLevel.HIGH: "#b3261e"}


def bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class ActivityEditor(QFrame):
    """One CNAE in the list: description, rule, main marker, questions with Sim/Não."""

    changed = Signal()
    remove_requested = Signal(str)
    main_requested = Signal(str)

    def __init__(self, info: CnaeInfo, answers: dict[str, bool], parent: QWidget | None = None):
        super().__init__(parent)
        self.info = info
        self.setObjectName(f"activity_{info.cnae}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._groups: list[QButtonGroup] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addLayout(self._build_header())
        for position, question in enumerate(self._questions(), start=1):
            layout.addWidget(self._build_question(position, question, answers.get(str(position))))

    def _questions(self) -> tuple[str, ...]:
        return () if self.info.overridden else self.info.questions

    def _build_header(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.title = bold(QLabel(f"{self.info.label} — {self.info.description}"))
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        row = QHBoxLayout()
        self.rule_label = QLabel(self._rule_text())
        self.rule_label.setObjectName("activity_rule")
        self.rule_label.setWordWrap(True)
        row.addWidget(self.rule_label, 1)
        self.main_button = QPushButton(self.tr("Tornar principal"))
        self.main_button.setObjectName("make_main")
        self.main_button.clicked.connect(lambda: self.main_requested.emit(self.info.cnae))
        remove = QPushButton(self.tr("Remover"))
        remove.setObjectName("remove_activity")
        remove.setToolTip(self.tr("Remover esta atividade"))
        remove.clicked.connect(lambda: self.remove_requested.emit(self.info.cnae))
        for button in (self.main_button, remove):
            button.setAutoDefault(False)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(row)
        return column

    def _rule_text(self) -> str:
        if self.info.overridden:
            return self.tr("Regra municipal: grau {level}. {reason}").format(
                level=self.info.rule.value, reason=self.info.override_reason
            )
        if self.info.rule is RiskRule.DEPENDS:
            return self.tr("Depende de informação: responda às perguntas (qualquer SIM → III).")
        return self.tr("Tabela de risco: grau {label}").format(label=self.info.rule.label)

    def _build_question(self, position: int, text: str, answer: bool | None) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(12, 0, 0, 0)
        label = QLabel(f"{position}. {text}")
        label.setWordWrap(True)
        yes, no = QRadioButton(self.tr("Sim")), QRadioButton(self.tr("Não"))
        yes.setObjectName(f"q{position}_yes")
        no.setObjectName(f"q{position}_no")
        group = QButtonGroup(holder)
        group.addButton(yes, 1)
        group.addButton(no, 0)
        yes.setChecked(answer is True)
        no.setChecked(answer is False)
        group.idToggled.connect(self._toggled)
        self._groups.append(group)
        row.addWidget(label, 1)
        row.addWidget(yes)
        row.addWidget(no)
        return holder

    def _toggled(self, _id: int, checked: bool) -> None:
        if checked:  # each click toggles two buttons: count the one switched on
            self.changed.emit()

    def set_main(self, main: bool) -> None:
        self.main_button.setVisible(not main)
        prefix = self.tr("Principal · ") if main else ""
        self.title.setText(f"{prefix}{self.info.label} — {self.info.description}")

    def answers(self) -> dict[str, bool]:
        return {
            str(n): group.checkedId() == 1
            for n, group in enumerate(self._groups, start=1)
            if group.checkedId() in (0, 1)
        }

    def answer(self, position: int, yes: bool) -> None:
        """Answer question `position` (1-based), as a click on Sim/Não would."""
        self._groups[position - 1].button(1 if yes else 0).setChecked(True)

    def focus_widgets(self) -> list[QWidget]:
        found: list[QWidget] = []
        for group in self._groups:
            found.extend(group.buttons())
        return found


class ActivitiesBox(QGroupBox):
    """The CNAE entry, the list of activities and the live risk label with its reason."""

    changed = Signal()

    def __init__(self, cnaes: dict[str, CnaeInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Atividades (CNAE) e grau de risco"))
        self._cnaes = cnaes
        self.editors: list[ActivityEditor] = []
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_entry())
        self.preview = QLabel()
        self.preview.setObjectName("cnae_preview")
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        self.error_label = ErrorLabel("activities")
        layout.addWidget(self.error_label)
        layout.addWidget(self._build_list(), 1)
        layout.addWidget(self._build_risk())
        self.update_risk()

    def _build_entry(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel(self.tr("C&NAE"))
        self.cnae_edit = QLineEdit()
        self.cnae_edit.setObjectName("cnae_entry")
        self.cnae_edit.setInputMask("0000-0/00;_")
        self.cnae_edit.setFixedWidth(
            self.cnae_edit.fontMetrics().horizontalAdvance("8888-8/88") + 24
        )
        self.cnae_edit.setToolTip(self.tr("Digite o código CNAE e tecle Enter para adicionar"))
        label.setBuddy(self.cnae_edit)
        self.cnae_edit.textEdited.connect(lambda _text: self._show_preview())
        self.cnae_edit.returnPressed.connect(self.add_typed)
        self.add_button = QPushButton(self.tr("Adicionar"))
        self.add_button.setObjectName("add_cnae")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_typed)
        row.addWidget(label)
        row.addWidget(self.cnae_edit)
        row.addWidget(self.add_button)
        row.addStretch(1)
        return row

    def _build_list(self) -> QScrollArea:
        self._list_holder = QWidget()
        self._list = QVBoxLayout(self._list_holder)
        self._list.setContentsMargins(0, 0, 0, 0)
        self._list.addStretch(1)
        self.empty_label = QLabel(
            self.tr("Nenhuma atividade. A primeira adicionada é a principal.")
        )
        self.empty_label.setEnabled(False)
        self._list.insertWidget(0, self.empty_label)
        scroll = QScrollArea()
        scroll.setObjectName("activities_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._list_holder)
        return scroll

    def _build_risk(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("risk_frame")
        frame.setStyleSheet("QFrame#risk_frame { background: #f4f1ea; border-radius: 4px; }")
        column = QVBoxLayout(frame)
        column.setContentsMargins(8, 6, 8, 6)
        self.risk_label = bold(QLabel(), 1.2)
        self.risk_label.setObjectName("risk_label")
        self.reason_label = QLabel()
        self.reason_label.setObjectName("risk_reason")
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Room for a long reason (a question quoted in full): wrapped labels in a dialog's
        # nested layouts are otherwise given one line.
        self.reason_label.setMinimumHeight(self.reason_label.fontMetrics().lineSpacing() * 4)
        self.reason_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.risk_label)
        column.addWidget(self.reason_label)
        return frame

    # --- typing and adding ------------------------------------------------------------------

    def _typed(self) -> str:
        return clean_cnae(self.cnae_edit.text())

    def _show_preview(self) -> None:
        code = self._typed()
        info = self._cnaes.get(code)
        if len(code) < 7:
            self.preview.setText("")
        elif info is None:
            self.preview.setText(self._missing(code))
        else:
            self.preview.setText(f"{info.label} — {info.description} · {info.rule.label}")
        missing = len(code) == 7 and info is None
        self.preview.setStyleSheet("color: #b3261e;" if missing else "")

    def _missing(self, code: str) -> str:
        return self.tr("CNAE {cnae} não está na tabela de risco vigente.").format(
            cnae=format_cnae(code)
        )

    def add_typed(self) -> None:
        code = self._typed()
        if len(code) != 7:
            self.error_label.show_message(self.tr("O CNAE deve ter 7 dígitos (ex.: 5620-1/04)."))
            return
        if code not in self._cnaes:
            self.error_label.show_message(self._missing(code))
            return
        if any(editor.info.cnae == code for editor in self.editors):
            self.error_label.show_message(
                self.tr("CNAE {cnae} já está na lista.").format(cnae=format_cnae(code))
            )
            return
        self.error_label.show_message(None)
        self.add(code, {})
        self.cnae_edit.clear()
        self.preview.setText("")
        self.cnae_edit.setFocus()

    def add(self, code: str, answers: dict[str, bool]) -> ActivityEditor:
        """Put a CNAE (known to the table) in the list with its answers."""
        info = self._cnaes.get(code) or CnaeInfo(
            code, self.tr("(fora da tabela vigente)"), RiskRule.LOW
        )
        editor = ActivityEditor(info, answers)
        editor.changed.connect(self.update_risk)
        editor.remove_requested.connect(self.remove)
        editor.main_requested.connect(self.make_main)
        self.editors.append(editor)
        self._list.insertWidget(self._list.count() - 1, editor)
        editor.show()  # a widget added to a visible layout is otherwise shown only later
        self._refresh()
        return editor

    def remove(self, code: str) -> None:
        editor = next(e for e in self.editors if e.info.cnae == code)
        self.editors.remove(editor)
        editor.hide()
        editor.deleteLater()
        self._refresh()

    def make_main(self, code: str) -> None:
        editor = next(e for e in self.editors if e.info.cnae == code)
        self.editors.remove(editor)
        self.editors.insert(0, editor)
        self._list.removeWidget(editor)
        self._list.insertWidget(1, editor)
        self._refresh()

    def _refresh(self) -> None:
        self.empty_label.setVisible(not self.editors)
        for number, editor in enumerate(self.editors):
            editor.set_main(number == 0)
        self.update_risk()

    # --- risk -------------------------------------------------------------------------------

    def result(self) -> RiskResult:
        known = [(e.info, e.answers()) for e in self.editors if e.info.cnae in self._cnaes]
        return establishment_risk(known)

    def update_risk(self) -> None:
        result = self.result()
        if result.level is None:
            self.risk_label.setText(self.tr("Grau de risco: —"))
            self.risk_label.setStyleSheet("")
        else:
            self.risk_label.setText(self.tr("Grau de risco: {label}").format(label=result.label))
            self.risk_label.setStyleSheet(f"color: {RISK_COLORS[result.level]};")
        self.reason_label.setText(result.reason)
        self.changed.emit()

    def activities(self) -> tuple[ActivityInput, ...]:
        return tuple(ActivityInput(e.info.cnae, e.answers()) for e in self.editors)

    def editor(self, code: str) -> ActivityEditor:
        return next(e for e in self.editors if e.info.cnae == clean_cnae(code))
