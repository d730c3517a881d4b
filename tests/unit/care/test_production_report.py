"""The printed "Relatório de produção mensal" read back as text: the unit, the competence and its
status, the totals by professional and by SIGTAP procedure, and the two signatures.

Real migrated SQLite; the clock stands at 03/12/2026 12:00 UTC (09:00 in Brasília), so November
2026 can be closed. The SIGTAP is the illustrative sample of `app.reference.sigtap_sample`,
imported as its official-structure zip for November and December 2026.
"""

from __future__ import annotations

import io
import random
import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.brazil.identifiers import format_cns, generate_cns
from app.brazil.names import normalize_key
from app.care.attendances import (
    AttendanceInput,
    ProcedureInput,
    close_competence,
    record_attendance,
    reopen_competence,
    void_attendance,
)
from app.care.models import Attendance, AttendanceProcedure
from app.care.reports import format_sigtap, production_report_pdf
from app.clock import FixedClock
from app.db.session import Database
from app.errors import PermissionDenied
from app.installation.models import Municipality
from app.reference.cbo import load_occupations
from app.reference.cid10 import load_cid10
from app.reference.sigtap import import_sigtap
from app.reference.sigtap_sample import write_sample_sigtap
from app.registry.enums import Sex, UnitKind
from app.registry.models import Citizen, HealthUnit, Professional, ProfessionalBond
from app.reports.issue import verify
from app.security.actor import Actor
from app.security.models import Account

UNIT = "2171643"
OTHER_UNIT = "2171651"
NOVEMBER = "202611"
CONSULTA_MEDICA, CONSULTA_NS = "0301010064", "0301010030"
PRESSAO, GLICEMIA = "0301100039", "0214010015"
CLERK = Actor(
    account_id=uuid.UUID("01900000-0000-7000-8000-000000000031"),
    username="bia.faturamento",
    full_name="Beatriz Faturamento",
    permissions=frozenset({"care.read", "care.attend", "care.production"}),
)
VERIFIER = Actor(None, "conferente", "Conferente", frozenset({"documents.verify"}))


@dataclass(frozen=True)
class World:
    doctor: uuid.UUID
    nurse: uuid.UUID
    citizens: dict[str, uuid.UUID]
    cns: dict[str, str]


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture
def world(db: Database, clock: FixedClock, tmp_path: Path) -> World:
    clock.current = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    rng = random.Random(7)
    with db.unit_of_work("sistema") as s:
        s.add(Municipality(name="Campina Verde", uf="MG", ibge_code="3111200",
                           timezone="America/Sao_Paulo"))  # fmt: skip
        s.add(HealthUnit(cnes=UNIT, name="UBS Central", kind=UnitKind.UBS))
        s.add(HealthUnit(cnes=OTHER_UNIT, name="UBS Bairro Alto", kind=UnitKind.UBS))
        s.add(Account(id=CLERK.account_id, username=CLERK.username, full_name=CLERK.full_name,
                      password_hash="-"))  # fmt: skip
        people = {"Carla Menezes Duarte": "225142", "Rafael Nogueira Campos": "223565"}
        cns = {name: generate_cns(rng) for name in people}
        professionals = [
            Professional(name=n, name_key=normalize_key(n), cns=cns[n]) for n in people
        ]
        s.add_all(professionals)
        s.flush()
        for person, cbo in zip(professionals, people.values(), strict=True):
            s.add(ProfessionalBond(professional_id=person.id, unit_cnes=UNIT, cbo=cbo))
            s.add(ProfessionalBond(professional_id=person.id, unit_cnes=OTHER_UNIT, cbo=cbo))
        citizens = {
            "Maria": Citizen(name="Maria das Dores Silva", name_key="MARIA DAS DORES SILVA",
                             cns=generate_cns(rng), birth_date=date(1958, 5, 10), sex=Sex.FEMALE),
            "João": Citizen(name="João Pedro Souza", name_key="JOAO PEDRO SOUZA",
                            cns=generate_cns(rng), birth_date=date(1962, 8, 1), sex=Sex.MALE),
            "Ana": Citizen(name="Ana Beatriz Lima", name_key="ANA BEATRIZ LIMA",
                           cns=generate_cns(rng), birth_date=date(1990, 1, 20), sex=Sex.FEMALE),
        }  # fmt: skip
        s.add_all(citizens.values())
        s.flush()
        load_cid10(s)
        load_occupations(s)
        for competence in (NOVEMBER, "202612"):
            import_sigtap(s, write_sample_sigtap(tmp_path, competence))
        doctor, nurse = (p.id for p in professionals)
        return World(doctor, nurse, {k: c.id for k, c in citizens.items()}, cns)


