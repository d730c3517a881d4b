"""The "Licenças sanitárias" page: the licences by situation, issuing, printing, renewing and
revoking them, and a tab where anyone at the office checks a licence's verification code.

Tab "Licenças": valid, expiring in 30 days, expired (not renewed) and revoked, with "Emitir
licença…" (establishment, the satisfactory inspection it rests on, or provisional for risk II),
"Imprimir / 2ª via" (preview of the PDF), "Renovar…" and "Revogar…". Tab "Verificar código":
the code typed, the answer in large clear text (green when valid, red otherwise). Services run
through `ctx.ops`; changes announce "sanitary_licence" on the bus.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.sanitary import licence_checks as checks
from app.sanitary import licence_printing as printing
from app.sanitary import licence_queries as queries
from app.sanitary import licences as svc
from ui.care.agenda_forms import FormDialog, action_button
from ui.context import AppContext
from ui.documents.verify import BAD_STYLE, OK_STYLE, UpperCaseLineEdit
from ui.models.rows import Column, RowsModel
from ui.ops import show_error
from ui.widgets.page_header import title_label
from ui.widgets.pdf_preview import PdfPreviewDialog
from ui.widgets.tables import rows_table

EXPIRED_COLOR = QColor("#b3261e")
REFRESH_KINDS = frozenset({"sanitary_licence", "establishment", "inspection"})
LISTS = (
    (queries.LIST_VALID, "Válidas"),
    (queries.LIST_EXPIRING, "Vencendo em 30 dias"),
    (queries.LIST_EXPIRED, "Vencidas"),
    (queries.LIST_REVOKED, "Revogadas"),
)


class LicenceModel(RowsModel[queries.LicenceRow]):
    """Número, Estabelecimento, CNPJ/CPF, Tipo, Risco, Emitida em, Válida até, Situação."""

    def _build_columns(self) -> list[Column[queries.LicenceRow]]:
        return [
            Column(self.tr("Número"), lambda r: r.number),
            Column(self.tr("Estabelecimento"), lambda r: r.establishment),
            Column(self.tr("CNPJ/CPF"), lambda r: r.document),
            Column(self.tr("Tipo"), lambda r: r.kind_label),
            Column(self.tr("Risco"), lambda r: r.risk),
            Column(self.tr("Emitida em"), lambda r: f"{r.issued_on:%d/%m/%Y}"),
            Column(self.tr("Válida até"), lambda r: f"{r.valid_until:%d/%m/%Y}"),
            Column(self.tr("Situação"), lambda r: r.status_label),
        ]

    def foreground(self, row: queries.LicenceRow) -> QColor | None:
        return (
            EXPIRED_COLOR
            if row.status in (checks.EXPIRED, checks.REVOKED, checks.SUSPENDED)
            else None
        )


class EstablishmentCombo(QComboBox):
    """An establishment chooser: type part of the name or CNPJ to filter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMinimumWidth(420)
        # show the start of a long "name – CNPJ – risk" line, not its end
        self.currentIndexChanged.connect(lambda _i: self.lineEdit().setCursorPosition(0))

    def set_choices(self, choices: Sequence[queries.EstablishmentChoice], first: str = "") -> None:
        self.clear()
        if first:
            self.addItem(first, None)
        for choice in choices:
            self.addItem(choice.label, choice.id)
        self.setCurrentIndex(0 if first else -1)

    def chosen(self) -> uuid.UUID | None:
        index = self.findText(self.currentText())
        value = self.itemData(index) if index >= 0 else None
        return value if isinstance(value, uuid.UUID) else None

    def choose(self, establishment_id: uuid.UUID) -> None:
        self.setCurrentIndex(self.findData(establishment_id))


def load_establishments(ctx: AppContext, done: Any, parent: QWidget) -> None:
    """Fetch the establishment choices and hand them to `done` (GUI thread)."""

    def work() -> list[queries.EstablishmentChoice]:
        with ctx.db.read_only() as session:
            return queries.establishment_choices(session, ctx.actor)

    ctx.ops.run(work, done, parent=parent)


