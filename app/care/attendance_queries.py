"""Read side of attendances and monthly production: the list of a unit's attendances, one
attendance for correction, the competences with their status, and a month's totals by
professional and by procedure. Everything returns plain frozen rows; reads need "care.read" (or
"care.attend") for the unit.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.care.attendance_rules import competence_label
from app.care.attendances import current_attendances
from app.care.models import Attendance, AttendanceProcedure, CompetenceClosing
from app.errors import NotFound, PermissionDenied
from app.reference.models import SigtapProcedure
from app.registry.models import Citizen, HealthUnit, Professional
from app.security.actor import Actor


@dataclass(frozen=True)
class ProcedureLine:
    code: str
    quantity: int
    name: str = ""


@dataclass(frozen=True)
class AttendanceRow:
    """One line of the attendance list; `situation` says whether production counts it."""

    id: uuid.UUID
    attended_on: date
    competence: str
    citizen_id: uuid.UUID
    citizen_name: str
    citizen_cns: str
    professional_id: uuid.UUID
    professional_name: str
    cbo: str
    icd10: str
    procedures: tuple[ProcedureLine, ...]
    typed_by: str
    created_at: datetime
    situation: str  # "Válido", "Corrigido", "Anulado", "Anulação"
    corrects_id: uuid.UUID | None = None

    @property
    def procedures_text(self) -> str:
        return ", ".join(
            p.code if p.quantity == 1 else f"{p.code} ×{p.quantity}" for p in self.procedures
        )


@dataclass(frozen=True)
class AttendanceDetail:
    """Everything the correction form pre-fills."""

    row: AttendanceRow
    unit_cnes: str
    place: int
    attendance_type: int
    conduct: int


@dataclass(frozen=True)
class CompetenceRow:
    competence: str
    attendances: int
    closed: bool
    closed_by: str = ""
    closed_at: datetime | None = None
    reopen_reason: str = ""

    @property
    def label(self) -> str:
        return competence_label(self.competence)


@dataclass(frozen=True)
class ProfessionalTotal:
    professional_id: uuid.UUID
    name: str
    cns: str
    cbo: str
    attendances: int
    procedures: int


@dataclass(frozen=True)
class ProcedureTotal:
    code: str
    name: str
    quantity: int
    attendances: int


@dataclass(frozen=True)
class ProductionSummary:
    unit_cnes: str
    unit_name: str
    competence: str
    attendances: int
    procedures: int
    by_professional: tuple[ProfessionalTotal, ...]
    by_procedure: tuple[ProcedureTotal, ...]
    closing: CompetenceRow | None


def _require_read(actor: Actor, unit_cnes: str) -> None:
    if not (actor.can("care.read") or actor.can("care.attend")):
        actor.require("care.read", unit_cnes)
    if not actor.may_use_unit(unit_cnes):
        raise PermissionDenied(
            f"Sua conta não tem acesso aos registros da unidade CNES {unit_cnes}."
        )


def procedure_names(session: Session, codes: set[str]) -> dict[str, str]:
    """Names of SIGTAP codes as the most recent imported competence has them."""
    if not codes:
        return {}
    latest = (
        select(SigtapProcedure.code, func.max(SigtapProcedure.competence).label("competence"))
        .where(SigtapProcedure.code.in_(codes))
        .group_by(SigtapProcedure.code)
        .subquery()
    )
    query = select(SigtapProcedure.code, SigtapProcedure.name).join(
        latest,
        (latest.c.code == SigtapProcedure.code)
        & (latest.c.competence == SigtapProcedure.competence),
    )
    return {code: name for code, name in session.execute(query)}


def _procedures_of(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ProcedureLine]]:
    found: dict[uuid.UUID, list[ProcedureLine]] = defaultdict(list)
    if not ids:
        return found
    query = (
        select(AttendanceProcedure.attendance_id, AttendanceProcedure.procedure,
               AttendanceProcedure.quantity)
        .where(AttendanceProcedure.attendance_id.in_(ids))
        .order_by(AttendanceProcedure.created_at, AttendanceProcedure.id)
    )  # fmt: skip
    rows = list(session.execute(query))
    names = procedure_names(session, {code for _, code, _ in rows})
    for attendance_id, code, quantity in rows:
        found[attendance_id].append(ProcedureLine(code, quantity, names.get(code, "")))
    return found


def _situations(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Attendances among `ids` replaced by a correction ("Corrigido") or voided ("Anulado")."""
    if not ids:
        return {}
    query = select(Attendance.corrects_id, Attendance.voided).where(Attendance.corrects_id.in_(ids))
    return {
        original: ("Anulado" if voided else "Corrigido")
        for original, voided in session.execute(query)
        if original is not None
    }


def _base_query() -> Any:  # Select's generic form differs between SQLAlchemy 2.0 and 2.1
    return (
        select(Attendance, Citizen.name, Citizen.cns, Professional.name)
        .join(Citizen, Citizen.id == Attendance.citizen_id)
        .join(Professional, Professional.id == Attendance.professional_id)
        .where(Attendance.deleted_at.is_(None))
    )


def _rows(session: Session, query: Any) -> list[AttendanceRow]:
    result = list(session.execute(query))
    ids = [attendance.id for attendance, *_ in result]
    procedures = _procedures_of(session, ids)
    replaced = _situations(session, ids)
    rows = []
    for attendance, citizen_name, citizen_cns, professional_name in result:
        situation = "Anulação" if attendance.voided else replaced.get(attendance.id, "Válido")
        rows.append(AttendanceRow(
            attendance.id, attendance.attended_on, attendance.competence, attendance.citizen_id,
            citizen_name, citizen_cns or "", attendance.professional_id, professional_name,
            attendance.cbo, attendance.icd10, tuple(procedures.get(attendance.id, ())),
            attendance.typed_by, attendance.created_at, situation, attendance.corrects_id,
        ))  # fmt: skip
    return rows


