"""Which nodes may receive which rows: the sync scope of tables and of change-log entries.

A table's scope is its `__sync_scope__` (`app.db.base.SyncScope`): unit-scoped tables default to
UNIT, the others to ALL. The hub receives everything; a unit node gets ALL, CARE and the UNIT rows
of its own CNES (or without a CNES); a field laptop gets ALL and the TEAM rows of its VISA team
(rows without a team, and every TEAM row when the laptop has no team). `in_scope_clause` says the
same in SQL over the change log, so an export never reads, let alone writes, a row it may not send.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

from app.db.base import SyncScope, UnitScopedMixin


def scope_of(cls: type[Any]) -> SyncScope:
    """The sync scope of a mapped class."""
    declared = getattr(cls, "__sync_scope__", None)
    if declared is not None:
        return SyncScope(declared)
    return SyncScope.UNIT if issubclass(cls, UnitScopedMixin) else SyncScope.ALL


def receives(  # noqa: PLR0911  (one line per rule of the module docstring)
    kind: str,
    unit_cnes: str | None,
    scope: str,
    row_cnes: str | None,
    team: str = "",
    row_team: str | None = None,
) -> bool:
    """Whether a node of `kind` (serving `unit_cnes`, or VISA `team`) may hold such a row."""
    if scope == SyncScope.LOCAL:
        return False
    if kind == "hub":
        return True
    if scope == SyncScope.ALL:
        return True
    if scope == SyncScope.TEAM:
        return kind == "field" and (not team or not row_team or row_team == team)
    if kind != "unit":
        return False
    if scope == SyncScope.CARE:
        return True
    return scope == SyncScope.UNIT and (row_cnes is None or row_cnes == unit_cnes)


def in_scope_clause(
    kind: str,
    unit_cnes: str | None,
    scope: Any,
    row_cnes: Any,
    team: str = "",
    row_team: Any = None,
) -> ColumnElement[bool]:
    """`receives` as a SQL condition over the columns `scope`, `row_cnes` and `row_team`."""
    if kind == "hub":
        return true()
    if kind == "field":
        team_rows = scope == SyncScope.TEAM.value
        if team and row_team is not None:
            team_rows = and_(team_rows, or_(row_team.is_(None), row_team == "", row_team == team))
        return or_(scope == SyncScope.ALL.value, team_rows)
    if kind != "unit":
        return scope == SyncScope.ALL.value  # type: ignore[no-any-return]
    unit_rows = and_(scope == SyncScope.UNIT.value, or_(row_cnes.is_(None), row_cnes == unit_cnes))
    if not unit_cnes:
        unit_rows = and_(unit_rows, false())
    return or_(scope.in_([SyncScope.ALL.value, SyncScope.CARE.value]), unit_rows)
