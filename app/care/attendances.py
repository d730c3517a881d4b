"""Commands of attendances: recording what a professional did for a citizen on a day, correcting
or voiding it, and closing or reopening a unit's monthly production (competência).

An attendance is checked before anything is written: the professional's bond at the unit with the
occupation (CBO), the day (not in the future, not before birth), the CID-10 (known, allowed for the
citizen's sex) and every procedure against the SIGTAP of the attendance's own month (CBO allowed,
sex, age, CNS required). Every refusal is a Portuguese sentence under the field it concerns
(`procedures.N` for the N-th procedure). Attendances are events: a correction is a new attendance
pointing to the one it replaces, which stays untouched. Writes need "care.attend" (closing:
"care.production") for the unit and are audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.care.agenda_queries import timezone_of
from app.care.attendance_rules import (
    ATTENDANCE_TYPES,
    CONDUCTS,
    DEFAULT_CONDUCT,
    DEFAULT_LATE_MONTHS,
    MAX_PROCEDURES,
    MAX_QUANTITY,
    PLACES,
    age_on,
    competence_label,
    competence_of,
    is_competence,
    lateness_error,
    presented_in,
)
from app.care.models import Attendance, AttendanceProcedure, CompetenceClosing
from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.reference.cid10 import get_icd10, icd10_sex_error, normalize_code
from app.reference.sigtap import procedure_check
from app.registry.models import Citizen, Professional, ProfessionalBond
from app.security import audit
from app.security.actor import Actor

ATTEND = "care.attend"
PRODUCTION = "care.production"


@dataclass(frozen=True, kw_only=True)
class ProcedureInput:
    code: str  # SIGTAP, 10 digits (dots and dash are ignored)
    quantity: int = 1


@dataclass(frozen=True, kw_only=True)
class AttendanceInput:
    unit_cnes: str
    professional_id: uuid.UUID
    cbo: str
    citizen_id: uuid.UUID
    attended_on: date
    procedures: tuple[ProcedureInput, ...]
    icd10: str = ""
    place: int = 1
    attendance_type: int = 2
    conduct: int = DEFAULT_CONDUCT
    appointment_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Recorded:
    """An attendance written, and the competence it is presented in (later than its own month
    when that one was closed: `moved_from` then says which)."""

    attendance_id: uuid.UUID
    competence: str
    moved_from: str | None = None

    @property
    def notice(self) -> str:
        """What the clerk is told after saving."""
        if self.moved_from is None:
            return f"Atendimento gravado na competência {competence_label(self.competence)}."
        return (
            f"A competência {competence_label(self.moved_from)} já foi fechada: o atendimento "
            f"foi gravado na competência {competence_label(self.competence)}."
        )


@dataclass(frozen=True)
class Closed:
    unit_cnes: str
    competence: str
    attendances: int
    procedures: int


@dataclass(frozen=True)
class _Checked:
    """What validation learned and the write needs."""

    competence: str
    own_competence: str
    icd10: str
    procedures: tuple[tuple[str, int], ...] = field(default=())


# --- validation -----------------------------------------------------------------------------------


def _clean_code(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def _citizen(session: Session, citizen_id: uuid.UUID) -> Citizen:
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or citizen.deleted_at is not None:
        raise ValidationError(
            {"citizen_id": "Cidadão não encontrado: busque pelo CNS, CPF ou nome."}
        )
    return citizen


def _bond_error(session: Session, data: AttendanceInput) -> str | None:
    professional = session.get(Professional, data.professional_id)
    if professional is None or professional.deleted_at is not None:
        return "Profissional não encontrado."
    query = select(exists().where(
        ProfessionalBond.professional_id == data.professional_id,
        ProfessionalBond.unit_cnes == data.unit_cnes,
        ProfessionalBond.cbo == data.cbo,
        ProfessionalBond.active.is_(True),
        ProfessionalBond.deleted_at.is_(None),
    ))  # fmt: skip
    if session.scalar(query):
        return None
    return (
        f"{professional.name} não tem vínculo ativo com a ocupação CBO {data.cbo or '(vazia)'} "
        f"na unidade CNES {data.unit_cnes}."
    )


def _day_error(session: Session, day: date, citizen: Citizen) -> str | None:
    today = clock_of(session).now().astimezone(timezone_of(session)).date()
    if day > today:
        return "A data do atendimento não pode ser futura."
    if day < citizen.birth_date:
        return "A data do atendimento é anterior ao nascimento do cidadão."
    return None


def _icd10_error(session: Session, code: str, citizen: Citizen) -> str | None:
    if not code:
        return None
    if get_icd10(session, code) is None:
        return f"CID-10 {code} não encontrado na tabela: confira o código."
    return icd10_sex_error(session, code, citizen.sex.value)


def _coded_errors(data: AttendanceInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.place not in PLACES:
        errors["place"] = "Local de atendimento inválido."
    if data.attendance_type not in ATTENDANCE_TYPES:
        errors["attendance_type"] = "Tipo de atendimento inválido."
    if data.conduct not in CONDUCTS:
        errors["conduct"] = "Conduta/desfecho inválido."
    return errors


def _procedure_errors(
    session: Session, data: AttendanceInput, citizen: Citizen, competence: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.procedures:
        return {"procedures": "Informe pelo menos um procedimento."}
    if len(data.procedures) > MAX_PROCEDURES:
        return {"procedures": f"No máximo {MAX_PROCEDURES} procedimentos por atendimento."}
    age = age_on(citizen.birth_date, data.attended_on)
    seen: set[str] = set()
    for index, item in enumerate(data.procedures):
        code = _clean_code(item.code)
        reasons: list[str] = []
        if len(code) != 10:
            reasons.append("Procedimento SIGTAP deve ter 10 dígitos.")
        elif code in seen:
            reasons.append(f"O procedimento {code} foi informado duas vezes: some as quantidades.")
        else:
            reasons += procedure_check(
                session, competence, code, cbo=data.cbo, age_years=age,
                sex=citizen.sex.value, has_cns=bool(citizen.cns),
            )  # fmt: skip
        if not 1 <= item.quantity <= MAX_QUANTITY:
            reasons.append(f"Quantidade deve ser de 1 a {MAX_QUANTITY}.")
        seen.add(code)
        if reasons:
            errors[f"procedures.{index}"] = " ".join(reasons)
    return errors


def closed_competences(session: Session, unit_cnes: str) -> set[str]:
    """The competences of the unit that are closed now."""
    query = select(CompetenceClosing.competence).where(
        CompetenceClosing.unit_cnes == unit_cnes,
        CompetenceClosing.closed.is_(True),
        CompetenceClosing.deleted_at.is_(None),
    )
    return set(session.scalars(query))


def _presentation(
    session: Session, data: AttendanceInput, late_months: int
) -> tuple[str | None, str | None]:
    """(competence, error): where the attendance goes, or why it cannot go anywhere."""
    today = clock_of(session).now().astimezone(timezone_of(session)).date()
    target = presented_in(data.attended_on, closed_competences(session, data.unit_cnes),
                          competence_of(today))  # fmt: skip
    if target is None:
        return None, "Todas as competências desde a data do atendimento estão fechadas."
    return target, lateness_error(data.attended_on, target, late_months)


def check_attendance(
    session: Session, data: AttendanceInput, late_months: int = DEFAULT_LATE_MONTHS
) -> _Checked:
    """Validate without writing; raises ValidationError with every problem found."""
    citizen = _citizen(session, data.citizen_id)
    errors = _coded_errors(data)
    bond = _bond_error(session, data)
    if bond:
        errors["professional_id"] = bond
    day = _day_error(session, data.attended_on, citizen)
    target: str | None = None
    if day:
        errors["attended_on"] = day
    else:
        target, late = _presentation(session, data, late_months)
        if late:
            errors["attended_on"] = late
    icd10 = normalize_code(data.icd10) if data.icd10.strip() else ""
    cid_error = _icd10_error(session, icd10, citizen)
    if cid_error:
        errors["icd10"] = cid_error
    own = competence_of(data.attended_on)
    errors.update(_procedure_errors(session, data, citizen, own))
    if errors or target is None:
        raise ValidationError(errors)
    merged = tuple((_clean_code(p.code), p.quantity) for p in data.procedures)
    return _Checked(target, own, icd10, merged)


# --- commands -------------------------------------------------------------------------------------


def _write(
    session: Session, actor: Actor, data: AttendanceInput, checked: _Checked, **extra: object
) -> Attendance:
    attendance = Attendance(
        unit_cnes=data.unit_cnes, citizen_id=data.citizen_id,
        professional_id=data.professional_id, cbo=data.cbo, attended_on=data.attended_on,
        competence=checked.competence, icd10=checked.icd10, place=data.place,
        attendance_type=data.attendance_type, conduct=data.conduct,
        appointment_id=data.appointment_id, typed_by=actor.username[:40], **extra,
    )  # fmt: skip
    session.add(attendance)
    session.flush()
    session.add_all(
        AttendanceProcedure(unit_cnes=data.unit_cnes, attendance_id=attendance.id,
                            procedure=code, quantity=quantity)
        for code, quantity in checked.procedures
    )  # fmt: skip
    session.flush()
    return attendance


def _recorded(attendance: Attendance, checked: _Checked) -> Recorded:
    moved = checked.own_competence if checked.own_competence != checked.competence else None
    return Recorded(attendance.id, checked.competence, moved)


def record_attendance(
    session: Session, actor: Actor, data: AttendanceInput, late_months: int = DEFAULT_LATE_MONTHS
) -> Recorded:
    """Write a new attendance with its procedures after checking everything."""
    actor.require(ATTEND, data.unit_cnes)
    checked = check_attendance(session, data, late_months)
    attendance = _write(session, actor, data, checked)
    audit.record(session, actor, audit.CREATE, entity="attendance", entity_id=str(attendance.id),
                 detail={"competence": checked.competence})  # fmt: skip
    return _recorded(attendance, checked)


def _current(session: Session, actor: Actor, attendance_id: uuid.UUID) -> Attendance:
    """The attendance, provided nothing corrected it yet (corrections chain from the latest)."""
    original = session.get(Attendance, attendance_id)
    if original is None or original.deleted_at is not None:
        raise NotFound("Atendimento não encontrado.")
    actor.require(ATTEND, original.unit_cnes)
    if original.voided:
        raise ValidationError({"": "Este registro anula um atendimento e não pode ser corrigido."})
    newer = aliased(Attendance)
    if session.scalar(select(exists().where(newer.corrects_id == original.id))):
        raise ValidationError(
            {"": "Este atendimento já foi corrigido ou anulado: abra a versão mais recente."}
        )
    return original


def _require_open(session: Session, original: Attendance, done: str) -> None:
    """A closed month's numbers were printed and sent: they change only after reopening it."""
    if original.competence in closed_competences(session, original.unit_cnes or ""):
        when = competence_label(original.competence)
        message = (
            f"A competência {when} já foi fechada: o atendimento não pode mais ser {done}. "
            "Reabra a competência para alterá-lo."
        )
        raise ValidationError({"": message})


