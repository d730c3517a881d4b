"""Change capture: every write to a synced table logs a `change_log` row in the same transaction.

Generic over every class marked `__synced__` (except `SyncScope.LOCAL` ones), whatever path wrote:

- INSERTs are captured at the Core level (`after_execute`), which sees ORM flushes, ORM bulk
  inserts (`session.execute(insert(Model), rows)`) and plain Core inserts alike, with every value
  the statement wrote, defaults included.
- UPDATEs (edits, tombstones) are captured after the ORM flush, where the changed fields are known.
  A Core UPDATE or DELETE on a synced table outside the ORM flush is refused: it would change rows
  behind the log's back; only the sync applier (execution option `sync_apply`) may do it, and it
  writes the log itself. An ORM delete of a synced object is refused too: rows are tombstoned.
- ORM bulk inserts skip the flush, so the creating node and the session clock are stamped on
  their rows before they execute, as the flush does for added objects.

Each captured change gets this node's origin, epoch and gap-free origin sequence, and a hybrid
logical clock timestamp (`app.sync.hlc`), all drawn from the one-row `sync_state` table inside the
same transaction, so numbering never skips or repeats even when a transaction rolls back.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, func, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from app.clock import Clock, SystemClock
from app.db.base import Base, SyncScope, new_id
from app.sync import hlc
from app.sync.models import ChangeLogEntry, SyncState
from app.sync.scope import scope_of

APPLY_OPTION = "sync_apply"
_INFO_KEY = "sync_session_info"
BOOKKEEPING = frozenset({"version", "updated_at"})


class UncapturedWriteError(RuntimeError):
    """A synced table was about to change without going through change capture."""


def to_json_value(value: Any) -> Any:
    """A column value as JSON (UUIDs, dates and decimals as strings, bytes as base64)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


_tables_cache: tuple[int, dict[str, type[Any]]] = (-1, {})


def synced_tables() -> dict[str, type[Any]]:
    """Every captured table by name, with its mapped class (rebuilt when a mapper is added)."""
    global _tables_cache
    mappers = Base.registry.mappers
    if _tables_cache[0] != len(mappers):
        tables: dict[str, type[Any]] = {}
        for mapper in mappers:
            cls = mapper.class_
            if getattr(cls, "__synced__", False) and scope_of(cls) is not SyncScope.LOCAL:
                tables[cls.__tablename__] = cls
        _tables_cache = (len(mappers), tables)
    return _tables_cache[1]


def _captured(table_name: str) -> type[Any] | None:
    return synced_tables().get(table_name)


def row_as_dict(obj: Any) -> dict[str, Any]:
    """All column values of a mapped object, JSON-ready, keyed by column name."""
    mapper = inspect(obj).mapper
    return {
        attr.columns[0].name: to_json_value(getattr(obj, attr.key)) for attr in mapper.column_attrs
    }


# --- drawing origin sequence numbers and HLC timestamps ------------------------------------


def _session_info(conn: Connection) -> Mapping[str, Any]:
    info = conn.info.get(_INFO_KEY)
    return info if isinstance(info, Mapping) else {}


def allocate(conn: Connection, info: Mapping[str, Any], count: int) -> tuple[int, int, str]:
    """Reserve `count` origin sequence numbers and one HLC tick: (epoch, first seq, hlc)."""
    node_id = str(info.get("node_id", "local"))
    clock: Clock = info.get("clock") or SystemClock()
    table: Table = SyncState.__table__  # type: ignore[assignment]
    state = conn.execute(select(table).where(table.c.id == 1).with_for_update()).first()
    if state is None:
        conn.execute(insert(table).values(id=1, node_id=node_id, epoch=1, next_seq=1))
        state = conn.execute(select(table).where(table.c.id == 1)).one()
    wall, counter = hlc.tick(state.hlc_wall, state.hlc_counter, hlc.millis(clock.now()))
    conn.execute(
        update(table)
        .where(table.c.id == 1)
        .values(next_seq=state.next_seq + count, hlc_wall=wall, hlc_counter=counter)
    )
    return state.epoch, state.next_seq, hlc.format_hlc(wall, counter, node_id)


