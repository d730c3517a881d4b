"""The hub's folder import in a process of its own, so that a test can kill it at chosen points.

    python -m tests.integration.sync.import_worker DB FOLDER [PAUSE]

Prints one marker line per stage (flushed at once): `start` before the import, `mid-apply` after
the first bulk insert of citizens, `before-commit` when the batch's transaction is about to
commit, `after-commit` right after it (before the receipt is written), `done` at the end. With
PAUSE set to one of the markers the worker stops there, waiting on stdin, until it is killed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.bootstrap import adopt_node_id
from app.db.engine import sqlite_url
from app.db.session import Database
from app.sync.folder import import_folder
from app.sync.models import SyncBatch


def _mark(name: str, pause: str) -> None:
    print(name, flush=True)
    if name == pause:
        sys.stdin.readline()  # the test kills us here


def _applies_a_batch(session: Session) -> bool:
    objects = list(session.new) + list(session.identity_map.values())
    return any(isinstance(o, SyncBatch) and o.direction == "in" for o in objects)


def _watch(db: Database, pause: str) -> None:
    seen: dict[str, bool] = {"insert": False}

    @event.listens_for(db.engine, "after_cursor_execute")
    def _after_insert(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not seen["insert"] and statement.lstrip().upper().startswith("INSERT INTO CITIZEN"):
            seen["insert"] = True
            _mark("mid-apply", pause)

    @event.listens_for(Session, "before_commit")
    def _before(session: Session) -> None:
        if _applies_a_batch(session):
            session.info["applying_batch"] = True
            _mark("before-commit", pause)

    @event.listens_for(Session, "after_commit")
    def _after(session: Session) -> None:
        if session.info.pop("applying_batch", False):
            _mark("after-commit", pause)


def main(argv: list[str]) -> None:
    path, folder = Path(argv[0]), Path(argv[1])
    pause = argv[2] if len(argv) > 2 else ""
    db = Database(sqlite_url(path))
    adopt_node_id(db)
    _watch(db, pause)
    _mark("start", pause)
    outcomes = import_folder(db, folder)
    print(" ".join(o.status for o in outcomes), flush=True)
    _mark("done", pause)


if __name__ == "__main__":
    main(sys.argv[1:])
