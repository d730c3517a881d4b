"""Tables of the shared registry: bairros, health units, professionals and citizens.

Names are stored as typed plus a normalised key (upper case, no accents) used for search and
duplicate detection. Citizens belong to the unit that registered them (`unit_cnes`, the sync scope).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, SyncedMixin, SyncScope, UnitScopedMixin, str_enum
from app.registry.enums import Race, Sex, UnitKind


class District(SyncedMixin, Base):
    """A bairro of the municipality (territory)."""

    __tablename__ = "district"

    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80), index=True)


class HealthUnit(SyncedMixin, Base):
    """A facility of the network, identified by its 7-digit CNES."""

    __tablename__ = "health_unit"

    cnes: Mapped[str] = mapped_column(String(7), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    district_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("district.id"), default=None)
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(11), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Professional(SyncedMixin, Base):
    """A health worker, identified by CNS."""

    __tablename__ = "professional"

    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), index=True)
    cns: Mapped[str] = mapped_column(String(15), unique=True)
    cpf: Mapped[str | None] = mapped_column(String(11), unique=True, default=None)
    council_id: Mapped[str] = mapped_column(String(20), default="")  # e.g. "CRM-PR 12345"


class ProfessionalBond(SyncedMixin, UnitScopedMixin, Base):
    """A professional's bond (lotação) to a unit with an occupation (CBO)."""

    __tablename__ = "professional_bond"

    professional_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("professional.id"), index=True
    )
    cbo: Mapped[str] = mapped_column(String(6))
    cbo_title: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Citizen(SyncedMixin, UnitScopedMixin, Base):
    """A person registered for care (usuário do SUS)."""

    __tablename__ = "citizen"
    __sync_scope__ = SyncScope.CARE

    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120))
    social_name: Mapped[str] = mapped_column(String(120), default="")
    cns: Mapped[str | None] = mapped_column(String(15), unique=True, default=None)
    cpf: Mapped[str | None] = mapped_column(String(11), unique=True, default=None)
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(str_enum(Sex))
    race: Mapped[Race] = mapped_column(str_enum(Race), default=Race.UNKNOWN)
    ethnicity: Mapped[str] = mapped_column(String(4), default="", server_default="")
    mother_name: Mapped[str] = mapped_column(String(120), default="")
    mother_key: Mapped[str] = mapped_column(String(120), default="")
    cep: Mapped[str] = mapped_column(String(8), default="")
    street: Mapped[str] = mapped_column(String(120), default="")
    number: Mapped[str] = mapped_column(String(10), default="")
    complement: Mapped[str] = mapped_column(String(60), default="")
    district_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("district.id"), default=None)
    municipality_ibge: Mapped[str] = mapped_column(String(7), default="")
    phone: Mapped[str] = mapped_column(String(11), default="")

    __table_args__ = (Index("ix_citizen_name_key_birth", "name_key", "birth_date"),)
