"""The BPA-Magnético file (BPA-C and BPA-I) of one unit's closed competence, from its attendances.

Each procedure is looked up in the SIGTAP of the attendance's OWN month (late attendances are
presented later) and goes to BPA-I when that table registers it in instrument "02", else is summed
into BPA-C when "01", else it is a problem naming the attendance. The file is written only for a
closed competence and only when nothing is wrong (every problem is listed in Portuguese, nothing
is written), atomically, with "care.production" for the unit and an audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app import __version__
from app.care.attendance_rules import (
    DEFAULT_LATE_MONTHS,
    age_on,
    competence_label,
    competence_of,
)
from app.care.attendances import PRODUCTION
from app.care.bpa import (
    BpaConsolidatedLine,
    BpaHeader,
    BpaIndividualLine,
    BpaProblem,
    BpaValidationError,
    bpa_file_name,
    bpa_text,
    check_lines,
    write_bpa,
)
from app.care.production_rows import (
    References,
    Rows,
    SigtapCache,
    attendance_rows,
    check_competence,
    require_closed,
)
from app.installation.service import municipality_profile
from app.reference.sigtap import ProcedureRow
from app.security import audit
from app.security.actor import Actor

BPA_C, BPA_I = "01", "02"  # tb_registro: BPA consolidado, BPA individualizado
DEFAULT_DESTINATION = "SECRETARIA MUNICIPAL DE SAUDE"
_SMALL_WORDS = frozenset({"DE", "DA", "DO", "DAS", "DOS", "E"})
DESTINATION = (DEFAULT_DESTINATION, "M")  # cbc-dst, cbc-dst-in: municipal


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BpaBatch:
    """The BPA of a unit's competence before writing: header, lines and every problem.

    `attendance_ids` maps each attendance reference used in lines and problems to the attendance
    id, so a screen can open the attendance a problem names.
    """

    header: BpaHeader
    consolidated: tuple[BpaConsolidatedLine, ...]
    individual: tuple[BpaIndividualLine, ...]
    problems: tuple[BpaProblem, ...]
    attendances: int = 0
    attendance_ids: Mapping[str, uuid.UUID] = field(default_factory=dict)

    def attendance_id(self, reference: str) -> uuid.UUID | None:
        return self.attendance_ids.get(reference)


@dataclass(frozen=True)
class BpaExport:
    path: Path
    lines: int
    sheets: int
    control: int
    attendances: int
    consolidated: int
    individual: int


# --- BPA ------------------------------------------------------------------------------------------


@dataclass
class _BpaCollected:
    individual: list[BpaIndividualLine] = field(default_factory=list)
    consolidated: dict[tuple[str, str, int], int] = field(default_factory=dict)
    problems: list[BpaProblem] = field(default_factory=list)
    references: References = field(default_factory=References)
    attendances: int = 0


def _fit(text: str, size: int) -> str:
    """`text` in BPA form cut to `size`; unchanged when it cannot be converted (the check says
    why)."""
    try:
        return bpa_text(text)[:size].rstrip()
    except ValueError:
        return text


def acronym(name: str) -> str:
    """The origin acronym of a secretariat: "Secretaria Municipal de Saúde" → "SMS"."""
    try:
        words = bpa_text(name).split()
    except ValueError:
        return ""
    return "".join(word[0] for word in words if word not in _SMALL_WORDS)[:6]


def _bpa_header(
    session: Session, competence: str, provider_cnpj: str, destination: tuple[str, str]
) -> BpaHeader:
    secretariat = municipality_profile(session).secretariat_name
    return BpaHeader(
        competence=competence,
        origin_name=_fit(secretariat, 30),
        origin_acronym=acronym(secretariat),
        provider_cnpj_cpf=provider_cnpj,
        destination_name=_fit(destination[0], 40),
        destination_kind=destination[1],
        system_version=_fit(f"SM {__version__}", 10),
    )


def _individual_line(
    row: Row[Any], reference: str, competence: str, unit_cnes: str
) -> BpaIndividualLine:
    """One BPA-I line: the citizen by CNS, else by CPF; address and phone as registered."""
    return BpaIndividualLine(
        attendance_ref=reference,
        cnes=unit_cnes,
        competence=competence,
        professional_cns=row.professional_cns,
        cbo=row.cbo,
        attendance_date=row.attended_on,
        procedure=row.procedure,
        citizen_cns=row.citizen_cns or "",
        citizen_cpf="" if row.citizen_cns else row.citizen_cpf or "",
        sex=row.sex,
        ibge=row.municipality_ibge,
        icd10=row.icd10,
        age=age_on(row.birth_date, row.attended_on),
        quantity=row.quantity,
        citizen_name=row.citizen_name,
        birth_date=row.birth_date,
        race=row.race,
        ethnicity=row.ethnicity,
        cep=row.cep,
        street=row.street,
        number=_fit(row.number, 5),
        complement=row.complement,
        district=row.district or "",
        phone=row.phone,
    )


def _instrument_problem(code: str, found: ProcedureRow | None, own: str) -> str:
    if found is None:
        return (
            f"O procedimento {code} não existe na tabela SIGTAP da competência "
            f"{competence_label(own)} (mês do atendimento)."
        )
    used = ", ".join(f"{number} {name}" for number, name in found.instruments) or "nenhum"
    return f"O procedimento {code} não é registrado em BPA (instrumento: {used})."


def _map_attendance(
    rows: Rows, sigtap: SigtapCache, out: _BpaCollected, competence: str, unit_cnes: str
) -> None:
    first = rows[0]
    reference = out.references.of(first)
    own = competence_of(first.attended_on)
    out.attendances += 1
    for row in rows:
        found = sigtap.get(own, row.procedure)
        instruments = {number for number, _name in found.instruments} if found else set()
        if BPA_I in instruments:
            out.individual.append(_individual_line(row, reference, competence, unit_cnes))
        elif BPA_C in instruments:
            key = (row.cbo, row.procedure, age_on(row.birth_date, row.attended_on))
            out.consolidated[key] = out.consolidated.get(key, 0) + row.quantity
        else:
            message = _instrument_problem(row.procedure, found, own)
            out.problems.append(BpaProblem(reference, "procedure", message))


def _consolidated_lines(
    out: _BpaCollected, competence: str, unit_cnes: str
) -> tuple[BpaConsolidatedLine, ...]:
    return tuple(
        BpaConsolidatedLine(
            cnes=unit_cnes,
            competence=competence,
            cbo=cbo,
            procedure=code,
            age=age,
            quantity=quantity,
            attendance_ref=f"BPA-C: procedimento {code}, CBO {cbo}, {age} anos",
        )
        for (cbo, code, age), quantity in sorted(out.consolidated.items())
    )


def _collect_bpa(session: Session, unit_cnes: str, competence: str) -> _BpaCollected:
    out, sigtap = _BpaCollected(), SigtapCache(session)
    for rows in attendance_rows(session, unit_cnes, competence):
        _map_attendance(rows, sigtap, out, competence, unit_cnes)
    return out


def _unchecked_batch(
    session: Session,
    unit_cnes: str,
    competence: str,
    provider_cnpj: str,
    destination: tuple[str, str],
) -> BpaBatch:
    """The batch with only the problems found while mapping (check_lines not run yet)."""
    out = _collect_bpa(session, unit_cnes, competence)
    return BpaBatch(
        header=_bpa_header(session, competence, provider_cnpj, destination),
        consolidated=_consolidated_lines(out, competence, unit_cnes),
        individual=tuple(out.individual),
        problems=tuple(out.problems),
        attendances=out.attendances,
        attendance_ids=out.references.ids,
    )


def bpa_lines(
    session: Session,
    actor: Actor,
    unit_cnes: str,
    competence: str,
    *,
    provider_cnpj: str = "",
    late_months: int = DEFAULT_LATE_MONTHS,
    destination: tuple[str, str] = DESTINATION,
) -> BpaBatch:
    """The BPA lines of a unit's competence and every problem (mapping first, then the file's
    checks); an empty `provider_cnpj` shows as the header's CNPJ problem."""
    actor.require(PRODUCTION, unit_cnes)
    check_competence(competence)
    batch = _unchecked_batch(session, unit_cnes, competence, provider_cnpj, destination)
    checked = check_lines(
        batch.header, batch.consolidated, batch.individual, late_months=late_months
    )
    return BpaBatch(
        batch.header,
        batch.consolidated,
        batch.individual,
        (*batch.problems, *checked),
        batch.attendances,
        batch.attendance_ids,
    )