def _reason_error(reason: str) -> None:
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": "Explique o motivo da correção (pelo menos 5 letras)."})


def correct_attendance(
    session: Session,
    actor: Actor,
    attendance_id: uuid.UUID,
    data: AttendanceInput,
    reason: str,
    late_months: int = DEFAULT_LATE_MONTHS,
) -> Recorded:
    """Replace an attendance by a corrected one; the original stays, pointed to."""
    original = _current(session, actor, attendance_id)
    actor.require(ATTEND, data.unit_cnes)
    _reason_error(reason)
    _require_open(session, original, "corrigido")
    checked = check_attendance(session, data, late_months)
    attendance = _write(session, actor, data, checked, corrects_id=original.id,
                        correction_reason=reason.strip()[:200])  # fmt: skip
    audit.record(session, actor, audit.UPDATE, entity="attendance", entity_id=str(attendance.id),
                 detail={"corrects": str(original.id)})  # fmt: skip
    return _recorded(attendance, checked)


def void_attendance(
    session: Session, actor: Actor, attendance_id: uuid.UUID, reason: str
) -> uuid.UUID:
    """Cancel an attendance typed by mistake (a voiding record; the original stays)."""
    original = _current(session, actor, attendance_id)
    _reason_error(reason)
    _require_open(session, original, "anulado")
    void = Attendance(
        unit_cnes=original.unit_cnes, citizen_id=original.citizen_id,
        professional_id=original.professional_id, cbo=original.cbo,
        attended_on=original.attended_on, competence=original.competence, icd10=original.icd10,
        place=original.place, attendance_type=original.attendance_type,
        conduct=original.conduct, corrects_id=original.id, voided=True,
        correction_reason=reason.strip()[:200], typed_by=actor.username[:40],
    )  # fmt: skip
    session.add(void)
    session.flush()
    audit.record(session, actor, audit.DELETE, entity="attendance", entity_id=str(original.id),
                 detail={"void": str(void.id)})  # fmt: skip
    return void.id


