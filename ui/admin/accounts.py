"""The "Contas de usuário" page: who may log in, with which roles, in which units.

The table lists every account (username, name, roles, units, situation — active, deactivated or
locked until HH:MM — and last login). "Nova conta" and "Editar" open `AccountDialog` (roles as
checkboxes, units as a comma-separated list of CNES codes); "Redefinir senha" opens
`ResetPasswordDialog`, after which the person must choose a new password at the next login.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.security.accounts import (
    AccountInput,
    AccountRow,
    AccountUpdate,
    RoleRow,
    create_account,
    list_accounts,
    list_roles,
    reset_password,
    update_account,
)
from ui.admin import Column, RowsModel, ServiceDialog, local_time, make_table, selected_row
from ui.context import AppContext
from ui.widgets.page_header import title_label

ACCOUNT = "account"


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(128)
    return field


def _units_from_text(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class AccountDialog(ServiceDialog):
    """Create an account (with its initial password) or edit one (name, roles, units, active)."""

    changed_kind = ACCOUNT

    def __init__(
        self,
        ctx: AppContext,
        roles: Sequence[RoleRow],
        account: AccountRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("account_dialog")
        self.account = account
        self._roles = list(roles)
        self.setWindowTitle(self.tr("Nova conta") if account is None else self.tr("Editar conta"))
        self._build_fields()
        self._assemble()
        self.setMinimumWidth(520)
        if account is not None:
            self._fill(account)

    def _build_fields(self) -> None:
        self.username = QLineEdit()
        self.username.setMaxLength(40)
        self.username.setPlaceholderText(self.tr("letras minúsculas, ex.: joao.souza"))
        self.full_name = QLineEdit()
        self.full_name.setMaxLength(120)
        self.form.add_field("username", self.tr("Nome de &usuário:"), self.username)
        self.form.add_field("full_name", self.tr("Nome &completo:"), self.full_name)
        if self.account is None:
            self._build_password()
        self.form.add_field("role_ids", self.tr("Perfis:"), self._build_roles())
        self.units = QLineEdit()
        self.units.setPlaceholderText(self.tr("vazio = todas as unidades"))
        self.form.add_field("unit_restriction", self.tr("Unidades (&CNES):"), self.units)
        self._build_units_hint()
        if self.account is not None:
            self.active = QCheckBox(self.tr("Conta ativa (pode entrar no sistema)"))
            self.form.add_field("active", "", self.active)

    def _build_password(self) -> None:
        self.password = _password_field()
        self.confirm = _password_field()
        self.form.add_field("password", self.tr("&Senha inicial:"), self.password)
        self.form.add_field("confirm", self.tr("&Repita a senha:"), self.confirm)
        hint = QLabel(self.tr("A pessoa deverá trocar esta senha ao entrar pela primeira vez."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.confirm.parentWidget().layout().addWidget(hint)

    def _build_units_hint(self) -> None:
        hint = QLabel(self.tr("Separe os códigos por vírgula, ex.: 7654321, 7654348."))
        hint.setObjectName("hint")
        self.units.parentWidget().layout().addWidget(hint)

    def _build_roles(self) -> QWidget:
        box = QGroupBox()
        column = QVBoxLayout(box)
        self.role_boxes: dict[uuid.UUID, QCheckBox] = {}
        for role in self._roles:
            check = QCheckBox(role.name)
            check.setObjectName(f"role_{role.name}")
            check.setToolTip(role.description)
            column.addWidget(check)
            self.role_boxes[role.id] = check
        return box

    def _fill(self, account: AccountRow) -> None:
        self.username.setText(account.username)
        self.username.setReadOnly(True)
        self.username.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.full_name.setText(account.full_name)
        for role in self._roles:
            self.role_boxes[role.id].setChecked(role.name in account.role_names)
        self.units.setText(", ".join(account.units))
        self.active.setChecked(account.active)
        self.full_name.setFocus()

    def chosen_roles(self) -> list[uuid.UUID]:
        return [role_id for role_id, box in self.role_boxes.items() if box.isChecked()]

    def save(self) -> None:
        if self.account is None and self.password.text() != self.confirm.text():
            self.form.show_errors({"confirm": self.tr("As senhas não conferem.")})
            return
        ctx, units = self.ctx, _units_from_text(self.units.text())
        if self.account is None:
            data = AccountInput(self.username.text(), self.full_name.text(), self.password.text(),
                                self.chosen_roles(), units, must_change_password=True)  # fmt: skip

            def work() -> object:
                with ctx.db.unit_of_work(ctx.actor.username) as session:
                    return create_account(session, ctx.actor, data)
        else:
            account_id = self.account.id
            update = AccountUpdate(self.full_name.text(), self.chosen_roles(), units,
                                   self.active.isChecked())  # fmt: skip

            def work() -> object:
                with ctx.db.unit_of_work(ctx.actor.username) as session:
                    return update_account(session, ctx.actor, account_id, update)

        self._run(work)


class ResetPasswordDialog(ServiceDialog):
    """An administrator gives an account a new password (to be changed at the next login)."""

    changed_kind = ACCOUNT

    def __init__(self, ctx: AppContext, account: AccountRow, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("reset_password_dialog")
        self.account = account
        self.setWindowTitle(self.tr("Redefinir senha"))
        intro = QLabel(
            self.tr(
                "Nova senha para {name} ({username}). A pessoa deverá trocá-la ao entrar; "
                "se a conta estava bloqueada por tentativas, fica desbloqueada."
            ).format(name=account.full_name, username=account.username)
        )
        intro.setWordWrap(True)
        self.password = _password_field()
        self.confirm = _password_field()
        self.form.add_field("password", self.tr("&Nova senha:"), self.password)
        self.form.add_field("confirm", self.tr("&Repita a senha:"), self.confirm)
        self._assemble()
        self.layout().insertWidget(0, intro)
        self.setMinimumWidth(460)

    def save(self) -> None:
        if self.password.text() != self.confirm.text():
            self.form.show_errors({"confirm": self.tr("As senhas não conferem.")})
            return
        ctx, account_id, password = self.ctx, self.account.id, self.password.text()

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                reset_password(session, ctx.actor, account_id, password)

        self._run(work)


class AccountsPage(QWidget):
    """Accounts list with "Nova conta", "Editar" and "Redefinir senha".

    Signals:
        loaded(): the list was (re)loaded from the database.
    """

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accounts_page")
        self.ctx = ctx
        self._sized = False
        self.model: RowsModel[AccountRow] = RowsModel(self._columns(), self)
        self._build_ui()
        ctx.bus.changed.connect(self._on_changed)
        self.reload()

    def _columns(self) -> list[Column[AccountRow]]:
        zone = self.ctx.installation.timezone
        return [
            Column(self.tr("Usuário"), lambda r: r.username),
            Column(self.tr("Nome"), lambda r: r.full_name),
            Column(self.tr("Perfis"), lambda r: ", ".join(r.role_names)),
            Column(self.tr("Unidades"), lambda r: ", ".join(r.units) or self.tr("todas")),
            Column(self.tr("Situação"), self._situation),
            Column(self.tr("Último acesso"), lambda r: local_time(r.last_login_at, zone, "—")),
        ]

    def _situation(self, row: AccountRow) -> str:
        if not row.active:
            return self.tr("desativada")
        if row.locked and row.locked_until is not None:
            until = local_time(row.locked_until, self.ctx.installation.timezone)[-5:]
            return self.tr("bloqueada até {time}").format(time=until)
        if row.must_change_password:
            return self.tr("ativa — deve trocar a senha")
        return self.tr("ativa")

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Contas de usuário"))
        layout.addWidget(title)
        layout.addLayout(self._build_actions())
        self.table = make_table(self.model, self)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        layout.addWidget(self.table, 1)
        self._update_actions()

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_button = QPushButton(self.tr("&Nova conta"))
        self.new_button.clicked.connect(self.create_account)
        self.edit_button = QPushButton(self.tr("&Editar"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.reset_button = QPushButton(self.tr("&Redefinir senha"))
        self.reset_button.clicked.connect(self.reset_selected)
        for button in (self.new_button, self.edit_button, self.reset_button):
            row.addWidget(button)
        row.addStretch(1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.New), self, self.create_account)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)
        return row

    def _update_actions(self, *_args: object) -> None:
        chosen = selected_row(self.table) is not None
        self.edit_button.setEnabled(chosen)
        self.reset_button.setEnabled(chosen)

    def _on_changed(self, kind: str) -> None:
        if kind in (ACCOUNT, "role"):
            self.reload()

    def reload(self) -> None:
        ctx = self.ctx

        def work() -> list[AccountRow]:
            with ctx.db.read_only() as session:
                return list_accounts(session, ctx.actor)

        ctx.ops.run(work, self._show_rows, parent=self)

    def _show_rows(self, rows: list[AccountRow]) -> None:
        chosen = selected_row(self.table)
        self.model.set_rows(rows)
        if not self._sized and rows:
            self.table.resizeColumnsToContents()
            self._sized = True
        ids = [row.id for row in rows]
        if chosen is not None and chosen.id in ids:
            self.table.selectRow(ids.index(chosen.id))
        self._update_actions()
        self.loaded.emit()

    def create_account(self) -> None:
        self._with_roles(lambda roles: AccountDialog(self.ctx, roles, None, self))

    def edit_selected(self) -> None:
        account = selected_row(self.table)
        if account is not None:
            self._with_roles(lambda roles: AccountDialog(self.ctx, roles, account, self))

    def reset_selected(self) -> None:
        account = selected_row(self.table)
        if account is not None:
            self._open(ResetPasswordDialog(self.ctx, account, self))

    def _with_roles(self, make: Callable[[list[RoleRow]], QDialog]) -> None:
        ctx = self.ctx

        def work() -> list[RoleRow]:
            with ctx.db.read_only() as session:
                return list_roles(session, ctx.actor)

        ctx.ops.run(work, lambda roles: self._open(make(roles)), parent=self)

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog  # tests reach the open dialog here
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
