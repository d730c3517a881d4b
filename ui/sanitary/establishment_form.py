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
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

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
from ui.sanitary.establishment_activities import ActivitiesBox, bold
from ui.sanitary.establishment_fields import EstablishmentFieldsMixin
from ui.widgets.fields import DocumentField
from ui.widgets.record_form import RecordFormDialog


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


class EstablishmentFormDialog(EstablishmentFieldsMixin, RecordFormDialog):
    """Create (detail None) or edit an establishment.

    Signals:
        saved(EstablishmentSaved): after a successful save, before the dialog closes.
    """

    changed_kind = "establishment"

    def __init__(
        self,
        ctx: AppContext,
        choices: FormChoices,
        detail: EstablishmentDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("establishment_form")
        self._choices = choices
        self._establishment_id = detail.id if detail else None
        self.fields: dict[str, QWidget] = {}
        self._build_ui(detail)
        if detail is not None:
            self._fill(detail)
        else:
            self._set_combo("team", choices.default_team)
        self._remember_initial()
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
        if not self._may_save():
            return
        ctx, data, establishment_id = self._ctx, self.collect(), self._establishment_id
        self._run_save(lambda: save_establishment(ctx, establishment_id, data))

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