# --- closing the month ----------------------------------------------------------------------------


def current_attendances() -> tuple[ColumnElement[bool], ...]:
    """WHERE clauses selecting the attendances production counts (not corrected, not voids)."""
    newer = aliased(Attendance)
    return (
        Attendance.deleted_at.is_(None),
        Attendance.voided.is_(False),
        ~exists().where(newer.corrects_id == Attendance.id),
    )


def _totals(session: Session, unit_cnes: str, competence: str) -> tuple[int, int]:
    where = (Attendance.unit_cnes == unit_cnes, Attendance.competence == competence,
             *current_attendances())  # fmt: skip
    attendances = session.scalar(select(func.count()).select_from(Attendance).where(*where))
    procedures = session.scalar(
        select(func.coalesce(func.sum(AttendanceProcedure.quantity), 0))
        .join(Attendance, Attendance.id == AttendanceProcedure.attendance_id)
        .where(*where)
    )
    return int(attendances or 0), int(procedures or 0)


def _closing(session: Session, unit_cnes: str, competence: str) -> CompetenceClosing | None:
    query = select(CompetenceClosing).where(
        CompetenceClosing.unit_cnes == unit_cnes,
        CompetenceClosing.competence == competence,
        CompetenceClosing.deleted_at.is_(None),
    )
    return session.scalars(query).first()


