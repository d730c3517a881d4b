"""The citizen form ("Novo cidadão" / "Editar cidadão"), built for a clerk at the reception desk.

Everything works from the keyboard: fields in reading order, Enter moves to the next field,
Ctrl+S saves, Esc cancels (asking first when something was typed). Each field checks itself on
leaving with the same `app.brazil` rules the service applies; after saving, the service's
`ValidationError.errors` are placed beside their fields. A CNS or CPF that belongs to someone else
shows that person's name and offers to open the existing record; a probable duplicate (same name,
birth date and mother) asks "Salvar mesmo assim?" without blocking the event loop. The save runs in
`ctx.ops`, off the GUI thread; on success the form emits `ctx.bus.changed("citizen")`.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import shiboken6
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.brazil.ibge import municipality_name, municipality_uf
from app.brazil.names import name_error
from app.errors import DuplicateError, ValidationError
from app.installation.service import municipality_profile
from app.registry.enums import Race, Sex
from app.registry.queries import CitizenDetail, list_districts
from app.registry.rules import CitizenInput, birth_date_error
from app.registry.service import CitizenSaved, PossibleDuplicate, create_citizen, update_citizen
from app.security.actor import Actor
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.address import address_rows
from ui.widgets.discard import is_yes
from ui.widgets.fields import DateField, DocumentField, ErrorLabel, FormLayout
from ui.widgets.record_form import RecordFormDialog

NAME_FIELDS = ("name", "social_name", "mother_name")
LONG_FIELD_CHARS = 34  # names and streets: room for a typical one without scrolling
TEXT_FIELDS = (
    "name", "social_name", "cns", "cpf", "ethnicity", "mother_name", "cep", "street", "number",
    "complement", "municipality_ibge", "phone", "unit_cnes",
)  # fmt: skip


@dataclass(frozen=True)
class FormChoices:
    """What the form needs from the database before it opens (read in a worker)."""

    districts: list[tuple[str, str]]
    municipality_ibge: str


def load_form_choices(ctx: AppContext) -> FormChoices:
    """Bairros and the municipality's IBGE code; call inside `ctx.ops.run` (opens a session)."""
    with ctx.db.read_only() as session:
        return FormChoices(list_districts(session), municipality_profile(session).ibge_code)


def open_citizen_form(
    ctx: AppContext,
    parent: QWidget,
    detail: CitizenDetail | None = None,
    on_saved: Callable[[CitizenSaved], None] | None = None,
) -> None:
    """Load the form's choices in a worker, then open the form (new citizen when no detail)."""

    def show(choices: FormChoices) -> None:
        if not shiboken6.isValid(parent):
            return
        dialog = CitizenFormDialog(
            ctx, choices.districts, detail, parent, municipality_ibge=choices.municipality_ibge
        )
        if on_saved is not None:
            dialog.saved.connect(on_saved)
        dialog.open()

    ctx.ops.run(lambda: load_form_choices(ctx), show, parent=parent)


def save_citizen(
    ctx: AppContext, citizen_id: uuid.UUID | None, data: CitizenInput, confirm: bool
) -> CitizenSaved:
    """Create or update in one unit of work (runs in the worker; touches no widget)."""
    actor: Actor = ctx.actor
    with ctx.db.unit_of_work(actor.username) as session:
        if citizen_id is None:
            return create_citizen(session, actor, data, confirm_duplicate=confirm)
        return update_citizen(session, actor, citizen_id, data, confirm_duplicate=confirm)


def _town_label(code: str) -> str:
    name = municipality_name(code)
    return f"{name}/{municipality_uf(code)}" if name else ""


