"""The audit trail: an append-only, hash-chained record of who did what, and its verification.

`record` appends one entry in the caller's transaction: its number (`seq`) is the last number plus
one, read inside the transaction (on PostgreSQL after taking a transaction-scoped advisory lock, so
two clerks on the hub never fork the chain; SQLite admits one writer at a time, and `seq` is the
primary key on both engines, so a fork can never be committed). Its hash is SHA-256 over a
canonical JSON of the entry's fields and the previous entry's hash (64 zeros for the first), so any
later edit, deletion or reordering breaks the chain and `verify_chain` says where. The trail stores
ids and field names only — never health content, names of citizens, or passwords: `detail` is for
things like `{"fields": ["cns", "address"]}` or `{"reason": "wrong_password"}`. Reading the trail
(`history_of`, `list_entries`) returns plain rows whose action is already a Portuguese label.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.security.actor import Actor
from app.security.models import AuditEntry

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
LOCKED = "locked"
PASSWORD_CHANGED = "password_changed"
PASSWORD_RESET = "password_reset"
CREATE = "create"
UPDATE = "update"
DELETE = "delete"
READ = "read"
PRINT = "print"
EXPORT = "export"
IMPORT = "import"
VERIFY_CHAIN = "verify_chain"
VERIFY_DOCUMENT = "verify_document"

ACTION_LABELS: dict[str, str] = {
    LOGIN: "Entrada no sistema",
    LOGIN_FAILED: "Tentativa de entrada recusada",
    LOGOUT: "Saída do sistema",
    LOCKED: "Conta bloqueada por tentativas",
    PASSWORD_CHANGED: "Senha alterada pelo usuário",
    PASSWORD_RESET: "Senha redefinida pelo administrador",
    CREATE: "Inclusão",
    UPDATE: "Alteração",
    DELETE: "Exclusão",
    READ: "Consulta",
    PRINT: "Impressão",
    EXPORT: "Exportação",
    IMPORT: "Importação",
    VERIFY_CHAIN: "Verificação da trilha de auditoria",
    VERIFY_DOCUMENT: "Verificação de documento impresso",
}

GENESIS_HASH = "0" * 64
# Any fixed 64-bit number works; it only has to be the same in every process that writes the trail.
PG_ADVISORY_LOCK_KEY = 0x53_4D_41_55_44_49_54  # "SMAUDIT"
_Query = TypeVar("_Query", bound=Select[Any])
_HASHED_FIELDS = (
    "seq", "at", "node_id", "account_id", "username", "action",
    "entity", "entity_id", "detail", "prev_hash",
)  # fmt: skip


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the whole trail, with a sentence for the verification screen."""

    ok: bool
    checked: int
    first_broken_seq: int | None
    message: str


@dataclass(frozen=True)
class ChainHead:
    """The last entry's number and hash (0 and the genesis hash for an empty trail)."""

    seq: int
    hash: str


@dataclass(frozen=True)
class AuditRow:
    """One entry as screens show it; `action_label` is Portuguese, `action` the stored code."""

    seq: int
    at: datetime
    username: str
    action: str
    action_label: str
    entity: str | None
    entity_id: str | None
    detail: dict[str, Any]


def action_label(action: str) -> str:
    """The Portuguese label of an action code (the code itself for an unknown one)."""
    return ACTION_LABELS.get(action, action)


# --- writing -------------------------------------------------------------------------------------


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the trail in the caller's transaction (ids and field names only)."""
    _lock_chain(session)
    head = chain_head(session)
    values: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": clock_of(session).now(),
        "node_id": str(session.info.get("node_id", "local")),
        "account_id": actor.account_id,
        "username": actor.username[:40],
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": _plain_json(detail or {}),
        "prev_hash": head.hash,
    }
    entry = AuditEntry(**values, hash=entry_hash(values))
    session.add(entry)
    session.flush()
    return entry


def chain_head(session: Session) -> ChainHead:
    """The newest entry's number and hash (what sync batches announce as this node's head)."""
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return ChainHead(0, GENESIS_HASH) if row is None else ChainHead(row.seq, row.hash)


def _lock_chain(session: Session) -> None:
    # Released automatically at commit or rollback; serialises writers of the trail on the hub.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_ADVISORY_LOCK_KEY})


def _plain_json(detail: Mapping[str, Any]) -> dict[str, Any]:
    # What is stored must be exactly what was hashed: round-trip through JSON once, here.
    plain: dict[str, Any] = json.loads(json.dumps(dict(detail), default=str))
    return plain


