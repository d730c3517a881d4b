"""The e-SUS APS XML fichas (LEDI 7.2.1) of one unit's closed competence, from its attendances.

An attendance with a primary-care consultation (SIGTAP 030101…) becomes one Ficha de Atendimento
Individual (uuid = the attendance id); every other procedure goes into one Ficha de Procedimentos
per professional, occupation and day (uuid5 of that key), so re-exporting a month yields the same
file names and the PEC deduplicates them. Every file is validated against the official XSDs;
files are written only for a closed competence and only when nothing is wrong, atomically, with
"care.production" for the unit and an audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.care.attendance_rules import (
    competence_label,
)
from app.care.attendances import PRODUCTION
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
from app.care.production_rows import (
    References,
    Rows,
    attendance_rows,
    check_competence,
    require_closed,
)
from app.db.session import clock_of
from app.errors import ValidationError
from app.installation.service import installation_info, municipality_profile
from app.security import audit
from app.security.actor import Actor

CONSULTATION_PREFIX = "030101"  # consultas em atenção primária → Ficha de Atendimento Individual
EXAM_GROUP = "02"  # SIGTAP group 02, procedimentos com finalidade diagnóstica → FAI exams
# Fixed namespace of the Ficha de Procedimentos uuids: never change it, or re-exports of months
# already sent would get new names and the PEC would count them twice.
FICHA_NAMESPACE = uuid.UUID("0190f3a1-0000-7000-8000-5a0de0e5a0de")

Where = Callable[[str], tuple[str, uuid.UUID | None]]  # error key → (reference, attendance id)


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
    references: References = field(default_factory=References)
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
    for rows in attendance_rows(session, unit_cnes, competence):
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
    check_competence(competence)
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
    check_competence(competence)
    require_closed(session, unit_cnes, competence, "os arquivos do e-SUS")
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
