"""Apply received changes to the tables: bulk writes, field merge, conflicts, duplicates.

Runs inside the importer's single transaction, on a Core connection, a chunk at a time. Policy
(`shared/SYNC.md`, "What kind of record, what happens on conflict"):

- A change already in the log (same `change_id`) is skipped: resending is always safe.
- A new row is inserted, unless it would duplicate a unique key (same CNS, CPF, code…) of another
  row: then it is not applied, it is reported in the receipt and kept in the conflict queue.
- An existing row takes each changed field whose HLC is newer than the field's last change here
  (last writer wins, ties broken by node id inside the HLC string), so every node ends with the
  same values whatever the arrival order. If the author had not seen a change made here to the
  same field (its `base_hlc` is older) and the values differ, a conflict is opened with both
  versions and the provisional winner; a delete against an unseen edit is always a conflict.
- A later change whose author had seen both sides of an open conflict closes it here.
- A state-machine record (`__sync_kind__ = "state"`) never moves backwards: its state field takes
  the furthest of the two values along `__state_order__`, whatever the clocks say, and the other
  fields merge as above (an inspection finished on a laptop stays finished when the office's older
  "planned" edit arrives). When both sides moved the state without seeing each other, one move is
  illegal after the other: a "state" conflict is opened so a person sees it, with the furthest
  state as the winner that every node keeps (`app.sync.conflicts` refuses to move it back).
"""

from __future__ import annotations

import base64
import functools
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    UniqueConstraint,
    bindparam,
    insert,
    select,
    tuple_,
    update,
)

import app.db.all_models  # noqa: F401  (every synced table is known, even in a bare process)
from app.db.base import Base, utc_now
from app.sync.capture import APPLY_OPTION, synced_tables, to_json_value
from app.sync.models import ChangeLogEntry, SyncConflict

BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at", "origin_node"})


@dataclass
class ApplyStats:
    """What applying a batch did (it goes into the receipt and the history)."""

    received: int = 0
    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    max_hlc: str = ""


@dataclass
class _History:
    """What this node knows about one row's changes: (hlc, origin, fields or None, op)."""

    entries: list[tuple[str, str, frozenset[str] | None, str]]

    def field_hlc(self, name: str) -> str:
        stamps = [h for h, _o, f, _op in self.entries if f is None or name in f]
        return max(stamps, default="")

    def unseen_by(
        self, change: Mapping[str, Any]
    ) -> list[tuple[str, str, frozenset[str] | None, str]]:
        base = change.get("base_hlc") or ""
        return [
            e
            for e in self.entries
            if e[0] > base and e[1] != change["origin_node"] and e[2] is not None
        ]


# --- JSON <-> column values ------------------------------------------------------------------


def _python_type(column: Any) -> type | None:
    kind = getattr(column.type, "impl_instance", column.type)  # TypeDecorator → its impl
    try:
        return kind.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


_CONVERTERS: dict[Any, Callable[[Any], Any]] = {
    uuid.UUID: uuid.UUID,
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    Decimal: Decimal,
    bytes: base64.b64decode,
}


@functools.cache
def _converter(column: Any) -> tuple[Callable[[Any], Any] | None, bool]:
    """How a JSON value becomes what `column` binds: (function, only for strings), per column."""
    enum_class = getattr(column.type, "enum_class", None)
    if enum_class is not None:
        return enum_class, False
    return _CONVERTERS.get(_python_type(column)), True


def from_json(column: Any, value: Any) -> Any:
    """A JSON value back into what the column binds."""
    if value is None:
        return None
    convert, strings_only = _converter(column)
    if convert is None or (strings_only and not isinstance(value, str)):
        return value
    return convert(value)


@functools.cache
def _table_converters(table: Table) -> tuple[tuple[str, Callable[[Any], Any] | None, bool], ...]:
    return tuple((column.name, *_converter(column)) for column in table.columns)


