"""Engines for the embedded SQLite file and for PostgreSQL, with the pragmas DESIGN §3 requires.

SQLite runs with WAL (readers never block the writer), `synchronous=FULL` (NORMAL may lose the last
commits on power loss), foreign keys on and a busy timeout. PostgreSQL is reached through a URL
given with `--db` or the `SAUDE_MUNICIPAL_DB` environment variable.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from app.paths import default_database_path

DB_ENV_VAR = "SAUDE_MUNICIPAL_DB"
SQLITE_BEGIN_OPTION = "sqlite_begin"


def resolve_url(db: str | None = None) -> str:
    """The database URL: explicit argument, then environment, then the per-user SQLite file.

    A bare path (no `scheme://`) means a SQLite file at that path.
    """
    value = db or os.environ.get(DB_ENV_VAR)
    if not value:
        return sqlite_url(default_database_path())
    if "://" not in value:
        return sqlite_url(Path(value))
    if value.startswith("postgresql://") or value.startswith("postgres://"):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other engines and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Python's sqlite3 opens implicit transactions itself; let SQLAlchemy issue BEGIN instead,
    # so that pragmas below run outside a transaction and savepoints behave.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _on_sqlite_begin(conn: Any) -> None:
    # Write sessions ask for IMMEDIATE: the write lock is taken (or waited for, busy_timeout) at
    # BEGIN. A deferred transaction that reads and then writes fails at once with "database is
    # locked" when another process wrote meanwhile, instead of waiting its turn.
    mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine for `url` with the project's settings for its backend."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
