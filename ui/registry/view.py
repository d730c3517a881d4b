"""The "Cidadãos" page: search the registry, open a citizen, register a new one, print the list.

The clerk types a name (any accents, prefixes of any words), a CNS or a CPF; the list follows
250 ms after typing stops. The first page of each search and the total are read in `ctx.ops`
(off the GUI thread); further pages are fetched by the lazy model as the list scrolls (see
`ui.models.citizens` for why that is done on the GUI thread). Keyboard: Ctrl+F search, Down goes
to the list, Enter opens, Ctrl+N new citizen. Buttons the account may not use are hidden; the
services check permissions again anyway. The page refreshes when `ctx.bus.changed` says "citizen".
"""

from __future__ import annotations

from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QLocale, QObject
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.registry.queries import CitizenFilter, CitizenRow, Cursor, count_citizens, find_citizens
from app.registry.reports import citizen_list_pdf
from ui.context import AppContext
from ui.models.citizens import PAGE_SIZE, CitizenTableModel, FetchPage
from ui.registry.detail import open_citizen_detail
from ui.registry.forms import open_citizen_form
from ui.widgets.page_header import header_row
from ui.widgets.pdf_preview import issue_and_preview
from ui.widgets.search_box import SearchBox

# Column widths as sample texts, so they follow the font size (Nome takes what is left).
_SAMPLE_WIDTHS = {1: "000 0000 0000 0000", 2: "000.000.000-00", 3: "00/00/0000", 4: "Masculino"}
# Nome takes this share of the remaining width, Mãe this share of what Nome left; Bairro, the
# last column, stretches over the rest.
_NAME_SHARE, _MOTHER_SHARE, _MIN_NAME_WIDTH = 0.45, 0.55, 180


@dataclass(frozen=True)
class _SearchResult:
    generation: int
    flt: CitizenFilter
    rows: list[CitizenRow]


