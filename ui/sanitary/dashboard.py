"""The VISA dashboard page: the department's numbers of the day as tiles, and the list behind each.

Tiles are grouped as the coordinator thinks of the work (Inspeções, Processos, Licenças,
Denúncias): a big number and a Portuguese caption ("Inspeções vencidas — risco III"), red when it
counts something late. Clicking a tile (or Enter/Space on it: the tiles take the keyboard focus
in reading order) opens the rows behind the number in the table below, fetched a page at a time
as the table scrolls (`canFetchMore`/`fetchMore`). Everything is read in the worker
(`ctx.ops.run`); the page reloads on "Atualizar" (F5) and when another screen reports a change of
an establishment, inspection, process, licence or complaint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.sanitary.dashboard import (
    COMPLAINTS_GROUP,
    INSPECTIONS_GROUP,
    LICENCES_GROUP,
    OVERDUE,
    PLANNED_TODAY,
    PROCESSES_GROUP,
    RISK_KEYS,
    Dashboard,
    Tile,
    dashboard,
)
from app.sanitary.dashboard_followup_rows import ComplaintRow, LicenceRow, ProcessRow
from app.sanitary.dashboard_inspection_rows import DueRow, PlannedRow
from app.sanitary.dashboard_lists import DashboardRow, dashboard_list
from ui.context import AppContext
from ui.models.rows import Column, RowsModel
from ui.widgets.page_header import title_label
from ui.widgets.tables import rows_table

PAGE_SIZE = 100
REFRESH_KINDS = frozenset(
    {"establishment", "inspection", "sanitary_process", "sanitary_licence", "sanitary_complaint"}
)
GROUP_COLUMNS = {PROCESSES_GROUP: 6, LICENCES_GROUP: 1, COMPLAINTS_GROUP: 2}
ALERT_COLOR = "#b3261e"
NUMBER_COLOR = "#1f4e79"


def _date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _days(count: int) -> str:
    return f"{count} dia" if count == 1 else f"{count} dias"


def lateness(days_late: int) -> str:
    """`vencida há 3 dias`, `vence hoje`, `vence em 12 dias`."""
    if days_late > 0:
        return f"vencida há {_days(days_late)}"
    if days_late == 0:
        return "vence hoje"
    return f"vence em {_days(-days_late)}"


def _late_only(days_late: int) -> str:
    return f"{_days(days_late)} de atraso" if days_late > 0 else "no prazo"


# --- columns of each kind of list ------------------------------------------------------------


def _due_columns() -> list[Column[Any]]:
    return [
        Column("Estabelecimento", lambda r: r.name),
        Column("CNPJ/CPF", lambda r: r.document),
        Column("Risco", lambda r: r.risk or "—"),
        Column("Próxima inspeção", lambda r: _date(r.next_inspection_on)),
        Column("Situação", lambda r: lateness(r.days_late)),
        Column("Inspeção planejada", lambda r: _date(r.planned_on) or "—"),
        Column("Última inspeção", lambda r: _date(r.last_inspection_on) or "nunca"),
        Column("Bairro", lambda r: r.district),
        Column("Equipe", lambda r: r.team),
    ]


def _planned_columns() -> list[Column[Any]]:
    return [
        Column("Estabelecimento", lambda r: r.name),
        Column("CNPJ/CPF", lambda r: r.document),
        Column("Risco", lambda r: r.risk or "—"),
        Column("Motivo", lambda r: r.reason),
        Column("Situação", lambda r: r.status),
        Column("Fiscal", lambda r: r.inspector),
    ]


def _process_columns() -> list[Column[Any]]:
    return [
        Column("Processo", lambda r: r.number),
        Column("Estabelecimento", lambda r: r.name),
        Column("CNPJ/CPF", lambda r: r.document),
        Column("Etapa", lambda r: r.stage),
        Column("Aberto em", lambda r: _date(r.opened_on)),
        Column("Prazo", lambda r: _date(r.due_on) or "—"),
        Column("Atraso", lambda r: _late_only(r.days_late)),
    ]


def _licence_columns() -> list[Column[Any]]:
    return [
        Column("Licença", lambda r: r.number),
        Column("Estabelecimento", lambda r: r.name),
        Column("CNPJ/CPF", lambda r: r.document),
        Column("Risco", lambda r: r.risk or "—"),
        Column("Tipo", lambda r: "Provisória" if r.provisional else "Definitiva"),
        Column("Emitida em", lambda r: _date(r.issued_on)),
        Column("Válida até", lambda r: _date(r.valid_until)),
        Column("Situação", lambda r: lateness(-r.days_left)),
    ]


def _complaint_columns() -> list[Column[Any]]:
    return [
        Column("Protocolo", lambda r: r.number),
        Column("Recebida em", lambda r: _date(r.received_on)),
        Column("Estabelecimento ou local", lambda r: r.subject),
        Column("Situação", lambda r: r.status),
        Column("Prazo", lambda r: _date(r.due_on)),
        Column("Atraso", lambda r: _late_only(r.days_late)),
    ]


def columns_for(key: str) -> list[Column[Any]]:
    """The columns of the list behind `key`."""
    kind = key.partition(":")[0]
    if kind in ("overdue", "due"):
        return _due_columns()
    if kind == "planned_today":
        return _planned_columns()
    if kind.startswith("process"):
        return _process_columns()
    if kind.startswith("licences"):
        return _licence_columns()
    return _complaint_columns()


ROW_TYPES = (DueRow, PlannedRow, ProcessRow, LicenceRow, ComplaintRow)


# --- the lazy list ---------------------------------------------------------------------------


class BehindModel(RowsModel[DashboardRow]):
    """The rows behind one number, fetched `PAGE_SIZE` at a time through `request(offset)`.

    `request` starts the worker; its answer comes back through `append`. A new `open` makes the
    answers of the previous list stale (they are dropped by their generation number).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([], parent)
        self._total = 0
        self._loading = False
        self.generation = 0
        self.request: Callable[[int, int], None] = lambda _offset, _generation: None

    def open(self, columns: Sequence[Column[Any]], total: int) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self._rows = []
        self._total = total
        self._loading = False
        self.generation += 1
        self.endResetModel()

    def total(self) -> int:
        return self._total

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._loading and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._loading = True
        self.request(len(self._rows), self.generation)

    def append(self, rows: Sequence[DashboardRow], generation: int) -> None:
        if generation != self.generation:
            return
        self._loading = False
        if not rows:
            self._total = len(self._rows)  # fewer than counted (changed meanwhile): stop asking
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()


