"""Fixtures for the security tests: the standard roles, an administrator, accounts, logins.

The database itself is the shared `db` fixture of `tests/conftest.py` (a real SQLite file in
`tmp_path`, node "test-node", a `FixedClock`, migrated by the real Alembic revisions). Every helper
here works the way the app does: one `unit_of_work` per user action, committed by the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.session import Database
from app.security.accounts import AccountInput, create_account
from app.security.actor import SYSTEM, Actor
from app.security.auth import LoginResult, actor_for, login
from app.security.models import Account, AuditEntry
from app.security.roles_seed import ensure_default_roles

PASSWORD = "Ipê-amarelo-2026"
ADMIN_PASSWORD = "Jacarandá-roxo-2026"

MakeAccount = Callable[..., uuid.UUID]
Login = Callable[[str, str], LoginResult]


@pytest.fixture
def roles(db: Database) -> dict[str, uuid.UUID]:
    with db.unit_of_work() as session:
        return ensure_default_roles(session)


@pytest.fixture
def make_account(db: Database, roles: dict[str, uuid.UUID]) -> MakeAccount:
    """Create an account as first-run setup would (SYSTEM), committed; returns its id."""

    def make(
        username: str,
        *,
        password: str = PASSWORD,
        role: str = "Recepção",
        units: tuple[str, ...] = (),
        must_change_password: bool = True,
    ) -> uuid.UUID:
        data = AccountInput(
            username=username,
            full_name=f"Pessoa {username}",
            password=password,
            role_ids=[roles[role]],
            unit_restriction=units,
            must_change_password=must_change_password,
        )
        with db.unit_of_work() as session:
            return create_account(session, SYSTEM, data)

    return make


@pytest.fixture
def admin(db: Database, make_account: MakeAccount) -> Actor:
    account_id = make_account(
        "admin", password=ADMIN_PASSWORD, role="Administrador", must_change_password=False
    )
    with db.read_only() as session:
        return actor_for(session, account_id)


@pytest.fixture
def try_login(db: Database) -> Login:
    """One login attempt in its own committed unit of work, as the login window does it."""

    def attempt(username: str, password: str) -> LoginResult:
        with db.unit_of_work() as session:
            return login(session, username, password)

    return attempt


@pytest.fixture
def read_account(db: Database) -> Callable[[str], dict[str, Any]]:
    """The account's stored columns now, read in a fresh session (plain values, not ORM)."""

    def read(username: str) -> dict[str, Any]:
        table = Account.__table__
        with db.read_only() as session:
            row = session.execute(select(table).where(table.c.username == username)).mappings()
            return dict(row.one())

    return read


@pytest.fixture
def count_rows(db: Database) -> Callable[[type[Account] | type[AuditEntry]], int]:
    """How many accounts (or audit entries) are stored now."""

    def count(model: type[Account] | type[AuditEntry]) -> int:
        with db.read_only() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    return count