class CitizenPage(QWidget):
    """The citizen list with search and the registry's actions.

    Args:
        ctx: the logged-in session (database, actor, op runner, bus).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("citizen_page")
        self._ctx = ctx
        self._filter = CitizenFilter()
        self._total: int | None = None
        self._generation = 0
        self.model = CitizenTableModel(parent=self)
        self._build_ui()
        self._connect()
        self.search("")

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header())
        self.search_box = SearchBox()
        layout.addWidget(self.search_box)
        layout.addWidget(self._build_table(), 1)
        layout.addLayout(self._build_buttons())

    def _build_header(self) -> QHBoxLayout:
        row, self.count_label = header_row(self.tr("Cidadãos"))
        return row

    def _build_table(self) -> QTableView:
        self.table = QTableView()
        self.table.setObjectName("citizen_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.viewport().installEventFilter(self)
        return self.table

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_button = QPushButton(self.tr("&Novo cidadão"))
        self.new_button.setObjectName("new_citizen")
        self.new_button.setToolTip(self.tr("Cadastrar um cidadão (Ctrl+N)"))
        self.open_button = QPushButton(self.tr("&Abrir"))
        self.open_button.setObjectName("open_citizen")
        self.open_button.setToolTip(self.tr("Abrir o cadastro selecionado (Enter)"))
        self.print_button = QPushButton(self.tr("&Imprimir lista…"))
        self.print_button.setObjectName("print_list")
        self.print_button.setToolTip(self.tr("Imprimir a lista da busca atual"))
        actor = self._ctx.actor
        self.new_button.setVisible(actor.can("registry.write"))
        self.print_button.setVisible(actor.can("registry.print"))
        row.addWidget(self.new_button)
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(self.print_button)
        return row

    def _connect(self) -> None:
        self.search_box.search_requested.connect(self.search)
        self.search_box.move_down_requested.connect(self._focus_list)
        self.table.activated.connect(lambda _index: self.open_selected())
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.model.rowsInserted.connect(lambda *_: self._update_count())
        self.model.modelReset.connect(self._update_buttons)
        self.new_button.clicked.connect(self.new_citizen)
        self.open_button.clicked.connect(self.open_selected)
        self.print_button.clicked.connect(self.print_list)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_citizen)
        QShortcut(QKeySequence("Ctrl+F"), self, self._focus_search)
        self._ctx.bus.changed.connect(self._on_changed)
        self._update_buttons()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The table's viewport, not the page, knows the width the columns share.
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        metrics, header = self.table.fontMetrics(), self.table.horizontalHeader()
        padding = 2 * metrics.averageCharWidth() + 6
        fixed = 0
        for column, sample in _SAMPLE_WIDTHS.items():
            width = metrics.horizontalAdvance(sample) + padding
            header.resizeSection(column, width)
            fixed += width
        free = max(self.table.viewport().width() - fixed, _MIN_NAME_WIDTH)
        name = max(int(free * _NAME_SHARE), _MIN_NAME_WIDTH)
        mother = int((free - name) * _MOTHER_SHARE)
        header.resizeSection(0, name)
        header.resizeSection(5, mother)
        header.resizeSection(6, max(free - name - mother, 40))

    # --- searching --------------------------------------------------------------------------

    def search(self, text: str) -> None:
        """Run a new search (in a worker); "" lists everyone, by name."""
        self._generation += 1
        generation, flt = self._generation, CitizenFilter(text=text.strip())
        ctx = self._ctx

        def work() -> _SearchResult:
            with ctx.db.read_only() as session:
                rows = find_citizens(session, ctx.actor, flt, limit=PAGE_SIZE)
            return _SearchResult(generation, flt, rows)

        ctx.ops.run(work, self._show_result, parent=self)
        if not flt.text:
            # Counting a million rows takes a few hundred ms: the rows are painted first and
            # the total arrives after them (the worker runs one job at a time, in order).
            ctx.ops.run(lambda: self._count(generation), self._show_total, parent=self)

    def _count(self, generation: int) -> tuple[int, int]:
        with self._ctx.db.read_only() as session:
            return generation, count_citizens(session, self._ctx.actor)

    def _show_total(self, counted: tuple[int, int]) -> None:
        generation, total = counted
        if generation == self._generation:
            self._total = total
            self._update_count()

    def _fetcher(self, flt: CitizenFilter) -> FetchPage:
        """Further pages, read on the GUI thread by the model as the list scrolls."""
        ctx = self._ctx

        def fetch(after: Cursor | None) -> list[CitizenRow]:
            with ctx.db.read_only() as session:
                return find_citizens(session, ctx.actor, flt, after=after, limit=PAGE_SIZE)

        return fetch

    def _show_result(self, result: _SearchResult) -> None:
        if not shiboken6.isValid(self):
            return  # closed while the worker ran
        if result.generation != self._generation:
            return  # an older search answered after a newer one was started
        selected = self.selected_row()
        self._filter, self._total = result.flt, None
        self.model.reset_with(self._fetcher(result.flt), result.rows)
        self._update_count()
        self._reselect(selected.key if selected else None)

    def refresh(self) -> None:
        """Search again with the current text (after a change elsewhere)."""
        self.search(self._filter.text)

    def _on_changed(self, kind: str) -> None:
        if kind == "citizen":
            self.refresh()

    def current_filter(self) -> CitizenFilter:
        return self._filter

    # --- count and selection ----------------------------------------------------------------

    def _update_count(self) -> None:
        self.count_label.setText(self._count_text())

    def _count_text(self) -> str:
        if not self._filter.text and self._total is not None:
            return self._total_text(self._total)
        return self._results_text(self.model.rowCount(), self.model.is_complete())

    def _total_text(self, total: int) -> str:
        if total == 0:
            return self.tr("Nenhum cidadão cadastrado")
        if total == 1:
            return self.tr("1 cidadão cadastrado")
        return self.tr("{count} cidadãos cadastrados").format(count=_thousands(total))

    def _results_text(self, shown: int, complete: bool) -> str:
        # The lazy model knows only what it fetched: "200+" until the last page arrives.
        if not complete:
            return self.tr("{count}+ resultados").format(count=_thousands(shown))
        if shown == 0:
            return self.tr("Nenhum resultado")
        if shown == 1:
            return self.tr("1 resultado")
        return self.tr("{count} resultados").format(count=_thousands(shown))

    def selected_row(self) -> CitizenRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index) if index.isValid() else None

    def _reselect(self, key: object) -> None:
        for number in range(self.model.rowCount()):
            if self.model.row_at(self.model.index(number, 0)).key == key:
                self.table.selectRow(number)
                return
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        self.open_button.setEnabled(self.table.currentIndex().isValid())

    def _focus_list(self) -> None:
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectRow(0)

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # --- actions ----------------------------------------------------------------------------

    def new_citizen(self) -> None:
        if self._ctx.actor.can("registry.write"):
            open_citizen_form(self._ctx, self)

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            open_citizen_detail(self._ctx, row.id, self)

    def print_list(self) -> None:
        """Issue "Lista de cidadãos" for the current search in a worker, then preview it."""
        if not self._ctx.actor.can("registry.print") or not self.print_button.isEnabled():
            return
        ctx, flt = self._ctx, self._filter
        issue_and_preview(
            ctx,
            self,
            self.print_button,
            lambda session: citizen_list_pdf(session, ctx.actor, flt),
        )


def _thousands(number: int) -> str:
    """12345 → "12.345" (Brazilian grouping, whatever the machine's locale)."""
    return QLocale(QLocale.Language.Portuguese, QLocale.Country.Brazil).toString(number)
