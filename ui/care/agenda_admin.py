"""Agenda administration, for the unit's manager or clerk: the "Administrar agenda" menu of the
Agenda page, opening the dialogs of `agenda_templates`, `agenda_blocks`, `agenda_holidays` and
`waiting_list` with what the page has chosen (unit, professional, today). After a write the
dialogs announce `ctx.bus.changed("agenda")` (or "waiting") so the page shows the day again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMenu,
    QWidget,
)

from app.care import agendas
from ui.care.agenda_blocks import BlocksDialog
from ui.care.agenda_forms import (
    AgendaChoice,
)
from ui.care.agenda_holidays import HolidaysDialog
from ui.care.agenda_templates import (
    GenerateSlotsDialog,
    TemplateFormDialog,
    TemplatesDialog,
)
from ui.care.waiting_list import WaitingEntryDialog, WaitingQueueDialog, start_waiting_entry
from ui.context import AppContext

# --- the page's menu ------------------------------------------------------------------------------


def admin_menu(ctx: AppContext, choice: Callable[[], AgendaChoice], parent: QWidget) -> QMenu:
    """The Agenda page's "Administrar agenda" menu; each entry opens its dialog with the page's
    current choice."""
    menu = QMenu(parent)
    menu.setObjectName("agenda_admin_menu")
    may_schedule = ctx.actor.can(agendas.SCHEDULE)

    def opener(factory: Callable[[AgendaChoice], QDialog]) -> Callable[[], None]:
        def open_dialog() -> None:
            dialog = factory(choice())
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

        return open_dialog

    entries: list[tuple[str, str, Callable[[], None], bool]] = [
        (menu.tr("&Modelos de agenda…"), "templates",
         opener(lambda c: TemplatesDialog(ctx, c, parent)), may_schedule),
        (menu.tr("&Bloquear agenda…"), "blocks",
         opener(lambda c: BlocksDialog(ctx, c, parent)), may_schedule),
        (menu.tr("&Feriados municipais…"), "holidays",
         opener(lambda c: HolidaysDialog(ctx, c.today, parent)), may_schedule),
        (menu.tr("&Lista de espera…"), "waiting_list",
         opener(lambda c: WaitingQueueDialog(ctx, c, parent)), True),
        (menu.tr("&Incluir na lista de espera…"), "add_waiting",
         lambda: _start_from_menu(ctx, choice(), parent), may_schedule),
    ]  # fmt: skip
    for text, name, slot, visible in entries:
        action = menu.addAction(text)
        action.setObjectName(name)
        action.setVisible(visible)
        action.triggered.connect(slot)
    return menu


def _start_from_menu(ctx: AppContext, choice: AgendaChoice, parent: QWidget) -> None:
    def saved(name: str) -> None:
        text = parent.tr("{name} incluído(a) na lista de espera.").format(name=name)
        message = parent.findChild(QLabel, "agenda_message")
        if message is not None:
            message.setText(text)

    start_waiting_entry(ctx, choice, parent, saved)


__all__ = [
    "AgendaChoice",
    "BlocksDialog",
    "GenerateSlotsDialog",
    "HolidaysDialog",
    "TemplateFormDialog",
    "TemplatesDialog",
    "WaitingEntryDialog",
    "WaitingQueueDialog",
    "admin_menu",
]
