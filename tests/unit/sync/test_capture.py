"""Change capture over every synced table: each write path logs exactly its change, gap-free.

Rows are built generically from each table's columns (required columns get type-appropriate
values; required foreign keys get a parent row created first), so a new synced table is covered
without touching this test.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy import update as core_update
from sqlalchemy.orm import Session

import app.db.all_models  # noqa: F401  (every table known)
from app.db.base import Base
from app.db.session import Database
from app.sync.capture import UncapturedWriteError, row_as_dict, synced_tables, to_json_value
from app.sync.models import ChangeLogEntry, SyncState

_counter = itertools.count(1)
_MOMENT = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
_SKIP = {"id", "version", "created_at", "updated_at", "origin_node", "deleted_at"}


def _class_of(table_name: str) -> type[Any]:
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table_name:
            return mapper.class_
    raise LookupError(table_name)


def _text(length: int | None, number: int) -> str:
    text = f"{number:015d}" if (length or 20) <= 15 else f"valor {number}"
    return text[-(length or 20) :]


_MAKERS: list[tuple[type[Any], Any]] = [
    (DateTime, lambda _kind, _n: _MOMENT),
    (Date, lambda _kind, n: date(2026, 1, 1 + n % 28)),
    (Boolean, lambda _kind, _n: False),
    (Integer, lambda _kind, n: n),
    (Numeric, lambda _kind, n: Decimal(n)),
    (String, lambda kind, n: _text(kind.length, n)),
    (LargeBinary, lambda _kind, n: f"photo {n}".encode()),
]


def _value(column: Any) -> Any:
    """A valid, unique-enough value for a required column of any type."""
    enum_class = getattr(column.type, "enum_class", None)
    if enum_class is not None:
        return next(iter(enum_class))
    if column.name == "unit_cnes":
        return "7654321"
    kind = getattr(column.type, "impl_instance", column.type)
    for sql_type, make in _MAKERS:
        if isinstance(kind, sql_type):
            return make(kind, next(_counter))
    raise TypeError(f"no filler for {column.name}: {column.type}")


def build_row(session: Session, cls: type[Any]) -> dict[str, Any]:
    """Attribute values for a new valid row of `cls`, creating required parents in `session`."""
    table: Table = cls.__table__
    keys = {attr.columns[0].name: attr.key for attr in cls.__mapper__.column_attrs}
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.name in _SKIP:
            continue
        if column.foreign_keys:
            if column.nullable:
                continue
            target = next(iter(column.foreign_keys)).column.table.name
            parent = _class_of(target)(**build_row(session, _class_of(target)))
            session.add(parent)
            session.flush()
            values[keys[column.name]] = parent.id
        elif column.name == "unit_cnes" or (
            not column.nullable and column.default is None and column.server_default is None
        ):
            values[keys[column.name]] = _value(column)
    return values


def _editable_column(cls: type[Any]) -> tuple[str, Any]:
    """A plain data column (not a key, FK or scope) and a new value for it."""
    table: Table = cls.__table__
    unique = {c.name for c in table.columns if c.unique}
    unique |= {c.name for con in table.constraints for c in getattr(con, "columns", [])}
    unique |= {c.name for ix in table.indexes if ix.unique for c in ix.columns}
    plain = [
        column
        for column in table.columns
        if column.name not in _SKIP | unique | {"unit_cnes"}
        and not column.foreign_keys
        and getattr(column.type, "enum_class", None) is None
    ]
    for wanted in (String, Integer):
        for column in plain:
            if isinstance(getattr(column.type, "impl_instance", column.type), wanted):
                return column.name, _value(column)
    raise LookupError(f"{table.name}: no editable column")


def _log(db: Database, after: int) -> list[ChangeLogEntry]:
    with db.read_only() as session:
        query = select(ChangeLogEntry).where(ChangeLogEntry.seq > after)
        entries = list(session.scalars(query.order_by(ChangeLogEntry.seq)))
        session.expunge_all()
        return entries


def _last_seq(db: Database) -> int:
    with db.read_only() as session:
        entries = session.scalars(select(ChangeLogEntry.seq).order_by(ChangeLogEntry.seq.desc()))
        return entries.first() or 0


def _db_row(db: Database, cls: type[Any], row_id: Any) -> dict[str, Any]:
    with db.read_only() as session:
        obj = session.get(cls, row_id)
        assert obj is not None
        row = row_as_dict(obj)
        return row


def _prepare(db: Database, cls: type[Any]) -> tuple[dict[str, Any], dict[str, Any], int]:
    """Two rows' values (parents committed beforehand) and the log position after the parents."""
    with db.unit_of_work("admin") as session:
        first = build_row(session, cls)
        second = build_row(session, cls)
    return first, second, _last_seq(db)


SYNCED = sorted(synced_tables())


