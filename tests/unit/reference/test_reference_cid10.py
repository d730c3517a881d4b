"""CID-10 as a clerk uses it: the real DATASUS files load, search by code or words, sex limits."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from app.db.session import Database
from app.paths import resource_path
from app.reference.cid10 import get_icd10, icd10_sex_error, load_cid10, search_icd10
from app.reference.models import Icd10Code, ReferenceKind, ReferenceVersion

# The DATASUS subcategory file has 12,451 rows: 12,188 four-character subcategories and 263
# three-character categories that have no subdivision (A90, N40…). The category file adds the
# 2,045 categories (those 263 among them), and the supplement U07.1 and U07.2:
# 12,188 + 2,045 + 2 = 14,235 distinct codes.
DATASUS_SUBCATEGORY_ROWS = 12_451
EXPECTED_CODES = 12_188 + 2_045 + 2


def _loaded(db: Database) -> int:
    with db.unit_of_work("sistema") as session:
        return load_cid10(session)


def test_real_datasus_files_load_with_every_code(db: Database) -> None:
    version_id = _loaded(db)
    with db.read_only() as session:
        version = session.get(ReferenceVersion, version_id)
        assert version is not None and version.kind == ReferenceKind.CID10
        assert version.label == "2008" and version.active and len(version.sha256) == 64
        assert version.row_count == EXPECTED_CODES
        leaves_from_datasus = session.scalar(
            select(func.count())
            .select_from(Icd10Code)
            .where(Icd10Code.is_leaf.is_(True), Icd10Code.added_on.is_(None))
        )
    assert leaves_from_datasus == DATASUS_SUBCATEGORY_ROWS


def test_search_finds_dengue_by_word_and_by_code(db: Database) -> None:
    _loaded(db)
    with db.read_only() as session:
        by_word = [row.code for row in search_icd10(session, "dengue")]
        assert "A90" in by_word and "A91" in by_word
        assert [row.code for row in search_icd10(session, "A90")] == ["A90"]  # no subcategory
        chikungunya = [row.dotted for row in search_icd10(session, "A92")]
        assert chikungunya[:3] == ["A92", "A92.0", "A92.1"]
        assert [row.code for row in search_icd10(session, "a92.0")] == ["A920"]
        assert [row.code for row in search_icd10(session, "A920")] == ["A920"]


def test_search_ignores_accents_and_finds_the_supplement(db: Database) -> None:
    _loaded(db)
    with db.read_only() as session:
        colera = search_icd10(session, "colera")
        assert colera[0].code == "A00" and colera[0].description == "Cólera"
        assert {"A000", "A001", "A009"} <= {row.code for row in colera}
        assert [row.code for row in search_icd10(session, "hiperplasia prostata")] == ["N40"]
        covid = search_icd10(session, "covid")
        assert [row.dotted for row in covid] == ["U07.1", "U07.2"]
        assert covid[1].description == "COVID-19, vírus não identificado"
        assert search_icd10(session, "   ") == [] and search_icd10(session, "***") == []


def test_sex_restricted_codes_give_the_clerk_a_reason(db: Database) -> None:
    _loaded(db)
    with db.read_only() as session:
        assert icd10_sex_error(session, "N40", "F") == (
            "O CID N40 (Hiperplasia da próstata) é restrito ao sexo masculino."
        )
        assert icd10_sex_error(session, "N40", "M") is None
        assert icd10_sex_error(session, "O00.1", "M") == (
            "O CID O00.1 (Gravidez tubária) é restrito ao sexo feminino."
        )
        assert icd10_sex_error(session, "O00", "M") is not None  # category: all children F
        assert icd10_sex_error(session, "A90", "F") is None
        assert icd10_sex_error(session, "N40", "I") is None
        row = get_icd10(session, "b26.0")
        assert row is not None and row.sex_restriction == "M" and row.is_leaf


def test_loading_the_same_files_twice_makes_no_second_version(db: Database) -> None:
    first = _loaded(db)
    second = _loaded(db)
    assert first == second
    with db.read_only() as session:
        versions = session.scalar(select(func.count()).select_from(ReferenceVersion))
        codes = session.scalar(select(func.count()).select_from(Icd10Code))
    assert versions == 1 and codes == EXPECTED_CODES


def test_a_changed_supplement_is_a_new_active_version(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "cid10"
    shutil.copytree(resource_path("reference", "cid10"), folder)
    first = _loaded(db)
    with (folder / "supplement.csv").open("a", encoding="utf-8") as handle:
        handle.write("U099;Condição pós-COVID-19, não especificada;;2026-11-26;teste\n")
    with db.unit_of_work("sistema") as session:
        second = load_cid10(session, folder)
    assert second != first
    with db.read_only() as session:
        assert session.get(ReferenceVersion, first).active is False  # type: ignore[union-attr]
        assert [row.code for row in search_icd10(session, "pos covid")] == ["U099"]
        dengue = [row.code for row in search_icd10(session, "dengue")]
    assert dengue == ["A90", "A91"]  # the active version only, no duplicate from the old one
