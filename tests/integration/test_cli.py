"""The headless commands as a support technician or a scheduler runs them."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from app.bootstrap import open_database
from app.cli import main
from app.installation.demo import create_demo
from app.registry.queries import CitizenFilter, find_citizens
from app.registry.reports import citizen_record_pdf
from app.security.actor import SYSTEM


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "cli.sqlite3"
    assert main(["--db", str(path), "demo", "--citizens", "30"]) == 0
    return path


def test_demo_refuses_a_configured_database(demo_file: Path, capsys) -> None:
    assert main(["--db", str(demo_file), "demo"]) == 1
    assert "já está configurado" in capsys.readouterr().err


def test_audit_verify_points_to_the_first_tampered_entry(demo_file: Path, capsys) -> None:
    assert main(["--db", str(demo_file), "audit-verify"]) == 0
    assert "Trilha íntegra" in capsys.readouterr().out
    with sqlite3.connect(demo_file) as conn:
        conn.execute("UPDATE audit_entry SET username = 'intruso' WHERE seq = 7")
    conn.close()
    assert main(["--db", str(demo_file), "audit-verify"]) == 1
    assert "registro nº 7" in capsys.readouterr().out


def test_verify_a_printed_code_and_an_altered_one(demo_file: Path, capsys) -> None:
    db = open_database(str(demo_file))
    with db.unit_of_work() as s:
        first = find_citizens(s, SYSTEM, CitizenFilter(), limit=1)[0]
        code = citizen_record_pdf(s, SYSTEM, first.id).code
    db.dispose()
    assert main(["--db", str(demo_file), "verify", code.lower()]) == 0
    assert "Documento autêntico" in capsys.readouterr().out
    altered = ("1" if code[0] != "1" else "2") + code[1:]
    assert main(["--db", str(demo_file), "verify", altered]) == 1
    out = capsys.readouterr().out
    assert "mal formado" in out or "Nenhum documento" in out


def test_a_newer_database_is_refused_with_exit_code_2(demo_file: Path, capsys) -> None:
    with sqlite3.connect(demo_file) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_futuro'")
    conn.close()
    assert main(["--db", str(demo_file), "migrate"]) == 2
    assert "versão mais nova" in capsys.readouterr().err


@pytest.mark.postgres
def test_hub_on_postgresql_registers_and_finds_citizens(pg_url: str) -> None:
    """The central office's database: same services, name search by normalised prefixes."""
    from datetime import date

    from app.brazil.identifiers import generate_cns
    from app.registry.enums import Sex
    from app.registry.rules import CitizenInput
    from app.registry.service import create_citizen

    db = open_database(pg_url)
    create_demo(db, citizens=200, seed=9)
    with db.unit_of_work() as s:
        create_citizen(s, SYSTEM, CitizenInput(
            name="Joaquina Conceição Araújo", birth_date=date(1980, 5, 17), sex=Sex.FEMALE,
            cns=generate_cns(random.Random(3)),
        ))  # fmt: skip
    with db.read_only() as s:
        names = [r.name for r in find_citizens(s, SYSTEM, CitizenFilter(text="joaquina arauj"))]
        everyone, after = [], None
        while page := find_citizens(s, SYSTEM, CitizenFilter(), after=after, limit=64):
            everyone += page
            after = page[-1].cursor
    assert names == ["Joaquina Conceição Araújo"]
    assert len(everyone) == 201
    db.dispose()