# --- tiles -----------------------------------------------------------------------------------


class TileButton(QFrame):
    """A big number with its caption; click, Enter or Space activates it."""

    activated = Signal(str)

    def __init__(self, tile: Tile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = tile.key
        self.setObjectName(f"tile_{tile.key}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumWidth(128)
        self.number = QLabel()
        self.number.setObjectName("tile_number")
        font = QFont(self.number.font())
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        self.number.setFont(font)
        self.caption = QLabel()
        self.caption.setObjectName("tile_caption")
        self.caption.setWordWrap(True)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 6)
        column.setSpacing(0)
        column.addWidget(self.number)
        column.addWidget(self.caption, 1)
        lines = self.number.fontMetrics().height() + 2 * self.caption.fontMetrics().lineSpacing()
        self.setMinimumHeight(lines + 16)  # the number and two lines of caption, never clipped
        self.set_selected(False)
        self.set_tile(tile)

    def set_tile(self, tile: Tile) -> None:
        self.tile = tile
        self.number.setText(f"{tile.count:,}".replace(",", "."))
        color = ALERT_COLOR if tile.alert and tile.count else NUMBER_COLOR
        self.number.setStyleSheet(f"color: {color};")
        # "risco III" never breaks between its words: a lone "III" on a line reads as nothing
        self.caption.setText(tile.caption.replace("risco ", "risco\u00a0"))
        self.setAccessibleName(f"{tile.caption}: {tile.count}")
        self.setToolTip(self.tr("Clique ou tecle Enter para ver a lista"))

    def set_selected(self, selected: bool) -> None:
        border = "#1f4e79" if selected else "#c4cdd5"
        width = 2 if selected else 1
        background = "#eaf1f8" if selected else "#ffffff"
        self.setStyleSheet(
            f"TileButton {{ border: {width}px solid {border}; border-radius: 6px; "
            f"background: {background}; }} TileButton:focus {{ border: 2px solid #2b6cb0; }}"
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus()
            self.activated.emit(self.key)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.key)
            return
        super().keyPressEvent(event)


# --- the page --------------------------------------------------------------------------------


class SanitaryDashboardPage(QWidget):
    """The department's dashboard.

    Signals:
        loaded(): the numbers were read again.
        list_loaded(str): a page of the list behind the number with this key arrived.
    """

    loaded = Signal()
    list_loaded = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sanitary_dashboard_page")
        self._ctx = ctx
        self.tiles: dict[str, TileButton] = {}
        self.board: Dashboard | None = None
        self.current_key = ""
        self.model = BehindModel(self)
        self.model.request = self._fetch
        self._build_ui()
        ctx.bus.changed.connect(self._changed_elsewhere)
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header())
        layout.addWidget(self._build_tiles())
        layout.addWidget(self._build_list(), 1)

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        title = title_label(self.tr("Painel da Vigilância Sanitária"))
        self.as_of = QLabel(self.tr("Carregando…"))
        self.as_of.setObjectName("as_of")
        self.refresh_button = QPushButton(self.tr("&Atualizar"))
        self.refresh_button.setObjectName("refresh")
        self.refresh_button.setToolTip(self.tr("Ler os números de novo (F5)"))
        self.refresh_button.clicked.connect(self.reload)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)
        row.addWidget(title)
        row.addSpacing(12)
        row.addWidget(self.as_of)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        return row

    def _build_tiles(self) -> QWidget:
        panel = QWidget()
        grid = QGridLayout(panel)
        grid.setContentsMargins(0, 0, 0, 0)
        self.groups: dict[str, QGridLayout] = {}
        places = {INSPECTIONS_GROUP: (0, 0), LICENCES_GROUP: (0, 1), PROCESSES_GROUP: (1, 0),
                  COMPLAINTS_GROUP: (1, 1)}  # fmt: skip
        for group, (row, col) in places.items():
            box = QGroupBox(group)
            box.setObjectName(f"group_{group}")
            inner = QGridLayout(box)
            inner.setSpacing(6)
            self.groups[group] = inner
            grid.addWidget(box, row, col)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 2)
        return panel

    def _build_list(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 4, 0, 0)
        self.list_title = QLabel(self.tr("Clique em um número para ver a lista."))
        self.list_title.setObjectName("list_title")
        font = QFont(self.list_title.font())
        font.setBold(True)
        self.list_title.setFont(font)
        self.table = rows_table(self.model, "behind_table")
        column.addWidget(self.list_title)
        column.addWidget(self.table, 1)
        return panel

    # --- numbers ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read every number again (in the worker)."""
        db, actor, today = self._ctx.db, self._ctx.actor, self._ctx.today()
        self.refresh_button.setEnabled(False)

        def work() -> Dashboard:
            with db.read_only() as session:
                return dashboard(session, actor, today)

        def failed(exc: BaseException) -> None:
            self.refresh_button.setEnabled(True)
            from ui.ops import show_error

            show_error(self, exc)

        self._ctx.ops.run(work, self._show, failed, parent=self)

    def _show(self, board: Dashboard) -> None:
        self.board = board
        self.refresh_button.setEnabled(True)
        self.as_of.setText(self.tr("posição em {day}").format(day=_date(board.today)))
        for tile in board.tiles():
            self._place(tile)
        for key in [k for k in self.tiles if k not in {t.key for t in board.tiles()}]:
            self.tiles.pop(key).deleteLater()  # e.g. "sem classificação" no longer counted
        if self.current_key in self.tiles:
            self.open_list(self.current_key)
        self.loaded.emit()

    def _place(self, tile: Tile) -> None:
        button = self.tiles.get(tile.key)
        if button is not None:
            button.set_tile(tile)
            return
        button = TileButton(tile)
        button.activated.connect(self.open_list)
        self.groups[tile.group].addWidget(button, *self._position(tile))
        self.tiles[tile.key] = button

    def _position(self, tile: Tile) -> tuple[int, int, int, int]:
        """Grid cell (row, column, row span, column span) of a tile inside its group.

        Inspections read as a table: overdue on the first row, due on the second, one column per
        risk level, today's planned inspections beside both.
        """
        kind, _, risk = tile.key.partition(":")
        if tile.group == INSPECTIONS_GROUP:
            if tile.key == PLANNED_TODAY:
                return 0, len(RISK_KEYS), 2, 1
            return (0 if kind == OVERDUE else 1), RISK_KEYS.index(risk), 1, 1
        per_row = GROUP_COLUMNS[tile.group]
        index = sum(1 for t in self.tiles.values() if t.tile.group == tile.group)
        return index // per_row, index % per_row, 1, 1

    # --- the list behind a number -----------------------------------------------------------

    def open_list(self, key: str) -> None:
        """Show the rows behind the number `key` (first page now, the rest as it scrolls)."""
        button = self.tiles[key]
        for other in self.tiles.values():
            other.set_selected(other is button)
        self.current_key = key
        tile = button.tile
        self.list_title.setText(self.tr("{caption}: {count}").format(
            caption=tile.caption, count=f"{tile.count:,}".replace(",", ".")))  # fmt: skip
        self.model.open(columns_for(key), tile.count)
        self.model.fetchMore()

    def _fetch(self, offset: int, generation: int) -> None:
        db, actor, key = self._ctx.db, self._ctx.actor, self.current_key
        today = self.board.today if self.board else self._ctx.today()

        def work() -> list[DashboardRow]:
            with db.read_only() as session:
                return dashboard_list(session, actor, key, today, PAGE_SIZE, offset)

        def done(rows: list[DashboardRow]) -> None:
            self.model.append(rows, generation)
            self.table.horizontalHeader().resizeSections()  # sized to the rows, not to none
            self.list_loaded.emit(key)

        self._ctx.ops.run(work, done, parent=self)

    def _changed_elsewhere(self, kind: str) -> None:
        if kind in REFRESH_KINDS:
            self.reload()
