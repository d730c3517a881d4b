"""What is done to a legal document of VISA once issued: print (or reprint) it, cancel it, and
record a sample's laboratory result.

`print_now` prints in the worker and opens the preview (non-blocking); `CancelDocumentDialog` asks
the reason of a cancellation (the number stays, marked cancelled); `SampleResultDialog` records
the laboratory's answer about a sample. The documents screen and the issue dialog call them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.reports.issue import IssuedPdf
from app.sanitary.document_actions import (
    SampleResult,
    cancel_document,
    print_document,
    record_sample_result,
)
from ui.context import AppContext
from ui.ops import show_error
from ui.sanitary.document_fields import button, line_edit, text_box
from ui.widgets.fields import DateField, ErrorLabel, FormLayout
from ui.widgets.pdf_preview import PdfPreviewDialog


def print_now(
    ctx: AppContext,
    parent: QWidget | None,
    document_id: uuid.UUID,
    button: QPushButton | None = None,
    on_done: Callable[[PdfPreviewDialog], None] | None = None,
) -> None:
    """Print (or reprint) a document in the worker, then open its preview (non-blocking)."""
    if button is not None:
        button.setEnabled(False)

    def work() -> IssuedPdf:
        with ctx.db.unit_of_work(ctx.actor.username) as session:
            return print_document(session, ctx.actor, document_id)

    def show(issued: IssuedPdf) -> None:
        if button is not None and shiboken6.isValid(button):
            button.setEnabled(True)
        preview = PdfPreviewDialog(issued.pdf, issued.title, issued.code, parent)
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.open()
        ctx.bus.changed.emit("sanitary_document")
        if on_done is not None:
            on_done(preview)

    def failed(exc: BaseException) -> None:
        if button is not None and shiboken6.isValid(button):
            button.setEnabled(True)
        show_error(parent, exc)

    ctx.ops.run(work, show, failed)


class CancelDocumentDialog(QDialog):
    """Ask the reason of a cancellation and cancel (the number stays, marked cancelled).

    Signals:
        cancelled(): the document was cancelled.
    """

    cancelled = Signal()

    def __init__(
        self, ctx: AppContext, document_id: uuid.UUID, label: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cancel_document_dialog")
        self.setWindowTitle(self.tr("Cancelar documento"))
        self._ctx = ctx
        self._document_id = document_id
        layout = QVBoxLayout(self)
        warning = QLabel(
            self.tr(
                "Cancelar o documento {label}? O número ficará registrado como cancelado e não "
                "será reutilizado; o documento impresso passará a trazer a marca CANCELADO."
            ).format(label=label)
        )
        warning.setWordWrap(True)
        layout.addWidget(warning)
        form = FormLayout()
        self.reason = line_edit("reason", 300)
        self.form = form
        form.add_field("reason", self.tr("&Motivo:"), self.reason)
        layout.addLayout(form)
        self.form_error = ErrorLabel("form")
        layout.addWidget(self.form_error)
        row = QHBoxLayout()
        self.confirm_button = button(self.tr("Cancelar &documento"), "confirm_cancel")
        back = button(self.tr("Voltar"), "back")
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        row.addWidget(back)
        layout.addLayout(row)
        self.confirm_button.clicked.connect(self.confirm)
        back.clicked.connect(self.reject)
        self.resize(520, 180)

    def confirm(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.form.show_errors({"reason": self.tr("Informe o motivo do cancelamento.")})
            return
        ctx, document_id = self._ctx, self._document_id
        self.confirm_button.setEnabled(False)

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                cancel_document(session, ctx.actor, document_id, reason)

        ctx.ops.run(work, lambda _none: self._done(), self._failed, parent=self)

    def _done(self) -> None:
        self._ctx.bus.changed.emit("sanitary_document")
        self._ctx.bus.changed.emit("establishment")
        self.cancelled.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.confirm_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            rest = self.form.show_errors(exc.errors)
            self.form_error.show_message(" ".join(rest.values()) or None)
        else:
            show_error(self, exc)


class SampleResultDialog(QDialog):
    """Record the laboratory's answer about a sample (date, satisfactory or not, report number).

    Signals:
        recorded(): the result was saved.
    """

    recorded = Signal()

    def __init__(
        self, ctx: AppContext, document_id: uuid.UUID, label: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sample_result_dialog")
        self.setWindowTitle(self.tr("Resultado da análise – {label}").format(label=label))
        self._ctx = ctx
        self._document_id = document_id
        layout = QVBoxLayout(self)
        self.form = FormLayout()
        self.result_on = DateField("result_on")
        self.result_on.set_value(ctx.today())
        self.form.add_field("result_on", self.tr("&Data do laudo:"), self.result_on)
        self.satisfactory = QRadioButton(self.tr("Satisfatório"))
        self.satisfactory.setObjectName("satisfactory")
        self.unsatisfactory = QRadioButton(self.tr("Insatisfatório"))
        self.unsatisfactory.setObjectName("unsatisfactory")
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.satisfactory)
        line.addWidget(self.unsatisfactory)
        line.addStretch(1)
        error = self.form.add_field("satisfactory", self.tr("Resultado:"), self.satisfactory, row)
        for radio in (self.satisfactory, self.unsatisfactory):
            radio.toggled.connect(lambda _on: error.show_message(None))
        self.report_number = line_edit("report_number", 60)
        self.form.add_field("report_number", self.tr("Nº do &laudo:"), self.report_number)
        self.received_by = line_edit("received_by")
        self.form.add_field(
            "received_by", self.tr("Recebida no laboratório por:"), self.received_by
        )
        self.notes = text_box("notes", 3)
        self.form.add_field("notes", self.tr("Observações:"), self.notes)
        layout.addLayout(self.form)
        self.form_error = ErrorLabel("form")
        layout.addWidget(self.form_error)
        buttons = QHBoxLayout()
        self.save_button = button(self.tr("&Registrar"), "save_result")
        back = button(self.tr("Cancelar"), "back")
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(back)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        back.clicked.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)

    def _local_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.result_on.value() is None:
            errors["result_on"] = self.tr("Informe a data do laudo.")
        if not (self.satisfactory.isChecked() or self.unsatisfactory.isChecked()):
            errors["satisfactory"] = self.tr("Escolha o resultado.")
        return errors

    def save(self) -> None:
        errors = self._local_errors()
        if errors:
            self.form.show_errors(errors)
            return
        result_on = self.result_on.value()
        assert isinstance(result_on, date)
        result = SampleResult(
            result_on=result_on, satisfactory=self.satisfactory.isChecked(),
            report_number=self.report_number.text(), notes=self.notes.toPlainText(),
            received_by=self.received_by.text(),
        )  # fmt: skip
        ctx, document_id = self._ctx, self._document_id

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                record_sample_result(session, ctx.actor, document_id, result)

        ctx.ops.run(work, lambda _none: self._done(), self._failed, parent=self)

    def _done(self) -> None:
        self._ctx.bus.changed.emit("sanitary_document")
        self.recorded.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            rest = self.form.show_errors(exc.errors)
            self.form_error.show_message(" ".join(rest.values()) or None)
        else:
            show_error(self, exc)
