"""Hybrid logical clock: change timestamps that order changes across nodes despite wrong clocks.

An HLC is the physical time in milliseconds plus a counter, written as a fixed-width string with
the node id appended (`0001772452800000.000003.<node>`), so plain string comparison orders changes
and breaks ties by node id: the deterministic "higher HLC, then node id" of `shared/SYNC.md`.
The state is persisted in `sync_state`, so it stays monotonic across restarts even if the machine's
clock is set back; a received HLC far ahead of the local clock is adopted (ordering stays
consistent) and flagged as clock skew.
"""

from __future__ import annotations

from datetime import datetime

# A remote clock this far ahead of ours (or a local clock this far behind the persisted HLC) is
# reported to the user as a wrong clock. Ordering does not depend on it.
SKEW_WARNING_MS = 10 * 60 * 1000


def millis(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def format_hlc(wall: int, counter: int, node_id: str) -> str:
    return f"{wall:016d}.{counter:06d}.{node_id}"


def parse_hlc(value: str) -> tuple[int, int]:
    """Wall milliseconds and counter of an HLC string ((0, 0) for the empty HLC)."""
    if not value:
        return 0, 0
    wall, counter, _node = value.split(".", 2)
    return int(wall), int(counter)


def tick(wall: int, counter: int, physical: int) -> tuple[int, int]:
    """The next local timestamp after (wall, counter) given the physical clock."""
    if physical > wall:
        return physical, 0
    if counter >= 999_999:
        return wall + 1, 0
    return wall, counter + 1


def observe(wall: int, counter: int, remote: tuple[int, int], physical: int) -> tuple[int, int]:
    """The local state after seeing a remote timestamp: never behind anything seen."""
    best = max((wall, counter), remote, (physical, -1))
    if best == (physical, -1):
        return physical, 0
    return tick(best[0], best[1], physical)


def skew_of(remote_wall: int, physical: int) -> int:
    """Milliseconds a remote clock runs ahead of ours (negative: behind)."""
    return remote_wall - physical
