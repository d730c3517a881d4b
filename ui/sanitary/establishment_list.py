"""The list of the "Estabelecimentos" page: its table model, fetched in pages as it scrolls.

Each row shows the trade and legal name, CNPJ/CPF, bairro, risk, status and next inspection; an
establishment not active is grey and one whose routine inspection is overdue is red. Also the
two small formatters the page's detail and dialogs share (a date or "—", an establishment's name).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QColor

from app.sanitary.enums import EstablishmentStatus
from app.sanitary.establishment_queries import EstablishmentRow
from ui.models.rows import Column, RowsModel

PAGE_SIZE = 200
AnyIndex = QModelIndex | QPersistentModelIndex
FetchPage = Callable[[int], list[EstablishmentRow]]


def day_text(value: date | None) -> str:
    """A date as dd/mm/yyyy, or "—"."""
    return value.strftime("%d/%m/%Y") if value else "—"


def display_name(row: EstablishmentRow) -> str:
    """`Boa Mesa — Marmitaria Boa Mesa Ltda`; the razão social alone when it already starts
    with the trade name (`Açougue Família Ltda`)."""
    trade, legal = row.trade_name.strip(), row.legal_name
    if trade and not legal.casefold().startswith(trade.casefold()):
        return f"{trade} — {legal}"
    return legal


class EstablishmentModel(RowsModel[EstablishmentRow]):
    """The list, fetched in pages of `PAGE_SIZE` as it scrolls (on the GUI thread: a page of an
    indexed, ordered query costs milliseconds); the first page comes from the worker."""

    def __init__(self, today: date, parent: QObject | None = None) -> None:
        self._today = today
        super().__init__(parent=parent)
        self._fetch: FetchPage = lambda _offset: []
        self._complete = True

    def _build_columns(self) -> list[Column[EstablishmentRow]]:
        return [
            Column(self.tr("Nome fantasia — razão social"), display_name),
            Column(self.tr("CNPJ/CPF"), lambda r: r.document_label),
            Column(self.tr("Bairro"), lambda r: r.district),
            Column(self.tr("Risco"), lambda r: r.risk.label if r.risk else "—"),
            Column(self.tr("Situação"), lambda r: r.status.label),
            Column(self.tr("Próxima inspeção"), lambda r: day_text(r.next_inspection_on)),
        ]

    def reset_with(self, fetch: FetchPage, first: Sequence[EstablishmentRow]) -> None:
        self._fetch = fetch
        self._complete = len(first) < PAGE_SIZE
        self.set_rows(first)

    def is_complete(self) -> bool:
        return self._complete

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._complete

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._complete:
            return
        rows = self._fetch(self.rowCount())
        self._complete = len(rows) < PAGE_SIZE
        if rows:
            start = self.rowCount()
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def foreground(self, row: EstablishmentRow) -> QColor | None:
        if row.status is not EstablishmentStatus.ACTIVE:
            return QColor("#777777")
        if row.next_inspection_on is not None and row.next_inspection_on < self._today:
            return QColor("#b3261e")  # overdue
        return None
