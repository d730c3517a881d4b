"""The register of inspectors ("Fiscais"), shown as a tab of the planning page.

A table of inspectors (name, matrícula, cargo, equipe, login, situação) with "Novo fiscal" and
"Editar"; the dialog checks each field beside it (the login must be an existing account). Nobody
is deleted — names stay on the documents they signed — an inspector is deactivated instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.sanitary.inspectors import (
    InspectorInput,
    InspectorRow,
    create_inspector,
    list_inspectors,
    list_teams,
    update_inspector,
)
from ui.admin import ServiceDialog
from ui.context import AppContext
from ui.models.rows import Column, RowsModel
from ui.widgets.tables import rows_table

INSPECTOR = "sanitary_inspector"
MANAGE = "sanitary.manage"


class InspectorDialog(ServiceDialog):
    """Register an inspector or edit one (deactivating included)."""

    changed_kind = INSPECTOR

    def __init__(
        self,
        ctx: AppContext,
        teams: Sequence[str],
        row: InspectorRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("inspector_dialog")
        self.row = row
        self.setWindowTitle(self.tr("Novo fiscal") if row is None else self.tr("Editar fiscal"))
        self._build_fields(teams)
        self._assemble()
        self.setMinimumWidth(520)
        if row is not None:
            self._fill(row)

    def _build_fields(self, teams: Sequence[str]) -> None:
        self.name = QLineEdit()
        self.name.setMaxLength(120)
        self.registration = QLineEdit()
        self.registration.setMaxLength(30)
        self.title = QLineEdit("Autoridade sanitária")
        self.title.setMaxLength(80)
        self.team = QComboBox()
        self.team.setEditable(True)
        self.team.addItems(list(teams))
        self.team.setCurrentText("")
        self.username = QLineEdit()
        self.username.setMaxLength(40)
        self.username.setPlaceholderText(self.tr("login da conta no sistema (opcional)"))
        self.active = QCheckBox(self.tr("Em atividade (pode receber inspeções)"))
        self.active.setChecked(True)
        self.form.add_field("name", self.tr("&Nome:"), self.name)
        self.form.add_field("registration", self.tr("&Matrícula:"), self.registration)
        self.form.add_field("title", self.tr("&Cargo:"), self.title)
        self.form.add_field("team", self.tr("&Equipe:"), self.team)
        self.form.add_field("username", self.tr("&Login:"), self.username)
        self.form.add_field("active", "", self.active)

    def _fill(self, row: InspectorRow) -> None:
        self.name.setText(row.name)
        self.registration.setText(row.registration)
        self.title.setText(row.title)
        self.team.setCurrentText(row.team)
        self.username.setText(row.username)
        self.active.setChecked(row.active)

    def data(self) -> InspectorInput:
        return InspectorInput(
            self.name.text(), self.registration.text(), self.title.text(),
            self.team.currentText(), self.username.text(), self.active.isChecked(),
        )  # fmt: skip

    def save(self) -> None:
        ctx, data, row = self.ctx, self.data(), self.row

        def work() -> Any:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                if row is None:
                    return create_inspector(session, ctx.actor, data)
                return update_inspector(session, ctx.actor, row.id, data)

        self._run(work)


def _columns() -> list[Column[InspectorRow]]:
    return [
        Column("Nome", lambda r: r.name),
        Column("Matrícula", lambda r: r.registration),
        Column("Cargo", lambda r: r.title),
        Column("Equipe", lambda r: r.team),
        Column("Login", lambda r: r.username),
        Column("Situação", lambda r: "em atividade" if r.active else "inativo"),
    ]


class InspectorsWidget(QWidget):
    """The inspectors table with "Novo fiscal" and "Editar" (for sanitary.manage).

    Signals:
        loaded(): the table was (re)read.
    """

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectors_widget")
        self.ctx = ctx
        self.dialog: InspectorDialog | None = None
        self.model: RowsModel[InspectorRow] = RowsModel(_columns(), self)
        self._build_ui()
        ctx.bus.changed.connect(self._on_changed)
        self.reload()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.new_button = QPushButton(self.tr("&Novo fiscal"))
        self.new_button.setObjectName("new_inspector")
        self.new_button.clicked.connect(self.create)
        self.edit_button = QPushButton(self.tr("&Editar fiscal"))
        self.edit_button.setObjectName("edit_inspector")
        self.edit_button.clicked.connect(self.edit_selected)
        for button in (self.new_button, self.edit_button):
            button.setVisible(self.ctx.actor.can(MANAGE))
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.table = rows_table(self.model, "inspectors_table")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((260, 110, 190, 220, 110)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update)
        layout.addWidget(self.table, 1)
        shortcut = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        shortcut.activated.connect(self.edit_selected)
        self._update()

    def _update(self, *_args: object) -> None:
        self.edit_button.setEnabled(self.selected() is not None)

    def selected(self) -> InspectorRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_for(rows[0]) if rows else None

    def _on_changed(self, kind: str) -> None:
        if kind == INSPECTOR:
            self.reload()

    def reload(self) -> None:
        ctx = self.ctx

        def work() -> list[InspectorRow]:
            with ctx.db.read_only() as session:
                return list_inspectors(session, ctx.actor, include_inactive=True)

        ctx.ops.run(work, self._show, parent=self)

    def _show(self, rows: list[InspectorRow]) -> None:
        self.model.set_rows(rows)
        self._update()
        self.loaded.emit()

    def create(self) -> None:
        self._with_teams(None)

    def edit_selected(self) -> None:
        row = self.selected()
        if row is not None and self.ctx.actor.can(MANAGE):
            self._with_teams(row)

    def _with_teams(self, row: InspectorRow | None) -> None:
        ctx = self.ctx

        def work() -> list[str]:
            with ctx.db.read_only() as session:
                return list_teams(session, ctx.actor)

        def show(teams: list[str]) -> None:
            self.dialog = InspectorDialog(ctx, teams, row, self)
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog.open()

        ctx.ops.run(work, show, parent=self)
