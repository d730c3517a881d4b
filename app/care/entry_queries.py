"""Read side of the attendance entry screen: the units and the professional bonds a typist may
choose, and the SIGTAP procedures offered while a code or words are typed.

The entry screen needs "care.attend" (or "care.read"), not only "care.read" as the agenda's lists
do, so a profile that only types production still fills its choosers. Procedures come from the
SIGTAP of the attendance's month; when that month was not imported yet, from the newest imported
one (the service checks against the right month anyway, and says so when it is missing).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.errors import PermissionDenied
from app.reference.models import ReferenceKind, ReferenceVersion
from app.reference.queries import search_procedures
from app.registry.models import HealthUnit, Professional, ProfessionalBond
from app.security.actor import Actor


@dataclass(frozen=True)
class EntryUnit:
    cnes: str
    name: str


@dataclass(frozen=True)
class EntryBond:
    """One professional at one occupation: a professional with two bonds appears twice."""

    professional_id: uuid.UUID
    name: str
    cns: str
    cbo: str
    cbo_title: str


@dataclass(frozen=True)
class ProcedureChoice:
    code: str
    name: str
    competence: str


def _require_entry(actor: Actor, unit_cnes: str | None = None) -> None:
    if not (actor.can("care.attend") or actor.can("care.read")):
        raise PermissionDenied("Sua conta não pode digitar nem consultar atendimentos.")
    if unit_cnes is not None and not actor.may_use_unit(unit_cnes):
        raise PermissionDenied(f"Sua conta não tem acesso à unidade CNES {unit_cnes}.")


def entry_units(session: Session, actor: Actor) -> list[EntryUnit]:
    """Active units the account may use: those with professionals first, then by name."""
    _require_entry(actor)
    staffed = exists().where(
        ProfessionalBond.unit_cnes == HealthUnit.cnes,
        ProfessionalBond.active.is_(True),
        ProfessionalBond.deleted_at.is_(None),
    )
    query = select(HealthUnit.cnes, HealthUnit.name, staffed).where(
        HealthUnit.deleted_at.is_(None), HealthUnit.active.is_(True)
    )
    if actor.units:
        query = query.where(HealthUnit.cnes.in_(sorted(actor.units)))
    rows = sorted(session.execute(query), key=lambda row: (not row[2], row[1]))
    return [EntryUnit(cnes, name) for cnes, name, _ in rows]


def entry_bonds(session: Session, actor: Actor, unit_cnes: str) -> list[EntryBond]:
    """Active bonds of the unit, by professional name then occupation."""
    _require_entry(actor, unit_cnes)
    query = (
        select(Professional.id, Professional.name, Professional.cns, ProfessionalBond.cbo,
               ProfessionalBond.cbo_title)
        .join(ProfessionalBond, ProfessionalBond.professional_id == Professional.id)
        .where(
            ProfessionalBond.unit_cnes == unit_cnes,
            ProfessionalBond.active.is_(True),
            ProfessionalBond.deleted_at.is_(None),
            Professional.deleted_at.is_(None),
        )
        .order_by(Professional.name_key, ProfessionalBond.cbo)
    )  # fmt: skip
    return [EntryBond(i, n, c or "", cbo, t) for i, n, c, cbo, t in session.execute(query)]


def _sigtap_competence(session: Session, competence: str) -> str | None:
    labels = list(
        session.scalars(
            select(ReferenceVersion.label).where(ReferenceVersion.kind == ReferenceKind.SIGTAP)
        )
    )
    if competence in labels:
        return competence
    return max(labels) if labels else None


def procedure_choices(
    session: Session, competence: str, text: str, limit: int = 30
) -> list[ProcedureChoice]:
    """Procedures whose code starts with, or whose name has the words of, `text`."""
    if not text.strip():
        return []
    used = _sigtap_competence(session, competence)
    if used is None:
        return []
    return [
        ProcedureChoice(row.code, row.name, row.competence)
        for row in search_procedures(session, used, text, limit)
    ]