@pytest.mark.parametrize("table_name", SYNCED)
def test_every_write_path_of_a_synced_table_is_logged_gap_free(
    db: Database, table_name: str
) -> None:
    cls = synced_tables()[table_name]
    first, second, mark = _prepare(db, cls)
    column, new_value = _editable_column(cls)
    key = cls.__mapper__.columns[column].key
    with db.unit_of_work("admin") as session:
        obj = cls(**first)
        session.add(obj)
        session.flush()
        row_id = obj.id
        inserted = row_as_dict(obj)
    with db.unit_of_work("admin") as session:
        setattr(session.get(cls, row_id), key, new_value)
    edited = _db_row(db, cls, row_id)
    with db.unit_of_work("admin") as session:
        session.get(cls, row_id).deleted_at = _MOMENT
    deleted = _db_row(db, cls, row_id)
    second_id = uuid.uuid4()
    with db.unit_of_work("admin") as session:
        session.execute(insert(cls), [{**second, "id": second_id}])
    bulk = _db_row(db, cls, second_id)

    log = _log(db, mark)
    assert [(e.table_name, e.op, e.row_id, e.changed_fields) for e in log] == [
        (table_name, "upsert", str(row_id), []),
        (table_name, "upsert", str(row_id), [column]),
        (table_name, "delete", str(row_id), ["deleted_at"]),
        (table_name, "upsert", str(second_id), []),
    ]
    assert [e.row for e in log] == [inserted, edited, deleted, bulk]
    assert edited[column] == to_json_value(new_value)
    assert {e.origin_node for e in log} == {"test-node"}
    # a bulk-inserted row records its creator and the session clock like an ORM-added one
    assert (bulk["origin_node"], bulk["created_at"]) == ("test-node", db.clock.now().isoformat())
    assert inserted["origin_node"] == "test-node"
    assert {e.account for e in log} == {"admin"}
    seqs = [e.origin_seq for e in log]
    assert seqs == list(range(seqs[0], seqs[0] + 4))
    with db.read_only() as session:
        state = session.get(SyncState, 1)
        assert state is not None and state.next_seq == seqs[-1] + 1


@pytest.mark.parametrize("table_name", SYNCED)
def test_a_rolled_back_write_leaves_no_log_and_no_gap(db: Database, table_name: str) -> None:
    cls = synced_tables()[table_name]
    first, second, mark = _prepare(db, cls)
    next_seq = _next_seq(db)
    with pytest.raises(RuntimeError), db.unit_of_work("admin") as session:
        session.add(cls(**first))
        session.flush()
        session.execute(insert(cls), [second])
        raise RuntimeError("usuário cancelou")
    assert _log(db, mark) == []
    assert _next_seq(db) == next_seq
    with db.unit_of_work("admin") as session:
        session.add(cls(**first))
    assert [e.origin_seq for e in _log(db, mark)] == [next_seq]


def _next_seq(db: Database) -> int:
    with db.read_only() as session:
        state = session.get(SyncState, 1)
        return state.next_seq if state is not None else 1


@pytest.mark.parametrize("table_name", SYNCED)
def test_a_core_update_on_a_synced_table_is_refused(db: Database, table_name: str) -> None:
    cls = synced_tables()[table_name]
    first, _second, mark = _prepare(db, cls)
    with db.unit_of_work("admin") as session:
        session.add(cls(**first))
    with pytest.raises(UncapturedWriteError), db.unit_of_work("admin") as session:
        session.execute(core_update(cls.__table__).values(deleted_at=_MOMENT))
    assert len(_log(db, mark)) == 1
    with db.read_only() as session:
        assert session.scalars(select(cls.deleted_at)).all() == [None]


@pytest.mark.parametrize("table_name", SYNCED)
def test_removing_a_synced_row_is_refused_it_must_be_tombstoned(
    db: Database, table_name: str
) -> None:
    cls = synced_tables()[table_name]
    first, _second, mark = _prepare(db, cls)
    with db.unit_of_work("admin") as session:
        obj = cls(**first)
        session.add(obj)
    with pytest.raises(UncapturedWriteError), db.unit_of_work("admin") as session:
        session.delete(session.get(cls, obj.id))
    assert _db_row(db, cls, obj.id)["deleted_at"] is None
    assert len(_log(db, mark)) == 1


@pytest.mark.parametrize("table_name", ["account", "role", "municipality"])
def test_local_tables_are_never_logged(db: Database, table_name: str) -> None:
    cls = _class_of(table_name)
    assert table_name not in synced_tables()
    mark = _last_seq(db)
    with db.unit_of_work("admin") as session:
        obj = cls(**build_row(session, cls))
        session.add(obj)
        session.flush()
        column, value = _editable_column(cls)
        setattr(obj, cls.__mapper__.columns[column].key, value)
        session.flush()
        session.execute(insert(cls), [build_row(session, cls)])
    assert _log(db, mark) == []
