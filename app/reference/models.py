"""Versioned reference tables: CID-10, SIGTAP procedures with their CBO/CID/instruments, CBO.

Reference data are hub-authoritative and loaded in bulk from published files, so these are plain
`Base` tables (not `SyncedMixin`): every node loads the same files and gets the same rows. Each
load is recorded in `reference_version` (kind, label, file name, SHA-256, row count); CID-10 and
CBO rows hang from that version, SIGTAP rows are keyed by competence (YYYYMM), side by side.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UtcDateTime, str_enum


class ReferenceKind(StrEnum):
    CID10 = "cid10"
    SIGTAP = "sigtap"
    CBO = "cbo"


class ReferenceVersion(Base):
    """One load of a reference table: which files, their digest, how many rows, whether in use."""

    __tablename__ = "reference_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[ReferenceKind] = mapped_column(str_enum(ReferenceKind))
    label: Mapped[str] = mapped_column(String(40))  # "2008", or the SIGTAP competence "202603"
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (Index("ix_reference_version_kind_label", "kind", "label"),)


class Icd10Code(Base):
    """A CID-10 category (3 characters) or subcategory (4), code without the dot."""

    __tablename__ = "icd10_code"

    version_id: Mapped[int] = mapped_column(ForeignKey("reference_version.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    description: Mapped[str] = mapped_column(String(300))
    description_key: Mapped[str] = mapped_column(String(300))
    sex_restriction: Mapped[str | None] = mapped_column(String(1), default=None)  # "M" / "F"
    is_category: Mapped[bool] = mapped_column(default=False)
    is_leaf: Mapped[bool] = mapped_column(default=True)  # no subcategories below it
    added_on: Mapped[date | None] = mapped_column(Date, default=None)  # supplement rows only


class SigtapProcedure(Base):
    """A procedure of one SIGTAP competence, with its sex and age limits (ages in months)."""

    __tablename__ = "sigtap_procedure"

    competence: Mapped[str] = mapped_column(String(6), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(250))
    name_key: Mapped[str] = mapped_column(String(250))
    sex: Mapped[str] = mapped_column(String(1))  # TP_SEXO: M, F, I (ambos), N (não se aplica)
    min_age_months: Mapped[int | None] = mapped_column(Integer, default=None)
    max_age_months: Mapped[int | None] = mapped_column(Integer, default=None)
    # From rl_procedimento_detalhe (detalhe 009 "Exige CPF/CNS"); None when the zip lacks it.
    requires_cns: Mapped[bool | None] = mapped_column(default=None)


class SigtapProcedureCbo(Base):
    """An occupation (CBO) allowed to perform a procedure in a competence."""

    __tablename__ = "sigtap_procedure_cbo"

    competence: Mapped[str] = mapped_column(String(6), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    cbo: Mapped[str] = mapped_column(String(6), primary_key=True)


class SigtapProcedureCid(Base):
    """A CID-10 code compatible with a procedure in a competence."""

    __tablename__ = "sigtap_procedure_cid"

    competence: Mapped[str] = mapped_column(String(6), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    cid: Mapped[str] = mapped_column(String(4), primary_key=True)
    principal: Mapped[bool | None] = mapped_column(default=None)  # ST_PRINCIPAL, when present


class SigtapProcedureInstrument(Base):
    """A registration instrument (BPA-C "01", BPA-I "02", APAC…) a procedure may be billed in."""

    __tablename__ = "sigtap_procedure_instrument"

    competence: Mapped[str] = mapped_column(String(6), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    instrument_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    instrument_name: Mapped[str] = mapped_column(String(100), default="")


class Occupation(Base):
    """A CBO 2002 occupation used by the units (6-digit code and title)."""

    __tablename__ = "occupation"

    version_id: Mapped[int] = mapped_column(ForeignKey("reference_version.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
