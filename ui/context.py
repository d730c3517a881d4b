"""What every screen receives: the open database, the logged-in actor, the op runner, the bus.

Screens never import the ORM or open sessions on the GUI thread: they call services and queries
inside `ctx.ops.run(...)`, each call with its own `ctx.db.unit_of_work(ctx.actor.username)`.
After a change, a screen emits `ctx.bus.changed.emit(kind)` so other screens refresh what they show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QObject, Signal

from app.db.session import Database
from app.installation.service import InstallationInfo
from app.security.actor import Actor
from ui.ops import OpRunner


class Bus(QObject):
    """Application-wide notifications (typed by what changed, never free-form strings elsewhere)."""

    # What changed, e.g. "citizen", "account", "role", "municipality"
    changed = Signal(str)
    # Emitted by the session watcher when the user must log in again (inactivity lock, logout)
    session_ended = Signal(str)
    # A screen asks for the attendance entry pre-filled (an AttendanceDraft of ui.care.handoff)
    attendance_requested = Signal(object)


@dataclass
class AppContext:
    """The logged-in session of the app."""

    db: Database
    actor: Actor
    installation: InstallationInfo
    ops: OpRunner
    bus: Bus

    def local(self, instant: datetime) -> datetime:
        """A UTC instant as the municipality's wall-clock time."""
        from app.reports.styles import local_time  # ReportLab stays out of the start-up path

        return local_time(instant, self.installation.timezone)

    def today(self) -> date:
        """Today in the municipality (from the database's clock, so tests control it)."""
        return self.local(self.db.clock.now()).date()
