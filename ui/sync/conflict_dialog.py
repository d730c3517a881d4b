"""One sync conflict, the two versions side by side, field by field.

Each row is a field: its name, the value in this version, the value in the other, and the value in
effect now (the provisional winner, the same on every computer). The fields in conflict are
highlighted and have a choice ("manter esta" / "manter a outra", radio buttons reachable with Tab
and the arrow keys); the other rows are shown for context. "Manter tudo desta versão" and
"Manter tudo da outra" set every choice at once; "Salvar resolução" (needs "sync.admin") writes
the chosen values, which then travel to every computer like any edit.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.sync.conflict_queries import ConflictDetail, FieldDiff
from app.sync.conflicts import resolve_conflict
from ui.context import AppContext
from ui.ops import show_error

ADMIN = "sync.admin"
HIGHLIGHT = "background: #fef3c7;"
SIDES = ("local", "remote")
NO_ADMIN = (
    "Sua conta não tem a permissão “Cadastrar e revogar computadores, resolver conflitos” "
    "(sync.admin). Peça ao administrador do sistema."
)


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


class ConflictDialog(QDialog):
    """Compare and resolve one conflict.

    Signals:
        resolved(str): the resolution was saved; the note that describes it.
    """

    resolved = Signal(str)

    def __init__(self, ctx: AppContext, detail: ConflictDetail, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self._ctx = ctx
        self.detail = detail
        self.groups: dict[str, QButtonGroup] = {}
        self.radios: dict[tuple[str, str], QRadioButton] = {}
        self.setWindowTitle(
            self.tr("Conflito: {what} {name}").format(
                what=detail.table_label, name=detail.record_label
            )
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self._intro())
        layout.addWidget(self._comparison(), 1)
        layout.addLayout(self._buttons())
        self.resize(900, 620)

    # --- building ---------------------------------------------------------------------------

    def _intro(self) -> QWidget:
        d = self.detail
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        title = QLabel(f"{d.table_label}: {d.record_label}")
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        column.addWidget(title)
        text = QLabel(f"{d.kind_label.capitalize()}. {d.explanation}")
        text.setObjectName("explanation")
        text.setWordWrap(True)
        column.addWidget(text)
        winner = QLabel(
            self.tr("Até alguém decidir, vale (provisoriamente) a {w}.").format(w=d.winner_label)
        )
        winner.setObjectName("winner")
        column.addWidget(winner)
        return box

    def _comparison(self) -> QScrollArea:
        d = self.detail
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setHorizontalSpacing(12)
        headers = (
            self.tr("Campo"),
            self.tr("Esta versão — {n}").format(n=d.local_name),
            self.tr("A outra versão — {n}").format(n=d.remote_name),
            self.tr("Em vigor agora"),
        )
        for column, text in enumerate(headers):
            label = QLabel(f"<b>{text}</b>")
            label.setWordWrap(True)
            grid.addWidget(label, 0, column)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        grid.addWidget(line, 1, 0, 1, 4)
        fields = sorted(d.fields, key=lambda f: (not f.in_conflict, not f.differs))
        for row, field in enumerate(fields, start=2):
            self._add_field(grid, row, field)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(len(fields) + 2, 1)
        scroll = QScrollArea()
        scroll.setObjectName("comparison")
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        return scroll

    def _add_field(self, grid: QGridLayout, row: int, field: FieldDiff) -> None:
        name = QLabel(field.label)
        grid.addWidget(name, row, 0)
        if field.in_conflict:
            group = QButtonGroup(self)
            for column, side in enumerate(SIDES, start=1):
                value = field.local if side == "local" else field.remote
                radio = QRadioButton(value)
                radio.setObjectName(f"{field.name}_{side}")
                radio.setToolTip(self.tr("manter esta") if side == "local" else
                                 self.tr("manter a outra"))  # fmt: skip
                radio.setStyleSheet(HIGHLIGHT)
                group.addButton(radio)
                self.radios[(field.name, side)] = radio
                grid.addWidget(radio, row, column)
            self.radios[(field.name, self.detail.winner)].setChecked(True)
            if self.detail.kind == "state":  # the furthest state stays on every node
                loser = self.radios[
                    (field.name, "remote" if self.detail.winner == "local" else "local")
                ]
                loser.setEnabled(False)
                loser.setToolTip(self.tr("A situação não volta atrás"))
            self.groups[field.name] = group
            name.setStyleSheet(HIGHLIGHT + "font-weight: bold;")
        else:
            for column, value in enumerate((field.local, field.remote), start=1):
                cell = QLabel(value)
                if field.differs:
                    cell.setStyleSheet("color: #1d4ed8;")
                    cell.setToolTip(self.tr("Diferente nas duas versões; já mesclado sozinho."))
                grid.addWidget(cell, row, column)
        grid.addWidget(QLabel(field.current), row, 3)

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.all_local = _button(self.tr("Manter tudo &desta versão"), "keep_all_local")
        self.all_remote = _button(self.tr("Manter tudo da &outra"), "keep_all_remote")
        self.save_button = _button(self.tr("&Salvar resolução"), "save")
        close = _button(self.tr("&Fechar"), "close")
        self.all_local.clicked.connect(lambda: self.choose_all("local"))
        self.all_remote.clicked.connect(lambda: self.choose_all("remote"))
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.reject)
        if self.detail.kind == "duplicate":
            self.save_button.setText(self.tr("&Manter o registro existente"))
        if not self.groups or self.detail.kind == "state":
            self.all_local.hide()
            self.all_remote.hide()
        may = self._ctx.actor.can(ADMIN) and not self.detail.resolved
        self.save_button.setEnabled(may)
        if not self._ctx.actor.can(ADMIN):
            self.save_button.setToolTip(NO_ADMIN)
        for button in (self.all_local, self.all_remote):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.save_button)
        row.addWidget(close)
        return row

    # --- choosing and saving ----------------------------------------------------------------

    def choose_all(self, side: str) -> None:
        for name in self.groups:
            self.radios[(name, side)].setChecked(True)

    def choose(self, field_name: str, side: str) -> None:
        self.radios[(field_name, side)].setChecked(True)

    def choices(self) -> dict[str, str]:
        return {
            name: side
            for (name, side), radio in self.radios.items()
            if radio.isChecked()
        }  # fmt: skip

    def save(self) -> None:
        ctx, choice, conflict_id = self._ctx, self.choices(), self.detail.id
        self.save_button.setEnabled(False)

        def work() -> str:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return resolve_conflict(session, ctx.actor, conflict_id, choice)

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            show_error(self, exc)

        ctx.ops.run(work, self._saved, failed, self)

    def _saved(self, note: str) -> None:
        self.resolved.emit(note)
        self.accept()
