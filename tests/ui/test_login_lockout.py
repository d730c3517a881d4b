"""The login window as a clerk meets it: wrong passwords, the lockout, the forced password change,
and the same window as the inactivity lock screen. Driven with key presses on a real demo database.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from app.db.session import Database
from app.security.accounts import AccountInput, create_account
from app.security.actor import SYSTEM
from app.security.auth import MAX_FAILED_ATTEMPTS
from app.security.roles_seed import ensure_default_roles
from tests.ui.shell_helpers import (
    context_for,
    fill_demo,
    type_login,
    type_password_and_enter,
)
from ui.login import ChangePasswordDialog, LoginDialog, attempt_login
from ui.ops import OpRunner

WRONG_CREDENTIALS = "Usuário ou senha incorretos."


@pytest.fixture
def demo_db(db: Database) -> Database:
    fill_demo(db)
    return db


@pytest.fixture
def ops() -> OpRunner:
    runner = OpRunner()
    yield runner
    runner.wait_for_done()


@pytest.fixture
def dialog(qtbot, demo_db: Database, ops: OpRunner) -> LoginDialog:
    widget = LoginDialog(demo_db, ops)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    return widget


def test_password_is_hidden_and_enter_in_username_moves_to_password(qtbot, dialog):
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    dialog.username.setFocus()
    qtbot.keyClicks(dialog.username, "recepcao")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.password.hasFocus)
    assert dialog.isVisible() and dialog.error_text() == ""


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(qtbot, dialog):
    result = type_login(qtbot, dialog, "recepcao", "senha-errada-1")
    assert dialog.error_text() == WRONG_CREDENTIALS
    assert dialog.password.text() == ""  # cleared for the next try
    for attempt in range(2, MAX_FAILED_ATTEMPTS + 1):
        result = type_password_and_enter(qtbot, dialog, f"senha-errada-{attempt}")
    # FixedClock: 12:00 UTC = 09:00 in São Paulo; locked for 15 minutes.
    assert dialog.error_text() == (
        "Conta bloqueada por excesso de tentativas. Tente novamente às 09:15."
    )
    result = type_password_and_enter(qtbot, dialog, "recepcao2026")
    assert result.actor is None
    assert dialog.error_text().startswith("Conta bloqueada por excesso de tentativas")
    assert dialog.actor is None and dialog.isVisible()


def test_right_password_accepts_and_exposes_the_actor(qtbot, dialog):
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        type_login(qtbot, dialog, "admin", "admin2026")
    assert dialog.actor is not None and dialog.actor.username == "admin"
    assert not dialog.isVisible()


def test_empty_fields_are_refused_without_asking_the_database(qtbot, dialog):
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.error_text() == "Informe o usuário e a senha."


def _account_that_must_change(db: Database) -> None:
    with db.unit_of_work() as session:
        roles = ensure_default_roles(session)
        create_account(session, SYSTEM, AccountInput(
            username="novato", full_name="Pessoa Nova", password="Inicial-2026",
            role_ids=[roles["Consulta"]], must_change_password=True,
        ))  # fmt: skip


def test_forced_password_change_before_entering(qtbot, demo_db, dialog, ops):
    _account_that_must_change(demo_db)
    type_login(qtbot, dialog, "novato", "Inicial-2026")
    change = dialog.change_password_dialog
    assert isinstance(change, ChangePasswordDialog) and change.isVisible()
    assert dialog.actor is None  # not in yet
    qtbot.keyClicks(change.new_password, "Minha-senha-2026")
    qtbot.keyClicks(change.confirm_password, "Outra-coisa")
    qtbot.mouseClick(change.save_button, Qt.MouseButton.LeftButton)
    assert change.form.error_labels["confirm_password"].text() == "As senhas não conferem."
    change.confirm_password.clear()
    qtbot.keyClicks(change.confirm_password, "Minha-senha-2026")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(change.confirm_password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.username == "novato"
    assert attempt_login(demo_db, "novato", "Minha-senha-2026").actor is not None
    assert attempt_login(demo_db, "novato", "Inicial-2026").actor is None


def test_service_refusal_is_shown_beside_the_field(qtbot, demo_db, dialog):
    _account_that_must_change(demo_db)
    type_login(qtbot, dialog, "novato", "Inicial-2026")
    change = dialog.change_password_dialog
    qtbot.keyClicks(change.new_password, "curta")
    qtbot.keyClicks(change.confirm_password, "curta")
    with qtbot.waitSignal(change.answered, timeout=10_000):
        qtbot.keyClick(change.confirm_password, Qt.Key.Key_Return)
    label = change.form.error_labels["new_password"]
    assert label.isVisibleTo(change) and "pelo menos 8 caracteres" in label.text()


def test_lock_mode_fixes_the_username_and_ignores_escape(qtbot, demo_db, ops):
    ctx = context_for(demo_db, "recepcao", ops)
    lock = LoginDialog(demo_db, ops, locked_actor=ctx.actor)
    qtbot.addWidget(lock)
    lock.show()
    assert lock.username.text() == "recepcao" and lock.username.isReadOnly()
    assert "Sessão bloqueada por inatividade" in lock.subtitle.text()
    qtbot.keyClick(lock.password, Qt.Key.Key_Escape)
    assert lock.isVisible()
    with qtbot.waitSignal(lock.accepted, timeout=10_000):
        type_password_and_enter(qtbot, lock, "recepcao2026")