def _attend(db: Database, world: World, who: str, whom: str, day: int, icd10: str,
            *procedures: tuple[str, int], unit: str = UNIT) -> uuid.UUID:  # fmt: skip
    doctor = who == "doctor"
    data = AttendanceInput(
        unit_cnes=unit, professional_id=world.doctor if doctor else world.nurse,
        cbo="225142" if doctor else "223565", citizen_id=world.citizens[whom],
        attended_on=date(2026, 11, day), icd10=icd10,
        procedures=tuple(ProcedureInput(code=code, quantity=q) for code, q in procedures),
    )  # fmt: skip
    with db.unit_of_work(CLERK.username) as s:
        return record_attendance(s, CLERK, data).attendance_id


def _november(db: Database, world: World) -> uuid.UUID:
    """Five valid attendances at the unit (10 procedures), one voided, one at another unit."""
    _attend(db, world, "doctor", "Maria", 3, "J069", (CONSULTA_MEDICA, 1))
    _attend(db, world, "doctor", "João", 4, "I10", (CONSULTA_MEDICA, 1), (PRESSAO, 1))
    ana = _attend(db, world, "doctor", "Ana", 5, "E119",
                  (CONSULTA_MEDICA, 1), (GLICEMIA, 1), (PRESSAO, 1))  # fmt: skip
    _attend(db, world, "nurse", "Maria", 10, "Z000", (CONSULTA_NS, 1), (PRESSAO, 1))
    _attend(db, world, "nurse", "João", 11, "", (PRESSAO, 2))
    typo = _attend(db, world, "doctor", "João", 12, "N390", (CONSULTA_MEDICA, 1))
    with db.unit_of_work(CLERK.username) as s:
        void_attendance(s, CLERK, typo, "Digitado em duplicidade")
    _attend(db, world, "doctor", "Ana", 12, "", (CONSULTA_MEDICA, 1), unit=OTHER_UNIT)
    return ana


def _print(db: Database, actor: Actor = CLERK, competence: str = NOVEMBER):  # type: ignore[no-untyped-def]
    with db.unit_of_work(actor.username) as s:
        return production_report_pdf(s, actor, UNIT, competence)


def _close(db: Database) -> None:
    with db.unit_of_work(CLERK.username) as s:
        close_competence(s, CLERK, UNIT, NOVEMBER)


