"""The "Programadas" tab of the planning page: planned and ongoing inspections of a period.

Filtered by inspector or team; selected planned ones can be given to another inspector (and
date) or cancelled with a reason; "Imprimir roteiro de trabalho" issues the inspector's work
list for the period and previews it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserFacingError
from app.sanitary import planning as svc
from app.sanitary.enums import InspectionStatus
from app.sanitary.planning_report import work_list_pdf
from ui.admin import ServiceDialog
from ui.context import AppContext
from ui.ops import show_error
from ui.sanitary.planning_dialogs import CancelDialog, ReassignDialog
from ui.sanitary.planning_models import (
    MANAGE,
    Choices,
    WorkModel,
    fill_combo,
    labelled,
    multi,
    selected,
)
from ui.widgets.fields import DateField
from ui.widgets.pdf_preview import issue_and_preview
from ui.widgets.tables import rows_table


class ScheduledTab(QWidget):
    """ "Programadas": planned/ongoing inspections of a period; reassign, cancel, print.

    Signals:
        loaded(): the table shows a fresh answer.
    """

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduled_tab")
        self.ctx = ctx
        self.choices = Choices((), (), ())
        self.dialog: ServiceDialog | None = None
        self.model = WorkModel(parent=self)
        self._build_ui()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_filters())
        self.table = rows_table(self.model, "scheduled_table", stretch_last=False)
        multi(self.table)
        for column, width in enumerate((90, 240, 300, 50, 170, 200, 160, 100)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._build_buttons())

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        today = self.ctx.today()
        self.start = DateField("start")
        self.start.set_value(today)
        self.end = DateField("end")
        self.end.set_value(today + timedelta(days=30))
        self.inspector = QComboBox()
        self.team = QComboBox()
        labelled(row, self.tr("&De:"), self.start)
        labelled(row, self.tr("&Até:"), self.end)
        labelled(row, self.tr("&Fiscal:"), self.inspector)
        labelled(row, self.tr("&Equipe:"), self.team)
        self.count_label = QLabel()
        row.addStretch(1)
        row.addWidget(self.count_label)
        for field in (self.start, self.end):
            field.editingFinished.connect(self.reload)
        for combo in (self.inspector, self.team):
            combo.currentIndexChanged.connect(self.reload)
        return row

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.reassign_button = self._button(self.tr("&Reatribuir…"), "reassign", self.reassign)
        self.cancel_button = self._button(self.tr("&Cancelar inspeção…"), "cancel_planned",
                                          self.cancel)  # fmt: skip
        self.print_button = self._button(
            self.tr("&Imprimir roteiro de trabalho"), "print_work_list", self.print_work_list
        )
        self.print_button.setToolTip(self.tr("Do fiscal escolhido no filtro, para o período"))
        for button in (self.reassign_button, self.cancel_button):
            button.setVisible(self.ctx.actor.can(MANAGE))
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.print_button)
        return row

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def set_choices(self, choices: Choices) -> None:
        self.choices = choices
        items = [(row.label, row.id) for row in choices.inspectors]
        fill_combo(self.inspector, self.tr("Todos"), items)
        fill_combo(self.team, self.tr("Todas"), [(team, team) for team in choices.teams])

    def period(self) -> tuple[date, date]:
        today = self.ctx.today()
        start = self.start.value() or today
        return start, max(self.end.value() or start, start)

    def reload(self, *_args: object) -> None:
        ctx, (start, end) = self.ctx, self.period()
        inspector_id, team = self.inspector.currentData(), self.team.currentData()

        def work() -> list[svc.WorkRow]:
            with ctx.db.read_only() as session:
                return svc.work_list(session, ctx.actor, start=start, end=end,
                                     inspector_id=inspector_id, team=team)  # fmt: skip

        ctx.ops.run(work, self._show, parent=self)

    def _show(self, rows: list[svc.WorkRow]) -> None:
        self.model.set_rows(rows)
        self.count_label.setText(self.tr("{count} inspeção(ões)").format(count=len(rows)))
        self._update()
        self.loaded.emit()

    def selected_rows(self) -> list[svc.WorkRow]:
        return selected(self.table, self.model)

    def _update(self, *_args: object) -> None:
        planned = [r for r in self.selected_rows() if r.status == InspectionStatus.PLANNED]
        self.reassign_button.setEnabled(bool(planned))
        self.cancel_button.setEnabled(bool(planned))
        self.print_button.setEnabled(self.model.rowCount() > 0)

    def _planned_selection(self) -> list[svc.WorkRow]:
        return [r for r in self.selected_rows() if r.status == InspectionStatus.PLANNED]

    def reassign(self) -> None:
        rows = self._planned_selection()
        if rows:
            self._open(ReassignDialog(self.ctx, rows, self.choices.inspectors, self))

    def cancel(self) -> None:
        rows = self._planned_selection()
        if rows:
            self._open(CancelDialog(self.ctx, rows, self))

    def _open(self, dialog: ServiceDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def print_inspector(self) -> uuid.UUID | None:
        """The inspector of the work list: the filter's, or the one all selected rows share."""
        chosen = self.inspector.currentData()
        if chosen is not None:
            return chosen  # type: ignore[no-any-return]
        rows = self.selected_rows() or self.model.rows()
        ids = {row.inspector_id for row in rows}
        return ids.pop() if len(ids) == 1 else None

    def print_work_list(self) -> None:
        inspector_id = self.print_inspector()
        if inspector_id is None:
            need = self.tr(
                "Escolha o fiscal no filtro (ou selecione inspeções de um só fiscal) para imprimir."
            )
            self.message_box = show_error(
                self, UserFacingError(need), self.tr("Roteiro de trabalho")
            )
            return
        ctx, (start, end) = self.ctx, self.period()
        issue_and_preview(
            ctx, self, self.print_button,
            lambda session: work_list_pdf(session, ctx.actor, inspector_id, start, end),
        )  # fmt: skip
