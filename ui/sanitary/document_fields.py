"""The fields of the issue dialog for each kind of legal document, their live feedback, and reading
them back for the service.

`IssueFieldsMixin` is mixed into `ui.sanitary.document_dialogs.IssueDocumentDialog` (which sets
`kind`, `context` and `forms` before building): the items to correct and the deadline of a termo
de intimação with the end date computed as it is typed, the gravity and fine range of an auto de
infração, the sample and its custody, the extent of an interdiction; for every kind, who receives
the paper or "Recusou-se a assinar" with two witnesses. Also the small widget factories
(`button`, `text_box`, `line_edit`) the document dialogs share.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from app.sanitary.document_queries import IssueContext
from app.sanitary.documents import SampleInput
from app.sanitary.enums import DocumentKind, Gravity
from app.sanitary.rules import deadline
from ui.widgets.fields import DateField, ErrorLabel, FormLayout

DEFAULT_DAYS = 30
ITEM_ROLE = Qt.ItemDataRole.UserRole


def button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


def text_box(name: str, lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(f"field_{name}")
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


def line_edit(name: str, max_length: int = 120) -> QLineEdit:
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


class IssueFieldsMixin:
    """The kind's fields of `IssueDocumentDialog`: building, live feedback, reading back."""

    kind: DocumentKind
    context: IssueContext | None
    forms: list[FormLayout]

    # --- building ---------------------------------------------------------------------------

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
        self.facts = text_box("facts", 4)
        form.add_field("facts", self.tr("Fatos constatados:"), self.facts)
        note = QLabel(self.tr("Os itens não conformes da inspeção constam do termo."))
        note.setWordWrap(True)
        form.addRow("", note)
        return group

    def _build_summons(self) -> QGroupBox:
        group, form = self._form_group(self.tr("Itens a corrigir e prazo"))
        self._build_items(form, self.tr("Itens a corrigir:"))
        self.facts = text_box("facts", 3)
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
        self.facts = text_box("facts", 4)
        form.add_field("facts", self.tr("&Fatos:"), self.facts)
        self.provisions = text_box("provisions", 2)
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
            self.sample_fields[name] = line_edit(name, 200)
            form.add_field(name, self.tr(label), self.sample_fields[name])
        self.sample_fields["unit"].setText(self.tr("unidade(s)"))
        self.sample_fields["laboratory"].setText("LACEN")
        self.facts = text_box("facts", 2)
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
        self.interdicted = line_edit("interdicted", 300)
        self.interdicted.setPlaceholderText(self.tr("Setor, equipamento ou produto interditado"))
        form.add_field("interdicted", self.tr("O que fica interditado:"), self.interdicted)
        self.facts = text_box("facts", 3)
        form.add_field("facts", self.tr("&Motivo:"), self.facts)
        return group

    def _build_receiver_group(self) -> QGroupBox:
        group, form = self._form_group(self.tr("Recebimento"))
        self.receiver_name = line_edit("receiver_name")
        form.add_field("receiver_name", self.tr("&Recebido por:"), self.receiver_name)
        self.receiver_document = line_edit("receiver_document", 20)
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
            name = line_edit(f"witness{index}_name")
            document = line_edit(f"witness{index}_document", 20)
            document.setPlaceholderText(self.tr("CPF ou RG"))
            form.add_field(f"witness{index}_name", self.tr(f"{index}ª testemunha:"), name)
            form.add_field(f"witness{index}_document", self.tr("Documento:"), document)
            self.witness_fields.append((name, document))
        self.witness_error = ErrorLabel("witnesses")
        form.addRow("", self.witness_error)
        return self.witness_box

    # --- live feedback ----------------------------------------------------------------------

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

    # --- reading the fields -----------------------------------------------------------------

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