# --- dialogs ----------------------------------------------------------------------------------


class IssueDialog(FormDialog):
    """Issue a licence, or renew `renewing` (the establishment is then fixed)."""

    issued = Signal(object)  # LicenceIssued

    def __init__(
        self, ctx: AppContext, renewing: queries.LicenceRow | None, parent: QWidget | None
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("licence_issue_dialog")
        self.renewing = renewing
        self.setWindowTitle(
            self.tr("Renovar licença nº {n}").format(n=renewing.number)
            if renewing else self.tr("Emitir licença sanitária")
        )  # fmt: skip
        layout = QVBoxLayout(self)
        layout.addWidget(self.form_error)
        layout.addLayout(self.form)
        self._build_fields()
        layout.addLayout(self._build_buttons(self.tr("&Emitir")))
        self.resize(700, 300)
        load_establishments(ctx, self._establishments_loaded, self)

    def _build_fields(self) -> None:
        self.establishment = EstablishmentCombo()
        self.establishment.currentIndexChanged.connect(lambda _i: self._load_inspections())
        self.form.add_field("establishment_id", self.tr("E&stabelecimento:"), self.establishment)
        self.inspection = QComboBox()
        self.form.add_field("inspection_id", self.tr("&Inspeção:"), self.inspection)
        self.provisional = QCheckBox(self.tr("Licença &provisória (risco II, sem inspeção)"))
        self.provisional.toggled.connect(lambda on: self.inspection.setEnabled(not on))
        self.form.add_field("provisional", "", self.provisional)
        note = QLabel(self.tr(
            "A licença definitiva exige inspeção concluída, satisfatória, nos últimos "
            "{days} dias.").format(days=svc.RECENT_INSPECTION_DAYS))  # fmt: skip
        note.setWordWrap(True)
        note.setEnabled(False)
        self.form.addRow(note)

    def _establishments_loaded(self, choices: list[queries.EstablishmentChoice]) -> None:
        self.establishment.set_choices(choices)
        if self.renewing is not None:
            self.establishment.choose(self.renewing.establishment_id)
            self.establishment.setEnabled(False)
        self.establishment.setFocus()

    def _load_inspections(self) -> None:
        establishment_id = self.establishment.chosen()
        self.inspection.clear()
        if establishment_id is None:
            return
        ctx, today = self.ctx, self.ctx.today()

        def work() -> list[svc.InspectionChoice]:
            with ctx.db.read_only() as session:
                return svc.licensable_inspections(session, ctx.actor, establishment_id, today)

        ctx.ops.run(work, self._inspections_loaded, parent=self)

    def _inspections_loaded(self, choices: list[svc.InspectionChoice]) -> None:
        self.inspection.clear()
        for choice in choices:
            self.inspection.addItem(choice.label, choice.id)
        if not choices:
            self.inspection.addItem(self.tr("Nenhuma inspeção satisfatória recente"), None)

    def save(self) -> None:
        establishment_id = self.establishment.chosen()
        if establishment_id is None:
            self.show_errors({"establishment_id": self.tr("Escolha o estabelecimento.")})
            return
        provisional = self.provisional.isChecked()
        inspection_id = None if provisional else self.inspection.currentData()
        ctx, renewing = self.ctx, self.renewing

        def work() -> svc.LicenceIssued:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                if renewing is not None:
                    return svc.renew_licence(
                        session, ctx.actor, renewing.id, inspection_id, provisional
                    )
                return svc.issue_licence(
                    session, ctx.actor, establishment_id, inspection_id, provisional
                )

        self._run(work, self._done)

    def _done(self, issued: svc.LicenceIssued) -> None:
        self.issued.emit(issued)
        self.accept()


class RevokeDialog(FormDialog):
    """Revoke a licence: the reason."""

    revoked = Signal()

    def __init__(self, ctx: AppContext, row: queries.LicenceRow, parent: QWidget | None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("licence_revoke_dialog")
        self.row = row
        self.setWindowTitle(self.tr("Revogar licença nº {n}").format(n=row.number))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(row.establishment))
        layout.addWidget(self.form_error)
        layout.addLayout(self.form)
        self.reason = QLineEdit()
        self.reason.setMaxLength(300)
        self.form.add_field("reason", self.tr("&Motivo:"), self.reason)
        self._last_field(self.reason)
        layout.addLayout(self._build_buttons(self.tr("&Revogar")))
        self.resize(560, 160)

    def save(self) -> None:
        ctx, licence_id, reason = self.ctx, self.row.id, self.reason.text()

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                svc.revoke_licence(session, ctx.actor, licence_id, reason)

        self._run(work, lambda _none: (self.revoked.emit(), self.accept()))


# --- the page ---------------------------------------------------------------------------------


class LicencesPage(QWidget):
    """Licences by situation, their actions, and the code verification tab."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("licences_page")
        self.ctx = ctx
        self.model = LicenceModel(parent=self)
        self._build_ui()
        ctx.bus.changed.connect(self._changed)
        self.reload()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Licenças sanitárias"))
        layout.addWidget(title)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_list_tab(), self.tr("Licenças"))
        self.tabs.addTab(self._build_verify_tab(), self.tr("Verificar código"))
        layout.addWidget(self.tabs, 1)

    def _build_list_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        row = QHBoxLayout()
        self.which = QComboBox()
        self.which.setObjectName("licence_list")
        for value, text in LISTS:
            self.which.addItem(self.tr(text), value)
        self.which.currentIndexChanged.connect(lambda _i: self.reload())
        label = QLabel(self.tr("&Mostrar:"))
        label.setBuddy(self.which)
        self.count = QLabel()
        for widget in (label, self.which):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.count)
        column.addLayout(row)
        self.table = rows_table(self.model, "licences")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        column.addWidget(self.table, 1)
        column.addLayout(self._build_actions())
        return tab

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.issue_button = action_button(self.tr("&Emitir licença…"), "issue_licence")
        self.print_button = action_button(self.tr("&Imprimir / 2ª via"), "print_licence")
        self.renew_button = action_button(self.tr("&Renovar…"), "renew_licence")
        self.revoke_button = action_button(self.tr("Re&vogar…"), "revoke_licence")
        self.issue_button.clicked.connect(lambda: self.open_issue(None))
        self.print_button.clicked.connect(self.print_selected)
        self.renew_button.clicked.connect(lambda: self.open_issue(self.selected()))
        self.revoke_button.clicked.connect(self.open_revoke)
        may = self.ctx.actor.can("sanitary.process")
        for button in (self.issue_button, self.print_button, self.renew_button,
                       self.revoke_button):  # fmt: skip
            button.setVisible(may)
            row.addWidget(button)
        row.addStretch(1)
        self.message = QLabel()
        self.message.setObjectName("licences_message")
        row.addWidget(self.message)
        self._enable()
        return row

    def _build_verify_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        intro = QLabel(self.tr("Digite o código de verificação impresso no rodapé da licença "
                               "(ou lido do QR Code). Os traços são opcionais."))  # fmt: skip
        intro.setWordWrap(True)
        column.addWidget(intro)
        row = QHBoxLayout()
        self.code = UpperCaseLineEdit()
        self.code.setObjectName("licence_code")
        self.code.setMaxLength(20)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.code.font().pointSizeF() * 1.4)
        self.code.setFont(font)
        self.code.setMaximumWidth(self.code.fontMetrics().horizontalAdvance("W") * 18)
        self.code.returnPressed.connect(self.verify)
        self.verify_button = QPushButton(self.tr("&Verificar"))
        self.verify_button.setObjectName("verify_licence")
        self.verify_button.clicked.connect(self.verify)
        label = QLabel(self.tr("&Código:"))
        label.setBuddy(self.code)
        for widget in (label, self.code, self.verify_button):
            row.addWidget(widget)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self._build_answer())
        column.addStretch(1)
        return tab

    def _build_answer(self) -> QLabel:
        self.answer = QLabel()
        self.answer.setObjectName("licence_check")
        self.answer.setWordWrap(True)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.answer.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.answer.setFont(font)
        self.answer.hide()
        return self.answer

    def show_list(self, which: str) -> None:
        """Show one list (`queries.LIST_VALID`, `LIST_EXPIRING`, `LIST_EXPIRED`, `LIST_REVOKED`)."""
        self.tabs.setCurrentIndex(0)
        self.which.setCurrentIndex(max(self.which.findData(which), 0))

    # list

    def _changed(self, kind: str) -> None:
        if kind in REFRESH_KINDS:
            self.reload()

    def reload(self) -> None:
        ctx, which, today = self.ctx, self.which.currentData(), self.ctx.today()

        def work() -> list[queries.LicenceRow]:
            with ctx.db.read_only() as session:
                return queries.list_licences(session, ctx.actor, today, which)

        ctx.ops.run(work, self._show_rows, parent=self)

    def _show_rows(self, rows: list[queries.LicenceRow]) -> None:
        self.model.set_rows(rows)
        self.count.setText(self.tr("{n} licença(s)").format(n=len(rows)))
        if rows:
            self.table.selectRow(0)
        self._enable()

    def selected(self) -> queries.LicenceRow | None:
        return self.model.row_for(self.table.currentIndex())

    def _enable(self) -> None:
        row = self.selected()
        alive = row is not None and row.status != checks.REVOKED
        self.print_button.setEnabled(alive)
        self.renew_button.setEnabled(alive and row is not None and row.status != checks.RENEWED)
        self.revoke_button.setEnabled(alive)

    # actions

    def open_issue(self, renewing: queries.LicenceRow | None) -> IssueDialog:
        dialog = IssueDialog(self.ctx, renewing, self)
        dialog.issued.connect(self._issued)
        dialog.open()
        return dialog

    def _issued(self, issued: svc.LicenceIssued) -> None:
        kind = self.tr("provisória ") if issued.provisional else ""
        self.message.setText(self.tr("Licença {kind}nº {n} emitida, válida até {day}.").format(
            kind=kind, n=issued.number, day=f"{issued.valid_until:%d/%m/%Y}"))  # fmt: skip
        self.ctx.bus.changed.emit("sanitary_licence")

    def open_revoke(self) -> RevokeDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = RevokeDialog(self.ctx, row, self)
        dialog.revoked.connect(lambda: self.ctx.bus.changed.emit("sanitary_licence"))
        dialog.open()
        return dialog

    def print_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        ctx, licence_id = self.ctx, row.id

        def work() -> Any:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return printing.print_licence(session, ctx.actor, licence_id)

        def done(issued: Any) -> None:
            ctx.bus.changed.emit("sanitary_licence")
            self.preview = PdfPreviewDialog.for_issued(issued, self)
            self.preview.open()

        ctx.ops.run(work, done, parent=self)

    # verification

    def verify(self) -> None:
        code = self.code.text().strip()
        if not code:
            self._answer(self.tr("Digite o código impresso na licença."), ok=False)
            return
        ctx = self.ctx
        self.verify_button.setEnabled(False)

        def work() -> checks.LicenceCheck:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return checks.verify_licence(session, ctx.actor, code)

        def failed(exc: BaseException) -> None:
            self.verify_button.setEnabled(True)
            show_error(self, exc)

        ctx.ops.run(work, self._checked, failed, parent=self)

    def _checked(self, result: checks.LicenceCheck) -> None:
        self.verify_button.setEnabled(True)
        self._answer(result.message, ok=result.valid)
        self.code.selectAll()

    def _answer(self, message: str, *, ok: bool) -> None:
        self.answer.setText(message)
        self.answer.setStyleSheet(OK_STYLE if ok else BAD_STYLE)
        self.answer.setProperty("ok", ok)
        self.answer.show()
