"""Monthly production files from the typed attendances: the BPA-Magnético file (BPA-C and BPA-I)
and the e-SUS APS XML fichas of one unit's competence.

Both read the current attendances (`current_attendances`: not corrected, not voids) presented in
the competence, streamed in batches of plain Core rows (`yield_per`, never ORM entities), so a
month of 500,000 attendances does not sit in the session. BPA: each procedure is looked up in the
SIGTAP of the attendance's OWN month (late attendances are presented later) and goes to BPA-I when
that table registers it in instrument "02", else summed into BPA-C when "01", else it is a
problem naming the attendance. e-SUS: an attendance with a primary-care consultation (SIGTAP
030101…) becomes one Ficha de Atendimento Individual (uuid = the attendance id); every other
procedure goes into one Ficha de Procedimentos per professional, occupation and day (uuid5 of that
key), so re-exporting a month yields the same file names and the PEC deduplicates them. Files are
written only for a closed competence, only when nothing is wrong (every problem is listed in
Portuguese, nothing written), atomically, with "care.production" for the unit and an audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app import __version__
from app.care.attendance_rules import (
    DEFAULT_LATE_MONTHS,
    age_on,
    competence_label,
    competence_of,
    is_competence,
)
from app.care.attendances import PRODUCTION, closed_competences, current_attendances
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
from app.care.esus import (
    EsusExam,
    EsusHeader,
    EsusInstallation,
    IndividualAttendance,
    ProcedureItem,
    ProceduresSheet,
    individual_attendance_xml,
    procedures_xml,
    uuid_name,
    validate_esus_xml,
    write_esus_files,
)
from app.care.models import Attendance, AttendanceProcedure
from app.db.session import clock_of
from app.errors import ValidationError
from app.installation.service import installation_info, municipality_profile
from app.reference.sigtap import ProcedureRow, procedure
from app.registry.models import Citizen, District, Professional
from app.security import audit
from app.security.actor import Actor

BPA_C, BPA_I = "01", "02"  # tb_registro: BPA consolidado, BPA individualizado
CONSULTATION_PREFIX = "030101"  # consultas em atenção primária → Ficha de Atendimento Individual
EXAM_GROUP = "02"  # SIGTAP group 02, procedimentos com finalidade diagnóstica → FAI exams
DEFAULT_DESTINATION = "SECRETARIA MUNICIPAL DE SAUDE"
BATCH_ROWS = 5000
# Fixed namespace of the Ficha de Procedimentos uuids: never change it, or re-exports of months
# already sent would get new names and the PEC would count them twice.
FICHA_NAMESPACE = uuid.UUID("0190f3a1-0000-7000-8000-5a0de0e5a0de")
_SMALL_WORDS = frozenset({"DE", "DA", "DO", "DAS", "DOS", "E"})

Rows = list[Row[Any]]
Where = Callable[[str], tuple[str, uuid.UUID | None]]  # error key → (reference, attendance id)
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


@dataclass(frozen=True)
class EsusProblem:
    """Why a ficha cannot go: the attendance (or sheet) it comes from and the reason."""

    attendance_ref: str
    attendance_id: uuid.UUID | None
    message: str


class EsusExportError(ValidationError):
    """The e-SUS files were refused; `problems` lists every reason, nothing was written."""

    def __init__(self, problems: Sequence[EsusProblem]) -> None:
        self.problems = list(problems)
        shown = "; ".join(f"{p.attendance_ref} — {p.message}" for p in self.problems[:5])
        more = len(self.problems) - 5
        tail = f"; e mais {more} problema(s)" if more > 0 else ""
        super().__init__(
            {
                "": f"Os arquivos do e-SUS não foram gravados: {len(self.problems)} problema(s). "
                f"{shown}{tail}"
            }
        )


@dataclass(frozen=True)
class EsusExport:
    folder: Path
    files: tuple[Path, ...]
    individual: int  # Fichas de Atendimento Individual
    procedure_sheets: int  # Fichas de Procedimentos
    attendances: int


# --- reading the month ----------------------------------------------------------------------------


def _check_competence(competence: str) -> None:
    if not is_competence(competence):
        raise ValidationError({"competence": "Competência inválida: use MM/AAAA."})


def _require_closed(session: Session, unit_cnes: str, competence: str, what: str) -> None:
    if competence not in closed_competences(session, unit_cnes):
        label = competence_label(competence)
        raise ValidationError({"competence": f"Feche a competência {label} antes de gerar {what}."})


def _production_query(unit_cnes: str, competence: str) -> Any:
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


def _attendances(session: Session, unit_cnes: str, competence: str) -> Iterator[Rows]:
    """The month's current attendances, each as the list of its procedure rows."""
    result = session.execute(_production_query(unit_cnes, competence))
    for _id, rows in groupby(result, key=attrgetter("attendance_id")):
        yield list(rows)


