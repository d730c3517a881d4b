"""The month's BPA and e-SUS files built from attendances typed through the real services.

Real migrated SQLite (`db` fixture), clock at 02/03/2026 12:00 UTC. The SIGTAP is the
illustrative sample (`app.reference.sigtap_sample`) for 01 to 03/2026: consultations in BPA-I,
pressure and anthropometry in BPA-C, capillary glucose in both (so BPA-I). Attendances of
02/2026 are recorded, one of 01/2026 arrives late (01/2026 already closed) and is presented in
02/2026; the files are read back field by field with the layout typed in `bpa_layout`.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.brazil.identifiers import generate_cnpj, generate_cns, generate_cpf
from app.brazil.names import normalize_key
from app.care.attendances import (
    AttendanceInput,
    ProcedureInput,
    close_competence,
    correct_attendance,
    record_attendance,
    void_attendance,
)
from app.care.bpa import BpaValidationError
from app.care.bpa_export import acronym, bpa_lines, export_bpa
from app.care.esus import FILE_SUFFIX, NS_FAI, NS_FP, validate_esus_xml
from app.care.esus_export import EsusExportError, esus_fichas, export_esus
from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.installation.models import Installation, Municipality, NodeKind
from app.reference.cid10 import load_cid10
from app.reference.sigtap import import_sigtap
from app.reference.sigtap_sample import import_sample_sigtap, sample_tables, write_zip
from app.registry.enums import Race, Sex, UnitKind
from app.registry.models import Citizen, District, HealthUnit, Professional, ProfessionalBond
from app.security.actor import Actor
from app.security.models import AuditEntry
from tests.unit.care.bpa_layout import parse_file

UNIT = "2171643"
IBGE = "3111200"
FEB = "202602"
CONSULTA_MEDICA = "0301010064"
CONSULTA_ENFERMAGEM = "0301010030"
PRESSAO = "0301100039"
GLICEMIA = "0214010015"
ANTROPOMETRIA = "0101040024"
CNPJ = generate_cnpj(random.Random(5))
NODE = uuid.UUID("01900000-0000-7000-8000-0000000000aa")
CLERK = Actor(
    account_id=uuid.UUID("01900000-0000-7000-8000-000000000021"),
    username="bia.faturamento",
    full_name="Beatriz Faturamento",
    permissions=frozenset({"care.read", "care.attend", "care.production"}),
)


@dataclass(frozen=True)
class World:
    doctor: uuid.UUID
    nurse: uuid.UUID
    tech: uuid.UUID
    maria: uuid.UUID  # CNS, full address
    joao: uuid.UUID  # CPF only
    doctor_cns: str
    nurse_cns: str
    tech_cns: str
    maria_cns: str
    joao_cpf: str


def _professional(name: str, rng: random.Random) -> Professional:
    return Professional(name=name, name_key=normalize_key(name), cns=generate_cns(rng))


def _bond(professional: Professional, cbo: str) -> ProfessionalBond:
    return ProfessionalBond(professional_id=professional.id, unit_cnes=UNIT, cbo=cbo)


@pytest.fixture
def world(db: Database, tmp_path: Path) -> World:
    rng = random.Random(17)
    with db.unit_of_work("sistema") as s:
        s.add(Municipality(name="Campina Verde", uf="MG", ibge_code=IBGE,
                           timezone="America/Sao_Paulo"))  # fmt: skip
        s.add(Installation(node_id=str(NODE), name="UBS Central", kind=NodeKind.UNIT,
                           unit_cnes=UNIT, created_at=db.clock.now()))  # fmt: skip
        s.add(HealthUnit(cnes=UNIT, name="UBS Central", kind=UnitKind.UBS))
        district = District(name="Vila Nova", name_key="VILA NOVA")
        doctor = _professional("Carla Menezes", rng)
        nurse = _professional("Rafael Campos", rng)
        tech = _professional("Sônia Prado", rng)
        s.add_all([district, doctor, nurse, tech])
        s.flush()
        s.add_all([_bond(doctor, "225142"), _bond(nurse, "223565"), _bond(tech, "322205")])
        maria = Citizen(
            name="Maria das Dores Silva", name_key="MARIA DAS DORES SILVA",
            cns=generate_cns(rng), birth_date=date(1980, 5, 10), sex=Sex.FEMALE,
            race=Race.BROWN, cep="38270000", street="Rua das Flores", number="120",
            district_id=district.id, municipality_ibge=IBGE, phone="34991234567", unit_cnes=UNIT,
        )  # fmt: skip
        joao = Citizen(
            name="João Pedro Souza", name_key="JOAO PEDRO SOUZA", cpf=generate_cpf(rng),
            birth_date=date(1975, 8, 1), sex=Sex.MALE, race=Race.WHITE,
            municipality_ibge=IBGE, unit_cnes=UNIT,
        )  # fmt: skip
        s.add_all([maria, joao])
        s.flush()
        load_cid10(s)
        for competence in ("202601", FEB, "202603"):
            import_sample_sigtap(s, tmp_path, competence)
        return World(doctor.id, nurse.id, tech.id, maria.id, joao.id, doctor.cns, nurse.cns,
                     tech.cns, maria.cns or "", joao.cpf or "")  # fmt: skip


def attendance(world: World, kind: str, **changes: object) -> AttendanceInput:
    """The month's typical attendances: "medica", "enfermagem", "tecnico" (João, by CPF)."""
    procedures = {
        "medica": (ProcedureInput(code=CONSULTA_MEDICA), ProcedureInput(code=PRESSAO),
                   ProcedureInput(code=GLICEMIA)),
        "enfermagem": (ProcedureInput(code=CONSULTA_ENFERMAGEM),
                       ProcedureInput(code=PRESSAO, quantity=2)),
        "tecnico": (ProcedureInput(code=GLICEMIA), ProcedureInput(code=PRESSAO, quantity=3),
                    ProcedureInput(code=ANTROPOMETRIA)),
    }[kind]  # fmt: skip
    who = {"medica": (world.doctor, "225142", world.maria, "J06.9"),
           "enfermagem": (world.nurse, "223565", world.maria, "I10"),
           "tecnico": (world.tech, "322205", world.joao, "")}[kind]  # fmt: skip
    values: dict[str, object] = {
        "unit_cnes": UNIT, "professional_id": who[0], "cbo": who[1], "citizen_id": who[2],
        "attended_on": date(2026, 2, 10), "procedures": procedures, "icd10": who[3],
    }  # fmt: skip
    values.update(changes)
    return AttendanceInput(**values)  # type: ignore[arg-type]