def _audit_closing(session: Session, actor: Actor, row: CompetenceClosing, *, closed: bool) -> None:
    detail = {"competence": row.competence, "closed": closed}
    audit.record(session, actor, audit.UPDATE, entity="competence_closing",
                 entity_id=str(row.id), detail=detail)  # fmt: skip


def close_competence(session: Session, actor: Actor, unit_cnes: str, competence: str) -> Closed:
    """Close a unit's month: later attendances of that month go to the next open competence."""
    actor.require(PRODUCTION, unit_cnes)
    if not is_competence(competence):
        raise ValidationError({"competence": "Competência inválida: use MM/AAAA."})
    today = clock_of(session).now().astimezone(timezone_of(session)).date()
    if competence > competence_of(today):
        raise ValidationError({"competence": "Não é possível fechar uma competência futura."})
    attendances, procedures = _totals(session, unit_cnes, competence)
    row = _closing(session, unit_cnes, competence)
    if row is not None and row.closed:
        raise ValidationError({"competence": f"A competência {competence_label(competence)} já "
                               f"foi fechada por {row.closed_by}."})  # fmt: skip
    if row is None:
        row = CompetenceClosing(unit_cnes=unit_cnes, competence=competence)
        session.add(row)
    row.closed, row.closed_at, row.closed_by = True, clock_of(session).now(), actor.username[:40]
    row.attendances, row.procedures, row.reopen_reason = attendances, procedures, ""
    session.flush()
    _audit_closing(session, actor, row, closed=True)
    return Closed(unit_cnes, competence, attendances, procedures)


def reopen_competence(
    session: Session, actor: Actor, unit_cnes: str, competence: str, reason: str
) -> None:
    """Reopen a closed month (for instance, a file the Ministry sent back), with the reason."""
    actor.require(PRODUCTION, unit_cnes)
    row = _closing(session, unit_cnes, competence)
    if row is None or not row.closed:
        raise ValidationError(
            {"competence": f"A competência {competence_label(competence)} não está fechada."}
        )
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": "Explique por que a competência será reaberta."})
    row.closed, row.reopen_reason = False, reason.strip()[:200]
    session.flush()
    _audit_closing(session, actor, row, closed=False)
