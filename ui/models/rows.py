"""A read-only table model over a list of plain rows, with declared columns.

For small lists replaced as a whole (`set_rows`): accounts, roles, a day's agenda, a waiting
list. Columns are given to the constructor or, when their headers need `self.tr()`, declared by a
subclass in `_build_columns`. Big lists use a lazy model instead (`ui.models.citizens`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

Row = TypeVar("Row")
AnyIndex = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Column(Generic[Row]):
    """A table column: its header and how to write a row's cell as text."""

    header: str
    text: Callable[[Row], str]
    align_right: bool = False


class RowsModel(QAbstractTableModel, Generic[Row]):
    """A read-only table over plain rows; `UserRole` gives the row object itself."""

    def __init__(
        self, columns: Sequence[Column[Row]] | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns) if columns is not None else self._build_columns()
        self._rows: list[Row] = []

    def _build_columns(self) -> list[Column[Row]]:
        """Columns of a subclass whose headers need `self.tr()` (none by default)."""
        return []

    def foreground(self, row: Row) -> QColor | None:
        """Text colour of a row (None: the style's); subclasses grey out what is inactive."""
        return None

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Row]:
        return list(self._rows)

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def row_for(self, index: AnyIndex) -> Row | None:
        """The row behind a view index (None for an invalid one, e.g. nothing selected)."""
        valid = index.isValid() and 0 <= index.row() < len(self._rows)
        return self._rows[index.row()] if valid else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].header
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_for(index)
        if row is None or not 0 <= index.column() < len(self._columns):
            return None
        column = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row)
        return None