class _Sigtap:
    """SIGTAP look-ups remembered per (competence, code): a month repeats a few codes a lot."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._found: dict[tuple[str, str], ProcedureRow | None] = {}

    def get(self, competence: str, code: str) -> ProcedureRow | None:
        key = (competence, code)
        if key not in self._found:
            self._found[key] = procedure(self._session, competence, code)
        return self._found[key]


class _References:
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


# --- BPA ------------------------------------------------------------------------------------------


@dataclass
class _BpaCollected:
    individual: list[BpaIndividualLine] = field(default_factory=list)
    consolidated: dict[tuple[str, str, int], int] = field(default_factory=dict)
    problems: list[BpaProblem] = field(default_factory=list)
    references: _References = field(default_factory=_References)
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
    rows: Rows, sigtap: _Sigtap, out: _BpaCollected, competence: str, unit_cnes: str
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
    out, sigtap = _BpaCollected(), _Sigtap(session)
    for rows in _attendances(session, unit_cnes, competence):
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
    _check_competence(competence)
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
    _check_competence(competence)
    _require_closed(session, unit_cnes, competence, "o BPA")
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


# --- e-SUS ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """What every ficha of the unit shares: CNES, municipality, time zone, installation."""

    unit_cnes: str
    ibge7: str
    timezone: str
    installation: EsusInstallation


@dataclass
class _Sheet:
    """A Ficha de Procedimentos in the making: one professional, occupation and day."""

    header: EsusHeader
    reference: str
    items: dict[uuid.UUID, tuple[Row[Any], list[str], str]] = field(default_factory=dict)


@dataclass
class _EsusCollected:
    fichas: list[tuple[IndividualAttendance, str, uuid.UUID]] = field(default_factory=list)
    sheets: dict[tuple[uuid.UUID, str, date], _Sheet] = field(default_factory=dict)
    references: _References = field(default_factory=_References)
    attendances: int = 0


def _installation(session: Session, provider_cnpj: str) -> EsusInstallation:
    info = installation_info(session)
    if info is None:
        raise ValidationError({"": "Instalação não configurada: conclua a configuração inicial."})
    try:
        node = uuid.UUID(info.node_id)
    except ValueError:
        node = uuid.uuid5(FICHA_NAMESPACE, info.node_id)
    return EsusInstallation(uuid=node, cpf_or_cnpj=provider_cnpj, name=info.name)


def _place(session: Session, unit_cnes: str, provider_cnpj: str) -> _Place:
    profile = municipality_profile(session)
    return _Place(
        unit_cnes, profile.ibge_code, profile.timezone, _installation(session, provider_cnpj)
    )


def _esus_header(row: Row[Any], place: _Place) -> EsusHeader:
    return EsusHeader(
        professional_cns=row.professional_cns,
        cbo=row.cbo,
        cnes=place.unit_cnes,
        ibge7=place.ibge7,
        attendance_date=row.attended_on,
        timezone=place.timezone,
    )


def _citizen_ids(row: Row[Any]) -> tuple[str | None, str | None]:
    """(CNS, CPF): the e-SUS takes one of them, never both; CNS first."""
    return (row.citizen_cns or None, None if row.citizen_cns else row.citizen_cpf or None)


def _fai(rows: Rows, place: _Place) -> IndividualAttendance:
    first = rows[0]
    cns, cpf = _citizen_ids(first)
    exams = tuple(dict.fromkeys(r.procedure for r in rows if r.procedure.startswith(EXAM_GROUP)))
    return IndividualAttendance(
        uuid=first.attendance_id,
        header=_esus_header(first, place),
        birth_date=first.birth_date,
        sex=first.sex,
        place=first.place,
        attendance_type=first.attendance_type,
        conducts=(first.conduct,),
        citizen_cns=cns,
        citizen_cpf=cpf,
        cid10=(first.icd10,) if first.icd10 else (),
        exams=tuple(EsusExam(code=code, evaluated=True) for code in exams),
    )


def _add_to_sheet(out: _EsusCollected, rows: Rows, place: _Place, reference: str) -> None:
    first = rows[0]
    key = (first.professional_id, first.cbo, first.attended_on)
    sheet = out.sheets.get(key)
    if sheet is None:
        label = (
            f"Ficha de procedimentos de {first.attended_on:%d/%m/%Y} — "
            f"{first.professional_name} (CBO {first.cbo})"
        )
        sheet = out.sheets[key] = _Sheet(_esus_header(first, place), label)
    item = sheet.items.setdefault(first.citizen_id, (first, [], reference))
    item[1].extend(code for code in (r.procedure for r in rows) if code not in item[1])


def _map_esus(rows: Rows, place: _Place, out: _EsusCollected) -> None:
    reference = out.references.of(rows[0])
    out.attendances += 1
    if any(r.procedure.startswith(CONSULTATION_PREFIX) for r in rows):
        out.fichas.append((_fai(rows, place), reference, rows[0].attendance_id))
        rows = [r for r in rows if not r.procedure.startswith((CONSULTATION_PREFIX, EXAM_GROUP))]
    if rows:
        _add_to_sheet(out, rows, place, reference)


def sheet_uuid(unit_cnes: str, professional_id: uuid.UUID, cbo: str, day: date) -> uuid.UUID:
    """The Ficha de Procedimentos uuid of one professional, occupation and day at a unit."""
    return uuid.uuid5(FICHA_NAMESPACE, f"fp|{unit_cnes}|{professional_id}|{cbo}|{day:%Y%m%d}")


def _procedures_sheet(
    key: tuple[uuid.UUID, str, date], sheet: _Sheet, place: _Place
) -> ProceduresSheet:
    items = []
    for row, codes, _reference in sheet.items.values():
        cns, cpf = _citizen_ids(row)
        items.append(
            ProcedureItem(
                birth_date=row.birth_date,
                sex=row.sex,
                place=row.place,
                procedures=tuple(codes),
                citizen_cns=cns,
                citizen_cpf=cpf,
            )
        )
    return ProceduresSheet(
        uuid=sheet_uuid(place.unit_cnes, *key), header=sheet.header, items=tuple(items)
    )


class _Files:
    """The fichas built so far and the problems found building or validating them."""

    def __init__(self, session: Session) -> None:
        self.clock = clock_of(session)
        self.files: list[tuple[str, bytes]] = []
        self.problems: list[EsusProblem] = []

    def add(self, name: str, build: Callable[[], bytes], where: Where) -> None:
        """Build one ficha; `where(key)` names the source of an error key."""
        try:
            data = build()
        except ValidationError as exc:
            for key, message in exc.errors.items():
                self.problems.append(EsusProblem(*where(key), message))
            return
        for error in validate_esus_xml(data):
            self.problems.append(EsusProblem(*where(""), f"Esquema e-SUS: {error}"))
        self.files.append((name, data))


def _installation_aware(reference: str, attendance_id: uuid.UUID | None) -> Where:
    """Error keys of the installation are the same for every ficha: name them once."""

    def where(key: str) -> tuple[str, uuid.UUID | None]:
        if key.startswith("instalacao."):
            return "Instalação (CNPJ do órgão de origem e nome)", None
        return reference, attendance_id

    return where


def _sheet_where(sheet: _Sheet) -> Where:
    items = list(sheet.items.values())
    first_id = items[0][0].attendance_id if items else None
    default = _installation_aware(sheet.reference, first_id)

    def where(key: str) -> tuple[str, uuid.UUID | None]:
        head = key.split(".", 1)[0]
        if head.startswith("item") and head[4:].isdigit() and 0 < int(head[4:]) <= len(items):
            row, _codes, reference = items[int(head[4:]) - 1]
            return reference, row.attendance_id
        return default(key)

    return where


def _build_files(session: Session, out: _EsusCollected, place: _Place) -> _Files:
    built = _Files(session)
    inst, clock = place.installation, built.clock
    for fai, reference, attendance_id in out.fichas:
        built.add(
            uuid_name(place.unit_cnes, fai.uuid),
            partial(individual_attendance_xml, inst, fai, clock=clock),
            _installation_aware(reference, attendance_id),
        )
    for key, sheet in out.sheets.items():
        fp = _procedures_sheet(key, sheet, place)
        built.add(
            uuid_name(place.unit_cnes, fp.uuid),
            partial(procedures_xml, inst, fp, clock=clock),
            _sheet_where(sheet),
        )
    return built


def _esus_build(
    session: Session, unit_cnes: str, competence: str, provider_cnpj: str
) -> tuple[_EsusCollected, _Files]:
    place = _place(session, unit_cnes, provider_cnpj)
    out = _EsusCollected()
    for rows in _attendances(session, unit_cnes, competence):
        _map_esus(rows, place, out)
    built = _build_files(session, out, place)
    if not built.files and not built.problems:
        label = competence_label(competence)
        built.problems.append(EsusProblem("", None, f"Nenhum atendimento na competência {label}."))
    built.problems = list(dict.fromkeys(built.problems))  # installation errors repeat per ficha
    return out, built


def esus_fichas(
    session: Session, actor: Actor, unit_cnes: str, competence: str, *, provider_cnpj: str = ""
) -> list[tuple[str, bytes]]:
    """The e-SUS fichas (name = uuidDadoSerializado, XML bytes) of a unit's competence, each
    valid against the LEDI 7.2.1 schemas; EsusExportError lists every problem otherwise."""
    actor.require(PRODUCTION, unit_cnes)
    _check_competence(competence)
    _out, built = _esus_build(session, unit_cnes, competence, provider_cnpj)
    if built.problems:
        raise EsusExportError(built.problems)
    return built.files


def export_esus(
    session: Session,
    actor: Actor,
    unit_cnes: str,
    competence: str,
    folder: Path,
    *,
    provider_cnpj: str = "",
) -> EsusExport:
    """Write the e-SUS fichas of a closed competence into `folder` (all or nothing)."""
    actor.require(PRODUCTION, unit_cnes)
    _check_competence(competence)
    _require_closed(session, unit_cnes, competence, "os arquivos do e-SUS")
    out, built = _esus_build(session, unit_cnes, competence, provider_cnpj)
    if built.problems:
        raise EsusExportError(built.problems)
    paths = write_esus_files(folder, built.files)
    detail = {
        "competence": competence,
        "files": len(paths),
        "fai": len(out.fichas),
        "procedures": len(out.sheets),
        "attendances": out.attendances,
    }
    audit.record(
        session,
        actor,
        audit.EXPORT,
        entity="esus",
        entity_id=f"{unit_cnes}/{competence}",
        detail=detail,
    )
    return EsusExport(folder, tuple(paths), len(out.fichas), len(out.sheets), out.attendances)
