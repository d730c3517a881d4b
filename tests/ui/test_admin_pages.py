"""Administration screens on a real demo database: the accounts list (with a locked account),
creating and editing accounts and roles through their dialogs, resetting a password, and the
audit trail with its integrity check before and after someone tampers with the file.
Every table model also passes pytest-qt's `qtmodeltester`.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.db.engine import sqlite_path
from app.db.session import Database
from app.installation.demo import DEMO_ACCOUNTS
from app.security import audit as audit_service
from app.security.accounts import AccountRow, RoleRow
from app.security.audit import AuditRow
from app.security.auth import MAX_FAILED_ATTEMPTS
from app.security.permissions import PERMISSIONS
from app.security.roles_seed import DEFAULT_ROLES
from tests.ui.shell_helpers import context_for, fill_demo
from ui.admin import Column, RowsModel
from ui.admin.accounts import AccountDialog, AccountsPage, ResetPasswordDialog
from ui.admin.audit import AuditModel, AuditPage, describe_detail
from ui.admin.roles import RoleDialog, RolesPage
from ui.context import AppContext
from ui.login import attempt_login
from ui.ops import OpRunner


@pytest.fixture
def ctx(db: Database) -> AppContext:
    fill_demo(db)
    ops = OpRunner()
    yield context_for(db, "admin", ops)
    ops.wait_for_done()


def _shown(qtbot, page):
    qtbot.addWidget(page)
    page.resize(900, 500)
    page.show()
    return page


def _texts(model, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


# --- models --------------------------------------------------------------------------------------


def test_rows_model_passes_the_model_tester(qtmodeltester):
    model: RowsModel[AccountRow] = RowsModel([Column("Usuário", lambda r: r.username)])
    model.set_rows([
        AccountRow(id=i, username=f"u{i}", full_name="X", active=True, role_names=(), units=(),
                   must_change_password=False, locked=False, locked_until=None,
                   last_login_at=None)
        for i in range(3)
    ])  # fmt: skip
    qtmodeltester.check(model, force_py=True)


def _audit_rows(first: int, count: int) -> list[AuditRow]:
    at = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    return [
        AuditRow(seq=seq, at=at, username="admin", action="login", action_label="Entrada",
                 entity=None, entity_id=None, detail={})
        for seq in range(first, first - count, -1)
    ]  # fmt: skip


def test_audit_model_fetches_on_demand_and_passes_the_model_tester(qtmodeltester, qtbot):
    model = AuditModel([Column("Nº", lambda r: str(r.seq)), Column("Ação", lambda r: r.action)])
    model.reset_rows(_audit_rows(10, 4), total=10)
    assert model.canFetchMore(QModelIndex())
    with qtbot.waitSignal(model.more_wanted) as wanted:
        model.fetchMore(QModelIndex())
    assert wanted.args == [4]
    assert not model.canFetchMore(QModelIndex())  # one request at a time
    model.append_rows(_audit_rows(7, 4))  # 7 overlaps: a new entry shifted the offsets
    assert _texts(model, 0) == ["10", "9", "8", "7", "6", "5", "4"]
    qtmodeltester.check(model, force_py=True)


def test_pages_models_pass_the_model_tester(qtmodeltester, qtbot, ctx):
    for page in (AccountsPage(ctx), RolesPage(ctx), AuditPage(ctx)):
        _shown(qtbot, page)
        qtbot.waitUntil(lambda p=page: p.model.rowCount() > 0)
        qtmodeltester.check(page.model, force_py=True)


# --- accounts ------------------------------------------------------------------------------------


def test_accounts_list_shows_roles_and_a_locked_account(qtbot, ctx):
    for attempt in range(MAX_FAILED_ATTEMPTS):
        attempt_login(ctx.db, "recepcao", f"errada-{attempt}")
    page = _shown(qtbot, AccountsPage(ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() == len(DEMO_ACCOUNTS))
    assert _texts(page.model, 0) == sorted(account[0] for account in DEMO_ACCOUNTS)
    assert _texts(page.model, 2)[0] == "Administrador"
    assert _texts(page.model, 3)[0] == "todas"
    # FixedClock 12:00 UTC → 09:00 local; locked for 15 minutes.
    statuses = dict(zip(_texts(page.model, 0), _texts(page.model, 4), strict=True))
    assert statuses.pop("recepcao") == "bloqueada até 09:15"
    assert set(statuses.values()) == {"ativa"}


def _open_dialog(qtbot, page, button):
    page.dialog = None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible())
    return page.dialog


def test_new_account_errors_beside_fields_then_created(qtbot, ctx):
    page = _shown(qtbot, AccountsPage(ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() == len(DEMO_ACCOUNTS))
    dialog = _open_dialog(qtbot, page, page.new_button)
    assert isinstance(dialog, AccountDialog)
    qtbot.keyClicks(dialog.username, "Joao Souza")
    qtbot.keyClicks(dialog.full_name, "Joao Souza")
    qtbot.keyClicks(dialog.password, "Inicial-2026")
    qtbot.keyClicks(dialog.confirm, "Inicial-2026")
    qtbot.keyClicks(dialog.units, "123")
    with qtbot.waitSignal(dialog.save_button.clicked):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    labels = dialog.form.error_labels
    qtbot.waitUntil(lambda: labels["role_ids"].isVisibleTo(dialog))
    assert labels["role_ids"].text() == "Escolha ao menos um perfil."
    assert "letras minúsculas" in labels["username"].text()
    assert "(123)" in labels["unit_restriction"].text()

    dialog.username.setText("joao.souza")
    dialog.units.setText("7654321, 7654348")
    dialog.findChild(type(next(iter(dialog.role_boxes.values()))), "role_Consulta").click()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    row = _texts(page.model, 0).index("joao.souza")
    assert page.model.index(row, 2).data() == "Consulta"
    assert page.model.index(row, 3).data() == "7654321, 7654348"
    assert page.model.index(row, 4).data() == "ativa — deve trocar a senha"


def test_edit_account_and_the_last_administrator_is_protected(qtbot, ctx):
    page = _shown(qtbot, AccountsPage(ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() == len(DEMO_ACCOUNTS))
    page.table.selectRow(0)  # admin, the only administrator
    dialog = _open_dialog(qtbot, page, page.edit_button)
    assert dialog.username.isReadOnly() and dialog.username.text() == "admin"
    assert dialog.role_boxes and dialog.active.isChecked()
    dialog.active.setChecked(False)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.form_error.isVisibleTo(dialog))
    assert dialog.form_error.text().startswith("É preciso manter ao menos uma conta ativa")

    page.table.selectRow(2)  # consulta
    other = _open_dialog(qtbot, page, page.edit_button)
    other.full_name.setText("Consulta da Recepção")
    other.active.setChecked(False)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(other.save_button, Qt.MouseButton.LeftButton)
    assert page.model.index(2, 1).data() == "Consulta da Recepção"
    assert page.model.index(2, 4).data() == "desativada"


def test_reset_password_unlocks_and_forces_a_change(qtbot, ctx):
    for attempt in range(MAX_FAILED_ATTEMPTS):
        attempt_login(ctx.db, "recepcao", f"errada-{attempt}")
    page = _shown(qtbot, AccountsPage(ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() == len(DEMO_ACCOUNTS))
    clerk_row = _texts(page.model, 0).index("recepcao")
    page.table.selectRow(clerk_row)
    dialog = _open_dialog(qtbot, page, page.reset_button)
    assert isinstance(dialog, ResetPasswordDialog)
    qtbot.keyClicks(dialog.password, "Nova-senha-2026")
    qtbot.keyClicks(dialog.confirm, "Nova-senha-2026")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    assert page.model.index(clerk_row, 4).data() == "ativa — deve trocar a senha"
    result = attempt_login(ctx.db, "recepcao", "Nova-senha-2026")
    assert result.actor is not None and result.must_change_password


# --- roles ---------------------------------------------------------------------------------------


def test_new_role_with_permissions_from_the_tree(qtbot, ctx):
    page = _shown(qtbot, RolesPage(ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() == len(DEFAULT_ROLES))
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, RoleDialog)
    tree = dialog.permissions
    assert tree.topLevelItem(0).text(0) == "Cadastros"
    assert tree.items["registry.read"].text(0).startswith("Consultar cadastros")
    dialog.name.setText("Vigilância")
    tree.items["registry.read"].setCheckState(0, Qt.CheckState.Checked)
    tree.items["documents.verify"].setCheckState(0, Qt.CheckState.Checked)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    names = _texts(page.model, 0)
    assert "Vigilância" in names
    total = len(PERMISSIONS)
    assert page.model.index(names.index("Vigilância"), 1).data() == f"2 de {total}"


def test_removing_the_last_admin_permission_is_refused_beside_the_tree(qtbot, ctx):
    page = _shown(qtbot, RolesPage(ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() == len(DEFAULT_ROLES))
    page.table.selectRow(_texts(page.model, 0).index("Administrador"))
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog.permissions.checked() == list(dialog.permissions.items)
    dialog.permissions.items["admin.accounts"].setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    label = dialog.form.error_labels["permissions"]
    qtbot.waitUntil(lambda: label.isVisibleTo(dialog))
    assert label.text().startswith("É preciso manter ao menos uma conta ativa")


def test_roles_table_rows_are_plain_rows(qtbot, ctx):
    page = _shown(qtbot, RolesPage(ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() == len(DEFAULT_ROLES))
    assert all(isinstance(row, RoleRow) for row in page.model.rows())


# --- audit ---------------------------------------------------------------------------------------


def _verify(qtbot, page: AuditPage):
    with qtbot.waitSignal(page.verified, timeout=10_000) as answer:
        qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    return answer.args[0]


def test_audit_list_newest_first_and_integrity_ok(qtbot, ctx):
    page = _shown(qtbot, AuditPage(ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    numbers = [int(text.replace(".", "")) for text in _texts(page.model, 0)]
    assert numbers == sorted(numbers, reverse=True)
    assert _texts(page.model, 3)[0] == "Entrada no sistema"  # the admin's own login
    report = _verify(qtbot, page)
    assert report.ok
    assert page.result_label.isVisible()
    assert page.result_label.text().startswith("Trilha íntegra:")
    assert "#1b6e3a" in page.result_label.styleSheet()  # green


def test_tampering_is_reported_with_the_entry_number(qtbot, ctx):
    path = sqlite_path(ctx.db.url)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE audit_entry SET username = 'intruso' WHERE seq = 3")
    page = _shown(qtbot, AuditPage(ctx))
    report = _verify(qtbot, page)
    assert not report.ok and report.first_broken_seq == 3
    assert page.result_label.text().startswith("Trilha violada a partir do registro nº 3:")
    assert "#8c1d18" in page.result_label.styleSheet()  # red


def test_audit_pages_arrive_as_the_list_scrolls(qtbot, ctx, monkeypatch):
    monkeypatch.setattr("ui.admin.audit.PAGE_SIZE", 5)
    page = _shown(qtbot, AuditPage(ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() >= 5)
    total = page.model.total
    assert total > 10
    assert page.count_label.text() == f"{total} registros"
    while page.model.rowCount() < total:
        shown = page.model.rowCount()
        page.table.scrollToBottom()
        qtbot.waitUntil(lambda n=shown: page.model.rowCount() > n, timeout=10_000)
    numbers = [int(text.replace(".", "")) for text in _texts(page.model, 0)]
    assert numbers == list(range(total, 0, -1))  # every entry once, newest first


def test_audit_filter_by_action(qtbot, ctx):
    page = _shown(qtbot, AuditPage(ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.action_filter.setCurrentIndex(page.action_filter.findData(audit_service.LOGIN))
    assert set(_texts(page.model, 3)) == {"Entrada no sistema"}


def test_details_are_written_for_people():
    assert describe_detail({"reason": "wrong_password", "attempt": 2}) == (
        "motivo: senha incorreta; tentativa: 2"
    )
    assert describe_detail({"fields": ["name", "mother_name", "cns"]}) == "campos: nome, mãe, CNS"


def test_every_audited_record_kind_has_a_portuguese_name_on_the_audit_page():
    """The page shows "Atendimento", never the table name "attendance", for each kind audited."""
    import re
    from pathlib import Path

    from ui.admin.audit import ENTITY_LABELS

    app_dir = Path(__file__).resolve().parents[2] / "app"
    source = "".join(path.read_text("utf-8") for path in app_dir.rglob("*.py"))
    audited = set(re.findall(r'entity="([a-z_]+)"', source))
    assert {"attendance", "citizen", "competence_closing"} <= audited
    assert sorted(audited - set(ENTITY_LABELS)) == []
