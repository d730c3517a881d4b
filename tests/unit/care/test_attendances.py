"""Typing attendances as a unit's clerk does, and closing the month: the checks against the
SIGTAP of the attendance's own month and the CID-10, corrections and voids as new records, the
competence a late attendance goes to, and the closing's totals.

Real migrated SQLite (`db` fixture), the clock at 02/03/2026 12:00 UTC (09:00 in Brasília). The
SIGTAP zips are built in the official structure for February and March 2026: a consultation
allowed only for doctors (CBO 225142/225125) and a female-only collection from 12 years of age.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.brazil.identifiers import generate_cns
from app.brazil.names import normalize_key
from app.care.attendance_queries import list_attendances, list_competences, production_summary
from app.care.attendance_rules import (
    age_on,
    lateness_error,
    next_competence,
    presented_in,
)
from app.care.attendances import (
    AttendanceInput,
    ProcedureInput,
    close_competence,
    correct_attendance,
    record_attendance,
    reopen_competence,
    void_attendance,
)
from app.care.models import Attendance, AttendanceProcedure
from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.installation.models import Municipality
from app.reference.cid10 import load_cid10
from app.reference.sigtap import import_sigtap
from app.registry.enums import Sex, UnitKind
from app.registry.models import Citizen, HealthUnit, Professional, ProfessionalBond
from app.security.actor import Actor
from app.security.models import AuditEntry
from tests.unit.reference.sigtap_zip import build_zip

UNIT = "2171643"
OTHER_UNIT = "2171651"
CONSULTA = "0301010064"
COLETA = "0201020033"
CLERK = Actor(
    account_id=uuid.UUID("01900000-0000-7000-8000-000000000021"),
    username="bia.faturamento",
    full_name="Beatriz Faturamento",
    permissions=frozenset({"care.read", "care.attend", "care.production"}),
)
TYPIST = replace(CLERK, username="digitador", permissions=frozenset({"care.attend"}))


@dataclass(frozen=True)
class World:
    doctor: uuid.UUID
    nurse: uuid.UUID
    maria: uuid.UUID
    joao: uuid.UUID


@pytest.fixture
def world(db: Database, tmp_path: Path) -> World:
    rng = random.Random(11)
    with db.unit_of_work("sistema") as s:
        s.add(Municipality(name="Campina Verde", uf="MG", ibge_code="3111200",
                           timezone="America/Sao_Paulo"))  # fmt: skip
        s.add(HealthUnit(cnes=UNIT, name="UBS Central", kind=UnitKind.UBS))
        s.add(HealthUnit(cnes=OTHER_UNIT, name="UBS Bairro Alto", kind=UnitKind.UBS))
        doctor = Professional(name="Carla Menezes", name_key="CARLA MENEZES", cns=generate_cns(rng))
        nurse = Professional(name="Rafael Campos", name_key="RAFAEL CAMPOS", cns=generate_cns(rng))
        s.add_all([doctor, nurse])
        s.flush()
        s.add(ProfessionalBond(professional_id=doctor.id, unit_cnes=UNIT, cbo="225142"))
        s.add(ProfessionalBond(professional_id=nurse.id, unit_cnes=UNIT, cbo="223565"))
        maria = _citizen("Maria das Dores Silva", Sex.FEMALE, date(1980, 5, 10), rng)
        joao = _citizen("João Pedro Souza", Sex.MALE, date(1975, 8, 1), rng)
        s.add_all([maria, joao])
        s.flush()
        load_cid10(s)
        for competence in ("202602", "202603"):
            import_sigtap(s, build_zip(tmp_path, competence))
        return World(doctor.id, nurse.id, maria.id, joao.id)


def _citizen(name: str, sex: Sex, birth: date, rng: random.Random) -> Citizen:
    return Citizen(name=name, name_key=normalize_key(name), cns=generate_cns(rng),
                   birth_date=birth, sex=sex, unit_cnes=UNIT)  # fmt: skip


def consultation(world: World, **changes: object) -> AttendanceInput:
    values: dict[str, object] = {
        "unit_cnes": UNIT, "professional_id": world.doctor, "cbo": "225142",
        "citizen_id": world.maria, "attended_on": date(2026, 3, 2),
        "procedures": (ProcedureInput(code=CONSULTA),), "icd10": "J06.9",
    }  # fmt: skip
    values.update(changes)
    return AttendanceInput(**values)  # type: ignore[arg-type]


def record(db: Database, data: AttendanceInput, actor: Actor = CLERK):  # type: ignore[no-untyped-def]
    with db.unit_of_work(actor.username) as s:
        return record_attendance(s, actor, data)


def refused(db: Database, data: AttendanceInput) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, db.unit_of_work(CLERK.username) as s:
        record_attendance(s, CLERK, data)
    return caught.value.errors


def attendance_count(db: Database) -> int:
    with db.read_only() as s:
        return int(s.scalar(select(func.count()).select_from(Attendance)) or 0)


# --- recording ------------------------------------------------------------------------------------


def test_a_valid_attendance_is_saved_in_its_own_month_with_procedures_and_audit(
    db: Database, world: World
) -> None:
    typed = (ProcedureInput(code="03.01.01.006-4"), ProcedureInput(code=COLETA, quantity=2))
    recorded = record(db, consultation(world, procedures=typed))
    assert recorded.competence == "202603"
    assert recorded.notice == "Atendimento gravado na competência 03/2026."
    with db.read_only() as s:
        saved = s.get(Attendance, recorded.attendance_id)
        assert saved is not None and saved.icd10 == "J069" and saved.typed_by == CLERK.username
        lines = s.execute(select(AttendanceProcedure.procedure, AttendanceProcedure.quantity)
                          .order_by(AttendanceProcedure.procedure)).all()  # fmt: skip
        assert [tuple(line) for line in lines] == [(COLETA, 2), (CONSULTA, 1)]
        audited = s.scalar(select(AuditEntry).where(AuditEntry.entity == "attendance"))
        assert audited is not None and audited.entity_id == str(recorded.attendance_id)


def test_a_procedure_not_allowed_for_the_cbo_is_refused_with_the_reason(
    db: Database, world: World
) -> None:
    errors = refused(db, consultation(world, professional_id=world.nurse, cbo="223565"))
    assert errors["procedures.0"] == (
        "O procedimento 0301010064 (CONSULTA MEDICA EM ATENCAO PRIMARIA) não é permitido para "
        "a ocupação CBO 223565."
    )
    assert attendance_count(db) == 0


def test_sex_and_icd10_restrictions_are_explained(db: Database, world: World) -> None:
    errors = refused(db, consultation(world, citizen_id=world.joao, icd10="N91.0",
                                      procedures=(ProcedureInput(code=CONSULTA),
                                                  ProcedureInput(code=COLETA))))  # fmt: skip
    assert "exclusivo do sexo feminino" in errors["procedures.1"]
    assert "restrito ao sexo feminino" in errors["icd10"]
    assert "procedures.0" not in errors
    assert attendance_count(db) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"attended_on": date(2026, 3, 3)}, "attended_on", "não pode ser futura"),
        ({"cbo": "223565"}, "professional_id", "não tem vínculo ativo com a ocupação CBO 223565"),
        ({"unit_cnes": OTHER_UNIT}, "professional_id", "na unidade CNES 2171651"),
        ({"icd10": "K999"}, "icd10", "não encontrado"),
        ({"procedures": ()}, "procedures", "pelo menos um procedimento"),
        ({"procedures": (ProcedureInput(code="123"),)}, "procedures.0", "10 dígitos"),
        ({"procedures": (ProcedureInput(code=CONSULTA, quantity=0),)}, "procedures.0", "1 a 999"),
        ({"procedures": (ProcedureInput(code=CONSULTA),) * 2}, "procedures.1", "duas vezes"),
        ({"attended_on": date(2026, 1, 20)}, "procedures.0",
         "A tabela SIGTAP da competência 01/2026 não foi importada."),
        ({"procedures": (ProcedureInput(code="0301010072"),)}, "procedures.0",
         "não existe na tabela SIGTAP da competência 03/2026"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_writes_nothing(
    db: Database, world: World, changes: dict[str, object], field: str, message: str
) -> None:
    errors = refused(db, consultation(world, **changes))
    assert message in errors[field]
    assert attendance_count(db) == 0


def test_the_procedure_is_checked_against_the_table_of_the_attendances_month(
    db: Database, world: World, tmp_path: Path
) -> None:
    """February's table (re-imported) lacks the consultation; March's still has it."""
    february = tmp_path / "fev"
    february.mkdir()
    tables = {k: [row for row in v if row.get("CO_PROCEDIMENTO") != CONSULTA]
              for k, v in __import__("tests.unit.reference.sigtap_zip", fromlist=["x"])
              .procedures("202602").items()}  # fmt: skip
    with db.unit_of_work("sistema") as s:
        import_sigtap(s, build_zip(february, "202602", tables), replace=True)
    errors = refused(db, consultation(world, attended_on=date(2026, 2, 27)))
    assert "não existe na tabela SIGTAP da competência 02/2026" in errors["procedures.0"]
    assert record(db, consultation(world)).competence == "202603"


def test_a_clerk_without_the_permission_or_the_unit_cannot_type(db: Database, world: World) -> None:
    reader = replace(CLERK, permissions=frozenset({"care.read"}))
    with pytest.raises(PermissionDenied), db.unit_of_work("x") as s:
        record_attendance(s, reader, consultation(world))
    other_unit = replace(CLERK, units=frozenset({OTHER_UNIT}))
    with pytest.raises(PermissionDenied, match="CNES 2171643"), db.unit_of_work("x") as s:
        record_attendance(s, other_unit, consultation(world))
    assert attendance_count(db) == 0


# --- corrections ----------------------------------------------------------------------------------


def test_a_correction_is_a_new_record_and_production_counts_it_once(
    db: Database, world: World
) -> None:
    first = record(db, consultation(world))
    with db.unit_of_work(CLERK.username) as s:
        changed = consultation(world, icd10="I10")
        fixed = correct_attendance(s, CLERK, first.attendance_id, changed, "CID digitado errado")
    with db.read_only() as s:
        original = s.get(Attendance, first.attendance_id)
        assert original is not None and original.icd10 == "J069"  # the event stays as it was
        rows = {row.id: row for row in list_attendances(s, CLERK, UNIT, "202603")}
        summary = production_summary(s, CLERK, UNIT, "202603")
    assert rows[first.attendance_id].situation == "Corrigido"
    assert rows[fixed.attendance_id].situation == "Válido"
    assert rows[fixed.attendance_id].corrects_id == first.attendance_id
    assert (summary.attendances, summary.procedures) == (1, 1)
    with pytest.raises(ValidationError, match="já foi corrigido"), db.unit_of_work("x") as s:
        correct_attendance(s, CLERK, first.attendance_id, consultation(world), "de novo")


def test_a_correction_needs_a_reason_and_valid_data(db: Database, world: World) -> None:
    first = record(db, consultation(world))
    with pytest.raises(ValidationError) as caught, db.unit_of_work("x") as s:
        correct_attendance(s, CLERK, first.attendance_id, consultation(world), "")
    assert "motivo" in caught.value.errors["reason"]
    bad = consultation(world, professional_id=world.nurse, cbo="223565")
    with pytest.raises(ValidationError) as caught, db.unit_of_work("x") as s:
        correct_attendance(s, CLERK, first.attendance_id, bad, "profissional errado")
    assert "CBO 223565" in caught.value.errors["procedures.0"]
    assert attendance_count(db) == 1


def test_a_voided_attendance_leaves_production_but_stays_recorded(
    db: Database, world: World
) -> None:
    kept = record(db, consultation(world, citizen_id=world.joao))
    typo = record(db, consultation(world))
    with db.unit_of_work(CLERK.username) as s:
        void_attendance(s, CLERK, typo.attendance_id, "digitado em duplicidade")
    with db.read_only() as s:
        summary = production_summary(s, CLERK, UNIT, "202603")
        situations = {row.id: row.situation for row in list_attendances(s, CLERK, UNIT, "202603")}
    assert summary.attendances == 1
    assert situations[typo.attendance_id] == "Anulado"
    assert situations[kept.attendance_id] == "Válido"
    assert attendance_count(db) == 3  # original, void record, the other one


# --- closing the month ----------------------------------------------------------------------------


def test_closing_a_month_sends_late_attendances_to_the_next_one(db: Database, world: World) -> None:
    record(db, consultation(world, attended_on=date(2026, 2, 20)))
    with db.unit_of_work(CLERK.username) as s:
        closed = close_competence(s, CLERK, UNIT, "202602")
    assert (closed.attendances, closed.procedures) == (1, 1)
    late = record(db, consultation(world, attended_on=date(2026, 2, 25), citizen_id=world.joao))
    assert late.competence == "202603" and late.moved_from == "202602"
    assert late.notice == (
        "A competência 02/2026 já foi fechada: o atendimento foi gravado na competência 03/2026."
    )
    with db.read_only() as s:
        listed = {row.competence: row for row in list_competences(s, CLERK, UNIT)}
        assert production_summary(s, CLERK, UNIT, "202602").attendances == 1
    assert listed["202602"].closed and listed["202602"].closed_by == CLERK.username
    assert not listed["202603"].closed and listed["202603"].attendances == 1


def test_closing_refuses_a_closed_a_future_or_an_unpermitted_month(
    db: Database, world: World
) -> None:
    with db.unit_of_work(CLERK.username) as s:
        close_competence(s, CLERK, UNIT, "202603")
    cases = [("202603", CLERK, "já foi fechada por bia.faturamento"),
             ("202604", CLERK, "competência futura"), ("202613", CLERK, "inválida")]  # fmt: skip
    for competence, actor, message in cases:
        with pytest.raises(ValidationError, match=message), db.unit_of_work("x") as s:
            close_competence(s, actor, UNIT, competence)
    with pytest.raises(PermissionDenied), db.unit_of_work("x") as s:
        close_competence(s, TYPIST, UNIT, "202602")


def test_every_month_closed_means_nowhere_to_type_until_one_reopens(
    db: Database, world: World
) -> None:
    with db.unit_of_work(CLERK.username) as s:
        close_competence(s, CLERK, UNIT, "202602")
        close_competence(s, CLERK, UNIT, "202603")
    errors = refused(db, consultation(world, attended_on=date(2026, 2, 10)))
    assert "estão fechadas" in errors["attended_on"]
    with pytest.raises(ValidationError, match="por que"), db.unit_of_work("x") as s:
        reopen_competence(s, CLERK, UNIT, "202603", "")
    with db.unit_of_work(CLERK.username) as s:
        reopen_competence(s, CLERK, UNIT, "202603", "Arquivo devolvido pelo SIA")
    assert record(db, consultation(world, attended_on=date(2026, 2, 10))).competence == "202603"


def test_an_attendance_in_a_closed_month_cannot_be_voided(db: Database, world: World) -> None:
    typed = record(db, consultation(world))
    with db.unit_of_work(CLERK.username) as s:
        close_competence(s, CLERK, UNIT, "202603")
    with pytest.raises(ValidationError, match="já foi fechada"), db.unit_of_work("x") as s:
        void_attendance(s, CLERK, typed.attendance_id, "engano de digitação")


# --- pure rules -----------------------------------------------------------------------------------


def test_competence_rules() -> None:
    assert next_competence("202612") == "202701"
    assert presented_in(date(2026, 11, 30), {"202611"}, "202612") == "202612"
    assert presented_in(date(2026, 11, 30), {"202611", "202612"}, "202612") is None
    assert presented_in(date(2026, 11, 30), set(), "202612") == "202611"
    assert lateness_error(date(2026, 8, 31), "202611") is None
    late = lateness_error(date(2026, 7, 31), "202611")
    assert late is not None and "até 3 competência(s)" in late and "11/2026" in late
    assert age_on(date(2000, 3, 2), date(2026, 3, 1)) == 25
    assert age_on(date(2000, 3, 2), date(2026, 3, 2)) == 26


def test_a_closed_months_attendance_cannot_be_corrected_until_the_month_is_reopened(
    db: Database, world: World
) -> None:
    """The numbers of a closed month (already printed and sent) never change behind its back."""
    typed = record(db, consultation(world))
    with db.unit_of_work(CLERK.username) as s:
        close_competence(s, CLERK, UNIT, "202603")
    changed = consultation(world, icd10="I10")
    with pytest.raises(ValidationError, match="03/2026 já foi fechada"), db.unit_of_work("x") as s:
        correct_attendance(s, CLERK, typed.attendance_id, changed, "CID digitado errado")
    with db.read_only() as s:
        assert production_summary(s, CLERK, UNIT, "202603").attendances == 1
    with db.unit_of_work(CLERK.username) as s:
        reopen_competence(s, CLERK, UNIT, "202603", "Correção pedida pela coordenação")
        fixed = correct_attendance(s, CLERK, typed.attendance_id, changed, "CID digitado errado")
    assert fixed.competence == "202603"
