"""The fields of the establishment form: identification (CNPJ or CPF with its mask, names,
responsible people, contacts, VISA team) and address (with bairro) and notes, and reading them
into the service's input or filling them from a saved establishment.

`HolderDocumentField` is the CNPJ/CPF field, masked by the chosen kind and checked on leaving.
`EstablishmentFieldsMixin` is mixed into `ui.sanitary.establishment_form.EstablishmentFormDialog`
(which sets `_choices`, `fields` and `activities` before building).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QWidget,
)

from app.brazil.identifiers import INPUT_MASKS, clean_cnpj, only_digits
from app.sanitary.enums import HolderKind
from app.sanitary.establishment_queries import EstablishmentDetail
from app.sanitary.establishments import EstablishmentInput, document_error, email_error
from ui.sanitary.establishment_activities import ActivitiesBox
from ui.widgets.address import address_rows
from ui.widgets.fields import CheckedLineEdit, DocumentField, FormLayout

if TYPE_CHECKING:
    from ui.sanitary.establishment_form import FormChoices

TEXT_FIELDS = (
    "legal_name", "trade_name", "legal_representative", "technical_name", "technical_council",
    "email", "street", "number", "complement",
)  # fmt: skip


def _optional(mask: str) -> str:
    """Required mask characters made optional, so leaving a half-typed field still validates."""
    body, _, blank = mask.partition(";")
    return body.replace("9", "0").replace("N", "n") + ";" + (blank or "_")


class HolderDocumentField(CheckedLineEdit):
    """CNPJ (letters allowed, IN RFB 2.229/2024) or CPF, masked by the chosen kind."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("document", parent)
        self.kind = HolderKind.CNPJ
        self.set_kind(HolderKind.CNPJ)
        width = self.fontMetrics().horizontalAdvance("WW.WWW.WWW/WWWW-88")
        self.setFixedWidth(width + 24)

    def set_kind(self, kind: HolderKind) -> None:
        self.kind = kind
        mask = INPUT_MASKS["cnpj"] if kind is HolderKind.CNPJ else INPUT_MASKS["cpf"]
        self.setInputMask(_optional(mask))
        self.clear()
        self.set_error(None)

    def value(self) -> str:
        """Storage form: CNPJ upper-case letters and digits, CPF digits."""
        text = self.text()
        return (
            clean_cnpj(text).replace("_", "") if self.kind is HolderKind.CNPJ else only_digits(text)
        )

    def set_value(self, kind: HolderKind, value: str) -> None:
        self.set_kind(kind)
        self.setText(value)

    def current_error(self) -> str | None:
        value = self.value()
        return document_error(self.kind, value) if value else None

    def _home_if_empty(self) -> None:
        if not self.value():
            self.setCursorPosition(0)


