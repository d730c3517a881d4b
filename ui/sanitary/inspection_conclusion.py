"""Concluding an inspection on the field laptop.

`ConcludeDialog` is "Concluir inspeção": outcome, findings, correction deadline (its end date
shown as it is typed) and who received the visit. `ConclusionMixin` is mixed into
`ui.sanitary.inspection_form.InspectionForm`: the button's action (every item answered first),
the read-only state of a concluded inspection and its banner with the result, the next step and
"Emitir termo ou auto…" (the issue dialog of `ui.sanitary.document_dialogs`).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.sanitary import inspections as svc
from app.sanitary.enums import Answer, DocumentKind, InspectionOutcome, InspectionStatus
from app.sanitary.inspection_queries import InspectionSheet
from ui.context import AppContext
from ui.ops import show_error
from ui.sanitary.inspection_items import bold
from ui.widgets.fields import ErrorLabel, FormLayout

# Radio texts with their Alt+letter (the labels of the enum, with a mnemonic each).
OUTCOME_TEXTS = {
    InspectionOutcome.SATISFACTORY: "&Satisfatória",
    InspectionOutcome.CORRECTIONS: "&Exigências a cumprir (com prazo)",
    InspectionOutcome.INFRACTION: "&Infração sanitária",
    InspectionOutcome.INTERDICTION: "In&terdição",
}
NEXT_STEPS = {
    InspectionOutcome.SATISFACTORY: "Próximo passo: emitir o termo de inspeção.",
    InspectionOutcome.CORRECTIONS: (
        "Próximo passo: emitir o termo de inspeção e o termo de intimação com o prazo."
    ),
    InspectionOutcome.INFRACTION: (
        "Próximo passo: emitir o termo de inspeção e o auto de infração sanitária."
    ),
    InspectionOutcome.INTERDICTION: (
        "Próximo passo: emitir o termo de inspeção e o termo de interdição."
    ),
}


class ConclusionMixin:
    """The "concluded" side of `InspectionForm`: its state, the banner and "Concluir"."""

    _ctx: AppContext
    inspection_id: uuid.UUID
    sheet: InspectionSheet | None

    # --- state and banner -------------------------------------------------------------------

    def _build_done_banner(self) -> QFrame:
        self.done_banner = QFrame()
        self.done_banner.setObjectName("done_banner")
        self.done_banner.setStyleSheet(
            "QFrame#done_banner { background: #e3f0fb; border: 1px solid #9cc3e6;"
            " border-radius: 4px; }"
        )
        row = QHBoxLayout(self.done_banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.done_text = QLabel()
        self.done_text.setObjectName("done_text")
        self.done_text.setWordWrap(True)
        row.addWidget(self.done_text, 1)
        # What usually follows a finished inspection: the legal documents.
        self.next_actions = QHBoxLayout()
        row.addLayout(self.next_actions)
        self.issue_button = QPushButton(self.tr("Emitir termo ou auto…"))
        self.issue_button.setObjectName("issue_document")
        self.issue_menu = QMenu(self.issue_button)
        for kind in DocumentKind:
            action = self.issue_menu.addAction(kind.label)
            action.setObjectName(f"issue_{kind.value}")
            action.triggered.connect(lambda _=False, k=kind: self._issue(k))
        self.issue_button.setMenu(self.issue_menu)
        self.next_actions.addWidget(self.issue_button)
        self.done_banner.hide()
        return self.done_banner

    def _issue(self, kind: DocumentKind) -> None:
        from ui.sanitary.document_dialogs import open_issue_dialog

        self.issue_dialog = open_issue_dialog(self._ctx, self, kind, self.inspection_id)

    def _show_state(self, sheet: InspectionSheet) -> None:
        editable = sheet.status is InspectionStatus.IN_PROGRESS
        for button in self.answer_buttons.values():
            button.setEnabled(editable)
        self.observation.setReadOnly(not editable)
        self.conclude_button.setVisible(editable)
        if sheet.status is InspectionStatus.DONE and sheet.outcome is not None:
            day = f"{sheet.performed_on:%d/%m/%Y}" if sheet.performed_on else ""
            due = (
                self.tr(" Prazo para as correções: até {d}.").format(
                    d=f"{sheet.correction_due_on:%d/%m/%Y}"
                )
                if sheet.correction_due_on
                else ""
            )
            self.done_text.setText(
                self.tr("Inspeção concluída em {d} — resultado: {o}.{due} {n}").format(
                    d=day, o=sheet.outcome.label, due=due, n=NEXT_STEPS[sheet.outcome]
                )
            )
            self.done_banner.show()

    # --- concluding -------------------------------------------------------------------------

    def conclude(self) -> None:
        """Open "Concluir inspeção" once every item is answered (else show what is missing)."""
        if self.sheet is None or self.sheet.status is not InspectionStatus.IN_PROGRESS:
            return
        self.commit_observation(advance=False)
        missing = self.sheet.unanswered_codes
        if missing:
            self.message.setText(
                self.tr("Responda todos os itens antes de concluir. Falta(m) {n}: {c}.").format(
                    n=len(missing), c=", ".join(missing)
                )
            )
            self._select(self._first_unanswered())
            self.tree.setFocus()
            return
        dialog = ConcludeDialog(self._ctx, self.sheet, self)
        dialog.concluded.connect(self._concluded)
        dialog.open()

    def _concluded(self, result: svc.Finished) -> None:
        self.message.clear()
        self._ctx.bus.changed.emit("inspection")
        self._ctx.bus.changed.emit("establishment")  # its dates (and status) moved on
        self.finished.emit(result.inspection_id)
        self.reload()


class ConcludeDialog(QDialog):
    """ "Concluir inspeção": outcome, findings, correction deadline and who received the visit.

    Signals:
        concluded(Finished): the service accepted; the dialog closes.
    """

    concluded = Signal(object)

    def __init__(self, ctx: AppContext, sheet: InspectionSheet, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conclude_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Concluir inspeção — {n}").format(n=sheet.establishment.name))
        self._ctx = ctx
        self._sheet = sheet
        self._busy = False
        self._build_ui()
        self._outcome_changed()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        heading = bold(QLabel(self.tr("Concluir a inspeção de {n}").format(
            n=self._sheet.establishment.name)), 1.2)  # fmt: skip
        summary = QLabel(self._sheet.progress_text())
        summary.setObjectName("conclude_summary")
        failures = QLabel(self._failures_text())
        failures.setObjectName("conclude_failures")
        failures.setWordWrap(True)
        self.form_error = ErrorLabel("form")
        layout.addWidget(heading)
        layout.addWidget(summary)
        layout.addWidget(failures)
        layout.addWidget(self.form_error)
        self.form = FormLayout()
        self.form.add_field("outcome", self.tr("Resultado:"), self._build_outcomes())
        self.form.add_field("correction_days", self.tr("&Prazo para correções:"),
                            self._build_deadline())  # fmt: skip
        self.findings = QPlainTextEdit()
        self.findings.setObjectName("findings")
        self.findings.setTabChangesFocus(True)
        self.findings.setMinimumHeight(110)
        self.findings.setPlaceholderText(
            self.tr("O que foi constatado, em palavras (vai ao termo)")
        )
        self.form.add_field("findings", self.tr("&Constatações:"), self.findings)
        self.received_by = QLineEdit(self._sheet.received_by)
        self.received_by.setMaxLength(120)
        self.received_by.setPlaceholderText(self.tr("Nome de quem acompanhou a inspeção"))
        self.form.add_field("received_by", self.tr("&Recebido por:"), self.received_by)
        self.form.submit_on_enter(self.received_by)
        self.received_by.setObjectName("received_by")
        layout.addLayout(self.form)
        layout.addLayout(self._build_buttons())
        self.resize(720, 520)

    def _failures_text(self) -> str:
        failing = [i for i in self._sheet.items if i.answer is Answer.NON_COMPLIANT]
        if not failing:
            return self.tr("Nenhum item não conforme.")
        codes = ", ".join(f"{i.code} ({i.classification_label.lower()})" for i in failing)
        return self.tr("Itens não conformes: {c}.").format(c=codes)

    def _build_outcomes(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.outcome_group = QButtonGroup(self)
        self.outcome_buttons: dict[InspectionOutcome, QRadioButton] = {}
        failures = self._sheet.essential_failures
        for outcome in InspectionOutcome:
            button = QRadioButton(OUTCOME_TEXTS[outcome])
            button.setObjectName(f"outcome_{outcome.value}")
            if outcome is InspectionOutcome.SATISFACTORY and failures:
                button.setEnabled(False)
                button.setText(
                    button.text() + self.tr(" (indisponível: há item imprescindível não conforme)")
                )
            self.outcome_group.addButton(button)
            self.outcome_buttons[outcome] = button
            button.toggled.connect(lambda _on: self._outcome_changed())
            column.addWidget(button)
        return box

    def _build_deadline(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.days = QSpinBox()
        self.days.setObjectName("correction_days")
        self.days.setRange(0, svc.MAX_CORRECTION_DAYS)
        self.days.setSuffix(self.tr(" dias"))
        self.days.setSpecialValueText(self.tr("—"))
        self.days.valueChanged.connect(lambda _v: self._preview_deadline())
        self.deadline_preview = QLabel()
        self.deadline_preview.setObjectName("deadline_preview")
        row.addWidget(self.days)
        row.addWidget(self.deadline_preview, 1)
        return box

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.ok_button = QPushButton(self.tr("Concluir inspeção (Ctrl+S)"))
        self.ok_button.setObjectName("confirm_conclude")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        cancel = QPushButton(self.tr("Cancelar (Esc)"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, self.submit)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.ok_button)
        return row

    def outcome(self) -> InspectionOutcome | None:
        return next((o for o, b in self.outcome_buttons.items() if b.isChecked()), None)

    def _outcome_changed(self) -> None:
        corrections = self.outcome() is InspectionOutcome.CORRECTIONS
        self.days.setEnabled(corrections)
        if self.outcome() is not None:
            self.form.error_labels["outcome"].show_message(None)
        if not corrections:
            self.deadline_preview.setText(self.tr("só para “Exigências a cumprir”"))
        else:
            self._preview_deadline()

    def _preview_deadline(self) -> None:
        days = self.days.value()
        if self.outcome() is not InspectionOutcome.CORRECTIONS or days < 1:
            return
        ctx, start = self._ctx, self._sheet.visit_on

        def work() -> str:
            with ctx.db.read_only() as session:
                return svc.correction_deadline(session, start, days).sentence()

        def show(text: str) -> None:
            if self.days.value() == days:
                self.deadline_preview.setText(self.tr("{t} (a contar de {d})").format(
                    t=text, d=f"{start:%d/%m/%Y}"))  # fmt: skip

        ctx.ops.run(work, show, parent=self)

    def data(self) -> svc.FinishInput:
        corrections = self.outcome() is InspectionOutcome.CORRECTIONS
        days = self.days.value() if corrections and self.days.value() > 0 else None
        return svc.FinishInput(self.outcome(), self.findings.toPlainText(), days,
                               self.received_by.text())  # fmt: skip

    def submit(self) -> None:
        if self._busy:
            return
        ctx, inspection_id, data = self._ctx, self._sheet.inspection_id, self.data()

        def work() -> svc.Finished:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.finish_inspection(session, ctx.actor, inspection_id, data)

        self._busy = True
        self.ok_button.setEnabled(False)
        ctx.ops.run(work, self._done, self._failed, parent=self)

    def _done(self, result: svc.Finished) -> None:
        self._busy = False
        self.concluded.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.ok_button.setEnabled(True)
        if not isinstance(exc, ValidationError):
            show_error(self, exc, self.tr("A inspeção não foi concluída"))
            return
        rest = self.form.show_errors(exc.errors)
        self.form_error.show_message(" ".join(rest.values()) or None)
