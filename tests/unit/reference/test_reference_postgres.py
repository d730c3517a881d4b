"""Reference loaders on a real PostgreSQL server (the hub): CID-10 search without FTS5, SIGTAP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sigtap_zip import build_zip

from app.clock import FixedClock
from app.db.migrate import upgrade
from app.db.session import Database
from app.errors import ValidationError
from app.reference.cbo import load_occupations, occupation_title
from app.reference.cid10 import icd10_sex_error, load_cid10, search_icd10
from app.reference.sigtap import import_sigtap, procedure_check

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(pg_url: str) -> Iterator[Database]:
    clock = FixedClock()
    database = Database(pg_url, node_id="hub", clock=clock)
    upgrade(database, clock.now())
    yield database
    database.dispose()


def test_cid10_loads_and_searches_on_postgresql(pg: Database) -> None:
    with pg.unit_of_work("sistema") as session:
        first = load_cid10(session)
        assert load_cid10(session) == first
    with pg.read_only() as session:
        assert [row.code for row in search_icd10(session, "colera")][:2] == ["A00", "A000"]
        assert [row.code for row in search_icd10(session, "dengue")] == ["A90", "A91"]
        assert [row.code for row in search_icd10(session, "A90.0")] == []
        assert icd10_sex_error(session, "N40", "F") == (
            "O CID N40 (Hiperplasia da próstata) é restrito ao sexo masculino."
        )


def test_sigtap_and_cbo_on_postgresql(pg: Database, tmp_path: Path) -> None:
    with pg.unit_of_work("sistema") as session:
        import_sigtap(session, build_zip(tmp_path, "202603"))
        load_occupations(session)
    with pg.unit_of_work("sistema") as session:
        with pytest.raises(ValidationError, match="já foi importada"):
            import_sigtap(session, build_zip(tmp_path, "202603"))
    with pg.read_only() as session:
        reasons = procedure_check(
            session, "202603", "0301010064", cbo="223565", age_years=40, sex="M", has_cns=False
        )
        assert len(reasons) == 2 and "CBO 223565" in reasons[0] and "CNS" in reasons[1]
        assert occupation_title(session, "225142") == "Médico da estratégia de saúde da família"