class EstablishmentFieldsMixin:
    """The identification and address columns of `EstablishmentFormDialog`: build, read, fill."""

    _choices: FormChoices
    fields: dict[str, QWidget]
    activities: ActivitiesBox

    # --- building ---------------------------------------------------------------------------

    def _build_identity(self) -> QGroupBox:
        box = QGroupBox(self.tr("Identificação"))
        self._identity = form = FormLayout(box)
        form.addRow(self.tr("Tipo"), self._build_kind())
        self.document = HolderDocumentField()
        self._add(form, "document", self.tr("CNPJ/CP&F"), self.document)
        self._add(form, "legal_name", self.tr("&Razão social"), self._line(150))
        self._add(form, "trade_name", self.tr("Nome &fantasia"), self._line(150))
        self._add(form, "legal_representative", self.tr("Res&p. legal"), self._line(120))
        self._add(form, "technical_name", self.tr("Resp. &técnico"), self._line(120))
        self._add(form, "technical_council", self.tr("Co&nselho/registro"), self._line(40))
        self._add(form, "phone", self.tr("Tele&fone"), DocumentField("phone"))
        self._add(form, "email", self.tr("&E-mail"), self._line(120))
        self._add(form, "team", self.tr("E&quipe VISA"), self._team_combo())
        email = self.fields["email"]
        assert isinstance(email, QLineEdit)
        email.editingFinished.connect(
            lambda: self._identity.error_labels["email"].show_message(email_error(email.text()))
        )
        return box

    def _build_kind(self) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        self.cnpj_radio = QRadioButton(self.tr("CNPJ"))
        self.cnpj_radio.setObjectName("kind_cnpj")
        self.cpf_radio = QRadioButton(self.tr("CPF (pessoa física)"))
        self.cpf_radio.setObjectName("kind_cpf")
        self.cnpj_radio.setChecked(True)
        self.cpf_radio.toggled.connect(self._kind_changed)
        row.addWidget(self.cnpj_radio)
        row.addWidget(self.cpf_radio)
        row.addStretch(1)
        return holder

    def _build_address(self) -> QGroupBox:
        box = QGroupBox(self.tr("Endereço e observações"))
        self._address = form = FormLayout(box)
        for name, label, widget in address_rows(self._choices.districts, self.tr("C&omplemento")):
            self._add(form, name, label, widget)
        notes = QPlainTextEdit()
        notes.setTabChangesFocus(True)
        notes.setFixedHeight(notes.fontMetrics().lineSpacing() * 8)
        notes.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        notes.setObjectName("field_notes")
        self._add(form, "notes", self.tr("Observa&ções"), notes)
        return box

    def _add(self, form: FormLayout, name: str, label: str, widget: QWidget) -> None:
        form.add_field(name, label, widget)
        self.fields[name] = widget

    def _line(self, max_length: int) -> QLineEdit:
        edit = QLineEdit()
        edit.setMaxLength(max_length)
        if max_length < 40:
            edit.setFixedWidth(edit.fontMetrics().averageCharWidth() * (max_length + 4))
        return edit

    def _team_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.addItem("")
        combo.addItems(self._choices.teams)
        combo.setToolTip(self.tr("A equipe que recebe o estabelecimento no notebook de campo"))
        return combo

    def _kind_changed(self) -> None:
        kind = HolderKind.CPF if self.cpf_radio.isChecked() else HolderKind.CNPJ
        if kind is not self.document.kind:
            self.document.set_kind(kind)

    # --- reading and filling ----------------------------------------------------------------

    def _text(self, name: str) -> str:
        widget = self.fields[name]
        if isinstance(widget, DocumentField):
            return widget.digits()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QComboBox):
            return widget.currentText() if widget.isEditable() else str(widget.currentData() or "")
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def collect(self) -> EstablishmentInput:
        """What the form holds now, as the service's input."""
        texts = {name: self._text(name) for name in TEXT_FIELDS}
        return EstablishmentInput(
            holder_kind=self.document.kind, document=self.document.value(),
            cep=self._text("cep"), phone=self._text("phone"), notes=self._text("notes"),
            district_id=self._text("district_id"), team=self._text("team").strip(),
            activities=self.activities.activities(), **texts,
        )  # fmt: skip

    def _set_combo(self, name: str, value: str) -> None:
        widget = self.fields[name]
        assert isinstance(widget, QComboBox)
        if widget.isEditable():
            widget.setCurrentText(value)
        else:
            widget.setCurrentIndex(max(widget.findData(value), 0))

    def _fill(self, detail: EstablishmentDetail) -> None:
        self.cpf_radio.setChecked(detail.holder_kind is HolderKind.CPF)
        self.document.set_value(detail.holder_kind, detail.document)
        for name in TEXT_FIELDS:
            widget = self.fields[name]
            assert isinstance(widget, QLineEdit)
            widget.setText(getattr(detail, name))
        for name in ("cep", "phone"):
            field = self.fields[name]
            assert isinstance(field, DocumentField)
            field.set_digits(getattr(detail, name))
        notes = self.fields["notes"]
        assert isinstance(notes, QPlainTextEdit)
        notes.setPlainText(detail.notes)
        self._set_combo("district_id", detail.district_id)
        self._set_combo("team", detail.team)
        for activity in detail.activities:
            answers = {
                str(q.position): q.answer for q in activity.questions if q.answer is not None
            }
            self.activities.add(activity.cnae, answers)
