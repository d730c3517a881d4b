"""The citizen list as a lazy Qt table model: rows arrive page by page as the clerk scrolls.

The model holds plain `CitizenRow`s (never ORM objects) and a `fetch_page(after)` function given
by its owner, which returns the next page of at most `page_size` rows after the cursor of the last
row (keyset paging, so page 5,000 costs what page 1 costs). `fetchMore` calls it on the GUI
thread, deliberately: a keyset page of 200 rows costs a few milliseconds even with a million
citizens, far inside the DESIGN §7 budget (first rows painted ≤ 200 ms), while a round trip
through the worker thread would make scrolling jerky. The *first* page of a new search is the
exception: the page runs it (and the count) through `ctx.ops` and hands it to `reset_with`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from app.brazil.identifiers import format_cns, format_cpf
from app.registry.queries import CitizenRow, Cursor

PAGE_SIZE = 200

FetchPage = Callable[[Cursor | None], list[CitizenRow]]
AnyIndex = QModelIndex | QPersistentModelIndex

NAME, CNS, CPF, BIRTH, SEX, MOTHER, DISTRICT = range(7)
ID_ROLE = Qt.ItemDataRole.UserRole


def _no_rows(_after: Cursor | None) -> list[CitizenRow]:
    return []


class CitizenTableModel(QAbstractTableModel):
    """Citizens as rows; columns Nome, CNS, CPF, Nascimento, Sexo, Mãe, Bairro.

    Args:
        fetch_page: synchronous `after → rows` function (None = first page).
        first_page: rows already fetched (e.g. by a worker) for the first page, if any.
        page_size: the `limit` `fetch_page` uses; a shorter page means the list is complete.
    """

    def __init__(
        self,
        fetch_page: FetchPage = _no_rows,
        first_page: list[CitizenRow] | None = None,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._page_size = page_size
        self._fetch_page = fetch_page
        self._rows: list[CitizenRow] = []
        self._complete = False
        self._adopt(first_page)

    def _headers(self) -> tuple[str, ...]:
        return (
            self.tr("Nome"),
            self.tr("CNS"),
            self.tr("CPF"),
            self.tr("Nascimento"),
            self.tr("Sexo"),
            self.tr("Mãe"),
            self.tr("Bairro"),
        )

    def _adopt(self, first_page: list[CitizenRow] | None) -> None:
        self._rows = list(first_page or [])
        self._complete = first_page is not None and len(first_page) < self._page_size

    def reset_with(self, fetch_page: FetchPage, first_page: list[CitizenRow] | None = None) -> None:
        """Start over with a new search (its fetch function and, optionally, its first page)."""
        self.beginResetModel()
        self._fetch_page = fetch_page
        self._adopt(first_page)
        self.endResetModel()

    def is_complete(self) -> bool:
        """True once every matching row has been fetched (the count shown is then exact)."""
        return self._complete

    def row_at(self, index: AnyIndex) -> CitizenRow:
        return self._rows[index.row()]

    # --- Qt overrides -----------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and not self._complete

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid() or self._complete:
            return
        after = self._rows[-1].cursor if self._rows else None
        page = self._fetch_page(after)
        self._complete = len(page) < self._page_size
        if not page:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < 7:
            return self._headers()[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, index.column())
        if role == ID_ROLE:
            return str(row.id)
        return None

    # --- display ----------------------------------------------------------------------------

    def _text(self, row: CitizenRow, column: int) -> str | None:
        texts: dict[int, Callable[[], str]] = {
            NAME: lambda: self._name(row),
            CNS: lambda: format_cns(row.cns),
            CPF: lambda: format_cpf(row.cpf),
            BIRTH: lambda: row.birth_date.strftime("%d/%m/%Y"),
            SEX: lambda: row.sex.label,
            MOTHER: lambda: row.mother_name,
            DISTRICT: lambda: row.district,
        }
        text = texts.get(column)
        return text() if text else None

    def _name(self, row: CitizenRow) -> str:
        # SUS policy (Portaria 1.820/2009): the social name is how the person is called.
        if not row.social_name:
            return row.name
        return self.tr("{social} (nome civil: {name})").format(
            social=row.social_name, name=row.name
        )