def entry_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of an entry's fields, previous hash included."""
    payload = {name: values[name] for name in _HASHED_FIELDS}
    payload["at"] = _instant(payload["at"])
    account_id = payload["account_id"]
    payload["account_id"] = None if account_id is None else str(account_id)
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _instant(at: datetime) -> str:
    # Fixed form (UTC, microseconds always present): the same instant always hashes the same.
    return at.astimezone(UTC).isoformat(timespec="microseconds")


# --- verifying -----------------------------------------------------------------------------------


def verify_chain(session: Session, *, batch_size: int = 2000) -> ChainReport:
    """Walk the whole trail in order, streaming, and report the first break (if any)."""
    columns = [getattr(AuditEntry, name) for name in (*_HASHED_FIELDS, "hash")]
    query = select(*columns).order_by(AuditEntry.seq).execution_options(yield_per=batch_size)
    expected, prev_hash, checked = 1, GENESIS_HASH, 0
    with closing(session.execute(query)) as result:
        for row in result:
            values = row._asdict()
            problem = _problem(values, expected, prev_hash)
            if problem is not None:
                return _broken(checked, *problem)
            checked += 1
            expected, prev_hash = values["seq"] + 1, values["hash"]
    return ChainReport(True, checked, None, _intact_message(checked))


def _problem(values: Mapping[str, Any], expected: int, prev_hash: str) -> tuple[int, str] | None:
    """(first broken seq, reason) for one entry checked against the one before it, or None."""
    seq = int(values["seq"])
    if seq != expected:
        return expected, f"registro nº {_number(expected)} ausente (sequência interrompida)."
    if entry_hash(values) != values["hash"]:
        return seq, "o conteúdo foi alterado após a gravação."
    if values["prev_hash"] != prev_hash:
        return seq, (
            "o encadeamento com o registro anterior não confere "
            "(registros removidos, reordenados ou regravados)."
        )
    return None


def _broken(checked: int, seq: int, reason: str) -> ChainReport:
    message = f"Trilha violada a partir do registro nº {_number(seq)}: {reason}"
    return ChainReport(False, checked, seq, message)


def _intact_message(checked: int) -> str:
    if checked == 0:
        return "Trilha íntegra: nenhum registro a verificar."
    noun = "registro verificado" if checked == 1 else "registros verificados"
    return f"Trilha íntegra: {_number(checked)} {noun}."


def _number(value: int) -> str:
    """An integer written the Brazilian way (1.234.567)."""
    return f"{value:,}".replace(",", ".")


def run_verification(session: Session, actor: Actor) -> ChainReport:
    """The verification command/screen: check the chain and record that it was checked."""
    actor.require("admin.audit")
    report = verify_chain(session)
    detail = {"ok": report.ok, "checked": report.checked, "broken_seq": report.first_broken_seq}
    record(session, actor, VERIFY_CHAIN, detail=detail)
    return report


# --- reading -------------------------------------------------------------------------------------


def history_of(
    session: Session, actor: Actor, entity: str, entity_id: str, *, limit: int = 500
) -> list[AuditRow]:
    """Who did what to one record, newest first (the "Histórico" tab of a record)."""
    actor.require("registry.read")
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.seq.desc())
        .limit(limit)
    )
    return [_row(entry) for entry in session.scalars(query)]


def list_entries(
    session: Session,
    actor: Actor,
    *,
    offset: int,
    limit: int,
    action: str | None = None,
    username: str | None = None,
) -> list[AuditRow]:
    """One page of the trail, newest first, optionally filtered by action and username."""
    actor.require("admin.audit")
    query = _filtered(select(AuditEntry), action, username)
    query = query.order_by(AuditEntry.seq.desc()).offset(offset).limit(limit)
    return [_row(entry) for entry in session.scalars(query)]


def count_entries(
    session: Session, actor: Actor, *, action: str | None = None, username: str | None = None
) -> int:
    """How many entries `list_entries` would page through with the same filters."""
    actor.require("admin.audit")
    query = _filtered(select(func.count()).select_from(AuditEntry), action, username)
    return int(session.scalar(query) or 0)


def _filtered(query: _Query, action: str | None, username: str | None) -> _Query:
    if action:
        query = query.where(AuditEntry.action == action)
    if username:
        query = query.where(AuditEntry.username == username.strip().lower())
    return query


def _row(entry: AuditEntry) -> AuditRow:
    return AuditRow(
        seq=entry.seq,
        at=entry.at,
        username=entry.username,
        action=entry.action,
        action_label=action_label(entry.action),
        entity=entry.entity,
        entity_id=entry.entity_id,
        detail=dict(entry.detail or {}),
    )
