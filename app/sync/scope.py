"""Which nodes may receive which rows: the sync scope of tables and of change-log entries.

A table's scope is its `__sync_scope__` (`app.db.base.SyncScope`): unit-scoped tables default to
UNIT, the others to ALL. The hub receives everything; a unit node gets ALL, CARE and the UNIT rows
of its own CNES (or without a CNES); a field laptop gets only ALL. `in_scope_clause` says the same
in SQL over the change log, so an export never reads, let alone writes, a row it may not send.
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


def receives(kind: str, unit_cnes: str | None, scope: str, row_cnes: str | None) -> bool:
    """Whether a node of `kind` (serving `unit_cnes`) may hold a row of `scope`/`row_cnes`."""
    if scope == SyncScope.LOCAL:
        return False
    if kind == "hub":
        return True
    if scope == SyncScope.ALL:
        return True
    if kind != "unit":
        return False
    if scope == SyncScope.CARE:
        return True
    return scope == SyncScope.UNIT and (row_cnes is None or row_cnes == unit_cnes)


def in_scope_clause(
    kind: str, unit_cnes: str | None, scope: Any, row_cnes: Any
) -> ColumnElement[bool]:
    """`receives` as a SQL condition over the columns `scope` and `row_cnes`."""
    if kind == "hub":
        return true()
    if kind != "unit":
        return scope == SyncScope.ALL.value  # type: ignore[no-any-return]
    unit_rows = and_(scope == SyncScope.UNIT.value, or_(row_cnes.is_(None), row_cnes == unit_cnes))
    if not unit_cnes:
        unit_rows = and_(unit_rows, false())
    return or_(scope.in_([SyncScope.ALL.value, SyncScope.CARE.value]), unit_rows)
