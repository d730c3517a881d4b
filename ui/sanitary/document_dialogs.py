"""The dialog that issues a legal document of VISA: a termo or auto for an inspection (or an
establishment).

`IssueDocumentDialog` loads what it needs (the establishment, the inspection's non-conformities,
the deadlines and fines in force) through `ctx.ops`, then shows the fields of its kind (built by
`ui.sanitary.document_fields`). Ctrl+S issues, Esc closes; messages appear beside their fields.
After issuing it offers to print (`ui.sanitary.document_actions.print_now`).
`open_issue_dialog(ctx, parent, kind, inspection_id)` is what other screens call.
"""

from __future__ import annotations

import uuid

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.sanitary.document_issue import IssuedDocumentResult, issue_document
from app.sanitary.document_queries import IssueContext, issue_context
from app.sanitary.documents import DocumentInput, Witness
from app.sanitary.enums import DocumentKind
from ui.context import AppContext
from ui.ops import show_error
from ui.sanitary.document_actions import print_now
from ui.sanitary.document_fields import IssueFieldsMixin, button
from ui.widgets.fields import ErrorLabel, FormLayout
from ui.widgets.pdf_preview import PdfPreviewDialog


class IssueDocumentDialog(IssueFieldsMixin, QDialog):
    """Issue one document of `kind` for an inspection (or an establishment).

    Signals:
        loaded(): the establishment and the inspection's items are on screen.
        issued(object): the `IssuedDocumentResult` of the document just issued.
    """

    loaded = Signal()
    issued = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        kind: DocumentKind,
        inspection_id: uuid.UUID | None = None,
        establishment_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("issue_document_dialog")
        self.setWindowTitle(self.tr("Lavrar {label}").format(label=kind.label))
        self._ctx = ctx
        self.kind = kind
        self._inspection_id = inspection_id
        self._establishment_id = establishment_id
        self.context: IssueContext | None = None
        self.issued_result: IssuedDocumentResult | None = None
        self.print_offer: QMessageBox | None = None
        self.preview: PdfPreviewDialog | None = None
        self.forms: list[FormLayout] = []
        self._build_ui()
        self.resize(780, 700)
        self._load()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.heading = QLabel(self.tr("Carregando…"))
        self.heading.setObjectName("heading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        content = QWidget()
        self._content = QVBoxLayout(content)
        self._content.addWidget(self._build_kind_group())
        self._content.addWidget(self._build_receiver_group())
        self._content.addStretch(1)
        scroll.setWidget(content)
        layout.addWidget(scroll, 1)
        self.form_error = ErrorLabel("form")
        layout.addWidget(self.form_error)
        layout.addLayout(self._build_buttons())
        self._clear_errors_on_edit()
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.submit)

    def _clear_errors_on_edit(self) -> None:
        """A message beside a field goes away as soon as the field is edited."""
        for form in self.forms:
            for name, widget in form.fields.items():
                label = form.error_labels[name]
                if isinstance(widget, QLineEdit):
                    widget.textEdited.connect(lambda _t, label=label: label.show_message(None))
                elif isinstance(widget, QPlainTextEdit):
                    widget.textChanged.connect(lambda label=label: label.show_message(None))

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.issue_button = button(self.tr("&Lavrar documento"), "issue")
        self.issue_button.setToolTip(self.tr("Lavrar e numerar o documento (Ctrl+S)"))
        self.issue_button.setEnabled(False)
        self.close_button = button(self.tr("Cancelar"), "close")
        row.addStretch(1)
        row.addWidget(self.issue_button)
        row.addWidget(self.close_button)
        self.issue_button.clicked.connect(self.submit)
        self.close_button.clicked.connect(self.reject)
        return row

    # --- loading and live feedback ----------------------------------------------------------

    def _load(self) -> None:
        ctx = self._ctx
        inspection_id, establishment_id = self._inspection_id, self._establishment_id

        def work() -> IssueContext:
            with ctx.db.read_only() as session:
                return issue_context(session, ctx.actor, inspection_id, establishment_id)

        ctx.ops.run(work, self._fill, parent=self)

    def _fill(self, context: IssueContext) -> None:
        self.context = context
        self.heading.setText(self._heading_text(context))
        if hasattr(self, "items_list"):
            self._fill_items(context)
        if hasattr(self, "facts") and self.kind is not DocumentKind.SAMPLE:
            self.facts.setPlainText(context.findings)
        if self.kind is DocumentKind.SUMMONS:
            self._show_deadline()
        if self.kind is DocumentKind.INFRACTION:
            self._show_fine()
        self.issue_button.setEnabled(bool(context.inspector_name))
        self.loaded.emit()

    def _heading_text(self, context: IssueContext) -> str:
        parts = [f"<b>{self.kind.label}</b>"]
        if context.establishment_name:
            parts.append(f"{context.establishment_name} – {context.establishment_document}")
        if context.inspection_date:
            parts.append(
                self.tr("Inspeção de {day}").format(day=f"{context.inspection_date:%d/%m/%Y}")
            )
        if context.inspector_name:
            parts.append(
                self.tr("Autoridade sanitária: {name}").format(name=context.inspector_name)
            )
        else:
            parts.append(
                self.tr(
                    "<span style='color:#b3261e'>Sua conta não está vinculada a um "
                    "fiscal sanitário: não é possível lavrar documentos.</span>"
                )
            )
        existing = [r for r in context.existing if r.kind is self.kind and not r.cancelled]
        if existing:
            parts.append(
                self.tr("Já lavrado para esta inspeção: nº {number}").format(
                    number=existing[0].number_label
                )
            )
        return "<br>".join(parts)  # fmt: skip

    # --- issuing ----------------------------------------------------------------------------

    def collect(self) -> DocumentInput:
        """The form as the service's input."""
        facts = self.facts.toPlainText().strip() if hasattr(self, "facts") else ""
        witnesses = tuple(
            Witness(n.text().strip(), d.text().strip()) for n, d in self.witness_fields
        )
        return DocumentInput(
            kind=self.kind, inspection_id=self._inspection_id,
            establishment_id=self.context.establishment_id if self.context else None,
            facts=facts,
            provisions=self.provisions.toPlainText() if hasattr(self, "provisions") else "",
            item_ids=self._checked_items(),
            deadline_days=self.days.value() if self.kind is DocumentKind.SUMMONS else None,
            gravity=self._gravity() if self.kind is DocumentKind.INFRACTION else None,
            sample=self._sample(), extent=self._extent(),
            interdicted=self.interdicted.text() if hasattr(self, "interdicted") else "",
            receiver_name=self.receiver_name.text(),
            receiver_document=self.receiver_document.text(),
            refused_to_sign=self.refused.isChecked(),
            witnesses=witnesses if self.refused.isChecked() else (),
        )  # fmt: skip

    def submit(self) -> None:
        """Issue the document (Ctrl+S)."""
        if not self.issue_button.isEnabled():
            return
        data = self.collect()
        self.issue_button.setEnabled(False)
        ctx = self._ctx

        def work() -> IssuedDocumentResult:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return issue_document(session, ctx.actor, data)

        ctx.ops.run(work, self._issued, self._failed, parent=self)

    def show_errors(self, errors: dict[str, str]) -> None:
        rest = dict(errors)
        for form in self.forms:
            rest = form.show_errors(rest)
        self.witness_error.show_message(rest.pop("witnesses", None))
        self.form_error.show_message(" ".join(rest.values()) or None)

    def _failed(self, exc: BaseException) -> None:
        self.issue_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_errors(exc.errors)
        else:
            show_error(self, exc)

    def _issued(self, result: IssuedDocumentResult) -> None:
        self.issued_result = result
        self.show_errors({})
        for kind in ("sanitary_document", "sanitary_process", "establishment", "inspection"):
            self._ctx.bus.changed.emit(kind)
        self.issued.emit(result)
        self._offer_print(result)

    def _offer_print(self, result: IssuedDocumentResult) -> None:
        text = self.tr("{title} lavrado.").format(title=result.title)
        if result.process_label:
            text += " " + self.tr("Aberto o processo administrativo sanitário nº {n}.").format(
                n=result.process_label
            )
        box = QMessageBox(
            QMessageBox.Icon.Information, self.tr("Documento lavrado"),
            text + "\n\n" + self.tr("Imprimir agora?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self,
        )  # fmt: skip
        box.setObjectName("print_offer")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("&Imprimir"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("Agora não"))
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.buttonClicked.connect(lambda button: self._after_offer(button is yes, result))
        self.print_offer = box
        box.open()

    def _after_offer(self, wants_print: bool, result: IssuedDocumentResult) -> None:
        if not wants_print:
            self.accept()
            return
        print_now(self._ctx, self.parentWidget(), result.document_id, on_done=self._printed)

    def _printed(self, preview: PdfPreviewDialog) -> None:
        self.preview = preview
        if shiboken6.isValid(self):
            self.accept()


def open_issue_dialog(
    ctx: AppContext,
    parent: QWidget | None,
    kind: DocumentKind,
    inspection_id: uuid.UUID | None,
    establishment_id: uuid.UUID | None = None,
) -> IssueDocumentDialog:
    """Open the issue dialog of `kind` for an inspection (non-blocking); returns the dialog."""
    dialog = IssueDocumentDialog(ctx, kind, inspection_id, establishment_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