def test_a_closed_month_prints_its_totals_by_professional_and_procedure(
    db: Database, world: World
) -> None:
    _november(db, world)
    _close(db)
    issued = _print(db)
    text = _text(issued.pdf)
    assert "RELATÓRIO DE PRODUÇÃO MENSAL" in text
    assert "UBS Central" in text and UNIT in text and "11/2026" in text
    assert "Competência fechada em 03/12/2026 por Beatriz Faturamento" in text
    assert "provisório" not in text
    carla, rafael = (
        format_cns(world.cns["Carla Menezes Duarte"]),
        format_cns(world.cns["Rafael Nogueira Campos"]),
    )
    # name, CNS, CBO and its title, attendances, procedures (the voided one and the other unit's
    # attendance are left out)
    assert re.search(rf"Carla Menezes Duarte {carla} 225142 – Médico da estratégia de saúde da "
                     r"família 3 6", text)  # fmt: skip
    assert re.search(rf"Rafael Nogueira Campos {rafael} 223565 – Enfermeiro da estratégia de "
                     r"saúde da família 2 4", text)  # fmt: skip
    assert "03.01.01.006-4 CONSULTA MEDICA EM ATENCAO PRIMARIA 3 3" in text
    assert "03.01.10.003-9 AFERICAO DE PRESSAO ARTERIAL 4 5" in text
    assert "02.14.01.001-5 GLICEMIA CAPILAR 1 1" in text
    assert "03.01.01.003-0 CONSULTA DE PROFISSIONAIS DE NIVEL SUPERIOR" in text
    assert text.count("Total: 5 atendimentos; 10 procedimentos.") == 2
    assert "Responsável pela unidade" in text and "Responsável pelo faturamento" in text
    assert issued.page_count == 1
    with db.unit_of_work("conferente") as s:
        result = verify(s, VERIFIER, issued.code)
    assert result.authentic and result.title == "Relatório de produção mensal"


def test_an_open_month_is_marked_provisional(db: Database, world: World) -> None:
    _november(db, world)
    text = _text(_print(db).pdf)
    assert "Competência aberta — relatório provisório" in text
    assert "fechada em" not in text
    assert "Total: 5 atendimentos; 10 procedimentos." in text
    _close(db)
    with db.unit_of_work(CLERK.username) as s:
        reopen_competence(s, CLERK, UNIT, NOVEMBER, "Arquivo devolvido pelo SIA")
    text = _text(_print(db).pdf)
    assert "Competência aberta — relatório provisório" in text
    assert "Reaberta depois do fechamento de 03/12/2026 por Beatriz Faturamento" in text
    assert "Arquivo devolvido pelo SIA" in text


def test_an_attendance_arriving_after_closing_is_pointed_out(db: Database, world: World) -> None:
    """Services refuse changes to a closed month, but an offline unit that did not yet know of the
    closing may send one in a sync batch (written straight through the ORM, as applying does)."""
    _november(db, world)
    _close(db)
    with db.unit_of_work("sync") as s:
        late = Attendance(unit_cnes=UNIT, citizen_id=world.citizens["Ana"],
                          professional_id=world.doctor, cbo="225142",
                          attended_on=date(2026, 11, 6), competence="202611")  # fmt: skip
        s.add(late)
        s.flush()
        s.add(AttendanceProcedure(unit_cnes=UNIT, attendance_id=late.id,
                                  procedure=CONSULTA_MEDICA, quantity=1))  # fmt: skip
    text = _text(_print(db).pdf)
    assert "Competência fechada em 03/12/2026" in text
    assert "no fechamento eram 5 atendimentos e 10 procedimentos" in text
    assert "Total: 6 atendimentos; 11 procedimentos." in text


def test_an_empty_month_still_prints_with_the_signatures(db: Database, world: World) -> None:
    text = _text(_print(db).pdf)
    assert "Nenhum atendimento registrado nesta competência." in text
    assert "Responsável pelo faturamento" in text


def test_printing_needs_read_or_production_for_the_unit(db: Database, world: World) -> None:
    _november(db, world)
    billing_only = replace(CLERK, username="fat", permissions=frozenset({"care.production"}))
    assert "Total: 5 atendimentos" in _text(_print(db, billing_only).pdf)
    typist = replace(CLERK, username="dig", permissions=frozenset({"care.attend"}))
    elsewhere = replace(CLERK, username="outra", units=frozenset({OTHER_UNIT}))
    for actor in (typist, elsewhere):
        with pytest.raises(PermissionDenied):
            _print(db, actor)


def test_sigtap_codes_are_printed_with_dots_and_check_digit() -> None:
    assert format_sigtap("0301010064") == "03.01.01.006-4"
    assert format_sigtap("123") == "123"
