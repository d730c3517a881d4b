"""Login as the login window does it: messages, lockout and its end, the forced password change.

Each attempt runs in its own `unit_of_work`, committed by the caller, exactly like the app; what
the next attempt sees was read back from the database file, so a counter that was not committed
would show up here as a lockout that never happens.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import update

from app.clock import FixedClock
from app.db.session import Database
from app.errors import AuthenticationError, ValidationError
from app.security import audit
from app.security.accounts import AccountUpdate, list_accounts, update_account
from app.security.actor import Actor
from app.security.auth import (
    LOCKOUT,
    MAX_FAILED_ATTEMPTS,
    actor_for,
    change_password,
    login,
    logout,
)
from app.security.models import Account
from tests.unit.security.conftest import ADMIN_PASSWORD, PASSWORD, Login, MakeAccount

WRONG = "Usuário ou senha incorretos."
# FixedClock starts at 2026-03-02 12:00 UTC; locked for 15 minutes → 12:15 UTC = 09:15 in Brasília.
LOCKED_UNTIL_0915 = "Conta bloqueada por excesso de tentativas. Tente novamente às 09:15."

ReadAccount = Callable[[str], dict[str, Any]]


def entries(db: Database, auditor: Actor, action: str) -> list[audit.AuditRow]:
    with db.read_only() as session:
        return audit.list_entries(session, auditor, offset=0, limit=100, action=action)


def test_right_password_logs_in_with_the_roles_permissions_and_units(
    make_account: MakeAccount, try_login: Login, clock: FixedClock, read_account: ReadAccount
) -> None:
    account_id = make_account("ana.souza", units=("2077485",), must_change_password=False)
    result = try_login("  Ana.Souza ", PASSWORD)
    assert result.ok and result.error is None and not result.must_change_password
    assert result.actor == Actor(
        account_id=account_id,
        username="ana.souza",
        full_name="Pessoa ana.souza",
        permissions=frozenset(
            {
                "registry.read",
                "registry.write",
                "registry.print",
                "care.read",
                "care.schedule",
                "care.attend",
                "sync.run",
            }
        ),
        units=frozenset({"2077485"}),
    )
    assert read_account("ana.souza")["last_login_at"] == clock.now()


def test_unknown_user_and_wrong_password_get_the_same_message(
    make_account: MakeAccount, try_login: Login
) -> None:
    make_account("ana.souza")
    unknown = try_login("ninguem", PASSWORD)
    wrong = try_login("ana.souza", "senha-errada-123")
    assert unknown.actor is None and wrong.actor is None
    assert unknown.error == wrong.error == WRONG


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    make_account: MakeAccount, try_login: Login
) -> None:
    make_account("ana.souza")
    messages = [try_login("ana.souza", f"errada-{n}-xyz").error for n in range(MAX_FAILED_ATTEMPTS)]
    assert messages == [WRONG] * 4 + [LOCKED_UNTIL_0915]
    sixth = try_login("ana.souza", PASSWORD)
    assert sixth.actor is None
    assert sixth.error == LOCKED_UNTIL_0915


def test_the_unlock_time_is_shown_in_the_municipality_time_zone(
    db: Database, make_account: MakeAccount, try_login: Login
) -> None:
    make_account("ana.souza")
    for n in range(MAX_FAILED_ATTEMPTS):
        try_login("ana.souza", f"errada-{n}-xyz")
    with db.unit_of_work() as session:
        result = login(session, "ana.souza", PASSWORD, tz=ZoneInfo("America/Manaus"))
    assert result.error == "Conta bloqueada por excesso de tentativas. Tente novamente às 08:15."


def test_the_unlock_time_is_rounded_up_to_the_minute(
    make_account: MakeAccount, try_login: Login, clock: FixedClock
) -> None:
    # Locked at 12:00:20 → free at 12:15:20; "09:15" would send the clerk back 20 s too early.
    make_account("ana.souza")
    clock.advance(timedelta(seconds=20))
    for n in range(MAX_FAILED_ATTEMPTS):
        last = try_login("ana.souza", f"errada-{n}-xyz")
    assert last.error == "Conta bloqueada por excesso de tentativas. Tente novamente às 09:16."


def test_after_fifteen_minutes_the_right_password_works_and_the_count_starts_over(
    make_account: MakeAccount, try_login: Login, clock: FixedClock
) -> None:
    make_account("ana.souza", must_change_password=False)
    for n in range(MAX_FAILED_ATTEMPTS):
        try_login("ana.souza", f"errada-{n}-xyz")
    clock.advance(LOCKOUT - timedelta(seconds=1))
    assert try_login("ana.souza", PASSWORD).error == LOCKED_UNTIL_0915
    clock.advance(timedelta(seconds=1))
    assert try_login("ana.souza", PASSWORD).ok
    # A fresh set of attempts: four more mistakes do not lock, and the right password still works.
    assert [try_login("ana.souza", "errada-xyz").error for _ in range(4)] == [WRONG] * 4
    assert try_login("ana.souza", PASSWORD).ok


def test_a_success_resets_the_count_of_mistakes(
    make_account: MakeAccount, try_login: Login, read_account: ReadAccount
) -> None:
    make_account("ana.souza")
    for _ in range(4):
        try_login("ana.souza", "errada-xyz")
    assert try_login("ana.souza", PASSWORD).ok
    assert read_account("ana.souza")["failed_attempts"] == 0
    assert [try_login("ana.souza", "errada-xyz").error for _ in range(4)] == [WRONG] * 4


def test_failed_attempts_and_their_audit_entries_are_committed(
    make_account: MakeAccount,
    try_login: Login,
    read_account: ReadAccount,
    admin: Actor,
    db: Database,
) -> None:
    make_account("ana.souza")
    try_login("ana.souza", "errada-1-xyz")
    try_login("ninguem", "errada-2-xyz")
    try_login("ana.souza", "errada-3-xyz")
    assert read_account("ana.souza")["failed_attempts"] == 2
    failed = entries(db, admin, audit.LOGIN_FAILED)
    assert [(r.username, r.detail["reason"]) for r in failed] == [
        ("ana.souza", "wrong_password"),
        ("", "unknown_user"),
        ("ana.souza", "wrong_password"),
    ]
    assert {r.action_label for r in failed} == {"Tentativa de entrada recusada"}


def test_the_lock_is_recorded_and_visible_to_the_administrator(
    make_account: MakeAccount, try_login: Login, admin: Actor, db: Database
) -> None:
    make_account("ana.souza")
    for n in range(MAX_FAILED_ATTEMPTS):
        try_login("ana.souza", f"errada-{n}-xyz")
    locked = entries(db, admin, audit.LOCKED)
    assert len(locked) == 1 and locked[0].username == "ana.souza"
    assert locked[0].action_label == "Conta bloqueada por tentativas"
    with db.read_only() as session:
        row = next(r for r in list_accounts(session, admin) if r.username == "ana.souza")
    assert row.locked


def test_no_password_or_hash_reaches_the_audit_trail(
    make_account: MakeAccount, try_login: Login, admin: Actor, db: Database
) -> None:
    make_account("ana.souza")
    try_login("ana.souza", "Segredo-digitado-errado")
    try_login("ana.souza", PASSWORD)
    with db.read_only() as session:
        rows = audit.list_entries(session, admin, offset=0, limit=100)
    text = repr(rows)
    assert "Segredo-digitado-errado" not in text and PASSWORD not in text
    assert "$argon2" not in text


def test_a_deactivated_account_is_told_so_only_with_the_right_password(
    db: Database,
    make_account: MakeAccount,
    try_login: Login,
    admin: Actor,
    roles: dict[str, uuid.UUID],
) -> None:
    account_id = make_account("ana.souza")
    with db.unit_of_work() as session:
        data = AccountUpdate("Pessoa ana.souza", [roles["Recepção"]], (), active=False)
        update_account(session, admin, account_id, data)
    assert try_login("ana.souza", "errada-xyz").error == WRONG
    assert try_login("ana.souza", PASSWORD).error == (
        "Esta conta está desativada. Procure o administrador."
    )
    with db.read_only() as session, pytest.raises(AuthenticationError):
        actor_for(session, account_id)


def test_first_login_forces_a_password_change(
    db: Database, make_account: MakeAccount, try_login: Login, admin: Actor
) -> None:
    make_account("ana.souza")
    first = try_login("ana.souza", PASSWORD)
    assert first.ok and first.must_change_password
    assert first.actor is not None
    with db.unit_of_work() as session:
        change_password(session, first.actor, PASSWORD, "Nova-senha-do-posto-1")
    assert try_login("ana.souza", PASSWORD).error == WRONG
    second = try_login("ana.souza", "Nova-senha-do-posto-1")
    assert second.ok and not second.must_change_password
    changed = entries(db, admin, audit.PASSWORD_CHANGED)
    assert [r.username for r in changed] == ["ana.souza"]


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("errada-xyz", "Nova-senha-do-posto-1", "old_password", "A senha atual não confere."),
        (PASSWORD, "curta", "new_password", "A senha deve ter pelo menos 8 caracteres."),
        (PASSWORD, PASSWORD, "new_password", "A nova senha deve ser diferente da atual."),
        (PASSWORD, "ana.souza", "new_password", "A senha não pode ser igual ao nome de usuário."),
    ],
)
def test_a_refused_password_change_keeps_the_old_password(
    db: Database,
    make_account: MakeAccount,
    try_login: Login,
    old: str,
    new: str,
    field: str,
    message: str,
) -> None:
    make_account("ana.souza")
    actor = try_login("ana.souza", PASSWORD).actor
    assert actor is not None
    with pytest.raises(ValidationError) as refused, db.unit_of_work() as session:
        change_password(session, actor, old, new)
    assert refused.value.errors == {field: message}
    assert try_login("ana.souza", PASSWORD).must_change_password


def test_a_hash_with_old_parameters_is_upgraded_at_login(
    db: Database, make_account: MakeAccount, try_login: Login, read_account: ReadAccount
) -> None:
    make_account("ana.souza")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID)
    with db.unit_of_work() as session:
        session.execute(update(Account).values(password_hash=weak.hash(PASSWORD)))
    assert try_login("ana.souza", PASSWORD).ok
    assert read_account("ana.souza")["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert try_login("ana.souza", PASSWORD).ok


def test_logout_is_recorded(db: Database, try_login: Login, admin: Actor) -> None:
    actor = try_login("admin", ADMIN_PASSWORD).actor
    assert actor is not None
    with db.unit_of_work() as session:
        logout(session, actor)
    assert [r.username for r in entries(db, admin, audit.LOGOUT)] == ["admin"]
    assert [r.username for r in entries(db, admin, audit.LOGIN)] == ["admin"]


def test_actor_for_reflects_role_changes(
    db: Database, make_account: MakeAccount, admin: Actor, roles: dict[str, uuid.UUID]
) -> None:
    account_id = make_account("ana.souza", role="Consulta")
    with db.unit_of_work() as session:
        data = AccountUpdate("Ana Souza", [roles["Consulta"], roles["Auditor"]], ())
        update_account(session, admin, account_id, data)
    with db.read_only() as session:
        actor = actor_for(session, account_id)
    assert actor.full_name == "Ana Souza"
    assert actor.permissions == {"registry.read", "admin.audit", "documents.verify"}