class CitizenFormDialog(RecordFormDialog):
    """Create (detail None) or edit (detail given) a citizen.

    Args:
        ctx: the logged-in session.
        districts: (id, name) of the bairros for the combo.
        detail: the citizen to edit, or None for a new one.
        municipality_ibge: default Município for a new citizen.

    Signals:
        saved(CitizenSaved): emitted after a successful save, before the dialog closes.
    """

    changed_kind = "citizen"

    def __init__(
        self,
        ctx: AppContext,
        districts: list[tuple[str, str]],
        detail: CitizenDetail | None = None,
        parent: QWidget | None = None,
        *,
        municipality_ibge: str = "",
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("citizen_form")
        self._districts = districts
        self._citizen_id = detail.id if detail else None
        self._existing_id: object = None
        self._build_ui(detail)
        if detail is not None:
            self._fill(detail)
        else:
            self._fill_defaults(municipality_ibge)
        self._remember_initial()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self, detail: CitizenDetail | None) -> None:
        if detail is None:
            title = self.tr("Novo cidadão")
        else:
            title = self.tr("Editar cidadão — {name}").format(name=detail.name)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_title(title))
        layout.addWidget(self._build_banner(self._build_open_existing()))
        columns = QHBoxLayout()
        columns.addWidget(self._build_identity_group(), 1)
        columns.addWidget(self._build_address_group(), 1)
        layout.addLayout(columns)
        layout.addStretch(1)
        layout.addLayout(self._build_buttons())
        self._build_shortcuts()
        self._build_tab_order()
        self.fields["name"].setFocus()

    def _build_title(self, title: str) -> QLabel:
        label = QLabel(title)
        font = QFont(label.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        label.setFont(font)
        return label

    def _build_open_existing(self) -> QPushButton:
        """The banner's "open existing record" button, shown when the document is taken."""
        self.open_existing_button = QPushButton(self.tr("Abrir cadastro existente"))
        self.open_existing_button.setObjectName("open_existing")
        self.open_existing_button.setAutoDefault(False)
        self.open_existing_button.clicked.connect(self._open_existing)
        return self.open_existing_button

    def _build_identity_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Identificação"))
        self._identity = form = FormLayout(box)
        self.fields: dict[str, QWidget] = {}
        self._add(form, "name", self.tr("&Nome completo"), self._line_edit(120))
        self._add(form, "social_name", self.tr("N&ome social"), self._line_edit(120))
        self._add(form, "cns", self.tr("CN&S"), DocumentField("cns"))
        self._add(form, "cpf", self.tr("CP&F"), DocumentField("cpf"))
        self._add(form, "birth_date", self.tr("&Data de nascimento"), DateField("birth_date"))
        self._add(form, "sex", self.tr("Se&xo"), self._sex_combo())
        self._add(form, "race", self.tr("&Raça/cor"), self._race_combo())
        self._add(form, "ethnicity", self.tr("Etn&ia (código)"), self._ethnicity_field())
        self._add(form, "mother_name", self.tr("Nome da mã&e"), self._line_edit(120))
        self._add(form, "phone", self.tr("&Telefone"), DocumentField("phone"))
        for name in NAME_FIELDS:
            self._check_name_on_leave(name)
        self.fields["birth_date"].editingFinished.connect(self._check_birth_date)
        race = self.fields["race"]
        assert isinstance(race, QComboBox)
        race.currentIndexChanged.connect(self._race_changed)
        self._race_changed()
        return box

    def _build_address_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Endereço e unidade"))
        self._address = form = FormLayout(box)
        rows = address_rows(self._districts, self.tr("&Complemento"), min_chars=LONG_FIELD_CHARS)
        for name, label, widget in rows:
            self._add(form, name, label, widget)
        self._add(form, "municipality_ibge", self.tr("Municíp&io (IBGE)"), self._ibge_field())
        self._add(form, "unit_cnes", self.tr("&Unidade (CNES)"), DocumentField("cnes", "unit_cnes"))
        return box

    def _build_shortcuts(self) -> None:
        save = QShortcut(QKeySequence("Ctrl+S"), self)
        save.activated.connect(lambda: self.save())

    def _build_tab_order(self) -> None:
        chain = [*self.fields.values(), *self._buttons]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _add(self, form: FormLayout, name: str, label: str, widget: QWidget) -> None:
        shown = getattr(widget, "row_widget", widget)
        form.add_field(name, label, widget, shown)
        self.fields[name] = widget

    # --- field factories --------------------------------------------------------------------

    def _line_edit(self, max_length: int) -> QLineEdit:
        edit = QLineEdit()
        edit.setMaxLength(max_length)
        if max_length >= 60:
            edit.setMinimumWidth(edit.fontMetrics().averageCharWidth() * LONG_FIELD_CHARS)
        else:
            edit.setFixedWidth(edit.fontMetrics().averageCharWidth() * (max_length + 4))
        return edit

    def _sex_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.addItem(self.tr("Selecione…"), None)
        for sex in (Sex.FEMALE, Sex.MALE, Sex.UNKNOWN):
            combo.addItem(sex.label, sex.value)
        return combo

    def _race_combo(self) -> QComboBox:
        combo = QComboBox()
        for race in Race:
            combo.addItem(race.label, race.value)
        combo.setCurrentIndex(combo.findData(Race.UNKNOWN.value))
        return combo

    def _ethnicity_field(self) -> QLineEdit:
        """The etnia's 4-digit code; enabled only when race/colour is "indígena"."""
        edit = QLineEdit()
        edit.setMaxLength(4)
        edit.setFixedWidth(edit.fontMetrics().averageCharWidth() * 10)
        edit.setToolTip(self.tr("Código de 4 dígitos da tabela de etnias indígenas"))
        return edit

    def _race_changed(self) -> None:
        indigenous = self._combo_value("race") == Race.INDIGENOUS.value
        field = self.fields["ethnicity"]
        field.setEnabled(indigenous)
        if not indigenous and isinstance(field, QLineEdit):
            field.clear()

    def _ibge_field(self) -> DocumentField:
        """The IBGE code, with the municipality's name shown beside it as it is typed."""
        field = DocumentField("ibge", "municipality_ibge")
        town = QLabel()
        town.setObjectName("municipality_name")
        field.textChanged.connect(lambda _text: town.setText(_town_label(field.digits())))
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field)
        row.addWidget(town, 1)
        field.row_widget = holder  # type: ignore[attr-defined]
        return field

    # --- reading and filling ----------------------------------------------------------------

    def _text(self, name: str) -> str:
        widget = self.fields[name]
        if isinstance(widget, DocumentField):
            return widget.digits()
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def _combo_value(self, name: str) -> str | None:
        widget = self.fields[name]
        assert isinstance(widget, QComboBox)
        value = widget.currentData()
        return str(value) if value else None

    def _birth_date(self) -> date | None:
        field = self.fields["birth_date"]
        assert isinstance(field, DateField)
        return field.value()

    def collect(self) -> CitizenInput:
        """What the form holds now, as the service's input."""
        sex, race = self._combo_value("sex"), self._combo_value("race")
        return CitizenInput(
            name=self._text("name"), birth_date=self._birth_date(),
            sex=Sex(sex) if sex else None, cns=self._text("cns"), cpf=self._text("cpf"),
            social_name=self._text("social_name"), race=Race(race) if race else Race.UNKNOWN,
            ethnicity=self._text("ethnicity"),
            mother_name=self._text("mother_name"), cep=self._text("cep"),
            street=self._text("street"), number=self._text("number"),
            complement=self._text("complement"), district_id=self._combo_value("district_id") or "",
            municipality_ibge=self._text("municipality_ibge"), phone=self._text("phone"),
            unit_cnes=self._text("unit_cnes"),
        )  # fmt: skip

    def _snapshot(self) -> tuple[str, ...]:
        """Everything visible in the fields, to tell whether the clerk changed anything."""
        values = []
        for widget in self.fields.values():
            if isinstance(widget, QComboBox):
                values.append(str(widget.currentData()))
            elif isinstance(widget, QLineEdit):
                values.append(widget.text())
        return tuple(values)

    def _set_text(self, name: str, value: str) -> None:
        widget = self.fields[name]
        if isinstance(widget, DocumentField):
            widget.set_digits(value)
        elif isinstance(widget, QLineEdit):
            widget.setText(value)

    def _set_combo(self, name: str, value: str) -> None:
        widget = self.fields[name]
        assert isinstance(widget, QComboBox)
        widget.setCurrentIndex(max(widget.findData(value), 0))

    def _fill(self, detail: CitizenDetail) -> None:
        for name in TEXT_FIELDS:
            self._set_text(name, getattr(detail, name))
        birth = self.fields["birth_date"]
        assert isinstance(birth, DateField)
        birth.set_value(detail.birth_date)
        self._set_combo("sex", detail.sex.value)
        self._set_combo("race", detail.race.value)
        self._set_combo("district_id", detail.district_id)

    def _fill_defaults(self, municipality_ibge: str) -> None:
        self._set_text("municipality_ibge", municipality_ibge)
        self._set_text("unit_cnes", self._ctx.installation.unit_cnes)

    # --- checks on leaving a field ----------------------------------------------------------

    def _error_label(self, name: str) -> ErrorLabel:
        return {**self._identity.error_labels, **self._address.error_labels}[name]

    def _check_name_on_leave(self, name: str) -> None:
        field = self.fields[name]
        assert isinstance(field, QLineEdit)
        field.editingFinished.connect(
            lambda: self._error_label(name).show_message(name_error(field.text()))
        )

    def _check_birth_date(self) -> None:
        field = self.fields["birth_date"]
        assert isinstance(field, DateField)
        value = field.value()
        if value is not None:
            field.set_error(birth_date_error(value, self._ctx.db.clock.now().date()))

    def _local_errors(self) -> dict[str, str]:
        """Errors the fields can tell without the database (shown again, in case none left)."""
        found: dict[str, str] = {}
        for name, widget in self.fields.items():
            validate = getattr(widget, "validate", None)
            message = validate() if validate else None
            if name in NAME_FIELDS and isinstance(widget, QLineEdit):
                message = name_error(widget.text())
            if message:
                found[name] = message
        return found

    # --- saving -----------------------------------------------------------------------------

    def save(self, confirm_duplicate: bool = False) -> None:
        """Check locally, then create or update through the service in a worker."""
        if not self._may_save():
            return
        ctx, data, citizen_id = self._ctx, self.collect(), self._citizen_id
        self._run_save(lambda: save_citizen(ctx, citizen_id, data, confirm_duplicate))

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, PossibleDuplicate):
            self._ask_duplicate(exc)
        elif isinstance(exc, DuplicateError):
            self.show_errors(exc.errors, existing_id=exc.existing_id)
        elif isinstance(exc, ValidationError):
            self.show_errors(exc.errors)
        else:
            show_error(self, exc)

    def show_errors(self, errors: dict[str, str], existing_id: object = None) -> None:
        """Put each message beside its field (others at the top) and focus the first one."""
        rest = self._identity.show_errors(errors)
        rest = self._address.show_errors(rest)
        self._existing_id = existing_id
        if existing_id is not None and not rest:
            rest = {"": self.tr("O documento informado já pertence a outro cadastro.")}
        self.form_error.show_message(" ".join(rest.values()))
        self.open_existing_button.setVisible(existing_id is not None)
        self.banner.setVisible(bool(rest) or existing_id is not None)
        first = next((name for name in self.fields if name in errors), None)
        if first is not None:
            self.fields[first].setFocus()

    def _ask_duplicate(self, exc: PossibleDuplicate) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Possível cadastro duplicado"),
            self.tr("{message}\n\nSalvar mesmo assim?").format(message=exc.errors[""]),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("possible_duplicate")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Salvar mesmo assim"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("Voltar ao formulário"))
        box.buttonClicked.connect(
            lambda button: is_yes(box, button) and self.save(confirm_duplicate=True)
        )
        box.open()

    def _open_existing(self) -> None:
        if self._existing_id is None:
            return
        # Imported here: the detail dialog opens this form too ("Editar").
        from ui.registry.detail import open_citizen_detail

        existing = self._existing_id
        assert isinstance(existing, uuid.UUID)
        open_citizen_detail(self._ctx, existing, self.parentWidget() or self)