def write_log(conn: Connection, info: Mapping[str, Any], entries: list[dict[str, Any]]) -> None:
    """Number `entries` (local changes) and insert them into the change log on `conn`."""
    if not entries:
        return
    from app.db.migrate import HEAD_REVISION

    epoch, first_seq, stamp = allocate(conn, info, len(entries))
    node_id = str(info.get("node_id", "local"))
    account = str(info.get("account", ""))
    clock: Clock = info.get("clock") or SystemClock()
    now = clock.now()
    tables = synced_tables()
    for offset, entry in enumerate(entries):
        cls = tables[entry["table_name"]]
        entry.update(
            change_id=str(new_id()),
            origin_node=node_id,
            origin_epoch=epoch,
            origin_seq=first_seq + offset,
            hlc=stamp,
            account=account,
            at=now,
            schema_version=HEAD_REVISION,
            scope=scope_of(cls).value,
            unit_cnes=entry["row"].get("unit_cnes"),
            team=entry["row"].get("team"),
            acknowledged=False,
        )
    conn.execute(insert(ChangeLogEntry), entries)


# --- INSERTs: Core level --------------------------------------------------------------------


def _insert_entry(table: Table, params: Mapping[str, Any]) -> dict[str, Any]:
    row = {column.name: to_json_value(params.get(column.key)) for column in table.columns}
    return {
        "table_name": table.name,
        "row_id": str(row["id"]),
        "op": "delete" if row.get("deleted_at") else "upsert",
        "base_version": 0,
        "new_version": int(row.get("version") or 1),
        "changed_fields": [],
        "base_hlc": "",
        "row": row,
    }


@event.listens_for(Engine, "after_execute")
def _after_execute(
    conn: Connection,
    clause: Any,
    _multiparams: Any,
    _params: Any,
    options: Mapping[str, Any],
    result: Any,
) -> None:
    if not getattr(clause, "is_insert", False) or options.get(APPLY_OPTION):
        return
    table = getattr(clause, "table", None)
    if not isinstance(table, Table) or _captured(table.name) is None:
        return
    compiled: Sequence[Mapping[str, Any]] = result.context.compiled_parameters
    write_log(conn, _session_info(conn), [_insert_entry(table, p) for p in compiled])


@event.listens_for(Session, "do_orm_execute")
def _stamp_bulk_inserts(state: ORMExecuteState) -> None:
    """ORM bulk inserts skip the flush: stamp the creating node and the session clock here."""
    table = getattr(state.statement, "table", None)
    if not state.is_insert or not isinstance(table, Table) or _captured(table.name) is None:
        return
    params = state.parameters
    if not isinstance(params, list | dict) or not params:
        return
    node_id = state.session.info.get("node_id", "local")
    clock: Clock = state.session.info.get("clock") or SystemClock()
    now = clock.now()

    def stamped(row: Mapping[str, Any]) -> dict[str, Any]:
        row = dict(row)
        if row.get("origin_node") in (None, "local"):
            row["origin_node"] = node_id
        row.setdefault("created_at", now)
        row.setdefault("updated_at", row["created_at"])
        return row

    state.parameters = [stamped(r) for r in params] if isinstance(params, list) else stamped(params)


@event.listens_for(Engine, "before_execute")
def _refuse_core_updates(
    conn: Connection, clause: Any, _multiparams: Any, _params: Any, options: Mapping[str, Any]
) -> None:
    is_write = getattr(clause, "is_update", False) or getattr(clause, "is_delete", False)
    if not is_write or options.get(APPLY_OPTION):
        return
    table = getattr(clause, "table", None)
    if not isinstance(table, Table) or _captured(table.name) is None:
        return
    # The ORM flush runs its statements with the mapper's compiled cache and no ORM-DML options.
    from_flush = "compiled_cache" in options and not any(k.startswith("_sa_orm") for k in options)
    if not from_flush:
        raise UncapturedWriteError(
            f"{table.name}: bulk UPDATE/DELETE bypasses change capture; change objects instead"
        )


