"""The "Estabelecimentos" page of Vigilância Sanitária: find, read and register establishments.

At the top, the search box (razão social, nome fantasia, CNPJ or CPF; accents ignored) and the
filters (risco, situação, equipe, bairro); below, the list (pages of 200 fetched as it scrolls,
`ui.sanitary.establishment_list`) and the detail of the selected establishment in tabs
(`ui.sanitary.establishment_detail`). "Novo estabelecimento" (Ctrl+N), "Editar" and "Alterar
situação" (`ui.sanitary.establishment_status`) need `sanitary.write` (hidden otherwise; the
services check again). An inspector (`sanitary.inspect`) lavra from here the documents that need
no inspection (auto de infração, auto de coleta, termo de interdição: a complaint visit, a sample
at a fair). Every read and write runs in `ctx.ops`; the page refreshes when `ctx.bus.changed`
names what it shows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.registry.units import list_districts
from app.sanitary.document_issue import NEEDS_INSPECTION
from app.sanitary.documents import PERMISSION as INSPECT
from app.sanitary.enums import DocumentKind, EstablishmentStatus, RiskLevel
from app.sanitary.establishment_queries import (
    EstablishmentDetail,
    EstablishmentFilter,
    EstablishmentRow,
    count_establishments,
    establishment_detail,
    find_establishments,
    list_teams,
)
from ui.context import AppContext
from ui.sanitary.establishment_detail import EstablishmentDetailTabs
from ui.sanitary.establishment_form import open_establishment_form
from ui.sanitary.establishment_list import PAGE_SIZE, EstablishmentModel, FetchPage
from ui.sanitary.establishment_status import StatusDialog
from ui.widgets.page_header import title_label
from ui.widgets.search_box import SearchBox
from ui.widgets.tables import rows_table

WRITE = "sanitary.write"
_REFRESH_KINDS = frozenset(
    {"establishment", "inspection", "sanitary_document", "sanitary_licence", "sanitary_process"}
)


@dataclass(frozen=True)
class _Page:
    generation: int
    flt: EstablishmentFilter
    rows: list[EstablishmentRow]
    total: int


@dataclass(frozen=True)
class _Choices:
    teams: list[str]
    districts: list[tuple[str, str]]


class EstablishmentsPage(QWidget):
    """Search, filters, list and detail of the establishments under sanitary control."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("establishments_page")
        self._ctx = ctx
        self._generation = 0
        self._filter = EstablishmentFilter()
        self._detail: EstablishmentDetail | None = None
        self.model = EstablishmentModel(ctx.today(), self)
        self._build_ui()
        self._connect()
        ctx.ops.run(self._load_choices, self._show_choices, parent=self)
        self.search()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header())
        layout.addLayout(self._build_filters())
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("establishments_splitter")
        self.table = rows_table(self.model, "establishment_table", stretch_last=False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        splitter.addWidget(self.table)
        self.tabs = EstablishmentDetailTabs(self._ctx)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_buttons())

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        title = title_label(self.tr("Estabelecimentos"))
        self.count_label = QLabel()
        self.count_label.setObjectName("count_label")
        legend = QLabel(self.tr("Em vermelho: inspeção de rotina atrasada · em cinza: "
                                "interditado ou baixado"))  # fmt: skip
        legend.setEnabled(False)
        row.addWidget(title)
        row.addStretch(1)
        row.addWidget(legend, 0, Qt.AlignmentFlag.AlignBottom)
        row.addSpacing(16)
        row.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        return row

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search_box = SearchBox()
        self.search_box.setPlaceholderText(
            self.tr("Buscar por razão social, nome fantasia, CNPJ ou CPF…")
        )
        risks = [(r.label, r.value) for r in RiskLevel]
        statuses = [(s.label, s.value) for s in EstablishmentStatus]
        self.risk_filter = self._combo("risk_filter", self.tr("Todos os riscos"), risks)
        self.status_filter = self._combo("status_filter", self.tr("Todas as situações"), statuses)
        self.team_filter = self._combo("team_filter", self.tr("Todas as equipes"), [])
        self.district_filter = self._combo("district_filter", self.tr("Todos os bairros"), [])
        row.addWidget(self.search_box, 3)
        for combo in (self.risk_filter, self.status_filter, self.team_filter, self.district_filter):
            row.addWidget(combo, 1)
        return row

    def _combo(self, name: str, everything: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(everything, None)
        for text, value in items:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(lambda _i: self.search())
        return combo

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_button = QPushButton(self.tr("&Novo estabelecimento"))
        self.new_button.setObjectName("new_establishment")
        self.new_button.setToolTip(self.tr("Cadastrar um estabelecimento (Ctrl+N)"))
        self.edit_button = QPushButton(self.tr("&Editar"))
        self.edit_button.setObjectName("edit_establishment")
        self.status_button = QPushButton(self.tr("Alterar &situação…"))
        self.status_button.setObjectName("change_status")
        writer = self._ctx.actor.can(WRITE)
        for button in (self.new_button, self.edit_button, self.status_button):
            button.setVisible(writer)
            row.addWidget(button)
        row.addWidget(self._build_issue_button())
        row.addStretch(1)
        return row

    def _build_issue_button(self) -> QPushButton:
        self.issue_button = QPushButton(self.tr("&Lavrar auto ou termo…"))
        self.issue_button.setObjectName("issue_document")
        self.issue_button.setToolTip(
            self.tr("Termo de inspeção e de intimação: a partir da inspeção (Minhas inspeções)")
        )
        menu = QMenu(self.issue_button)
        for kind in DocumentKind:
            if kind not in NEEDS_INSPECTION:
                action = menu.addAction(kind.label)
                action.setObjectName(f"issue_{kind.value}")
                action.triggered.connect(lambda _=False, k=kind: self.issue_for_selected(k))
        self.issue_button.setMenu(menu)
        self.issue_button.setVisible(self._ctx.actor.can(INSPECT))
        return self.issue_button

    def _connect(self) -> None:
        self.search_box.search_requested.connect(lambda _text: self.search())
        self.search_box.move_down_requested.connect(self._focus_list)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._load_detail())
        self.model.modelReset.connect(self._update_buttons)
        self.model.rowsInserted.connect(lambda *_: self._update_count())
        self.new_button.clicked.connect(self.new_establishment)
        self.edit_button.clicked.connect(self.edit_selected)
        self.status_button.clicked.connect(self.change_selected_status)
        self.table.activated.connect(lambda _index: self.edit_selected())
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_establishment)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search_box.setFocus)
        self._ctx.bus.changed.connect(self._on_changed)
        self._update_buttons()

    # --- choices and searching --------------------------------------------------------------

    def _load_choices(self) -> _Choices:
        with self._ctx.db.read_only() as session:
            return _Choices(list_teams(session), list_districts(session))

    def _show_choices(self, choices: _Choices) -> None:
        teams = [(t, t) for t in choices.teams]
        districts = [(n, i) for i, n in choices.districts]
        for combo, items in ((self.team_filter, teams), (self.district_filter, districts)):
            combo.blockSignals(True)
            for text, value in items:
                combo.addItem(text, value)
            combo.blockSignals(False)

    def current_filter(self) -> EstablishmentFilter:
        risk, status = self.risk_filter.currentData(), self.status_filter.currentData()
        return EstablishmentFilter(
            text=self.search_box.text().strip(),
            risk=RiskLevel(risk) if risk else None,
            status=EstablishmentStatus(status) if status else None,
            team=self.team_filter.currentData(),
            district_id=self.district_filter.currentData() or "",
        )

    def search(self) -> None:
        """Read the first page and the total for the current text and filters (in a worker)."""
        self._generation += 1
        generation, flt, ctx = self._generation, self.current_filter(), self._ctx

        def work() -> _Page:
            with ctx.db.read_only() as session:
                rows = find_establishments(session, ctx.actor, flt, limit=PAGE_SIZE)
                total = count_establishments(session, ctx.actor, flt)
            return _Page(generation, flt, rows, total)

        ctx.ops.run(work, self._show_page, parent=self)

    def _fetcher(self, flt: EstablishmentFilter) -> FetchPage:
        ctx = self._ctx

        def fetch(offset: int) -> list[EstablishmentRow]:
            with ctx.db.read_only() as session:
                return find_establishments(session, ctx.actor, flt, offset=offset, limit=PAGE_SIZE)

        return fetch

    def _show_page(self, page: _Page) -> None:
        if not shiboken6.isValid(self) or page.generation != self._generation:
            return
        selected = self.selected_row()
        self._filter, self._total = page.flt, page.total
        self.model.reset_with(self._fetcher(page.flt), page.rows)
        self._update_count()
        self._reselect(selected.id if selected else None)

    def _update_count(self) -> None:
        total = getattr(self, "_total", 0)
        if total == 0:
            text = self.tr("Nenhum estabelecimento")
        elif total == 1:
            text = self.tr("1 estabelecimento")
        else:
            text = self.tr("{count} estabelecimentos").format(count=f"{total:,}".replace(",", "."))
        self.count_label.setText(text)

    def _reselect(self, establishment_id: uuid.UUID | None) -> None:
        for number, row in enumerate(self.model.rows()):
            if row.id == establishment_id:
                self.table.selectRow(number)
                return
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self._show_detail(None)

    def _on_changed(self, kind: str) -> None:
        if kind in _REFRESH_KINDS:
            self.search()
        if kind == "establishment":
            self._ctx.ops.run(self._load_choices, self._refresh_teams, parent=self)

    def _refresh_teams(self, choices: _Choices) -> None:
        known = {self.team_filter.itemData(i) for i in range(self.team_filter.count())}
        for team in choices.teams:
            if team not in known:
                self.team_filter.addItem(team, team)

    @property
    def risk_headline(self) -> QLabel:
        """The detail's risk headline ("Grau de risco: …")."""
        return self.tabs.risk_headline

    @property
    def risk_reason(self) -> QLabel:
        """The detail's reason for the risk."""
        return self.tabs.risk_reason

    def selected_row(self) -> EstablishmentRow | None:
        return self.model.row_for(self.table.currentIndex())

    def row_by_name(self, legal_name: str) -> int | None:
        """Position of the establishment with this razão social in the list (for tests)."""
        for number, row in enumerate(self.model.rows()):
            if row.legal_name == legal_name:
                return number
        return None

    def _focus_list(self) -> None:
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectRow(0)

    # --- detail -----------------------------------------------------------------------------

    def _load_detail(self) -> None:
        row = self.selected_row()
        self._update_buttons()
        if row is None:
            self._show_detail(None)
            return
        ctx = self._ctx

        def work() -> EstablishmentDetail:
            with ctx.db.read_only() as session:
                return establishment_detail(session, ctx.actor, row.id)

        ctx.ops.run(work, self._show_detail, parent=self)

    def _show_detail(self, detail: EstablishmentDetail | None) -> None:
        if not shiboken6.isValid(self):
            return
        current = self.selected_row()
        if detail is not None and (current is None or current.id != detail.id):
            return  # the selection moved on while the worker read
        self._detail = detail
        self.tabs.set_detail(detail)
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        has = self.selected_row() is not None
        self.edit_button.setEnabled(has)
        self.status_button.setEnabled(has)
        self.issue_button.setEnabled(has)

    # --- actions ----------------------------------------------------------------------------

    def new_establishment(self) -> None:
        if self._ctx.actor.can(WRITE):
            open_establishment_form(self._ctx, self)

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is None or not self._ctx.actor.can(WRITE):
            return
        ctx = self._ctx

        def work() -> EstablishmentDetail:
            with ctx.db.read_only() as session:
                return establishment_detail(session, ctx.actor, row.id)

        ctx.ops.run(work, lambda detail: open_establishment_form(ctx, self, detail), parent=self)

    def issue_for_selected(self, kind: DocumentKind) -> None:
        """Open the issue dialog of `kind` for the selected establishment (no inspection)."""
        from ui.sanitary.document_dialogs import open_issue_dialog

        row = self.selected_row()
        if row is None or not self._ctx.actor.can(INSPECT):
            return
        self.issue_dialog = open_issue_dialog(self._ctx, self, kind, None, row.id)

    def change_selected_status(self) -> None:
        row = self.selected_row()
        if row is None or not self._ctx.actor.can(WRITE):
            return
        dialog = StatusDialog(self._ctx, row, self)
        dialog.open()
