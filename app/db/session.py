"""One session per user action: `Database.unit_of_work()` opens it, commits or rolls back.

Services receive the session and never open or commit their own. A session never crosses threads.
The `Database` object is what the UI and the CLI hold: the engine, the session factory, and the
identity of this installation (stamped as `origin_node` on the rows it creates), and the clock
services read the time from (a `FixedClock` in tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.clock import Clock, SystemClock
from app.db.engine import SQLITE_BEGIN_OPTION, make_engine
from app.sync import capture as _capture  # noqa: F401  (registers change capture)


class Database:
    """An open database: engine plus session factory for one installation."""

    def __init__(
        self,
        url: str,
        *,
        node_id: str = "local",
        clock: Clock | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.node_id = node_id
        self.clock: Clock = clock or SystemClock()
        self._factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        self._write_factory = sessionmaker(bind=writer, expire_on_commit=False)

    def _info(self, account: str) -> dict[str, Any]:
        return {"node_id": self.node_id, "account": account, "clock": self.clock}

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self, account: str = "") -> Iterator[Session]:
        """A session committed on success and rolled back on any exception.

        `account` (the acting username) is recorded with every captured change.
        """
        session = self._write_factory(info=self._info(account))
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read_only(self) -> Iterator[Session]:
        """A session for queries: never commits, always rolled back."""
        session = self._factory(info=self._info(""))
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def clock_of(session: Session) -> Clock:
    """The clock of the database this session belongs to (services ask it for the time)."""
    clock = session.info.get("clock")
    return clock if clock is not None else SystemClock()


@event.listens_for(Session, "before_flush")
def _stamp_synced(session: Session, _ctx: Any, _instances: Any) -> None:
    """New synced rows record the node that created them; timestamps come from the session clock."""
    node_id = session.info.get("node_id", "local")
    now = clock_of(session).now()
    for obj in session.new:
        if not getattr(obj, "__synced__", False):
            continue
        if getattr(obj, "origin_node", None) in (None, "local"):
            obj.origin_node = node_id
        obj.created_at = obj.created_at or now
        obj.updated_at = obj.updated_at or obj.created_at
    for obj in session.dirty:
        if getattr(obj, "__synced__", False) and session.is_modified(obj):
            obj.updated_at = now
