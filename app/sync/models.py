"""The change log: one row per committed change of a synced table, written in the same transaction.

This is the store-and-forward feed of `shared/SYNC.md`. The foundation captures local changes made
through the ORM (see `app.sync.capture`); batches, receipts and keys build on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UtcDateTime


class ChangeLogEntry(Base):
    """One change to one row of a synced table."""

    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(36), unique=True)
    origin_node: Mapped[str] = mapped_column(String(36), index=True)
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    op: Mapped[str] = mapped_column(String(8))  # "upsert" | "delete"
    base_version: Mapped[int] = mapped_column(default=0)
    new_version: Mapped[int] = mapped_column(default=1)
    changed_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    row: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    account: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged: Mapped[bool] = mapped_column(default=False, index=True)
