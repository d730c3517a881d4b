"""Tables for the municipality profile (one row) and this installation's identity (one row)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, SyncedMixin, SyncScope, UtcDateTime, str_enum


class NodeKind(StrEnum):
    HUB = "hub"
    UNIT = "unit"
    FIELD = "field"

    @property
    def label(self) -> str:
        return {"hub": "Central", "unit": "Unidade de saúde", "field": "Equipe de campo"}[
            self.value
        ]


class Municipality(SyncedMixin, Base):
    """The secretariat's profile, printed on every page."""

    __tablename__ = "municipality"
    __sync_scope__ = SyncScope.LOCAL

    name: Mapped[str] = mapped_column(String(80))
    uf: Mapped[str] = mapped_column(String(2))
    ibge_code: Mapped[str] = mapped_column(String(7))
    timezone: Mapped[str] = mapped_column(String(40), default="America/Sao_Paulo")
    secretariat_name: Mapped[str] = mapped_column(
        String(120), default="Secretaria Municipal de Saúde"
    )
    brasao_png: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


class Installation(Base):
    """This node: its permanent id, name and kind. Local only, never synced."""

    __tablename__ = "installation"

    node_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[NodeKind] = mapped_column(str_enum(NodeKind))
    unit_cnes: Mapped[str | None] = mapped_column(String(7), default=None)
    epoch: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
