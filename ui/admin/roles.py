"""The "Perfis de acesso" page: roles and the permissions each one grants.

The table lists every role with its description, how many permissions it grants and how many
active accounts hold it. "Novo perfil" and "Editar" open `RoleDialog`, where the permissions are a
checkable tree grouped by department (labels from `app.security.permissions`); the service refuses
a change that would leave nobody able to manage accounts, and the dialog shows why.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.security.accounts import RoleInput, RoleRow, create_role, list_roles, update_role
from app.security.permissions import DEPARTMENT_LABELS, PERMISSIONS
from ui.admin import Column, RowsModel, ServiceDialog, make_table, selected_row
from ui.context import AppContext
from ui.widgets.page_header import title_label

ROLE = "role"
PERMISSION_ROLE = Qt.ItemDataRole.UserRole


def permissions_by_department() -> dict[str, list[str]]:
    """Permission codes grouped by department, in catalogue order."""
    groups: dict[str, list[str]] = {}
    for code in PERMISSIONS:
        groups.setdefault(code.split(".", 1)[0], []).append(code)
    return groups


class PermissionTree(QTreeWidget):
    """Departments with their permissions as checkboxes; a department checks all of its own."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("permission_tree")
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.items: dict[str, QTreeWidgetItem] = {}
        for department, codes in permissions_by_department().items():
            group = QTreeWidgetItem(self, [DEPARTMENT_LABELS.get(department, department)])
            group.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsAutoTristate
            )
            for code in codes:
                item = QTreeWidgetItem(group, [PERMISSIONS[code]])
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Unchecked)
                item.setData(0, PERMISSION_ROLE, code)
                item.setToolTip(0, code)
                self.items[code] = item
        self.expandAll()
        self.setMinimumHeight(260)

    def set_checked(self, codes: Sequence[str]) -> None:
        for code, item in self.items.items():
            state = Qt.CheckState.Checked if code in codes else Qt.CheckState.Unchecked
            item.setCheckState(0, state)

    def checked(self) -> list[str]:
        return [
            code for code, item in self.items.items()
            if item.checkState(0) == Qt.CheckState.Checked
        ]  # fmt: skip


class RoleDialog(ServiceDialog):
    """Create or edit a role: name, description, permissions."""

    changed_kind = ROLE

    def __init__(
        self, ctx: AppContext, role: RoleRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("role_dialog")
        self.role = role
        self.setWindowTitle(self.tr("Novo perfil") if role is None else self.tr("Editar perfil"))
        self.name = QLineEdit()
        self.name.setMaxLength(60)
        self.description = QLineEdit()
        self.description.setMaxLength(200)
        self.permissions = PermissionTree()
        self.form.add_field("name", self.tr("&Nome do perfil:"), self.name)
        self.form.add_field("description", self.tr("&Descrição:"), self.description)
        self.form.add_field("permissions", self.tr("Permissões:"), self.permissions)
        self._assemble()
        self.setMinimumWidth(560)
        if role is not None:
            self.name.setText(role.name)
            self.description.setText(role.description)
            self.description.setCursorPosition(0)  # show the beginning, not the end
            self.permissions.set_checked(role.permissions)

    def save(self) -> None:
        ctx = self.ctx
        data = RoleInput(self.name.text(), self.description.text(), self.permissions.checked())
        role_id = self.role.id if self.role is not None else None

        def work() -> object:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                if role_id is None:
                    return create_role(session, ctx.actor, data)
                return update_role(session, ctx.actor, role_id, data)

        self._run(work)


class RolesPage(QWidget):
    """Roles list with "Novo perfil" and "Editar".

    Signals:
        loaded(): the list was (re)loaded from the database.
    """

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roles_page")
        self.ctx = ctx
        self.model: RowsModel[RoleRow] = RowsModel(self._columns(), self)
        self._build_ui()
        ctx.bus.changed.connect(self._on_changed)
        self.reload()

    def _columns(self) -> list[Column[RoleRow]]:
        total = len(PERMISSIONS)
        return [
            Column(self.tr("Perfil"), lambda r: r.name),
            Column(self.tr("Permissões"), lambda r: self._count(r, total), align_right=True),
            Column(self.tr("Contas ativas"), lambda r: str(r.account_count), align_right=True),
            Column(self.tr("Definido por"), self._defined_by),
            Column(self.tr("Descrição"), lambda r: r.description),
        ]

    def _count(self, row: RoleRow, total: int) -> str:
        return self.tr("{n} de {total}").format(n=len(row.permissions), total=total)

    def _defined_by(self, row: RoleRow) -> str:
        if row.defined_by:
            return self.tr("Central ({hub})").format(hub=row.defined_by)
        return self.tr("Este computador")

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Perfis de acesso"))
        layout.addWidget(title)
        row = QHBoxLayout()
        self.new_button = QPushButton(self.tr("&Novo perfil"))
        self.new_button.clicked.connect(self.create_role)
        self.edit_button = QPushButton(self.tr("&Editar"))
        self.edit_button.clicked.connect(self.edit_selected)
        row.addWidget(self.new_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.table = make_table(self.model, self)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        layout.addWidget(self.table, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.New), self, self.create_role)
        self._update_actions()

    def _update_actions(self, *_args: object) -> None:
        role = selected_row(self.table)
        self.edit_button.setEnabled(role is not None and not role.defined_by)
        self.edit_button.setToolTip(
            self.tr("Perfil definido pela central: altere-o lá; a mudança chega pela sincronização")
            if role is not None and role.defined_by
            else ""
        )

    def _on_changed(self, kind: str) -> None:
        if kind in (ROLE, "account"):
            self.reload()

    def reload(self) -> None:
        ctx = self.ctx

        def work() -> list[RoleRow]:
            with ctx.db.read_only() as session:
                return list_roles(session, ctx.actor)

        ctx.ops.run(work, self._show_rows, parent=self)

    def _show_rows(self, rows: list[RoleRow]) -> None:
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self._update_actions()
        self.loaded.emit()

    def create_role(self) -> None:
        self._open(RoleDialog(self.ctx, None, self))

    def edit_selected(self) -> None:
        role = selected_row(self.table)
        if role is not None and not role.defined_by:
            self._open(RoleDialog(self.ctx, role, self))

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
