"""The establishment form ("Novo estabelecimento" / "Editar estabelecimento"): opening it, saving
and closing.

Three columns that fit a 1366×768 laptop: identification and address with notes (their fields in
`ui.sanitary.establishment_fields`), and the activities with the live risk
(`ui.sanitary.establishment_activities`). Keyboard: fields in reading order, Enter moves on,
Ctrl+S saves, Esc cancels (asking first when something was typed). Each field checks itself on
leaving; after saving, the service's messages are placed beside their fields. The save runs in
`ctx.ops`; on success the form emits `ctx.bus.changed("establishment")`.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DuplicateError, ValidationError
from app.registry.units import list_districts
from app.sanitary.establishment_queries import EstablishmentDetail, list_teams
from app.sanitary.establishments import (
    EstablishmentInput,
    EstablishmentSaved,
    create_establishment,
    default_team,
    document_error,
    update_establishment,
)
from app.sanitary.risk import CnaeInfo
from app.sanitary.risk_table import lookup_many
from ui.context import AppContext
from ui.ops import show_error
from ui.sanitary.establishment_activities import ActivitiesBox, bold
from ui.sanitary.establishment_fields import EstablishmentFieldsMixin
from ui.widgets.discard import confirm_discard
from ui.widgets.fields import DocumentField, ErrorLabel


@dataclass(frozen=True)
class FormChoices:
    """Read once, in a worker, before the form opens."""

    districts: list[tuple[str, str]]
    teams: list[str]
    default_team: str
    cnaes: dict[str, CnaeInfo]


def load_form_choices(ctx: AppContext) -> FormChoices:
    """Bairros, VISA teams, the default team and the effective risk table (opens a session)."""
    with ctx.db.read_only() as session:
        return FormChoices(
            list_districts(session),
            list_teams(session),
            default_team(session, ctx.actor),
            lookup_many(session, None),
        )


def open_establishment_form(
    ctx: AppContext,
    parent: QWidget,
    detail: EstablishmentDetail | None = None,
    on_saved: Callable[[EstablishmentSaved], None] | None = None,
) -> None:
    """Load the choices in a worker, then open the form (new establishment when no detail)."""

    def show(choices: FormChoices) -> None:
        if not shiboken6.isValid(parent):
            return
        dialog = EstablishmentFormDialog(ctx, choices, detail, parent)
        if on_saved is not None:
            dialog.saved.connect(on_saved)
        dialog.open()

    ctx.ops.run(lambda: load_form_choices(ctx), show, parent=parent)


def save_establishment(
    ctx: AppContext, establishment_id: uuid.UUID | None, data: EstablishmentInput
) -> EstablishmentSaved:
    """Create or update in one unit of work (runs in the worker)."""
    with ctx.db.unit_of_work(ctx.actor.username) as session:
        if establishment_id is None:
            return create_establishment(session, ctx.actor, data)
        return update_establishment(session, ctx.actor, establishment_id, data)


class EstablishmentFormDialog(EstablishmentFieldsMixin, QDialog):
    """Create (detail None) or edit an establishment.

    Signals:
        saved(EstablishmentSaved): after a successful save, before the dialog closes.
    """

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        choices: FormChoices,
        detail: EstablishmentDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("establishment_form")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._ctx = ctx
        self._choices = choices
        self._establishment_id = detail.id if detail else None
        self._saving = False
        self._discarding = False
        self.fields: dict[str, QWidget] = {}
        self._build_ui(detail)
        if detail is not None:
            self._fill(detail)
        else:
            self._set_combo("team", choices.default_team)
        self._initial = self._snapshot()
        self.fields["document"].setFocus()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self, detail: EstablishmentDetail | None) -> None:
        title = (
            self.tr("Novo estabelecimento")
            if detail is None
            else self.tr("Editar estabelecimento — {name}").format(
                name=detail.trade_name or detail.legal_name
            )
        )
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(bold(QLabel(title), 1.3))
        layout.addWidget(self._build_banner())
        columns = QHBoxLayout()
        columns.addWidget(self._build_identity(), 10)
        columns.addWidget(self._build_address(), 9)
        self.activities = ActivitiesBox(self._choices.cnaes)
        columns.addWidget(self.activities, 12)
        self.activities.changed.connect(self._build_tab_order)
        layout.addLayout(columns, 1)
        layout.addLayout(self._build_buttons())
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.save)
        self._build_tab_order()
        self.resize(1280, 660)

    def _build_banner(self) -> QFrame:
        self.banner = QFrame()
        self.banner.setObjectName("form_banner")
        self.banner.setStyleSheet(
            "QFrame#form_banner { background: #fdecea; border: 1px solid #f2b8b5;"
            " border-radius: 4px; }"
        )
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.form_error = ErrorLabel("form")
        row.addWidget(self.form_error, 1)
        self.banner.hide()
        return self.banner

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        hint = QLabel(self.tr("Enter: próximo campo · Ctrl+S: salvar · Esc: cancelar"))
        hint.setEnabled(False)
        self.save_button = QPushButton(self.tr("Salvar"))
        self.save_button.setObjectName("save")
        self.save_button.setToolTip(self.tr("Salvar (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(self.tr("Cancelar"))
        cancel.setToolTip(self.tr("Cancelar (Esc)"))
        cancel.clicked.connect(self.reject)
        for button in (self.save_button, cancel):
            button.setAutoDefault(False)
        row.addWidget(hint, 1)
        row.addWidget(self.save_button)
        row.addWidget(cancel)
        self._buttons = (self.save_button, cancel)
        return row

    def _build_tab_order(self) -> None:
        """Reading order, the answers of the activities included (rebuilt as they change)."""
        answers = [w for editor in self.activities.editors for w in editor.focus_widgets()]
        chain = [self.cnpj_radio, *self.fields.values(), self.activities.cnae_edit,
                 self.activities.add_button, *answers, *self._buttons]  # fmt: skip
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- modified? --------------------------------------------------------------------------

    def _snapshot(self) -> tuple[object, ...]:
        return (self.collect(),)

    def is_modified(self) -> bool:
        return self._snapshot() != self._initial

    # --- saving -----------------------------------------------------------------------------

    def _local_errors(self) -> dict[str, str]:
        found: dict[str, str] = {}
        message = document_error(self.document.kind, self.document.value())
        if message:
            found["document"] = message
        for name in ("cep", "phone"):
            field = self.fields[name]
            assert isinstance(field, DocumentField)
            message = field.validate()
            if message:
                found[name] = message
        return found

    def save(self) -> None:
        """Check locally, then create or update through the service in a worker."""
        if self._saving:
            return
        local = self._local_errors()
        if local:
            self.show_errors(local)
            return
        self._set_saving(True)
        data, establishment_id = self.collect(), self._establishment_id
        self._ctx.ops.run(
            lambda: save_establishment(self._ctx, establishment_id, data),
            self._saved,
            self._save_failed,
            parent=self,
        )

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        self.save_button.setText(self.tr("Salvando…") if saving else self.tr("Salvar"))

    def _saved(self, result: EstablishmentSaved) -> None:
        self._ctx.bus.changed.emit("establishment")
        if not shiboken6.isValid(self):
            return
        self._set_saving(False)
        self.saved.emit(result)
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_saving(False)
        if isinstance(exc, (DuplicateError, ValidationError)):
            self.show_errors(exc.errors)
        else:
            show_error(self, exc)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field (the rest at the top); focus the first one."""
        rest = self._identity.show_errors(errors)
        rest = self._address.show_errors(rest)
        self.document.set_error(errors.get("document"))
        self.activities.error_label.show_message(rest.pop("activities", None))
        self.form_error.show_message(" ".join(rest.values()))
        self.banner.setVisible(bool(rest))
        first = next((name for name in self.fields if name in errors), None)
        if first is not None:
            self.fields[first].setFocus()
        elif "activities" in errors:
            self.activities.cnae_edit.setFocus()

    # --- closing ----------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc / Cancelar: ask before throwing typed data away."""
        if self._saving:
            return
        if self._discarding or not self.is_modified():
            super().reject()
            return
        confirm_discard(self, self._discard)

    def _discard(self) -> None:
        self._discarding = True
        self.reject()
