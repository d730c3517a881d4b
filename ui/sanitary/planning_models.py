"""The rows and choices of the "Planejamento de inspeções" page: table models and combos.

`DueModel` is the due list ("Inspeções a programar": overdue or due establishments, greyed when
an inspection is already planned), `WorkModel` the planned and ongoing inspections
("Programadas"). `Choices` are the active inspectors, teams and bairros that the filters and
dialogs offer, read in the worker by `load_choices`; the small helpers fill a filter combo, read
a multiple selection and lay out a labelled filter.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QWidget,
)

from app.reports.styles import format_date
from app.sanitary import planning as svc
from app.sanitary.enums import InspectionStatus, RiskLevel
from app.sanitary.inspectors import InspectorRow, list_inspectors, list_teams
from ui.context import AppContext
from ui.models.rows import Column, RowsModel

MANAGE = "sanitary.manage"
INSPECTION = "inspection"
GREY = QColor("#777777")


@dataclass(frozen=True)
class Choices:
    """What the filters and dialogs offer: active inspectors, teams and bairros."""

    inspectors: tuple[InspectorRow, ...]
    teams: tuple[str, ...]
    districts: tuple[tuple[uuid.UUID, str], ...]


def load_choices(ctx: AppContext) -> Choices:
    """Read in the worker: the lists the page's combos show."""
    with ctx.db.read_only() as session:
        return Choices(
            tuple(list_inspectors(session, ctx.actor)),
            tuple(list_teams(session, ctx.actor)),
            tuple(svc.list_districts(session, ctx.actor)),
        )


def fill_combo(combo: QComboBox, everything: str, items: Sequence[tuple[str, Any]]) -> None:
    """Replace a filter combo's items, keeping the current choice when it still exists."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    if everything:
        combo.addItem(everything, None)
    for text, data in items:
        combo.addItem(text, data)
    index = combo.findData(current) if current is not None else -1
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


def situation_text(row: svc.DueRow) -> str:
    """ "vencida há 10 dias", "vence hoje", "vence em 5 dias"."""
    if row.days_late > 0:
        return f"vencida há {row.days_late} dia" + ("s" if row.days_late > 1 else "")
    if row.days_late == 0:
        return "vence hoje"
    days = -row.days_late
    return f"vence em {days} dia" + ("s" if days > 1 else "")


def _risk(value: RiskLevel | None) -> str:
    return value.value if value is not None else "—"


class DueModel(RowsModel[svc.DueRow]):
    """The due list; establishments with an open inspection are greyed."""

    def _build_columns(self) -> list[Column[svc.DueRow]]:
        return [
            Column("Estabelecimento", lambda r: r.name),
            Column("Endereço", lambda r: r.address),
            Column("Risco", lambda r: _risk(r.risk)),
            Column("Equipe", lambda r: r.team),
            Column("Próxima inspeção", lambda r: format_date(r.next_inspection_on)),
            Column("Situação", situation_text),
            Column("Programada para", lambda r: format_date(r.planned_on)),
        ]

    def foreground(self, row: svc.DueRow) -> QColor | None:
        return GREY if row.is_planned else None

    def append_rows(self, rows: Sequence[svc.DueRow]) -> None:
        if not rows:
            return
        start = self.rowCount()
        self.beginInsertRows(self.index(-1, -1).parent(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()


class WorkModel(RowsModel[svc.WorkRow]):
    def _build_columns(self) -> list[Column[svc.WorkRow]]:
        return [
            Column("Data", lambda r: format_date(r.due_on)),
            Column("Estabelecimento", lambda r: r.name),
            Column("Endereço", lambda r: r.address),
            Column("Risco", lambda r: _risk(r.risk)),
            Column("Motivo", lambda r: r.reason.label),
            Column("Fiscal", lambda r: r.inspector_name or "— sem fiscal —"),
            Column("Equipe", lambda r: r.team),
            Column("Situação", lambda r: r.status.label),
        ]

    def foreground(self, row: svc.WorkRow) -> QColor | None:
        return GREY if row.status != InspectionStatus.PLANNED else None


def selected(table: Any, model: RowsModel[Any]) -> list[Any]:
    rows = sorted(index.row() for index in table.selectionModel().selectedRows())
    return [model.row_at(row) for row in rows]


def multi(table: Any) -> None:
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)


def labelled(row: QHBoxLayout, text: str, widget: QWidget) -> None:
    label = QLabel(text)
    label.setBuddy(widget)
    row.addWidget(label)
    row.addWidget(widget)
