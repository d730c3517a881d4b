"""Dialogs that issue and manage the legal documents of VISA: issue a termo or auto, cancel one,
and record a sample's laboratory result.

`IssueDocumentDialog` loads what it needs (the establishment, the inspection's non-conformities,
the deadlines and fines in force) through `ctx.ops`, then shows the fields of its kind: the items
to correct and the deadline of a termo de intimação with the end date computed as it is typed, the
gravity and fine range of an auto de infração, the sample and its custody, the extent of an
interdiction; for every kind, who receives the paper or "Recusou-se a assinar" with two witnesses.
Ctrl+S issues, Esc closes; messages appear beside their fields. After issuing it offers to print.
`open_issue_dialog(ctx, parent, kind, inspection_id)` is what other screens call.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.reports.issue import IssuedPdf
from app.sanitary.document_queries import IssueContext, issue_context
from app.sanitary.documents import (
    DocumentInput,
    IssuedDocumentResult,
    SampleInput,
    SampleResult,
    Witness,
    cancel_document,
    issue_document,
    print_document,
    record_sample_result,
)
from app.sanitary.enums import DocumentKind, Gravity
from app.sanitary.rules import deadline
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.fields import DateField, ErrorLabel, FormLayout
from ui.widgets.pdf_preview import PdfPreviewDialog

DEFAULT_DAYS = 30
ITEM_ROLE = Qt.ItemDataRole.UserRole


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


def _text_box(name: str, lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(f"field_{name}")
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


def _line(name: str, max_length: int = 120) -> QLineEdit:
    line = QLineEdit()
    line.setObjectName(f"field_{name}")
    line.setMaxLength(max_length)
    return line


def deadline_sentence(context: IssueContext, days: int) -> str:
    """`Prazo: 30 (trinta) dias, até 01/04/2026` as the document will print it."""
    if days < 1:
        return "Prazo: informe pelo menos um dia."
    computed = deadline(
        context.today, days, business=context.business_days, municipal=context.holidays
    )
    return f"Prazo: {computed.sentence()}"


class IssueDocumentDialog(QDialog):
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

    def _form_group(self, title: str) -> tuple[QGroupBox, FormLayout]:
        group = QGroupBox(title)
        form = FormLayout(group)
        self.forms.append(form)
        return group, form

    def _build_kind_group(self) -> QGroupBox:
        builders: dict[DocumentKind, Callable[[], QGroupBox]] = {
            DocumentKind.INSPECTION_REPORT: self._build_report,
            DocumentKind.SUMMONS: self._build_summons,
            DocumentKind.INFRACTION: self._build_infraction,
            DocumentKind.SAMPLE: self._build_sample,
            DocumentKind.INTERDICTION: self._build_interdiction,
        }
        return builders[self.kind]()

    def _build_items(self, form: FormLayout, label: str) -> None:
        self.items_list = QListWidget()
        self.items_list.setObjectName("nc_items")
        self.items_list.setFixedHeight(150)
        self.items_list.setWordWrap(True)
        self.items_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.items_list.setTextElideMode(Qt.TextElideMode.ElideNone)
        form.add_field("items", label, self.items_list)

    def _build_report(self) -> QGroupBox:
        group, form = self._form_group(self.tr("Termo de inspeção"))
        self.facts = _text_box("facts", 4)
        form.add_field("facts", self.tr("Fatos constatados:"), self.facts)
        note = QLabel(self.tr("Os itens não conformes da inspeção constam do termo."))
        note.setWordWrap(True)
        form.addRow("", note)
        return group

    def _build_summons(self) -> QGroupBox:
        group, form = self._form_group(self.tr("Itens a corrigir e prazo"))
        self._build_items(form, self.tr("Itens a corrigir:"))
        self.facts = _text_box("facts", 3)
        form.add_field("facts", self.tr("Fatos constatados:"), self.facts)
        self.days = QSpinBox()
        self.days.setObjectName("field_deadline_days")
        self.days.setRange(0, 365)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setSuffix(self.tr(" dias"))
        self.deadline_label = QLabel()
        self.deadline_label.setObjectName("deadline_preview")
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.days)
        line.addWidget(self.deadline_label, 1)
        form.add_field("deadline_days", self.tr("&Prazo:"), self.days, row)
        self.days.valueChanged.connect(self._show_deadline)
        return group

    def _build_infraction(self) -> QGroupBox:
        group, form = self._form_group(self.tr("Infração"))
        self.facts = _text_box("facts", 4)
        form.add_field("facts", self.tr("&Fatos:"), self.facts)
        self.provisions = _text_box("provisions", 2)
        form.add_field("provisions", self.tr("&Dispositivos infringidos:"), self.provisions)
        form.add_field("gravity", self.tr("&Classificação:"), *self._build_gravity())
        self.fine_label = QLabel()
        self.fine_label.setObjectName("fine_range")
        form.addRow(self.tr("Multa prevista:"), self.fine_label)
        self.defence_label = QLabel()
        self.defence_label.setObjectName("defence_deadline")
        form.addRow(self.tr("Prazo de defesa:"), self.defence_label)
        self._build_items(form, self.tr("Itens do roteiro:"))
        return group

    def _build_gravity(self) -> tuple[QWidget, QWidget]:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        self.gravity_group = QButtonGroup(self)
        for index, gravity in enumerate(Gravity):
            radio = QRadioButton(gravity.label)
            radio.setObjectName(f"gravity_{gravity.value}")
            self.gravity_group.addButton(radio, index)
            line.addWidget(radio)
        line.addStretch(1)
        self.gravity_group.idToggled.connect(lambda _id, _on: self._show_fine())
        first = self.gravity_group.button(0)
        return first, row

    def _build_sample(self) -> QGroupBox:
        group, form = self._form_group(self.tr("Amostra e cadeia de custódia"))
        self.sample_fields: dict[str, QLineEdit] = {}
        self.manufactured = DateField("manufactured_on")
        self.expires = DateField("expires_on")
        self.units = QSpinBox()
        self.units.setRange(1, 999)
        self.units.setMaximumWidth(self.units.fontMetrics().horizontalAdvance("0000") + 40)
        dates = {"manufactured_on": (self.tr("Fabricação:"), self.manufactured),
                 "expires_on": (self.tr("Validade:"), self.expires),
                 "units_per_sample": (self.tr("Unidades por amostra:"), self.units)}  # fmt: skip
        for name, label in (
            ("product", "Pro&duto:"), ("brand", "Marca:"), ("lot", "Lote:"),
            ("manufactured_on", ""), ("expires_on", ""), ("quantity", "Quantidade:"),
            ("unit", "Unidade:"), ("units_per_sample", ""),
            ("seals", "Lacres (separe por vírgula):"), ("laboratory", "Laboratório:"),
            ("analysis", "Análise solicitada:"), ("transport", "Condições de transporte:"),
        ):  # fmt: skip
            if name in dates:
                form.add_field(name, *dates[name])
                continue
            self.sample_fields[name] = _line(name, 200)
            form.add_field(name, self.tr(label), self.sample_fields[name])
        self.sample_fields["unit"].setText(self.tr("unidade(s)"))
        self.sample_fields["laboratory"].setText("LACEN")
        self.facts = _text_box("facts", 2)
        form.add_field("facts", self.tr("Observações:"), self.facts)
        return group

    def _build_interdiction(self) -> QGroupBox:
        group, form = self._form_group(self.tr("Interdição"))
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        self.extent_total = QRadioButton(self.tr("Total"))
        self.extent_total.setObjectName("extent_total")
        self.extent_partial = QRadioButton(self.tr("Parcial"))
        self.extent_partial.setObjectName("extent_partial")
        line.addWidget(self.extent_total)
        line.addWidget(self.extent_partial)
        line.addStretch(1)
        form.add_field("extent", self.tr("&Extensão:"), self.extent_total, row)
        self.interdicted = _line("interdicted", 300)
        self.interdicted.setPlaceholderText(self.tr("Setor, equipamento ou produto interditado"))
        form.add_field("interdicted", self.tr("O que fica interditado:"), self.interdicted)
        self.facts = _text_box("facts", 3)
        form.add_field("facts", self.tr("&Motivo:"), self.facts)
        return group

    def _build_receiver_group(self) -> QGroupBox:
        group, form = self._form_group(self.tr("Recebimento"))
        self.receiver_name = _line("receiver_name")
        form.add_field("receiver_name", self.tr("&Recebido por:"), self.receiver_name)
        self.receiver_document = _line("receiver_document", 20)
        self.receiver_document.setPlaceholderText(self.tr("CPF ou RG"))
        form.add_field("receiver_document", self.tr("Documento:"), self.receiver_document)
        self.refused = QCheckBox(self.tr("Recusou-se a assinar (duas testemunhas)"))
        self.refused.setObjectName("refused_to_sign")
        form.addRow("", self.refused)
        form.addRow(self._build_witnesses())
        self.refused.toggled.connect(self.witness_box.setVisible)
        self.witness_box.setVisible(False)
        return group

    def _build_witnesses(self) -> QWidget:
        self.witness_box = QWidget()
        self.witness_box.setObjectName("witnesses")
        form = FormLayout(self.witness_box)
        form.setContentsMargins(0, 0, 0, 0)
        self.forms.append(form)
        self.witness_fields: list[tuple[QLineEdit, QLineEdit]] = []
        for index in (1, 2):
            name, document = _line(f"witness{index}_name"), _line(f"witness{index}_document", 20)
            document.setPlaceholderText(self.tr("CPF ou RG"))
            form.add_field(f"witness{index}_name", self.tr(f"{index}ª testemunha:"), name)
            form.add_field(f"witness{index}_document", self.tr("Documento:"), document)
            self.witness_fields.append((name, document))
        self.witness_error = ErrorLabel("witnesses")
        form.addRow("", self.witness_error)
        return self.witness_box

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.issue_button = _button(self.tr("&Lavrar documento"), "issue")
        self.issue_button.setToolTip(self.tr("Lavrar e numerar o documento (Ctrl+S)"))
        self.issue_button.setEnabled(False)
        self.close_button = _button(self.tr("Cancelar"), "close")
        row.addStretch(1)
        row.addWidget(self.issue_button)
        row.addWidget(self.close_button)
        self.issue_button.clicked.connect(self.submit)
        self.close_button.clicked.connect(self.reject)
        return row

    # --- loading and live feedback ------------------------------------------------------------

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

    def _fill_items(self, context: IssueContext) -> None:
        self.items_list.clear()
        for nc in context.nonconformities:
            text = f"{nc.code} – {nc.text} [{nc.classification.label}]"
            if nc.observation:
                text += f"\nObservação: {nc.observation}"
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(ITEM_ROLE, nc.item_id)
            self.items_list.addItem(item)
        if not context.nonconformities:
            self.items_list.addItem(self.tr("Nenhum item não conforme nesta inspeção."))

    def _show_deadline(self) -> None:
        if self.context is not None:
            self.deadline_label.setText(deadline_sentence(self.context, self.days.value()))

    def _show_fine(self) -> None:
        context = self.context
        if context is None:
            return
        gravity = self._gravity()
        self.fine_label.setText(context.fine_ranges[gravity] if gravity else self.tr("—"))
        defence = deadline_sentence(context, context.defence_days).removeprefix("Prazo: ")
        self.defence_label.setText(defence)

    # --- collecting and issuing ---------------------------------------------------------------

    def _gravity(self) -> Gravity | None:
        index = self.gravity_group.checkedId()
        return list(Gravity)[index] if index >= 0 else None

    def _checked_items(self) -> tuple[uuid.UUID, ...]:
        if not hasattr(self, "items_list"):
            return ()
        chosen = []
        for row in range(self.items_list.count()):
            item = self.items_list.item(row)
            if item.data(ITEM_ROLE) and item.checkState() == Qt.CheckState.Checked:
                chosen.append(item.data(ITEM_ROLE))
        return tuple(chosen)

    def _sample(self) -> SampleInput | None:
        if self.kind is not DocumentKind.SAMPLE:
            return None
        f = {name: field.text().strip() for name, field in self.sample_fields.items()}
        seals = tuple(s.strip() for s in f["seals"].replace(";", ",").split(",") if s.strip())
        return SampleInput(
            product=f["product"], brand=f["brand"], lot=f["lot"],
            manufactured_on=self.manufactured.value(), expires_on=self.expires.value(),
            quantity=f["quantity"], unit=f["unit"], units_per_sample=self.units.value(),
            seals=seals, laboratory=f["laboratory"], analysis=f["analysis"],
            transport=f["transport"],
        )  # fmt: skip

    def _extent(self) -> str:
        if self.kind is not DocumentKind.INTERDICTION:
            return ""
        if self.extent_total.isChecked():
            return "total"
        return "parcial" if self.extent_partial.isChecked() else ""

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


# --- cancel, sample result ------------------------------------------------------------------------


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
        self.reason = _line("reason", 300)
        self.form = form
        form.add_field("reason", self.tr("&Motivo:"), self.reason)
        layout.addLayout(form)
        self.form_error = ErrorLabel("form")
        layout.addWidget(self.form_error)
        row = QHBoxLayout()
        self.confirm_button = _button(self.tr("Cancelar &documento"), "confirm_cancel")
        back = _button(self.tr("Voltar"), "back")
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
        self.report_number = _line("report_number", 60)
        self.form.add_field("report_number", self.tr("Nº do &laudo:"), self.report_number)
        self.received_by = _line("received_by")
        self.form.add_field(
            "received_by", self.tr("Recebida no laboratório por:"), self.received_by
        )
        self.notes = _text_box("notes", 3)
        self.form.add_field("notes", self.tr("Observações:"), self.notes)
        layout.addLayout(self.form)
        self.form_error = ErrorLabel("form")
        layout.addWidget(self.form_error)
        buttons = QHBoxLayout()
        self.save_button = _button(self.tr("&Registrar"), "save_result")
        back = _button(self.tr("Cancelar"), "back")
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