def list_attendances(
    session: Session,
    actor: Actor,
    unit_cnes: str,
    competence: str,
    *,
    professional_id: uuid.UUID | None = None,
    only_current: bool = False,
    limit: int = 500,
) -> list[AttendanceRow]:
    """A unit's attendances presented in `competence`, most recently typed first."""
    _require_read(actor, unit_cnes)
    query = _base_query().where(
        Attendance.unit_cnes == unit_cnes, Attendance.competence == competence
    )
    if professional_id is not None:
        query = query.where(Attendance.professional_id == professional_id)
    if only_current:
        query = query.where(*current_attendances())
    query = query.order_by(Attendance.id.desc()).limit(limit)
    return _rows(session, query)


def attendances_typed_on(
    session: Session, actor: Actor, unit_cnes: str, typed_by: str, since: datetime
) -> list[AttendanceRow]:
    """What one clerk typed at the unit since `since` (the entry screen's running list)."""
    _require_read(actor, unit_cnes)
    query = (
        _base_query()
        .where(Attendance.unit_cnes == unit_cnes, Attendance.typed_by == typed_by,
               Attendance.created_at >= since)
        .order_by(Attendance.id.desc())
        .limit(200)
    )  # fmt: skip
    return _rows(session, query)


def get_attendance(session: Session, actor: Actor, attendance_id: uuid.UUID) -> AttendanceDetail:
    """One attendance with the codes the correction form needs."""
    rows = _rows(session, _base_query().where(Attendance.id == attendance_id))
    attendance = session.get(Attendance, attendance_id)
    if not rows or attendance is None:
        raise NotFound("Atendimento não encontrado.")
    _require_read(actor, attendance.unit_cnes or "")
    return AttendanceDetail(rows[0], attendance.unit_cnes or "", attendance.place,
                            attendance.attendance_type, attendance.conduct)  # fmt: skip


def _closing_row(row: CompetenceClosing, attendances: int) -> CompetenceRow:
    return CompetenceRow(row.competence, attendances, row.closed, row.closed_by, row.closed_at,
                         row.reopen_reason)  # fmt: skip


def list_competences(session: Session, actor: Actor, unit_cnes: str) -> list[CompetenceRow]:
    """Every competence with attendances or a closing at the unit, newest first."""
    _require_read(actor, unit_cnes)
    counts = dict(
        session.execute(
            select(Attendance.competence, func.count())
            .where(Attendance.unit_cnes == unit_cnes, *current_attendances())
            .group_by(Attendance.competence)
        ).all()
    )
    closings = {
        row.competence: row
        for row in session.scalars(
            select(CompetenceClosing).where(
                CompetenceClosing.unit_cnes == unit_cnes, CompetenceClosing.deleted_at.is_(None)
            )
        )
    }
    rows = []
    for competence in sorted(set(counts) | set(closings), reverse=True):
        closing = closings.get(competence)
        count = int(counts.get(competence, 0))
        rows.append(
            _closing_row(closing, count) if closing else CompetenceRow(competence, count, False)
        )
    return rows


def _by_professional(session: Session, where: tuple[object, ...]) -> list[ProfessionalTotal]:
    """Every current attendance has at least one procedure (voids, which have none, are not
    current), so joining the procedures and counting distinct attendances loses nothing."""
    query = (
        select(Professional.id, Professional.name, Professional.cns, Attendance.cbo,
               func.count(func.distinct(Attendance.id)), func.sum(AttendanceProcedure.quantity))
        .join(Professional, Professional.id == Attendance.professional_id)
        .join(AttendanceProcedure, AttendanceProcedure.attendance_id == Attendance.id)
        .where(*where)  # type: ignore[arg-type]
        .group_by(Professional.id, Professional.name, Professional.cns, Attendance.cbo)
        .order_by(Professional.name, Attendance.cbo)
    )  # fmt: skip
    return [ProfessionalTotal(*row) for row in session.execute(query)]


def _by_procedure(session: Session, where: tuple[object, ...]) -> list[ProcedureTotal]:
    query = (
        select(AttendanceProcedure.procedure, func.sum(AttendanceProcedure.quantity),
               func.count(func.distinct(Attendance.id)))
        .join(Attendance, Attendance.id == AttendanceProcedure.attendance_id)
        .where(*where)  # type: ignore[arg-type]
        .group_by(AttendanceProcedure.procedure)
        .order_by(AttendanceProcedure.procedure)
    )  # fmt: skip
    rows = list(session.execute(query))
    names = procedure_names(session, {code for code, _, _ in rows})
    return [ProcedureTotal(code, names.get(code, ""), int(q), int(n)) for code, q, n in rows]


def production_summary(
    session: Session, actor: Actor, unit_cnes: str, competence: str
) -> ProductionSummary:
    """A unit's production of one competence: totals by professional and by procedure."""
    _require_read(actor, unit_cnes)
    where = (Attendance.unit_cnes == unit_cnes, Attendance.competence == competence,
             *current_attendances())  # fmt: skip
    professionals = _by_professional(session, where)
    procedures = _by_procedure(session, where)
    unit_name = session.scalar(select(HealthUnit.name).where(HealthUnit.cnes == unit_cnes)) or ""
    known = list_competences(session, actor, unit_cnes)
    closing = next((row for row in known if row.competence == competence and row.closed_by), None)
    return ProductionSummary(
        unit_cnes, unit_name, competence,
        sum(p.attendances for p in professionals), sum(p.quantity for p in procedures),
        tuple(professionals), tuple(procedures), closing,
    )  # fmt: skip
