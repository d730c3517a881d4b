"""SIGTAP import from a zip built in the official structure, and the checks an attendance meets."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from sigtap_zip import PROCEDURE_COLUMNS, build_zip, procedures
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.session import Database
from app.errors import ValidationError
from app.reference.models import (
    ReferenceVersion,
    SigtapProcedure,
    SigtapProcedureCbo,
    SigtapProcedureCid,
    SigtapProcedureInstrument,
)
from app.reference.sigtap import SigtapImport, import_sigtap, procedure, procedure_check

CONSULTA, COLETA = "0301010064", "0201020033"
CONSULTA_LABEL = "O procedimento 0301010064 (CONSULTA MEDICA EM ATENCAO PRIMARIA)"
COLETA_LABEL = (
    "O procedimento 0201020033 (COLETA DE MATERIAL P/ EXAME CITOPATOLÓGICO DE COLO UTERINO)"
)
TABLES = (
    ReferenceVersion,
    SigtapProcedure,
    SigtapProcedureCbo,
    SigtapProcedureCid,
    SigtapProcedureInstrument,
)


def _import(db: Database, path: Path, *, replace: bool = False) -> SigtapImport:
    with db.unit_of_work("sistema") as session:
        return import_sigtap(session, path, replace=replace)


def _row_counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in TABLES
    }


def _check(session: Session, competence: str, code: str, **given: object) -> list[str]:
    person: dict[str, object] = {"cbo": "225142", "age_years": 30, "sex": "F", "has_cns": True}
    person.update(given)
    return procedure_check(session, competence, code, **person)  # type: ignore[arg-type]


def test_official_zip_imports_procedures_with_their_links(db: Database, tmp_path: Path) -> None:
    result = _import(db, build_zip(tmp_path, "202603"))
    assert result.competence == "202603"
    assert result.counts == {
        "tb_procedimento": 2,
        "rl_procedimento_ocupacao": 2,
        "rl_procedimento_cid": 1,
        "rl_procedimento_registro": 3,
    }
    with db.read_only() as session:
        consulta = procedure(session, "202603", CONSULTA)
        coleta = procedure(session, "202603", COLETA)
        assert procedure(session, "202604", CONSULTA) is None
    assert consulta is not None and coleta is not None
    assert consulta.name == "CONSULTA MEDICA EM ATENCAO PRIMARIA"
    assert consulta.instruments == (("01", "BPA (Consolidado)"), ("02", "BPA (Individualizado)"))
    assert consulta.requires_cns is True and coleta.requires_cns is False
    assert (consulta.min_age_months, consulta.max_age_months) == (0, None)  # 9999 = no limit
    assert (coleta.sex, coleta.min_age_months, coleta.max_age_months) == ("F", 144, 768)
    assert "CITOPATOLÓGICO" in coleta.name  # Windows-1252 text decoded


def test_procedure_check_gives_every_reason_in_portuguese(db: Database, tmp_path: Path) -> None:
    _import(db, build_zip(tmp_path, "202603"))
    with db.read_only() as session:
        assert _check(session, "202603", CONSULTA) == []
        assert _check(session, "202603", CONSULTA, cbo="223565", has_cns=False) == [
            f"{CONSULTA_LABEL} não é permitido para a ocupação CBO 223565.",
            f"{CONSULTA_LABEL} exige o CNS do cidadão.",
        ]
        # No CBO listed for the collection: any occupation may do it.
        assert _check(session, "202603", COLETA, cbo="223565", has_cns=False) == []
        assert _check(session, "202603", COLETA, sex="M", age_years=11) == [
            f"{COLETA_LABEL} é exclusivo do sexo feminino.",
            f"{COLETA_LABEL} exige idade mínima de 12 anos.",
        ]
        assert _check(session, "202603", COLETA, age_years=12) == []
        assert _check(session, "202603", COLETA, age_years=64) == []
        assert _check(session, "202603", COLETA, age_years=65) == [
            f"{COLETA_LABEL} admite idade máxima de 64 anos."
        ]
        assert _check(session, "202603", "0101010010") == [
            "O procedimento 0101010010 não existe na tabela SIGTAP da competência 03/2026."
        ]
        assert _check(session, "202605", CONSULTA) == [
            "A tabela SIGTAP da competência 05/2026 não foi importada."
        ]


def test_competences_live_side_by_side(db: Database, tmp_path: Path) -> None:
    _import(db, build_zip(tmp_path, "202603"))
    april = procedures("202604", min_age_coleta=300)
    april["rl_procedimento_ocupacao"].append(
        {"CO_PROCEDIMENTO": CONSULTA, "CO_OCUPACAO": "223565", "DT_COMPETENCIA": "202604"}
    )
    _import(db, build_zip(tmp_path, "202604", april))
    with db.read_only() as session:
        assert _check(session, "202603", CONSULTA, cbo="223565") == [
            f"{CONSULTA_LABEL} não é permitido para a ocupação CBO 223565."
        ]
        assert _check(session, "202604", CONSULTA, cbo="223565") == []
        assert _check(session, "202603", COLETA, age_years=20) == []
        assert _check(session, "202604", COLETA, age_years=20) == [
            f"{COLETA_LABEL} exige idade mínima de 25 anos."
        ]
        versions = session.scalars(select(ReferenceVersion.label).order_by(ReferenceVersion.id))
        assert list(versions) == ["202603", "202604"]


def test_positions_come_from_the_layout_file(db: Database, tmp_path: Path) -> None:
    """A competence whose layout moves and widens columns still imports right."""
    rest = [col for col in PROCEDURE_COLUMNS if col[0] not in {"TP_SEXO", "VL_IDADE_MAXIMA"}]
    moved = [("TP_SEXO", 1), ("VL_IDADE_MAXIMA", 5), *rest]
    _import(db, build_zip(tmp_path, "202603", layouts={"tb_procedimento": moved}))
    with db.read_only() as session:
        coleta = procedure(session, "202603", COLETA)
    assert coleta is not None
    assert (coleta.sex, coleta.min_age_months, coleta.max_age_months) == ("F", 144, 768)
    assert coleta.name.startswith("COLETA DE MATERIAL")


def _refused(db: Database, path: Path, message: str) -> dict[str, int]:
    with db.unit_of_work("sistema") as session:
        with pytest.raises(ValidationError, match=message):
            import_sigtap(session, path)
        return _row_counts(session)


NOTHING = {model.__tablename__: 0 for model in TABLES}


def test_a_file_that_is_not_a_zip_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "TabelaUnificada_202603_v2603011200.zip"
    path.write_bytes(b"CO_PROCEDIMENTO;NO_PROCEDIMENTO\n" * 10)
    assert _refused(db, path, "não é um arquivo zip válido") == NOTHING


def test_a_name_outside_the_official_pattern_is_refused(db: Database, tmp_path: Path) -> None:
    path = build_zip(tmp_path, "202603", name="sigtap_marco.zip")
    assert _refused(db, path, "não é o da Tabela Unificada do SIGTAP") == NOTHING
    month_13 = build_zip(tmp_path, "202613")
    assert _refused(db, month_13, "TabelaUnificada_AAAAMM_vAAMMDDHHMM.zip") == NOTHING


def test_a_zip_without_the_required_tables_lists_them(db: Database, tmp_path: Path) -> None:
    path = build_zip(
        tmp_path, "202603", skip=("rl_procedimento_cid.txt", "rl_procedimento_ocupacao_layout.txt")
    )
    message = "faltam rl_procedimento_ocupacao_layout.txt, rl_procedimento_cid.txt"
    assert _refused(db, path, message) == NOTHING
    empty = tmp_path / "TabelaUnificada_202604_v2604011200.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("leiame.txt", "nada")
    assert _refused(db, empty, "tb_procedimento.txt, tb_procedimento_layout.txt") == NOTHING


def test_a_layout_without_a_required_column_is_refused(db: Database, tmp_path: Path) -> None:
    without_age = [col for col in PROCEDURE_COLUMNS if col[0] != "VL_IDADE_MINIMA"]
    path = build_zip(tmp_path, "202603", layouts={"tb_procedimento": without_age})
    message = re.escape(
        "tb_procedimento_layout.txt não tem a(s) coluna(s) obrigatória(s): VL_IDADE"
    )
    assert _refused(db, path, message) == NOTHING


def test_a_bad_line_half_way_leaves_nothing_written(db: Database, tmp_path: Path) -> None:
    tables = procedures("202603")
    tables["rl_procedimento_cid"][0]["DT_COMPETENCIA"] = "202602"
    path = build_zip(tmp_path, "202603", tables)
    message = "rl_procedimento_cid.txt, linha 1: a competência 202602 difere da do arquivo"
    assert _refused(db, path, message) == NOTHING


def test_a_competence_already_imported_is_refused_unless_replaced(
    db: Database, tmp_path: Path
) -> None:
    _import(db, build_zip(tmp_path, "202603"))
    with db.read_only() as session:
        before = _row_counts(session)
    again = build_zip(tmp_path, "202603", name="TabelaUnificada_202603_v2603151200.zip")
    assert _refused(db, again, "competência 03/2026 já foi importada") == before
    fewer = procedures("202603")
    fewer["tb_procedimento"] = fewer["tb_procedimento"][:1]
    fewer["rl_procedimento_cid"] = []
    fewer["rl_procedimento_registro"] = fewer["rl_procedimento_registro"][:2]
    replaced = build_zip(tmp_path, "202603", fewer, name="TabelaUnificada_202603_v2603201200.zip")
    _import(db, replaced, replace=True)
    with db.read_only() as session:
        assert _row_counts(session)["sigtap_procedure"] == 1
        assert _row_counts(session)["reference_version"] == 1
        assert procedure(session, "202603", COLETA) is None


def test_repeated_lines_and_a_damaged_zip_are_refused(db: Database, tmp_path: Path) -> None:
    tables = procedures("202603")
    tables["rl_procedimento_ocupacao"].append(dict(tables["rl_procedimento_ocupacao"][0]))
    repeated = build_zip(tmp_path, "202603", tables)
    assert _refused(db, repeated, "linhas repetidas") == NOTHING
    damaged = build_zip(tmp_path, "202604")
    with zipfile.ZipFile(damaged) as archive:
        info = archive.getinfo("tb_procedimento.txt")
    data = bytearray(damaged.read_bytes())
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle] ^= 0xFF
    damaged.write_bytes(bytes(data))
    assert _refused(db, damaged, "está danificado") == NOTHING
