"""Opening the database at start-up: resolve where it is, refuse what is unsafe, migrate.

Used by the desktop client, the CLI and the smoke test alike, so all three apply the same rules:
a database from a newer version is refused untouched; a SQLite file that will change is backed up
first; after migrations the installation's node id becomes the database's origin stamp.
"""

from __future__ import annotations

import logging

from app.clock import Clock, SystemClock
from app.db.engine import resolve_url
from app.db.migrate import upgrade
from app.db.session import Database
from app.installation.service import installation_info

log = logging.getLogger(__name__)


def open_database(db_arg: str | None = None, clock: Clock | None = None) -> Database:
    """Open (and if needed create and migrate) the database; raises `app.errors.DatabaseError`."""
    clock = clock or SystemClock()
    db = Database(resolve_url(db_arg), clock=clock)
    try:
        backup = upgrade(db, clock.now())
    except BaseException:
        db.dispose()
        raise
    if backup is not None:
        log.info("database backed up to %s before migrating", backup)
    adopt_node_id(db)
    return db


def adopt_node_id(db: Database) -> None:
    """Stamp new rows with this installation's node id once setup has created it."""
    with db.read_only() as session:
        info = installation_info(session)
    if info is not None:
        db.node_id = info.node_id
