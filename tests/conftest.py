"""Shared fixtures: Qt offscreen, a real migrated SQLite file per test, a fixed clock.

Qt runs offscreen (no screen on CI). Every test that needs a database gets a real SQLite file in
its own temporary folder, migrated by the real Alembic revisions, with WAL on.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.db.engine import sqlite_url
from app.db.migrate import upgrade
from app.db.session import Database

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
gc.disable()  # see _collect_garbage_on_main_thread
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use Qt fixtures are marked `gui` so `pytest -m "not gui"` runs the core alone."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures or "qtmodeltester" in fixtures:
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _collect_garbage_on_main_thread() -> Iterator[None]:
    """As in the app (ui/main.py): the collector runs only on the GUI thread, between tests.

    Automatic collection could otherwise start on the ops worker thread and free a Qt wrapper
    there, which crashes Qt. What survives a test (imported modules, caches, session fixtures) is
    then frozen, so the next collection only walks what the next test made: a full walk of the
    whole, growing heap after every test took seconds each late in the suite.
    """
    yield
    gc.collect()
    gc.freeze()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def db(tmp_path: Path, clock: FixedClock) -> Iterator[Database]:
    """An empty, migrated SQLite database (not yet configured)."""
    database = Database(sqlite_url(tmp_path / "saude.sqlite3"), node_id="test-node", clock=clock)
    upgrade(database, clock.now())
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """One PostgreSQL server for the whole run (skipped without binaries, unless CI requires it)."""
    from tests.postgres_server import REQUIRE_ENV, start_server

    server = start_server()
    if server is None:
        message = "PostgreSQL binaries (initdb, pg_ctl) not found on this machine"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(message + f" and {REQUIRE_ENV}=1")
        pytest.skip(message)
    yield server
    server.stop()
    import shutil

    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server: object, request: pytest.FixtureRequest) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    import re

    name = "t_" + re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:50]
    return postgres_server.create_database(name)  # type: ignore[attr-defined]
