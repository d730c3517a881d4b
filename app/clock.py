"""Injectable clocks: services ask a clock for the time so tests never depend on the wall clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can say what time it is (always UTC, timezone-aware)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock for tests: stays where it is put, moves only when told."""

    current: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 12, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


def today(clock: Clock) -> date:
    """Today's date for the clock (UTC; screens convert to the municipality's time zone)."""
    return clock.now().date()
