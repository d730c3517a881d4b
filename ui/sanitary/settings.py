"""The VISA parameters page: inspection frequencies, licence validities, deadlines, fines.

One form for every field of `app.sanitary.config.ConfigValues`, in groups a coordinator
recognises: routine inspection frequency per risk level (months), validity of the licence and of
the provisional licence (months), the deadlines of the process and of complaints (days, with
"contar prazos em dias úteis"), the fine range of each gravity (money, R$ 1.234,56) and what the
documents print (department name, legal basis). A note says where the defaults come from (Lei
6.437/1977) and that they must follow the municipal sanitary code. Ctrl+S saves through
`update_config` in the worker; each refusal appears beside its field and nothing is saved; Esc
puts back the stored values. Accounts without "sanitary.manage" see the values read-only.
"""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.sanitary.config import ConfigValues, config_values, update_config
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.fields import ERROR_COLOR, FormLayout
from ui.widgets.page_header import title_label

MANAGE = "sanitary.manage"
NOTE = (
    "Os valores iniciais seguem a Lei Federal nº 6.437/1977: defesa em 15 dias e manifestação do "
    "autuante em 10 dias (art. 22), multas leves, graves e gravíssimas do art. 2º, § 1º. Ajuste-os "
    "ao código sanitário do município: os valores salvos valem para os documentos, prazos e "
    "planejamentos feitos daqui em diante (documentos já emitidos não mudam)."
)
READ_ONLY = (
    "Somente a coordenação da VISA (permissão “Planejar inspeções, manter roteiros, tabela de "
    "risco e parâmetros da VISA”) pode alterar estes valores."
)
MONTHS = (
    ("frequency_high_months", "Risco &III (alto):"),
    ("frequency_medium_months", "Risco I&I (médio):"),
    ("frequency_low_months", "Risco &I (baixo):"),
)
VALIDITY = (
    ("licence_months", "&Licença sanitária:"),
    ("provisional_licence_months", "Licença &provisória:"),
)
DAYS = (
    ("defence_days", "&Defesa do autuado:"),
    ("reply_days", "&Manifestação do autuante:"),
    ("judgement_days", "&Julgamento:"),
    ("appeal_days", "&Recurso:"),
    ("complaint_days", "Resposta à d&enúncia:"),
)
FINES = (
    ("fine_light_min", "Leve — mínimo (R$):"),
    ("fine_light_max", "Leve — máximo (R$):"),
    ("fine_serious_min", "Grave — mínimo (R$):"),
    ("fine_serious_max", "Grave — máximo (R$):"),
    ("fine_very_serious_min", "Gravíssima — mínimo (R$):"),
    ("fine_very_serious_max", "Gravíssima — máximo (R$):"),
)
MONEY_FIELDS = frozenset(name for name, _label in FINES)
BAD_MONEY = "Valor inválido: digite como 2.000,00."


