"""The bundled CBO list: the occupations of the demo and of br-health §1.5 load and are found."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.session import Database
from app.errors import ValidationError
from app.installation.demo import OCCUPATIONS
from app.reference.cbo import load_occupations, occupation_title
from app.reference.models import ReferenceVersion


def test_every_demo_occupation_is_listed_with_its_title(db: Database) -> None:
    with db.unit_of_work("sistema") as session:
        first = load_occupations(session)
        assert load_occupations(session) == first  # same file: no second version
    with db.read_only() as session:
        for cbo, title in OCCUPATIONS:
            assert occupation_title(session, cbo) == title
        assert occupation_title(session, "515140") == "Agente de combate às endemias"
        assert occupation_title(session, "999999") is None
        assert session.scalar(select(func.count()).select_from(ReferenceVersion)) == 1


def test_a_malformed_occupation_list_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "occupations.csv"
    path.write_text("cbo;titulo;fonte\n22514;Médico;x\n", encoding="utf-8")
    with db.unit_of_work("sistema") as session:
        with pytest.raises(ValidationError, match="linha 2: CBO ou título inválido"):
            load_occupations(session, path)
        assert occupation_title(session, "225142") is None