def _db_row(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """The row's JSON values as the table binds them (the hot loop of a batch import)."""
    values: dict[str, Any] = {}
    for name, convert, strings_only in _table_converters(table):
        if name not in row:
            continue
        value = row[name]
        if value is not None and convert is not None and (not strings_only or type(value) is str):
            value = convert(value)
        values[name] = value
    return values


# --- the apply loop --------------------------------------------------------------------------


def apply_changes(
    conn: Connection, changes: Iterable[dict[str, Any]], sender: str, now: datetime | None = None
) -> ApplyStats:
    """Apply changes (already decrypted, in the sender's order) in chunks; returns the stats."""
    stats = ApplyStats()
    chunk: list[dict[str, Any]] = []
    for change in changes:
        chunk.append(change)
        if len(chunk) >= 1000:
            _apply_chunk(conn, chunk, sender, stats, now or utc_now())
            chunk = []
    if chunk:
        _apply_chunk(conn, chunk, sender, stats, now or utc_now())
    return stats


def _apply_chunk(
    conn: Connection, chunk: list[dict[str, Any]], sender: str, stats: ApplyStats, now: datetime
) -> None:
    stats.received += len(chunk)
    ids = [c["change_id"] for c in chunk]
    known = set(
        conn.execute(select(ChangeLogEntry.change_id).where(ChangeLogEntry.change_id.in_(ids)))
        .scalars()
        .all()
    )
    fresh = [c for c in chunk if c["change_id"] not in known]
    stats.skipped += len(chunk) - len(fresh)
    if not fresh:
        return
    tables = synced_tables()
    by_table: dict[str, list[dict[str, Any]]] = {}
    for change in fresh:
        stats.max_hlc = max(stats.max_hlc, change.get("hlc", ""))
        if change["table_name"] in tables:
            by_table.setdefault(change["table_name"], []).append(change)
        else:
            stats.rejected.append(_rejection(change, "tabela desconhecida nesta versão"))
    # Parents before children (a new citizen before its attendance): PostgreSQL checks foreign
    # keys at each statement; SQLite defers them to the commit (see the importer).
    for table in Base.metadata.sorted_tables:
        if table.name in by_table:
            _TableApplier(conn, table, stats, now).run(by_table[table.name])
    conn.execute(insert(ChangeLogEntry), [_log_row(c, sender) for c in fresh])


@functools.cache
def _log_columns() -> tuple[str, ...]:
    names = {c.name for c in ChangeLogEntry.__table__.columns} - {"seq", "acknowledged"}
    return tuple(sorted(names))


def _log_row(change: Mapping[str, Any], sender: str) -> dict[str, Any]:
    row = {k: change[k] for k in _log_columns() if k in change}
    row["at"] = datetime.fromisoformat(change["at"]) if isinstance(change["at"], str) else None
    row["received_from"] = sender
    row["acknowledged"] = True
    return row


def _rejection(change: Mapping[str, Any], reason: str) -> dict[str, str]:
    return {"change_id": change["change_id"], "table": change["table_name"], "reason": reason}


class _TableApplier:
    """Applies one table's changes of a chunk with a handful of bulk statements."""

    def __init__(self, conn: Connection, table: Table, stats: ApplyStats, now: datetime) -> None:
        self.conn, self.table, self.stats, self.now = conn, table, stats, now
        self.columns = {c.name for c in table.columns}
        self.data_columns = sorted(self.columns - BOOKKEEPING)
        self.current: dict[str, dict[str, Any]] = {}
        self.history: dict[str, _History] = {}
        self.inserts: dict[str, dict[str, Any]] = {}
        self.updates: dict[str, dict[str, Any]] = {}
        self.conflicts: list[dict[str, Any]] = []
        self.state_field, self.state_rank = _state_machine(table)

    def run(self, changes: list[dict[str, Any]]) -> None:
        self._load({c["row_id"] for c in changes})
        new_rows = [c for c in changes if c["row_id"] not in self.current]
        duplicates = self._duplicates(new_rows)
        for change in changes:
            if change["change_id"] in duplicates:
                self._reject_duplicate(change, duplicates[change["change_id"]])
            else:
                self._apply(change)
        self._write()

    # loading what is here

    def _load(self, row_ids: set[str]) -> None:
        keys = [uuid.UUID(r) for r in row_ids]
        for part in _chunks(keys, 500):
            for row in self.conn.execute(select(self.table).where(self.table.c.id.in_(part))):
                mapping = {k: to_json_value(v) for k, v in row._mapping.items()}
                self.current[str(mapping["id"])] = mapping
        present = list(self.current)
        for part in _chunks(present, 500):
            query = select(
                ChangeLogEntry.row_id,
                ChangeLogEntry.hlc,
                ChangeLogEntry.origin_node,
                ChangeLogEntry.changed_fields,
                ChangeLogEntry.op,
            ).where(ChangeLogEntry.row_id.in_(part))
            for row_id, stamp, origin, fields, op in self.conn.execute(query):
                entry = (stamp, origin, frozenset(fields) if fields else None, op)
                self.history.setdefault(row_id, _History([])).entries.append(entry)

    def _duplicates(self, new_rows: list[dict[str, Any]]) -> dict[str, str]:
        """change_id → reason, for new rows whose unique keys already belong to another row."""
        found: dict[str, str] = {}
        for columns in _unique_column_sets(self.table):
            wanted: dict[tuple[Any, ...], dict[str, Any]] = {}
            for change in new_rows:
                key = tuple(change["row"].get(c) for c in columns)
                if None in key or key == ("",) * len(key):
                    continue
                if key in wanted and wanted[key]["row_id"] != change["row_id"]:
                    found[change["change_id"]] = _duplicate_reason(columns)
                wanted.setdefault(key, change)
            if not wanted:
                continue
            cols = [self.table.c[c] for c in columns]
            values = [
                tuple(from_json(self.table.c[c], v) for c, v in zip(columns, key, strict=True))
                for key in wanted
            ]
            for part in _chunks(values, 500):
                query = select(self.table.c.id, *cols).where(_key_in(cols, part))
                for row in self.conn.execute(query):
                    key = tuple(to_json_value(v) for v in row[1:])
                    match = wanted.get(key)
                    if match is not None and match["row_id"] != str(row[0]):
                        found[match["change_id"]] = _duplicate_reason(columns)
        return found

    # deciding

    def _apply(self, change: dict[str, Any]) -> None:
        row_id = change["row_id"]
        fields = frozenset(change.get("changed_fields") or [])
        history = self.history.setdefault(row_id, _History([]))
        current = self.current.get(row_id)
        if current is None:  # a new row: unknown extra columns are dropped when it is written
            self.current[row_id] = dict(change["row"])
            self.inserts[row_id] = self.current[row_id]
        else:
            incoming = {k: v for k, v in change["row"].items() if k in self.columns}
            self._merge(change, current, incoming, fields, history)
        entry_fields = fields or None
        history.entries.append((change["hlc"], change["origin_node"], entry_fields, change["op"]))
        self.stats.applied += 1

    def _merge(
        self,
        change: dict[str, Any],
        current: dict[str, Any],
        incoming: dict[str, Any],
        fields: frozenset[str],
        history: _History,
    ) -> None:
        touched = [
            f for f in (fields or self.data_columns) if f in incoming and f not in BOOKKEEPING
        ]
        unseen = history.unseen_by(change)
        before = dict(current)
        clashing = sorted(
            f
            for f in touched
            if current.get(f) != incoming.get(f)
            and f != self.state_field
            and any(e[2] and f in e[2] for e in unseen)
        )
        delete_clash = any((change["op"] == "delete") != (e[3] == "delete") for e in unseen)
        state_clash = self._state_clash(current, incoming, touched, unseen)
        for name in touched:
            if name == self.state_field:
                current[name] = self._forward(current.get(name), incoming.get(name))
            elif change["hlc"] > history.field_hlc(name):
                current[name] = incoming.get(name)
        current["updated_at"] = max(str(current.get("updated_at")), str(incoming.get("updated_at")))
        current["version"] = int(current.get("version") or 1) + 1
        if change["row_id"] not in self.inserts:
            self.updates[change["row_id"]] = current
        if clashing or delete_clash:
            self._open_conflict(change, before, clashing, unseen, delete_clash)
        if state_clash:
            self._open_conflict(change, before, [str(self.state_field)], unseen, False, state=True)
        self._close_resolved(change)

    def _state_clash(
        self,
        current: dict[str, Any],
        incoming: dict[str, Any],
        touched: list[str],
        unseen: list[tuple[str, str, frozenset[str] | None, str]],
    ) -> bool:
        """Both sides moved the state, to different states, without seeing each other: one of the
        two transitions is illegal after the other (cancelled here, finished there)."""
        name = self.state_field
        if name is None or name not in touched or current.get(name) == incoming.get(name):
            return False
        return any(e[2] and name in e[2] for e in unseen)

    def _forward(self, here: Any, there: Any) -> Any:
        """The further of two states (an unknown state never replaces a known one)."""
        rank = self.state_rank
        return there if rank.get(there, -1) > rank.get(here, -1) else here

    def _open_conflict(
        self,
        change: dict[str, Any],
        before: dict[str, Any],
        clashing: list[str],
        unseen: list[tuple[str, str, frozenset[str] | None, str]],
        delete_clash: bool,
        state: bool = False,
    ) -> None:
        local_hlc = max(e[0] for e in unseen)
        local_node = max(unseen)[1]
        winner = "remote" if change["hlc"] > local_hlc else "local"
        if state:  # the furthest state is what every node keeps
            name = str(self.state_field)
            further = self._forward(before.get(name), change["row"].get(name))
            winner = "local" if further == before.get(name) else "remote"
        kind = "state" if state else "delete" if delete_clash else "fields"
        self.conflicts.append(
            {
                "id": uuid.uuid4(),
                "table_name": self.table.name,
                "row_id": change["row_id"],
                "kind": kind,
                "fields": clashing,
                "local_row": before,
                "remote_row": change["row"],
                "local_hlc": local_hlc,
                "remote_hlc": change["hlc"],
                "local_node": local_node,
                "remote_node": change["origin_node"],
                "winner": winner,
                "opened_at": self.now,
                "resolved_at": None,
                "resolved_by": "",
                "resolution": "",
            }
        )
        self.stats.conflicts += 1

    def _close_resolved(self, change: dict[str, Any]) -> None:
        base = change.get("base_hlc") or ""
        table: Table = SyncConflict.__table__  # type: ignore[assignment]
        self.conn.execute(
            update(table)
            .where(
                table.c.row_id == change["row_id"],
                table.c.resolved_at.is_(None),
                table.c.local_hlc <= base,
                table.c.remote_hlc <= base,
            )
            .values(
                resolved_at=self.now,
                resolved_by=change.get("account") or "",
                resolution="resolvido em outro computador",
            )
        )

    def _reject_duplicate(self, change: dict[str, Any], reason: str) -> None:
        self.stats.rejected.append(_rejection(change, reason))
        self.conflicts.append(
            {
                "id": uuid.uuid4(),
                "table_name": self.table.name,
                "row_id": change["row_id"],
                "kind": "duplicate",
                "fields": [],
                "local_row": {},
                "remote_row": change["row"],
                "local_hlc": "",
                "remote_hlc": change["hlc"],
                "local_node": "",
                "remote_node": change["origin_node"],
                "winner": "local",
                "opened_at": self.now,
                "resolved_at": None,
                "resolved_by": "",
                "resolution": "",
            }
        )
        self.stats.conflicts += 1

    # writing

    def _write(self) -> None:
        conn = self.conn.execution_options(**{APPLY_OPTION: True})
        if self.inserts:
            rows = [_db_row(self.table, r) for r in self.inserts.values()]
            for part in _chunks(rows, 1000):
                conn.execute(insert(self.table), part)
        if self.updates:
            names = [c for c in self.columns if c != "id"]
            statement = (
                update(self.table)
                .where(self.table.c.id == bindparam("b_id"))
                .values({n: bindparam(f"b_{n}") for n in names})
            )
            rows = []
            for row in self.updates.values():
                values = _db_row(self.table, row)
                rows.append({f"b_{k}": v for k, v in values.items()} | {"b_id": values["id"]})
            conn.execute(statement, rows)
        if self.conflicts:
            conn.execute(insert(SyncConflict), self.conflicts)


def _state_machine(table: Table) -> tuple[str | None, dict[Any, int]]:
    """The state field of a "state" table and the rank of each of its states (else None, {})."""
    cls = synced_tables().get(table.name)
    if cls is None or getattr(cls, "__sync_kind__", "") != "state":
        return None, {}
    order = tuple(getattr(cls, "__state_order__", ()))
    return str(cls.__state_field__), {state: rank for rank, state in enumerate(order)}


def _key_in(cols: list[Any], keys: list[tuple[Any, ...]]) -> Any:
    """`cols IN keys`; a one-column key as a plain IN, which compiles much faster."""
    if len(cols) == 1:
        return cols[0].in_([key[0] for key in keys])
    return tuple_(*cols).in_(keys)


def _unique_column_sets(table: Table) -> list[tuple[str, ...]]:
    sets = [
        tuple(c.name for c in con.columns)
        for con in table.constraints
        if isinstance(con, UniqueConstraint)
    ]
    sets += [(c.name,) for c in table.columns if c.unique]
    sets += [tuple(c.name for c in ix.columns) for ix in table.indexes if ix.unique]
    return list(dict.fromkeys(sets))


def _duplicate_reason(columns: tuple[str, ...]) -> str:
    labels = {"cns": "CNS", "cpf": "CPF", "cnes": "CNES", "code": "código", "name": "nome"}
    names = ", ".join(labels.get(c, c) for c in columns)
    return f"já existe outro registro com o mesmo {names}; mantido na fila de conflitos"


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
