"""Declarative base and the mixins every table is built from.

Synced tables carry the identity and bookkeeping that `shared/SYNC.md` relies on: a client-made
UUIDv7 id (time-ordered, so inserts stay fast), a version bumped on every update, UTC timestamps,
the node that created the row, a tombstone instead of hard deletes, and — where the record belongs
to a health unit — the unit's CNES as the sync scope.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

import uuid6
from sqlalchemy import DateTime, Enum, MetaData, String, TypeDecorator, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> uuid.UUID:
    """A new time-ordered UUIDv7 (the record's permanent sync identity)."""
    return uuid.UUID(bytes=uuid6.uuid7().bytes)


def utc_now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC instants on every engine (SQLite stores no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: instants must be timezone-aware (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(cls: type[StrEnum]) -> Enum:
    """Column type for a StrEnum, stored as its short value string on every engine."""
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20)


class Base(DeclarativeBase):
    """Root of every mapped class."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SyncScope(StrEnum):
    """Which nodes receive a synced table's rows (`shared/SYNC.md`, "Transports")."""

    ALL = "all"  # every node: roles, health units, professionals, holidays, numbering ranges
    UNIT = "unit"  # the hub and the unit whose CNES the row carries (no CNES: every unit)
    CARE = "care"  # the hub and every unit node (the municipal citizen register), never field
    HUB = "hub"  # only travels up to the hub (issued documents)
    TEAM = "team"  # the hub and the field laptops of the row's VISA team (no team: every one)
    LOCAL = "local"  # never leaves this node and is not captured (accounts, login state)


class SyncedMixin:
    """Columns of every synced table; `__synced__` marks the class for change capture.

    `__sync_scope__` (read through `app.sync.scope.scope_of`; default ALL, UNIT for unit-scoped
    tables) says which nodes receive the rows; `__sync_kind__` is the record kind of
    SYNC.md ("master": field merge and conflicts; "event": append-only, corrections are new rows;
    "state": a master whose `__state_field__` only moves forward along `__state_order__`).
    """

    __synced__ = True
    __sync_kind__ = "master"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    version: Mapped[int] = mapped_column(default=1, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utc_now, onupdate=utc_now, nullable=False
    )
    origin_node: Mapped[str] = mapped_column(String(36), nullable=False, default="local")
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:
        # SQLAlchemy bumps `version` on every UPDATE and refuses a stale write (two clerks
        # editing the same record on the hub): the same counter sync uses as `base_version`.
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class UnitScopedMixin:
    """For records that belong to one health unit: its CNES is the sync scope."""

    __sync_scope__ = SyncScope.UNIT

    unit_cnes: Mapped[str | None] = mapped_column(String(7), index=True)


class TeamScopedMixin:
    """For records of a Vigilância Sanitária team (establishments, inspections, documents).

    `team` is the sync scope: the hub and the field laptops enrolled for that team receive the row;
    a row without a team goes to every field laptop. Health units never receive these rows.
    """

    __sync_scope__ = SyncScope.TEAM

    team: Mapped[str] = mapped_column(String(60), default="", server_default="", index=True)
