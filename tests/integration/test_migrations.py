"""Migrations on a real SQLite file and a real PostgreSQL server; unsafe databases are refused."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect

from app.bootstrap import open_database
from app.clock import FixedClock
from app.db.engine import sqlite_url
from app.db.migrate import HEAD_REVISION, backup_sqlite, head_revision, read_revision, upgrade
from app.db.session import Database
from app.errors import DatabaseError

CORE_TABLES = {
    "account",
    "role",
    "audit_entry",
    "citizen",
    "health_unit",
    "professional",
    "district",
    "municipality",
    "installation",
    "issued_document",
    "change_log",
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sqlite_file_is_created_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "novo.sqlite3"))
    try:
        assert read_revision(db) == head_revision()
        assert CORE_TABLES <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()


def test_reopening_a_current_database_makes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "atual.sqlite3"
    open_database(str(path)).dispose()
    db = Database(sqlite_url(path))
    assert upgrade(db, FixedClock().now()) is None
    db.dispose()
    assert not (tmp_path / "backups").exists()


def test_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "futuro.sqlite3"
    open_database(str(path)).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()
    before = _digest(path)
    with pytest.raises(DatabaseError, match="versão mais nova"):
        open_database(str(path))
    assert _digest(path) == before
    assert not (tmp_path / "backups").exists()


def test_a_file_that_is_not_a_database_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "planilha.sqlite3"
    path.write_bytes(b"isto nao e um banco de dados " * 200)
    before = _digest(path)
    with pytest.raises(DatabaseError, match="não é um banco de dados válido"):
        open_database(str(path))
    assert _digest(path) == before


def test_backup_copy_holds_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "dados.sqlite3"
    open_database(str(path)).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO district (id, name, name_key, version, created_at, updated_at,"
            " origin_node) VALUES ('a1', 'Centro', 'CENTRO', 1, '2026-01-01', "
            "'2026-01-01', 'n')"
        )
    conn.close()
    copy = backup_sqlite(path, head_revision(), FixedClock().now())
    assert copy.parent == tmp_path / "backups"
    assert head_revision() in copy.name and "20260302-120000" in copy.name
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT name FROM district").fetchall() == [("Centro",)]
    conn.close()


@pytest.mark.postgres
def test_migrations_run_on_a_real_postgresql_server(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        assert db.dialect == "postgresql"
        assert read_revision(db) == head_revision()
        assert CORE_TABLES <= set(inspect(db.engine).get_table_names())
        indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("citizen")}
        assert "ix_citizen_name_key_prefix" in indexes
    finally:
        db.dispose()


@pytest.mark.postgres
def test_postgresql_database_from_a_newer_version_is_refused(pg_url: str) -> None:
    open_database(pg_url).dispose()
    db = Database(pg_url)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    db.dispose()
    with pytest.raises(DatabaseError, match="versão mais nova"):
        open_database(pg_url)


def test_start_up_constant_names_alembics_head() -> None:
    """Start-up skips Alembic when the database is at HEAD_REVISION: it must be the real head."""
    assert HEAD_REVISION == head_revision()
