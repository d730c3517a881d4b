"""The "Planejamento de inspeções" page of the VISA coordination, in three tabs.

"Inspeções a programar" (`ui.sanitary.planning_due`): the establishments whose routine
inspection is overdue or due within the horizon, to be planned. "Programadas"
(`ui.sanitary.planning_scheduled`): the planned and ongoing inspections of a period, to reassign,
cancel or print as the inspector's work list. "Fiscais": the register of inspectors
(`ui.sanitary.inspectors`). The page reads the choices the tabs' filters offer and reloads the
tabs when an inspection, an establishment or an inspector changes.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.sanitary.inspectors import INSPECTOR, InspectorsWidget
from ui.sanitary.planning_due import DueTab
from ui.sanitary.planning_models import INSPECTION, Choices, load_choices
from ui.sanitary.planning_scheduled import ScheduledTab
from ui.widgets.page_header import title_label


class PlanningPage(QWidget):
    """The planning page: "Inspeções a programar", "Programadas" and "Fiscais"."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planning_page")
        self.ctx = ctx
        self._build_ui()
        ctx.bus.changed.connect(self._on_changed)
        self.reload()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Planejamento de inspeções"))
        layout.addWidget(title)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("planning_tabs")
        self.due_tab = DueTab(self.ctx)
        self.scheduled_tab = ScheduledTab(self.ctx)
        self.inspectors_tab = InspectorsWidget(self.ctx)
        self.tabs.addTab(self.due_tab, self.tr("Inspeções a &programar"))
        self.tabs.addTab(self.scheduled_tab, self.tr("Pro&gramadas"))
        self.tabs.addTab(self.inspectors_tab, self.tr("&Fiscais"))
        layout.addWidget(self.tabs, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)

    def _on_changed(self, kind: str) -> None:
        if kind in (INSPECTION, "establishment"):
            self.due_tab.reload()
            self.scheduled_tab.reload()
        elif kind == INSPECTOR:
            self.reload()

    def reload(self) -> None:
        ctx = self.ctx
        ctx.ops.run(lambda: load_choices(ctx), self._show_choices, parent=self)

    def _show_choices(self, choices: Choices) -> None:
        self.due_tab.set_choices(choices)
        self.scheduled_tab.set_choices(choices)
        self.due_tab.reload()
        self.scheduled_tab.reload()