def export_bpa(
    session: Session,
    actor: Actor,
    unit_cnes: str,
    competence: str,
    folder: Path,
    *,
    provider_cnpj: str,
    late_months: int = DEFAULT_LATE_MONTHS,
    destination: tuple[str, str] = DESTINATION,
) -> BpaExport:
    """Write the BPA file of a closed competence into `folder` (named by `bpa_file_name` from the
    unit's CNES); raises BpaValidationError with every problem, writing nothing."""
    actor.require(PRODUCTION, unit_cnes)
    check_competence(competence)
    require_closed(session, unit_cnes, competence, "o BPA")
    batch = _unchecked_batch(session, unit_cnes, competence, provider_cnpj, destination)
    if batch.problems:  # write_bpa would check the lines again: list everything at once
        checked = check_lines(
            batch.header, batch.consolidated, batch.individual, late_months=late_months
        )
        raise BpaValidationError([*batch.problems, *checked])
    name = bpa_file_name(competence, unit_cnes)
    if batch.consolidated or batch.individual:
        folder.mkdir(parents=True, exist_ok=True)
    summary = write_bpa(
        folder / name, batch.header, batch.consolidated, batch.individual, late_months=late_months
    )
    detail = {
        "file": name,
        "competence": competence,
        "lines": summary.lines,
        "bpa_c": len(batch.consolidated),
        "bpa_i": len(batch.individual),
        "attendances": batch.attendances,
    }
    audit.record(
        session,
        actor,
        audit.EXPORT,
        entity="bpa",
        entity_id=f"{unit_cnes}/{competence}",
        detail=detail,
    )
    return BpaExport(
        summary.path,
        summary.lines,
        summary.sheets,
        summary.control,
        batch.attendances,
        len(batch.consolidated),
        len(batch.individual),
    )