def money_text(value: Decimal) -> str:
    """`Decimal("75000")` → `75.000,00`."""
    text = f"{value:,.2f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def parse_money(text: str) -> Decimal | None:
    """`R$ 75.000,00`, `75000`, `75.000,5` → Decimal; None when it is not an amount."""
    cleaned = text.replace("R$", "").replace(" ", "").replace(".", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() else None


def _spin(suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, 999)  # the service says what is acceptable, beside the field
    spin.setSuffix(suffix)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setFixedWidth(spin.fontMetrics().horizontalAdvance("999" + suffix) + 48)
    return spin


class SanitarySettingsPage(QWidget):
    """The department's parameters.

    Signals:
        loaded(): the stored values are in the form.
        saved(object): the new `ConfigValues` were stored.
    """

    loaded = Signal()
    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sanitary_settings_page")
        self._ctx = ctx
        self.forms: list[FormLayout] = []
        self.inputs: dict[str, QWidget] = {}
        self.stored: ConfigValues | None = None
        self._build_ui()
        self._set_editable(ctx.actor.can(MANAGE))
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Parâmetros da Vigilância Sanitária"))
        layout.addWidget(title)
        note = QLabel(self.tr(NOTE))
        note.setObjectName("legal_note")
        note.setWordWrap(True)
        note.setStyleSheet("background: #fff8e1; border: 1px solid #e0c36c; padding: 6px;")
        layout.addWidget(note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self._build_groups())
        layout.addWidget(scroll, 1)
        self.message = QLabel()
        self.message.setObjectName("form_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons())

    def _build_groups(self) -> QWidget:
        panel = QWidget()
        grid = QGridLayout(panel)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self._spins_group(self.tr("Frequência das inspeções de rotina"),
                                         MONTHS, " meses"), 0, 0)  # fmt: skip
        grid.addWidget(
            self._spins_group(self.tr("Validade das licenças"), VALIDITY, " meses"), 1, 0
        )
        grid.addWidget(self._deadlines_group(), 2, 0)
        grid.addWidget(self._fines_group(), 0, 1, 2, 1)
        grid.addWidget(self._identity_group(), 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(3, 1)
        return panel

    def _form(self, title: str) -> tuple[QGroupBox, FormLayout]:
        box = QGroupBox(title)
        form = FormLayout(box)
        self.forms.append(form)
        return box, form

    def _spins_group(self, title: str, rows: tuple[tuple[str, str], ...], suffix: str) -> QGroupBox:
        box, form = self._form(title)
        for name, label in rows:
            spin = _spin(self.tr(suffix))
            form.add_field(name, self.tr(label), spin)
            self.inputs[name] = spin
        return box

    def _deadlines_group(self) -> QGroupBox:
        box = self._spins_group(self.tr("Prazos"), DAYS, " dias")
        form = self.forms[-1]
        self.business_days = QCheckBox(self.tr("Contar prazos em dias ú&teis"))
        self.business_days.setObjectName("field_business_days")
        self.business_days.setToolTip(self.tr(
            "Marcado: contam só os dias úteis (sem sábados, domingos e feriados). Desmarcado: dias "
            "corridos, e o prazo que terminar em dia sem expediente passa ao próximo dia útil."
        ))  # fmt: skip
        form.add_field("business_days", "", self.business_days)
        self.inputs["business_days"] = self.business_days
        return box

    def _fines_group(self) -> QGroupBox:
        box, form = self._form(self.tr("Multas por gravidade"))
        self.fine_basis = QLineEdit()
        self.fine_basis.setMaxLength(120)
        self.fine_basis.setToolTip(
            self.tr("Dispositivo que fixa as faixas de multa, impresso no auto de infração depois "
                    "da base legal. Lei 6.437/1977: art. 2º, § 1º.")
        )  # fmt: skip
        form.add_field("fine_basis", self.tr("Dispositivo das m&ultas:"), self.fine_basis)
        self.inputs["fine_basis"] = self.fine_basis
        for name, label in FINES:
            field = QLineEdit()
            field.setAlignment(Qt.AlignmentFlag.AlignRight)
            field.setFixedWidth(field.fontMetrics().horizontalAdvance("R$ 1.500.000.000,00") + 24)
            form.add_field(name, self.tr(label), field)
            self.inputs[name] = field
        return box

    def _identity_group(self) -> QGroupBox:
        box, form = self._form(self.tr("O que os documentos imprimem"))
        self.department_name = QLineEdit()
        self.department_name.setMaxLength(120)
        form.add_field("department_name", self.tr("&Nome do setor:"), self.department_name)
        self.legal_basis = QLineEdit()
        self.legal_basis.setMaxLength(300)
        self.legal_basis.setToolTip(
            self.tr("Impressa nos termos e autos, por exemplo: Lei Federal nº 6.437/1977 e Código "
                    "Sanitário Municipal.")
        )  # fmt: skip
        form.add_field("legal_basis", self.tr("&Base legal:"), self.legal_basis)
        self.inputs["department_name"] = self.department_name
        self.inputs["legal_basis"] = self.legal_basis
        return box

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("&Salvar (Ctrl+S)"))
        self.save_button.setObjectName("save")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(self.tr("&Desfazer alterações (Esc)"))
        self.revert_button.setObjectName("revert")
        self.revert_button.clicked.connect(self.reload)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.reload)
        row.addStretch(1)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        return row

    def _set_editable(self, editable: bool) -> None:
        for widget in self.inputs.values():
            widget.setEnabled(editable)
        self.save_button.setEnabled(editable)
        self.revert_button.setEnabled(editable)
        self._editable = editable

    # --- values -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Put the stored values back in the form (read in the worker)."""
        db, username = self._ctx.db, self._ctx.actor.username

        def work() -> ConfigValues:
            with db.unit_of_work(username) as session:  # the first read stores the defaults
                return config_values(session)

        self._ctx.ops.run(work, self._fill, parent=self)

    def _fill(self, values: ConfigValues) -> None:
        self.stored = values
        for item in fields(ConfigValues):
            value = getattr(values, item.name)
            widget = self.inputs[item.name]
            if isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QLineEdit):
                widget.setText(money_text(value) if isinstance(value, Decimal) else str(value))
        self._show_errors({})
        self.loaded.emit()

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """What the form holds, by field name, and the fields that could not be read."""
        found: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, widget in self.inputs.items():
            if isinstance(widget, QSpinBox):
                found[name] = widget.value()
            elif isinstance(widget, QCheckBox):
                found[name] = widget.isChecked()
            elif name in MONEY_FIELDS and isinstance(widget, QLineEdit):
                amount = parse_money(widget.text())
                if amount is None:
                    errors[name] = self.tr(BAD_MONEY)
                found[name] = amount
            elif isinstance(widget, QLineEdit):
                found[name] = widget.text().strip()
        return found, errors

    def save(self) -> None:
        """Store the form (Ctrl+S); refusals appear beside their fields, nothing half-saved."""
        if not self.save_button.isEnabled():
            return
        found, errors = self.values()
        if errors:
            self._show_errors(errors)
            return
        values = ConfigValues(**found)
        db, actor = self._ctx.db, self._ctx.actor
        self.save_button.setEnabled(False)

        def work() -> ConfigValues:
            with db.unit_of_work(actor.username) as session:
                return update_config(session, actor, values)

        self._ctx.ops.run(work, self._saved, self._refused, parent=self)

    def _saved(self, values: ConfigValues) -> None:
        self.save_button.setEnabled(True)
        self._fill(values)
        self._status(self.tr("Parâmetros salvos."), "#1b5e20")
        self._ctx.bus.changed.emit("sanitary_config")
        self.saved.emit(values)

    def _refused(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self._show_errors(exc.errors)
            return
        show_error(self, exc)

    def _status(self, text: str, color: str) -> None:
        self.message.setStyleSheet(f"color: {color};")
        self.message.setText(text)

    def _show_errors(self, errors: dict[str, str]) -> None:
        unplaced = dict(errors)
        for form in self.forms:
            left = form.show_errors(errors)
            unplaced = {name: text for name, text in unplaced.items() if name in left}
        if errors:
            unplaced.setdefault("", self.tr("Nada foi salvo: corrija os campos indicados."))
            self._status("\n".join(unplaced.values()), ERROR_COLOR)
        else:
            self._status("" if self._editable else self.tr(READ_ONLY), "#555555")
        first = next((self.inputs[n] for n in self.inputs if n in errors), None)
        if first is not None:
            first.setFocus()