def record(db: Database, data: AttendanceInput) -> uuid.UUID:
    with db.unit_of_work(CLERK.username) as s:
        return record_attendance(s, CLERK, data).attendance_id


def close(db: Database, competence: str = FEB) -> None:
    with db.unit_of_work(CLERK.username) as s:
        close_competence(s, CLERK, UNIT, competence)


@pytest.fixture
def month(db: Database, world: World) -> dict[str, uuid.UUID]:
    """A February: two doctor's, one nurse's and two technician's attendances, plus one of
    January presented late (January was closed before it was typed)."""
    close(db, "202601")
    ids = {
        "medica": record(db, attendance(world, "medica")),
        "medica2": record(db, attendance(world, "medica", attended_on=date(2026, 2, 12))),
        "enfermagem": record(db, attendance(world, "enfermagem")),
        "tecnico": record(db, attendance(world, "tecnico")),
        "tecnico2": record(db, attendance(world, "tecnico", attended_on=date(2026, 2, 10),
                                          procedures=(ProcedureInput(code=PRESSAO),))),
        "atrasado": record(db, attendance(world, "medica", attended_on=date(2026, 1, 20))),
    }  # fmt: skip
    return ids


def export(db: Database, folder: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    with db.unit_of_work(CLERK.username) as s:
        return export_bpa(s, CLERK, UNIT, FEB, folder, provider_cnpj=CNPJ, **kwargs)  # type: ignore[arg-type]


# --- BPA ------------------------------------------------------------------------------------------


def test_bpa_file_reads_back_field_by_field(
    db: Database, world: World, month: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    close(db)
    folder = tmp_path / "bpa"
    result = export(db, folder)
    assert [p.name for p in folder.iterdir()] == [f"PA{UNIT}.FEV"] == [result.path.name]
    records = parse_file(result.path.read_bytes())
    header, body = records[0], records[1:]
    c_lines = [r for r in body if r["ident"] == "02"]
    i_lines = [r for r in body if r["ident"] == "03"]

    # BPA-C: pressure and anthropometry summed per (CBO, procedure, age).
    assert [(r["cbo"], r["pa"], r["idade"], r["qt"]) for r in c_lines] == [
        ("223565", PRESSAO, "045", "000002"),  # nurse, Maria 45
        ("225142", PRESSAO, "045", "000003"),  # doctor: 10/02, 12/02 and the late 20/01
        ("322205", ANTROPOMETRIA, "050", "000001"),  # João 50
        ("322205", PRESSAO, "050", "000004"),  # 3 + 1
    ]
    assert all((r["cnes"], r["cmp"], r["org"]) == (UNIT, FEB, "BPA") for r in c_lines)
    assert [(r["flh"], r["seq"]) for r in c_lines] == [("001", f"{n:02d}") for n in range(1, 5)]

    # BPA-I: consultations and glucose, in date order; the late one keeps its own date.
    assert [(r["dtaten"], r["pa"], r["cbo"]) for r in i_lines] == [
        ("20260120", CONSULTA_MEDICA, "225142"), ("20260120", GLICEMIA, "225142"),
        ("20260210", CONSULTA_MEDICA, "225142"), ("20260210", GLICEMIA, "225142"),
        ("20260210", CONSULTA_ENFERMAGEM, "223565"), ("20260210", GLICEMIA, "322205"),
        ("20260212", CONSULTA_MEDICA, "225142"), ("20260212", GLICEMIA, "225142"),
    ]  # fmt: skip
    maria = i_lines[2]
    assert maria == {
        **maria, "cnes": UNIT, "cmp": FEB, "cnsmed": world.doctor_cns, "cnspac": world.maria_cns,
        "cpf": " " * 11, "sexo": "F", "ibge": IBGE[:6], "cid": "J069", "idade": "045",
        "qt": "000001", "caten": "01", "org": "BPA", "nmpac": "MARIA DAS DORES SILVA".ljust(30),
        "dtnasc": "19800510", "raca": "03", "etnia": "    ", "nac": "010", "cep": "38270000",
        "end": "RUA DAS FLORES".ljust(30), "num": "120  ", "bairro": "VILA NOVA".ljust(30),
        "ddtel": "34991234567", "situacao_rua": "N",
    }  # fmt: skip
    joao = i_lines[5]
    assert (joao["cnsmed"], joao["cnspac"], joao["cpf"]) == (
        world.tech_cns,
        " " * 15,
        world.joao_cpf,
    )
    assert (joao["sexo"], joao["raca"], joao["cid"], joao["nmpac"].rstrip()) == (
        "M", "01", "    ", "JOAO PEDRO SOUZA"
    )  # fmt: skip
    assert [(r["flh"], r["seq"]) for r in i_lines] == [("001", f"{n:02d}") for n in range(1, 9)]

    control = sum(int(r["pa"]) + int(r["qt"]) for r in body) % 1111 + 1111
    assert header == {
        "hdr": "01", "tag": "#BPA#", "mvm": FEB, "lin": "000012", "flh": "000002",
        "control": str(control), "rsp": "SECRETARIA MUNICIPAL DE SAUDE".ljust(30),
        "sgl": "SMS   ", "cgccpf": CNPJ, "dst": "SECRETARIA MUNICIPAL DE SAUDE".ljust(40),
        "dst_in": "M", "versao": header["versao"],
    }  # fmt: skip
    assert (result.lines, result.sheets, result.control) == (12, 2, control)
    assert (result.attendances, result.consolidated, result.individual) == (6, 4, 8)


def test_export_is_audited_with_file_and_counts(
    db: Database, world: World, month: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    close(db)
    export(db, tmp_path)
    query = select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.username,
                   AuditEntry.detail).where(AuditEntry.action == "export")  # fmt: skip
    with db.read_only() as s:
        entity, entity_id, username, detail = s.execute(query).one()
    assert (entity, entity_id, username) == ("bpa", f"{UNIT}/{FEB}", CLERK.username)
    assert detail == {"file": f"PA{UNIT}.FEV", "competence": FEB, "lines": 12, "bpa_c": 4,
                      "bpa_i": 8, "attendances": 6}  # fmt: skip


def test_corrected_counts_once_with_new_values_and_voided_not_at_all(
    db: Database, world: World, month: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    with db.unit_of_work(CLERK.username) as s:
        fixed = replace(
            attendance(world, "tecnico"), procedures=(ProcedureInput(code=PRESSAO, quantity=5),)
        )
        correct_attendance(s, CLERK, month["tecnico"], fixed, "Quantidade digitada errada")
        void_attendance(s, CLERK, month["medica2"], "Atendimento lançado em duplicidade")
    close(db)
    records = parse_file(export(db, tmp_path).path.read_bytes())[1:]
    pressure = {(r["cbo"], r["qt"]) for r in records if r["ident"] == "02" and r["pa"] == PRESSAO}
    assert pressure == {("223565", "000002"), ("225142", "000002"), ("322205", "000006")}
    assert not [r for r in records if r["pa"] == ANTROPOMETRIA]
    individual = [(r["dtaten"], r["pa"]) for r in records if r["ident"] == "03"]
    assert ("20260212", CONSULTA_MEDICA) not in individual  # the voided one
    assert ("20260210", GLICEMIA) in individual and len(individual) == 5


def test_open_competence_is_refused(
    db: Database, world: World, month: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    with pytest.raises(ValidationError) as caught:
        export(db, tmp_path)
    assert caught.value.errors == {
        "competence": "Feche a competência 02/2026 antes de gerar o BPA."
    }
    with pytest.raises(ValidationError, match="Feche a competência 02/2026 antes de gerar"):
        with db.unit_of_work(CLERK.username) as s:
            export_esus(s, CLERK, UNIT, FEB, tmp_path, provider_cnpj=CNPJ)
    assert list(tmp_path.glob("PA*")) == [] and list(tmp_path.glob("*.esus.xml")) == []


def test_permission_is_required(db: Database, world: World, tmp_path: Path) -> None:
    typist = replace(CLERK, permissions=frozenset({"care.attend"}))
    other_unit = replace(CLERK, units=frozenset({"2171651"}))
    for actor in (typist, other_unit):
        with pytest.raises(PermissionDenied), db.unit_of_work("x") as s:
            export_bpa(s, actor, UNIT, FEB, tmp_path, provider_cnpj=CNPJ)
        with pytest.raises(PermissionDenied), db.read_only() as s:
            bpa_lines(s, actor, UNIT, FEB)


def _without_bpa_instrument(folder: Path, competence: str) -> Path:
    """The sample where anthropometry is registered only in an instrument that is not BPA."""
    tables = sample_tables(competence)
    for row in tables["rl_procedimento_registro"]:
        if row["CO_PROCEDIMENTO"] == ANTROPOMETRIA:
            row["CO_REGISTRO"] = "03"
    tables["tb_registro"].append({"CO_REGISTRO": "03", "NO_REGISTRO": "AIH (PROC. PRINCIPAL)",
                                  "DT_COMPETENCIA": competence})  # fmt: skip
    return write_zip(folder, competence, tables)


def test_procedure_without_bpa_instrument_is_a_problem_and_nothing_is_written(
    db: Database, world: World, month: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    close(db)
    with db.unit_of_work("sistema") as s:
        import_sigtap(s, _without_bpa_instrument(tmp_path, FEB), replace=True)
    folder = tmp_path / "out"
    with pytest.raises(BpaValidationError) as caught:
        export(db, folder)
    reference = "Atendimento de 10/02/2026 — João Pedro Souza (Sônia Prado)"
    assert [(p.attendance_ref, p.field, p.message) for p in caught.value.problems] == [
        (reference, "procedure",
         f"O procedimento {ANTROPOMETRIA} não é registrado em BPA (instrumento: 03 AIH (PROC. "
         "PRINCIPAL)).")
    ]  # fmt: skip
    assert not folder.exists() or list(folder.iterdir()) == []
    with db.read_only() as s:
        batch = bpa_lines(s, CLERK, UNIT, FEB, provider_cnpj=CNPJ)
    assert batch.attendance_id(reference) == month["tecnico"]
    assert [p.attendance_ref for p in batch.problems] == [reference]


def test_preview_lists_the_header_problem_of_a_missing_cnpj_and_the_date_rule(
    db: Database, world: World, month: dict[str, uuid.UUID]
) -> None:
    with db.read_only() as s:
        batch = bpa_lines(s, CLERK, UNIT, FEB)
        strict = bpa_lines(s, CLERK, UNIT, FEB, provider_cnpj=CNPJ, late_months=0)
    assert [(p.attendance_ref, p.field, p.message) for p in batch.problems] == [
        ("", "provider_cnpj_cpf", "Informe o CNPJ do órgão de origem (quem envia o BPA).")
    ]
    assert batch.header.origin_acronym == "SMS" and batch.attendances == 6
    late = "Atendimento de 20/01/2026 — Maria das Dores Silva (Carla Menezes)"
    assert {(p.attendance_ref, p.message) for p in strict.problems} == {
        (late, "Data do atendimento fora do período aceito na competência 02/2026 "
               "(de 02/2026 a 02/2026).")
    }  # fmt: skip


def test_acronym_of_the_secretariat() -> None:
    assert acronym("Secretaria Municipal de Saúde") == "SMS"
    assert acronym("Fundo Municipal de Saúde de Campina Verde") == "FMSCV"


# --- e-SUS ----------------------------------------------------------------------------------------


def test_esus_fichas_validate_and_reexport_keeps_the_names(
    db: Database, world: World, month: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    close(db)
    with db.unit_of_work(CLERK.username) as s:
        first = export_esus(s, CLERK, UNIT, FEB, tmp_path / "a", provider_cnpj=CNPJ)
    with db.unit_of_work(CLERK.username) as s:
        again = export_esus(s, CLERK, UNIT, FEB, tmp_path / "b", provider_cnpj=CNPJ)
    assert [p.name for p in first.files] == [p.name for p in again.files]
    # FAI: the four consultations; FP: doctor 20/01, doctor 10/02, doctor 12/02, nurse 10/02 and
    # the technician's 10/02 holding João's two attendances in one item.
    assert (first.individual, first.procedure_sheets, first.attendances) == (4, 5, 6)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in first.files) and len(names) == 9
    assert f"{UNIT}-{month['medica']}{FILE_SUFFIX}" in names
    for path in first.files:
        data = path.read_bytes()
        assert validate_esus_xml(data) == [], path.name
        assert data == (tmp_path / "b" / path.name).read_bytes()


def test_esus_fai_and_procedure_sheet_content(
    db: Database, world: World, month: dict[str, uuid.UUID]
) -> None:
    from lxml import etree

    with db.read_only() as s:
        files = dict(esus_fichas(s, CLERK, UNIT, FEB, provider_cnpj=CNPJ))
    fai = etree.fromstring(files[f"{UNIT}-{month['medica']}"])
    child = fai.find(
        f"{{{NS_FAI}}}fichaAtendimentoIndividualMasterTransport/atendimentosIndividuais"
    )
    assert child is not None
    assert child.findtext("cnsCidadao") == world.maria_cns
    assert child.findtext("exame/codigoExame") == GLICEMIA
    assert child.findtext("problemasCondicoes/cid10") == "J069"
    assert [e.text for e in child.findall("condutas")] == ["9"]
    fp_tag = f"{{{NS_FP}}}fichaProcedimentoMasterTransport"
    documents = [etree.fromstring(data) for data in files.values()]
    sheets = [doc for doc in documents if doc.find(fp_tag) is not None]
    tech = [x for x in sheets if x.findtext(".//cboCodigo_2002") == "322205"]
    assert len(tech) == 1
    items = tech[0].findall(f"{fp_tag}/atendProcedimentos")
    codes = [
        (i.findtext("cpfCidadao"), [p.text for p in i.findall("procedimentos")]) for i in items
    ]
    assert codes == [(world.joao_cpf, [GLICEMIA, PRESSAO, ANTROPOMETRIA])]
    doctor = [x for x in sheets if x.findtext(".//cboCodigo_2002") == "225142"]
    procedures = {p.text for x in doctor for p in x.iter("procedimentos")}
    assert procedures == {PRESSAO}  # consultation → FAI, glucose → FAI exam


def test_esus_problem_names_the_attendance_and_nothing_is_written(
    db: Database, world: World, month: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    record(db, attendance(world, "medica", icd10="", attended_on=date(2026, 2, 20)))
    close(db)
    folder = tmp_path / "esus"
    with pytest.raises(EsusExportError) as caught, db.unit_of_work(CLERK.username) as s:
        export_esus(s, CLERK, UNIT, FEB, folder, provider_cnpj=CNPJ)
    assert [(p.attendance_ref, p.message) for p in caught.value.problems] == [
        ("Atendimento de 20/02/2026 — Maria das Dores Silva (Carla Menezes)",
         "Problema/condição avaliada: informe pelo menos um CID-10 ou CIAP.")
    ]  # fmt: skip
    assert not folder.exists() or list(folder.iterdir()) == []


def test_esus_missing_cnpj_is_one_problem(
    db: Database, world: World, month: dict[str, uuid.UUID]
) -> None:
    with pytest.raises(EsusExportError) as caught, db.read_only() as s:
        esus_fichas(s, CLERK, UNIT, FEB)
    assert [(p.attendance_id, p.message) for p in caught.value.problems] == [
        (None, "CPF/CNPJ da instalação: campo obrigatório.")
    ]


def test_an_indigenous_citizen_goes_to_bpa_i_with_the_etnia_of_the_record(
    db: Database, world: World, tmp_path: Path
) -> None:
    """BPA-I requires the etnia for race 05: it comes from the citizen's record, and a record
    without it is named as the problem to fix instead of stopping the file without a reason."""
    with db.unit_of_work("sistema") as s:
        maria = s.get(Citizen, world.maria)
        assert maria is not None
        maria.race, maria.ethnicity = Race.INDIGENOUS, "0123"
    record(db, attendance(world, "medica"))
    close(db)
    lines = [
        r for r in parse_file(export(db, tmp_path).path.read_bytes())[1:] if r["ident"] == "03"
    ]
    assert {(r["raca"], r["etnia"]) for r in lines} == {("05", "0123")}
    with db.unit_of_work("sistema") as s:
        maria = s.get(Citizen, world.maria)
        assert maria is not None
        maria.ethnicity = ""
    with db.read_only() as s:
        problems = bpa_lines(s, CLERK, UNIT, FEB, provider_cnpj=CNPJ).problems
    assert {(p.field, p.message) for p in problems} == {
        ("ethnicity", "Raça/cor indígena (05) exige a etnia.")
    }
