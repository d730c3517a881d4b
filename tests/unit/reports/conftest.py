"""Fixture of the report tests: a real, migrated SQLite database in the test's temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.db.engine import sqlite_url
from app.db.migrate import upgrade
from app.db.session import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A database at revision head whose clock stays at 02/03/2026 12:00 UTC (09:00 in Brasília)."""
    database = Database(sqlite_url(tmp_path / "r.sqlite3"), node_id="test", clock=FixedClock())
    upgrade(database, database.clock.now())
    yield database
    database.dispose()
