"""Reading one unit's competence for the production files: the current attendances (not
corrected, not voids) presented in it, one plain Core row per procedure with its citizen and
professional, streamed in batches (`yield_per`, never ORM entities) so a month of 500,000
attendances does not sit in the session; SIGTAP look-ups remembered per (month, code); and the
clerk-readable reference of each attendance that problem lists show. Used by `bpa_export` and
`esus_export`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from itertools import groupby
from operator import attrgetter
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app.care.attendance_rules import (
    competence_label,
    is_competence,
)
from app.care.attendances import closed_competences, current_attendances
from app.care.models import Attendance, AttendanceProcedure
from app.errors import ValidationError
from app.reference.sigtap import ProcedureRow, procedure
from app.registry.models import Citizen, District, Professional

BATCH_ROWS = 5000

Rows = list[Row[Any]]


# --- reading the month ----------------------------------------------------------------------------


def check_competence(competence: str) -> None:
    if not is_competence(competence):
        raise ValidationError({"competence": "Competência inválida: use MM/AAAA."})


def require_closed(session: Session, unit_cnes: str, competence: str, what: str) -> None:
    if competence not in closed_competences(session, unit_cnes):
        label = competence_label(competence)
        raise ValidationError({"competence": f"Feche a competência {label} antes de gerar {what}."})


def production_query(unit_cnes: str, competence: str) -> Any:
    """One row per procedure of each current attendance, with its citizen and professional."""
    return (
        select(
            Attendance.id.label("attendance_id"),
            Attendance.attended_on,
            Attendance.cbo,
            Attendance.icd10,
            Attendance.place,
            Attendance.attendance_type,
            Attendance.conduct,
            Attendance.citizen_id,
            Attendance.professional_id,
            Professional.name.label("professional_name"),
            Professional.cns.label("professional_cns"),
            Citizen.name.label("citizen_name"),
            Citizen.cns.label("citizen_cns"),
            Citizen.cpf.label("citizen_cpf"),
            Citizen.birth_date,
            Citizen.sex,
            Citizen.race,
            Citizen.ethnicity,
            Citizen.municipality_ibge,
            Citizen.cep,
            Citizen.street,
            Citizen.number,
            Citizen.complement,
            Citizen.phone,
            District.name.label("district"),
            AttendanceProcedure.procedure,
            AttendanceProcedure.quantity,
        )
        .join(AttendanceProcedure, AttendanceProcedure.attendance_id == Attendance.id)
        .join(Citizen, Citizen.id == Attendance.citizen_id)
        .join(Professional, Professional.id == Attendance.professional_id)
        .outerjoin(District, District.id == Citizen.district_id)
        .where(
            Attendance.unit_cnes == unit_cnes,
            Attendance.competence == competence,
            AttendanceProcedure.deleted_at.is_(None),
            *current_attendances(),
        )
        .order_by(Attendance.attended_on, Attendance.id, AttendanceProcedure.id)
        .execution_options(yield_per=BATCH_ROWS)
    )


def attendance_rows(session: Session, unit_cnes: str, competence: str) -> Iterator[Rows]:
    """The month's current attendances, each as the list of its procedure rows."""
    result = session.execute(production_query(unit_cnes, competence))
    for _id, rows in groupby(result, key=attrgetter("attendance_id")):
        yield list(rows)


class SigtapCache:
    """SIGTAP look-ups remembered per (competence, code): a month repeats a few codes a lot."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._found: dict[tuple[str, str], ProcedureRow | None] = {}

    def get(self, competence: str, code: str) -> ProcedureRow | None:
        key = (competence, code)
        if key not in self._found:
            self._found[key] = procedure(self._session, competence, code)
        return self._found[key]


class References:
    """Clerk-readable, unique names of attendances, with the id each one stands for."""

    def __init__(self) -> None:
        self.ids: dict[str, uuid.UUID] = {}
        self._by_id: dict[uuid.UUID, str] = {}

    def of(self, row: Row[Any]) -> str:
        known = self._by_id.get(row.attendance_id)
        if known is not None:
            return known
        base = (
            f"Atendimento de {row.attended_on:%d/%m/%Y} — {row.citizen_name} "
            f"({row.professional_name})"
        )
        reference, number = base, 1
        while reference in self.ids:
            number += 1
            reference = f"{base} nº {number}"
        self.ids[reference], self._by_id[row.attendance_id] = row.attendance_id, reference
        return reference
