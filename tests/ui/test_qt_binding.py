"""The Qt binding itself: a PySide6 release that mishandles None in Qt values makes the app abort
("deallocating None") after a day of a clerk moving through combo boxes and tables. PySide6 6.12.0
does (pyproject excludes it); this test fails on any release that does it again.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QComboBox

pytestmark = pytest.mark.gui

CALLS = 2000


class _EmptyCells(QAbstractTableModel):
    def rowCount(self, parent: object = None) -> int:
        return 1

    def columnCount(self, parent: object = None) -> int:
        return 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> None:
        return None


def _none_references_lost(call: object) -> int:
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        call()  # type: ignore[operator]
    return before - sys.getrefcount(None)


def test_a_combo_item_without_data_does_not_eat_references_to_none(qtbot) -> None:
    combo = QComboBox()
    qtbot.addWidget(combo)
    combo.addItem("Selecione…", None)
    assert combo.currentData() is None
    assert _none_references_lost(combo.currentData) < CALLS // 2


def test_an_empty_table_cell_does_not_eat_references_to_none() -> None:
    model = _EmptyCells()
    index = model.index(0, 0)
    assert index.data(Qt.ItemDataRole.DisplayRole) is None
    assert _none_references_lost(index.data) < CALLS // 2
