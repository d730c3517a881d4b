"""Sync tables: the change log, this node's sync state, its peers, checkpoints, batches, conflicts.

The change log is the store-and-forward feed of `shared/SYNC.md`: local changes are captured into
it in the same transaction (`app.sync.capture`) and changes received from other nodes are stored
in it with their origin, so the hub can forward them. Everything here except the numbering ranges
is local bookkeeping of this node and never travels.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, SyncedMixin, UtcDateTime, new_id


class ChangeLogEntry(Base):
    """One change to one row of a synced table, made here or received from another node."""

    __tablename__ = "change_log"
    __table_args__ = (
        UniqueConstraint("origin_node", "origin_epoch", "origin_seq", name="uq_change_log_origin"),
        Index("ix_change_log_row_hlc", "row_id", "hlc"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(36), unique=True)
    origin_node: Mapped[str] = mapped_column(String(36), index=True)
    origin_epoch: Mapped[int] = mapped_column(default=1)
    origin_seq: Mapped[int] = mapped_column(default=0)
    hlc: Mapped[str] = mapped_column(String(64), default="")
    base_hlc: Mapped[str] = mapped_column(String(64), default="")
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(8))  # "upsert" | "delete"
    base_version: Mapped[int] = mapped_column(default=0)
    new_version: Mapped[int] = mapped_column(default=1)
    changed_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    row: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    account: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    schema_version: Mapped[str] = mapped_column(String(10), default="")
    scope: Mapped[str] = mapped_column(String(10), default="all")
    unit_cnes: Mapped[str | None] = mapped_column(String(7), default=None)
    # The VISA team of a TEAM-scoped row (which field laptops receive it).
    team: Mapped[str | None] = mapped_column(String(60), default=None)
    # The peer that delivered this change (None: made here). Never sent back to that peer.
    received_from: Mapped[str | None] = mapped_column(String(36), default=None)
    acknowledged: Mapped[bool] = mapped_column(default=False, index=True)


class SyncState(Base):
    """This node's sync identity and counters (one row): epoch, next origin sequence, HLC."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    node_id: Mapped[str] = mapped_column(String(36))
    epoch: Mapped[int] = mapped_column(default=1)
    next_seq: Mapped[int] = mapped_column(BigInteger, default=1)
    hlc_wall: Mapped[int] = mapped_column(BigInteger, default=0)
    hlc_counter: Mapped[int] = mapped_column(default=0)
    # Secret that unlocks the private-key file kept beside the database (never travels).
    key_secret: Mapped[str] = mapped_column(String(64), default="")
    skew_warning: Mapped[str] = mapped_column(String(200), default="")


class SyncPeer(Base):
    """A node this one exchanges batches with: a node's hub, or on the hub each enrolled node."""

    __tablename__ = "sync_peer"

    node_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))  # hub | unit | field
    unit_cnes: Mapped[str | None] = mapped_column(String(7), default=None)
    team: Mapped[str] = mapped_column(String(60), default="")
    sign_public: Mapped[bytes] = mapped_column(LargeBinary)
    box_public: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(16), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    # Position in this node's change log: exported to the peer / confirmed applied by it.
    sent_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    acked_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_export_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    last_import_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class SyncCheckpoint(Base):
    """How far the feed of one sender (in one epoch) has been applied here."""

    __tablename__ = "sync_checkpoint"

    sender_node: Mapped[str] = mapped_column(String(36), primary_key=True)
    sender_epoch: Mapped[int] = mapped_column(primary_key=True)
    applied_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SyncBatch(Base):
    """One batch file exported or imported here, with what happened to it (the history)."""

    __tablename__ = "sync_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(36), index=True)
    direction: Mapped[str] = mapped_column(String(4))  # "out" | "in"
    peer_node: Mapped[str] = mapped_column(String(36), index=True)
    peer_name: Mapped[str] = mapped_column(String(80), default="")
    sender_epoch: Mapped[int] = mapped_column(default=1)
    first_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    payload_sha256: Mapped[str] = mapped_column(String(64), default="")
    # exported | acknowledged | applied | duplicate | parked | refused
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text, default="")
    change_count: Mapped[int] = mapped_column(default=0)
    applied_count: Mapped[int] = mapped_column(default=0)
    conflict_count: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    receipt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class SyncConflict(Base):
    """Two edits of the same record that a person must look at; both versions are kept."""

    __tablename__ = "sync_conflict"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # fields | delete | duplicate
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    local_row: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_row: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    local_hlc: Mapped[str] = mapped_column(String(64), default="")
    remote_hlc: Mapped[str] = mapped_column(String(64), default="")
    local_node: Mapped[str] = mapped_column(String(36), default="")
    remote_node: Mapped[str] = mapped_column(String(36), default="")
    winner: Mapped[str] = mapped_column(String(8))  # "local" | "remote": provisional
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    resolved_by: Mapped[str] = mapped_column(String(40), default="")
    resolution: Mapped[str] = mapped_column(String(200), default="")


class NumberingRange(SyncedMixin, Base):
    """A block of legal-document numbers the hub gave to one node (like a numbered booklet)."""

    __tablename__ = "numbering_range"
    __table_args__ = (Index("ix_numbering_range_series_year", "series", "year"),)

    series: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(36), index=True)
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")


class LegalNumber(SyncedMixin, Base):
    """One legal-document number drawn by a node; unique per series and year, never reused."""

    __tablename__ = "legal_number"
    __sync_kind__ = "event"
    __table_args__ = (
        UniqueConstraint("series", "year", "number", name="uq_legal_number_series_year_number"),
    )

    series: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(36))
    range_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    document_id: Mapped[str | None] = mapped_column(String(36), default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
