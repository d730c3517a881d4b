"""Administration screens: user accounts, access roles (perfis) and the audit trail.

Each page receives the `AppContext`, loads plain rows from `app.security` through `ctx.ops` and
shows them in a `RowsModel` (a table model over a list of frozen rows with declared columns).
Every change goes through the services in `app.security.accounts`, which check `admin.accounts`
themselves; the pages only decide what to show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.reports.styles import format_datetime_local
from ui.context import AppContext
from ui.models.rows import ROW_ROLE, AnyIndex, Column, Row, RowsModel
from ui.ops import show_error
from ui.widgets.fields import ErrorLabel, FormLayout

__all__ = ["ROW_ROLE", "AnyIndex", "Column", "Row", "RowsModel"]  # shared by the admin pages


def local_time(value: datetime | None, timezone: str, empty: str = "") -> str:
    """`dd/MM/yyyy HH:mm` in the municipality's time zone ("" or `empty` for None)."""
    return format_datetime_local(value, timezone) if value is not None else empty


def make_table(model: QAbstractTableModel, parent: QWidget | None = None) -> QTableView:
    """A list-like table: whole rows selected, one at a time, last column stretched."""
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    # Compact rows, as in the citizen list: more lines on screen, same legibility.
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    return table


def selected_row(table: QTableView) -> Any:
    """The row object under the table's current selection, or None."""
    indexes = table.selectionModel().selectedRows() if table.selectionModel() else []
    return indexes[0].data(ROW_ROLE) if indexes else None


class ServiceDialog(QDialog):
    """A dialog that saves through a service: errors beside fields, the rest at the top."""

    changed_kind = ""  # what `bus.changed` announces after a save

    def __init__(self, ctx: AppContext, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.form = FormLayout()
        self.form_error = ErrorLabel("form")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Salvar"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancelar"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)

    def _assemble(self, *extra: QWidget) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.form_error)
        layout.addLayout(self.form)
        for widget in extra:
            layout.addWidget(widget)
        layout.addWidget(self.buttons)
        # Enter moves from field to field; on the last text field it saves.
        edits = [w for w in self.form.fields.values() if isinstance(w, QLineEdit)]
        if edits:
            self.form.submit_on_enter(edits[-1])

    def save(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _run(self, work: Callable[[], Any]) -> None:
        self.form.clear_errors()
        self.form_error.show_message(None)
        self.save_button.setEnabled(False)
        self.ctx.ops.run(work, self._saved, self._refused, self)

    def _saved(self, _result: object) -> None:
        self.ctx.bus.changed.emit(self.changed_kind)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(exc, ValidationError):
            show_error(self, exc)
            return
        rest = self.form.show_errors(exc.errors)
        self.form_error.show_message(" ".join(rest.values()) or None)
