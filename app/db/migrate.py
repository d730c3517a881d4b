"""Schema migrations at start-up: refuse a newer database, back up the file, then upgrade.

The order matters: first read the revision the database carries (without changing anything); a
revision this app does not know means the file comes from a newer version and is refused untouched.
Otherwise a SQLite file that will change is copied to a dated backup before Alembic upgrades it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect
from sqlalchemy.exc import DatabaseError as SqlDatabaseError

from app.db.engine import sqlite_path
from app.db.session import Database
from app.errors import DatabaseError
from app.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision this app ships. Start-up compares the database with it using plain SQL and
# imports Alembic (a tenth of a second) only when there is something to migrate. A test keeps it
# equal to Alembic's own head, so a new revision cannot be forgotten here.
HEAD_REVISION = "0008"

NEWER_DATABASE = (
    "Este banco de dados foi criado por uma versão mais nova do Saúde Municipal "
    "(revisão {revision}). Atualize o sistema nesta máquina antes de abri-lo; "
    "o arquivo não foi alterado."
)
UNREADABLE_DATABASE = (
    "Não foi possível abrir o banco de dados {where}: o arquivo não é um banco de dados válido "
    "ou está danificado. Nada foi alterado. Restaure uma cópia de segurança ou procure o suporte."
)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def head_revision() -> str:
    """Alembic's head, read from the revision files (slower than HEAD_REVISION; for tests)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    """The revision stamped in the database, None for an empty one (plain SQL, no Alembic)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def read_revision(db: Database) -> str | None:
    """The database's revision, or DatabaseError when the file cannot be read at all."""
    try:
        with db.engine.connect() as conn:
            return current_revision(conn)
    except SqlDatabaseError as exc:
        raise DatabaseError(UNREADABLE_DATABASE.format(where=_where(db))) from exc


def _where(db: Database) -> str:
    path = sqlite_path(db.url)
    return f"“{path}”" if path else "do servidor"


def backup_sqlite(path: Path, revision: str | None, when: datetime) -> Path:
    """Copy the database (consistently, with SQLite's backup API) into `backups/` beside it."""
    backups = path.parent / "backups"
    backups.mkdir(exist_ok=True)
    target = backups / f"{path.stem}.{revision or 'vazio'}.{when:%Y%m%d-%H%M%S}.bak"
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def upgrade(db: Database, when: datetime) -> Path | None:
    """Bring the database to the app's schema; returns the backup made, if any."""
    revision = read_revision(db)
    if revision == HEAD_REVISION:
        return None
    if revision is not None and revision not in known_revisions():
        raise DatabaseError(NEWER_DATABASE.format(revision=revision))
    backup = None
    path = sqlite_path(db.url)
    if path is not None and revision is not None and path.exists():
        backup = backup_sqlite(path, revision, when)
    from alembic import command

    config = alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return backup
