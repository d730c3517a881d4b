"""The illustrative SIGTAP sample: it imports as an official zip would, and the checks bite on it.

Also the read side the "Tabelas de referência" page uses (competences, procedure search), the
service that imports for a person, and the demo's reference tables (CID-10 and four competences).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.session import Database
from app.errors import PermissionDenied
from app.installation.demo import OCCUPATIONS, create_demo
from app.reference.cid10 import search_icd10
from app.reference.models import ReferenceVersion
from app.reference.queries import list_sigtap_versions, search_procedures
from app.reference.service import import_sigtap_file
from app.reference.sigtap import (
    CompetenceAlreadyImported,
    import_sigtap,
    procedure,
    procedure_check,
)
from app.reference.sigtap_sample import (
    SAMPLE_NOTE,
    SAMPLE_PROCEDURES,
    import_sample_sigtap,
    write_sample_sigtap,
)
from app.security.actor import SYSTEM, Actor
from app.security.audit import list_entries

CONSULTA, COLETA, PRESSAO, GLICEMIA = "0301010064", "0201020033", "0301100039", "0214010015"
CONSULTA_LABEL = "O procedimento 0301010064 (CONSULTA MEDICA EM ATENCAO PRIMARIA)"


def _sigtap_check_digit(code: str) -> int:
    """br-health §2.2: mod 11, weights 10..2 over the first 9 digits; 10 or 11 give 0."""
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(code[:9], weights, strict=True))
    digit = 11 - total % 11
    return 0 if digit >= 10 else digit


def _check(db: Database, code: str, **given: object) -> list[str]:
    person: dict[str, object] = {"cbo": "225142", "age_years": 40, "sex": "F", "has_cns": True}
    person.update(given)
    with db.read_only() as session:
        return procedure_check(session, "202603", code, **person)  # type: ignore[arg-type]


@pytest.fixture
def sample(db: Database, tmp_path: Path) -> Database:
    with db.unit_of_work("sistema") as session:
        import_sigtap(session, write_sample_sigtap(tmp_path, "202603"))
    return db


def test_every_sample_code_has_a_valid_check_digit() -> None:
    wrong = [p.code for p in SAMPLE_PROCEDURES if _sigtap_check_digit(p.code) != int(p.code[9])]
    assert wrong == []


def test_the_sample_zip_is_in_the_official_structure_and_says_it_is_a_sample(
    tmp_path: Path,
) -> None:
    path = write_sample_sigtap(tmp_path, "202603")
    assert path.name == "TabelaUnificada_202603_v2603011200.zip"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        readme = archive.read("LEIAME.txt").decode("cp1252")
    assert {"tb_procedimento.txt", "tb_procedimento_layout.txt", "tb_registro.txt"} <= names
    assert "NAO E A TABELA OFICIAL" in readme


def test_the_sample_imports_with_instruments_and_cns(sample: Database) -> None:
    with sample.read_only() as session:
        consulta = procedure(session, "202603", CONSULTA)
        pressao = procedure(session, "202603", PRESSAO)
        glicemia = procedure(session, "202603", GLICEMIA)
    assert consulta is not None and pressao is not None and glicemia is not None
    assert consulta.instruments == (("02", "BPA (INDIVIDUALIZADO)"),)
    assert pressao.instruments == (("01", "BPA (CONSOLIDADO)"),)
    assert [code for code, _ in glicemia.instruments] == ["01", "02"]
    assert consulta.requires_cns is True and pressao.requires_cns is False


def test_the_consultation_is_for_doctors_only(sample: Database) -> None:
    assert _check(sample, CONSULTA, cbo="223565") == [
        f"{CONSULTA_LABEL} não é permitido para a ocupação CBO 223565."
    ]
    assert _check(sample, CONSULTA, cbo="225142") == []
    assert _check(sample, CONSULTA, cbo="225142", has_cns=False) == [
        f"{CONSULTA_LABEL} exige o CNS do cidadão."
    ]


def test_the_cervical_collection_is_for_women_of_25_to_64(sample: Database) -> None:
    label = "O procedimento 0201020033 (COLETA DE MATERIAL P/ EXAME CITOPATOLÓGICO DE COLO UTERINO)"
    assert _check(sample, COLETA, cbo="223565") == []
    assert _check(sample, COLETA, cbo="223565", sex="M") == [
        f"{label} é exclusivo do sexo feminino."
    ]
    assert _check(sample, COLETA, age_years=24) == [f"{label} exige idade mínima de 25 anos."]
    assert _check(sample, COLETA, age_years=65) == [f"{label} admite idade máxima de 64 anos."]


def test_search_by_words_without_accents_or_by_code(sample: Database) -> None:
    with sample.read_only() as session:
        pressao = search_procedures(session, "202603", "afericao pressão")
        by_code = search_procedures(session, "202603", "03.01.01")
        nothing = search_procedures(session, "202604", "pressao")
    assert [row.code for row in pressao] == [PRESSAO]
    assert "322245" in pressao[0].cbos and pressao[0].instruments[0][0] == "01"
    assert [row.code for row in by_code] == ["0301010030", CONSULTA]
    assert nothing == []


def test_the_service_checks_the_permission_and_records_the_import(
    db: Database, tmp_path: Path
) -> None:
    clerk = Actor(None, "recepcao", "Recepção", frozenset({"care.read"}))
    path = write_sample_sigtap(tmp_path, "202603")
    with db.unit_of_work("recepcao") as session:
        with pytest.raises(PermissionDenied, match="tabelas de referência"):
            import_sigtap_file(session, clerk, path)
    with db.unit_of_work("sistema") as session:
        import_sigtap_file(session, SYSTEM, path)
    with db.unit_of_work("sistema") as session:
        with pytest.raises(CompetenceAlreadyImported) as refused:
            import_sigtap_file(session, SYSTEM, path)
        assert refused.value.competence == "202603"
        import_sigtap_file(session, SYSTEM, path, replace=True)
    with db.read_only() as session:
        assert [row.competence for row in list_sigtap_versions(session)] == ["202603"]
        actions = [entry.action for entry in list_entries(session, SYSTEM, offset=0, limit=10)]
    assert actions == ["import", "import"]


def test_the_sample_version_says_it_is_illustrative(db: Database, tmp_path: Path) -> None:
    with db.unit_of_work("sistema") as session:
        import_sample_sigtap(session, tmp_path, "202603")
    with db.read_only() as session:
        source = session.scalars(select(ReferenceVersion.source)).one()
    assert source.startswith("TabelaUnificada_202603_") and SAMPLE_NOTE in source


def test_the_demo_has_cid10_and_four_competences_covering_its_professionals(
    db: Database,
) -> None:
    create_demo(db, citizens=0, seed=5)  # the test clock is in 03/2026
    with db.read_only() as session:
        competences = [row.competence for row in list_sigtap_versions(session)]
        assert [row.code for row in search_icd10(session, "dengue")] == ["A90", "A91"]
        allowed = {cbo for row in search_procedures(session, "202603", "") for cbo in row.cbos}
    assert competences == ["202603", "202602", "202601", "202512"]
    assert {cbo for cbo, _title in OCCUPATIONS} <= allowed
