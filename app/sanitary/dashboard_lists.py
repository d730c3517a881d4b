"""The rows behind each number of the department's dashboard (`app.sanitary.dashboard`).

`dashboard_list(key)` pages through exactly the rows that the number `key` counts, as plain frozen
rows (never ORM objects): the inspection rows of `app.sanitary.dashboard_inspection_rows`, the
process, licence and complaint rows of `app.sanitary.dashboard_followup_rows`. `list_statement`
is the page's statement, cached, so that the benchmark can run the very same SQL through `sqlite3`
and compare.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.sanitary.dashboard import (
    COMPLAINTS_OPEN,
    COMPLAINTS_OVERDUE,
    DUE,
    LICENCES_EXPIRED,
    LICENCES_EXPIRING,
    OPEN_STAGES,
    OVERDUE,
    PLANNED_TODAY,
    PROCESS_STAGE,
    PROCESSES_OVERDUE,
    RISK_KEYS,
    AnySelect,
)
from app.sanitary.dashboard_followup_rows import (
    ComplaintRow,
    LicenceRow,
    ProcessRow,
    complaint_list_statement,
    complaint_row,
    licence_list_statement,
    licence_row,
    process_list_statement,
    process_row,
)
from app.sanitary.dashboard_inspection_rows import (
    DueRow,
    PlannedRow,
    due_row,
    due_statement,
    planned_list_statement,
    planned_row,
    planned_template,
)
from app.security.actor import Actor

DashboardRow = DueRow | PlannedRow | ProcessRow | LicenceRow | ComplaintRow

_Builder = tuple[Callable[[str, date], AnySelect], Callable[[Sequence[Any], date], Any]]


def _builder(key: str) -> _Builder:
    kind, _, rest = key.partition(":")
    if kind in (OVERDUE, DUE) and rest in ("", *RISK_KEYS):
        return due_statement, due_row
    if key == PLANNED_TODAY:
        return (lambda _key, today: planned_list_statement(today)), planned_row
    if key == PROCESSES_OVERDUE or (
        kind == PROCESS_STAGE and rest in {s.value for s in OPEN_STAGES}
    ):
        return process_list_statement, process_row
    if key in (LICENCES_EXPIRING, LICENCES_EXPIRED):
        return licence_list_statement, licence_row
    if key in (COMPLAINTS_OPEN, COMPLAINTS_OVERDUE):
        return complaint_list_statement, complaint_row
    raise ValidationError({"key": f"Indicador desconhecido no painel: {key}."})


@lru_cache(maxsize=256)
def list_statement(key: str, today: date, limit: int, offset: int = 0) -> AnySelect:
    """The page of rows behind the number `key` (the benchmark runs it raw too).

    Cached: building a statement costs about as much as running the page on SQLite.
    """
    statement, _ = _builder(key)
    return statement(key, today).limit(limit).offset(offset)


def dashboard_list(
    session: Session, actor: Actor, key: str, today: date, limit: int = 100, offset: int = 0
) -> list[DashboardRow]:
    """The rows behind the number `key` of `dashboard`, `limit` at a time from `offset`."""
    actor.require("sanitary.read")
    _, make_row = _builder(key)
    connection = session.connection()
    found = connection.execute(list_statement(key, today, limit, offset)).all()
    if make_row is not due_row or not found:
        return [make_row(row, today) for row in found]
    ids = [row[0] for row in found]
    planned: dict[uuid.UUID, date | None] = {
        ident: first for ident, first in connection.execute(planned_template(), {"ids": ids})
    }
    return [due_row(row, today, planned.get(row[0])) for row in found]
