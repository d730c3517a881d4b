"""Tables for accounts, roles and the hash-chained audit trail.

Accounts are people who log into the app (never citizens). A role is a named set of
`department.action` permissions; an account may be limited to some health units. The audit trail
is append-only: each entry stores the hash of the previous one, so any edit breaks the chain.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, SyncedMixin, SyncScope, UtcDateTime

account_role = Table(
    "account_role",
    Base.metadata,
    Column("account_id", Uuid, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", Uuid, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
)


class Role(SyncedMixin, Base):
    """A named group of permissions, e.g. "Recepção" with registry.read and registry.write."""

    __tablename__ = "role"
    __sync_scope__ = SyncScope.LOCAL

    name: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)


class Account(SyncedMixin, Base):
    """Someone who logs into the app."""

    __tablename__ = "account"
    __sync_scope__ = SyncScope.LOCAL

    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    # CNES codes the account is limited to; empty means every unit.
    unit_restriction: Mapped[list[str]] = mapped_column(JSON, default=list)
    roles: Mapped[list[Role]] = relationship(secondary=account_role, lazy="selectin")


class AuditEntry(Base):
    """One line of the audit trail. Stores ids and field names, never health content."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    node_id: Mapped[str] = mapped_column(String(36))
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    username: Mapped[str] = mapped_column(String(40), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str | None] = mapped_column(String(40), default=None)
    entity_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
