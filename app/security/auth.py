"""Login with lockout, password change, logout, and rebuilding the acting `Actor` of an account.

`login` does not raise on refusal: it returns a `LoginResult` carrying either the actor or the
Portuguese message to show. This is deliberate. A refused login still writes — the failed-attempt
counter, the lock, the LOGIN_FAILED/LOCKED audit entries — and those writes must be committed, or
an attacker could retry forever and the trail would never show it. Raising would make the caller's
`unit_of_work` roll them back; returning lets it commit them like any other action:

    with db.unit_of_work() as session:
        result = login(session, username, password)
    if result.actor is None:
        show(result.error)

Unknown usernames and wrong passwords get the same message and cost the same Argon2 work, so the
login window does not reveal which usernames exist. After `MAX_FAILED_ATTEMPTS` consecutive wrong
passwords the account is locked for `LOCKOUT`; the message says when it unlocks, in local time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.errors import AuthenticationError, NotFound, PermissionDenied, ValidationError
from app.security import audit
from app.security.actor import Actor
from app.security.models import Account
from app.security.passwords import hash_password, needs_rehash, password_error, verify_password

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
DEFAULT_TZ = ZoneInfo("America/Sao_Paulo")

WRONG_CREDENTIALS = "Usuário ou senha incorretos."
INACTIVE = "Esta conta está desativada. Procure o administrador."
LOCKED_MESSAGE = "Conta bloqueada por excesso de tentativas. Tente novamente às {time}."
_NOBODY = Actor(account_id=None, username="", full_name="")


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login attempt: an actor, or the message to show (never both)."""

    actor: Actor | None
    error: str | None = None
    must_change_password: bool = False

    @property
    def ok(self) -> bool:
        return self.actor is not None


def login(
    session: Session, username: str, password: str, *, tz: ZoneInfo = DEFAULT_TZ
) -> LoginResult:
    """Check the credentials and record the attempt; the caller commits either way."""
    account = session.scalar(
        select(Account).where(
            Account.username == username.strip().lower(), Account.deleted_at.is_(None)
        )
    )
    if account is None:
        verify_password(_dummy_hash(), password)  # same cost as a real check: no timing oracle
        audit.record(session, _NOBODY, audit.LOGIN_FAILED, detail={"reason": "unknown_user"})
        return LoginResult(None, WRONG_CREDENTIALS)
    now = clock_of(session).now()
    if account.locked_until is not None and account.locked_until > now:
        _record_failure(session, account, "locked")
        return LoginResult(None, locked_message(account.locked_until, tz))
    if not verify_password(account.password_hash, password):
        return _wrong_password(session, account, now, tz)
    if not account.active:
        # Said only to someone who knows the password, so it reveals nothing to a guesser.
        _record_failure(session, account, "inactive")
        return LoginResult(None, INACTIVE)
    return _succeed(session, account, password, now)


def _wrong_password(session: Session, account: Account, now: datetime, tz: ZoneInfo) -> LoginResult:
    account.failed_attempts += 1
    attempts = account.failed_attempts
    _record_failure(session, account, "wrong_password", attempt=attempts)
    if attempts < MAX_FAILED_ATTEMPTS:
        return LoginResult(None, WRONG_CREDENTIALS)
    until = now + LOCKOUT
    account.locked_until = until
    # The lock itself is the record now; after it ends the account gets a fresh set of attempts.
    account.failed_attempts = 0
    detail = {"attempts": attempts, "until": until.isoformat()}
    audit.record(
        session, actor_of(account), audit.LOCKED, entity="account", entity_id=str(account.id),
        detail=detail,
    )  # fmt: skip
    return LoginResult(None, locked_message(until, tz))


def _succeed(session: Session, account: Account, password: str, now: datetime) -> LoginResult:
    account.failed_attempts = 0
    account.locked_until = None
    account.last_login_at = now
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    actor = actor_of(account)
    audit.record(session, actor, audit.LOGIN, entity="account", entity_id=str(account.id))
    return LoginResult(actor, None, account.must_change_password)


def _record_failure(session: Session, account: Account, reason: str, **extra: Any) -> None:
    audit.record(session, actor_of(account), audit.LOGIN_FAILED, entity="account",
                 entity_id=str(account.id), detail={"reason": reason, **extra})  # fmt: skip


def locked_message(until: datetime, tz: ZoneInfo = DEFAULT_TZ) -> str:
    """The lockout message with the unlock time in local HH:MM (rounded up to the minute)."""
    local = until.astimezone(tz)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return LOCKED_MESSAGE.format(time=local.strftime("%H:%M"))


@cache
def _dummy_hash() -> str:
    return hash_password("conta-inexistente-apenas-para-igualar-o-tempo")


def change_password(session: Session, actor: Actor, old_password: str, new_password: str) -> None:
    """The logged-in user replaces their own password (also the forced first-login change)."""
    account = _own_account(session, actor)
    if not verify_password(account.password_hash, old_password):
        raise ValidationError({"old_password": "A senha atual não confere."})
    problem = password_error(new_password, account.username)
    if problem is None and new_password == old_password:
        problem = "A nova senha deve ser diferente da atual."
    if problem:
        raise ValidationError({"new_password": problem})
    account.password_hash = hash_password(new_password)
    account.must_change_password = False
    session.flush()
    audit.record(session, actor, audit.PASSWORD_CHANGED, entity="account",
                 entity_id=str(account.id))  # fmt: skip


def _own_account(session: Session, actor: Actor) -> Account:
    if actor.account_id is None:
        raise PermissionDenied("A conta do sistema não tem senha.")
    account = session.get(Account, actor.account_id)
    if account is None or account.deleted_at is not None:
        raise NotFound("Conta não encontrada (pode ter sido excluída em outro computador).")
    return account


def logout(session: Session, actor: Actor) -> None:
    """Record that the user left (menu "Sair" or the inactivity lock)."""
    entity_id = str(actor.account_id) if actor.account_id is not None else None
    audit.record(session, actor, audit.LOGOUT, entity="account", entity_id=entity_id)


def actor_for(session: Session, account_id: uuid.UUID) -> Actor:
    """The actor of an account as it is now (after its roles or units were changed)."""
    account = session.get(Account, account_id)
    if account is None or account.deleted_at is not None:
        raise NotFound("Conta não encontrada (pode ter sido excluída em outro computador).")
    if not account.active:
        raise AuthenticationError(INACTIVE)
    return actor_of(account)


def actor_of(account: Account) -> Actor:
    """Permissions are the union of the account's (non-deleted) roles; units its restriction."""
    permissions = frozenset(
        permission
        for role in account.roles
        if role.deleted_at is None
        for permission in role.permissions
    )
    return Actor(
        account_id=account.id,
        username=account.username,
        full_name=account.full_name,
        permissions=permissions,
        units=frozenset(account.unit_restriction),
    )