# --- UPDATEs: after the ORM flush -----------------------------------------------------------


def _changed_fields(obj: Any) -> list[str]:
    state = inspect(obj)
    return [
        attr.columns[0].name
        for attr in state.mapper.column_attrs
        if state.attrs[attr.key].history.has_changes() and attr.key not in BOOKKEEPING
    ]


def _row_hlc(conn: Connection, row_id: str) -> str:
    query = select(func.max(ChangeLogEntry.hlc)).where(ChangeLogEntry.row_id == row_id)
    return str(conn.execute(query).scalar() or "")


def _update_entry(conn: Connection, obj: Any) -> dict[str, Any]:
    fields = _changed_fields(obj)
    version = int(obj.version)
    deleting = "deleted_at" in fields and obj.deleted_at is not None
    return {
        "table_name": obj.__tablename__,
        "row_id": str(obj.id),
        "op": "delete" if deleting else "upsert",
        "base_version": version - 1,
        "new_version": version,
        "changed_fields": fields,
        "base_hlc": _row_hlc(conn, str(obj.id)),
        "row": row_as_dict(obj),
    }


def lock_sync_state(conn: Connection) -> None:
    """PostgreSQL: take the one lock every writer of the change log takes, first thing.

    Clerks (in their flush) and the importer (at its start) write the log one transaction at a
    time, so log positions commit in order and an export never skips a change still in flight.
    Taking it before any row lock keeps the lock order the same everywhere (no deadlock).
    SQLite already admits one writer at a time.
    """
    if conn.dialect.name == "postgresql":
        table: Table = SyncState.__table__  # type: ignore[assignment]
        conn.execute(select(table.c.id).where(table.c.id == 1).with_for_update())


@event.listens_for(Session, "before_flush")
def _lock_before_writing(session: Session, _ctx: Any, _instances: Any) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    objects = list(session.new) + list(session.dirty)
    if any(_captured(getattr(obj, "__tablename__", "")) is not None for obj in objects):
        lock_sync_state(session.connection())


@event.listens_for(Session, "before_flush")
def _refuse_hard_deletes(session: Session, _ctx: Any, _instances: Any) -> None:
    """A synced row is tombstoned (`deleted_at`), never removed: a removal would not travel."""
    for obj in session.deleted:
        name = getattr(obj, "__tablename__", "")
        if _captured(name) is not None:
            raise UncapturedWriteError(
                f"{name}: synced rows are never deleted; set deleted_at (a tombstone) instead"
            )


@event.listens_for(Session, "after_flush")
def _capture_updates(session: Session, _ctx: Any) -> None:
    dirty = [
        obj
        for obj in session.dirty
        if _captured(getattr(obj, "__tablename__", "")) is not None and session.is_modified(obj)
    ]
    dirty = [obj for obj in dirty if _changed_fields(obj)]
    if dirty:
        conn = session.connection()
        write_log(conn, session.info, [_update_entry(conn, obj) for obj in dirty])


# --- which session a connection belongs to --------------------------------------------------


@event.listens_for(Session, "after_begin")
def _remember_session(session: Session, _transaction: Any, connection: Connection) -> None:
    connection.info[_INFO_KEY] = session.info
    session.info.setdefault("_sync_conn_infos", []).append(connection.info)


@event.listens_for(Session, "after_transaction_end")
def _forget_session(session: Session, transaction: Any) -> None:
    if transaction.parent is not None:
        return
    for conn_info in session.info.pop("_sync_conn_infos", []):
        conn_info.pop(_INFO_KEY, None)
