"""The registry of issued documents, so that a printed verification code can be checked.

Every PDF the app issues gets a row: its verification code, what it is, who issued it and when,
and the SHA-256 of the bytes handed to the user. The code printed in the footer (and in the QR
code of legal documents) leads back to this row.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, SyncedMixin, SyncScope, UtcDateTime


class IssuedDocument(SyncedMixin, Base):
    """One issued PDF (a report, a ficha, later a legal document or a licence)."""

    __tablename__ = "issued_document"
    __sync_scope__ = SyncScope.HUB
    __sync_kind__ = "event"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    subject_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    issued_by_name: Mapped[str] = mapped_column(String(120), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    page_count: Mapped[int] = mapped_column(default=0)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
