"""The rows behind the dashboard's inspection numbers (`app.sanitary.dashboard`).

The active establishments whose routine inspection is overdue or due within the horizon (by risk,
the most late first, each with the inspection already planned or under way for it, if any) and the
inspections planned for today, by inspector. Plain frozen rows, never ORM objects; the statements
are built by functions of their own so that the benchmark can run the very same SQL through
`sqlite3` and compare. `app.sanitary.dashboard_lists.dashboard_list` pages through them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, func, select

from app.registry.models import District
from app.sanitary.dashboard import (
    NO_RISK,
    OVERDUE,
    TODAY_STATUSES,
    AnySelect,
    active_establishment,
    format_holder_document,
    horizon,
    trade_or_legal,
)
from app.sanitary.enums import InspectionReason, InspectionStatus, RiskLevel
from app.sanitary.models import Establishment, Inspection, SanitaryInspector


@dataclass(frozen=True)
class DueRow:
    """An establishment whose routine inspection is overdue or due soon."""

    establishment_id: uuid.UUID
    name: str
    document: str  # formatted CNPJ/CPF
    risk: str  # "III", or "" when not classified
    district: str
    team: str
    next_inspection_on: date
    last_inspection_on: date | None
    days_late: int  # negative: days left
    planned_on: date | None  # an inspection already planned (or under way) for it


@dataclass(frozen=True)
class PlannedRow:
    """An inspection planned (or under way) for today."""

    inspection_id: uuid.UUID
    establishment_id: uuid.UUID
    name: str
    document: str
    risk: str
    reason: str  # label
    status: str  # label
    inspector: str
    due_on: date


def _risk_filter(risk: str) -> ColumnElement[bool]:
    if risk == NO_RISK:
        return Establishment.risk.is_(None)
    return Establishment.risk == RiskLevel(risk)


@lru_cache(maxsize=1)
def planned_template() -> AnySelect:
    """The earliest planned (or under way) inspection of each establishment in `:ids`.

    The status test sits inside the aggregate on purpose: as a WHERE term SQLite would pick the
    status index and walk every planned inspection of the municipality for each establishment.
    Built once (statements are immutable); the ids are bound at each execution.
    """
    planned = case((Inspection.status.in_(TODAY_STATUSES), Inspection.due_on))
    return (
        select(Inspection.establishment_id, func.min(planned))
        .where(
            Inspection.establishment_id.in_(bindparam("ids", expanding=True)),
            Inspection.deleted_at.is_(None),
        )
        .group_by(Inspection.establishment_id)
    )


def planned_statement_for(establishment_ids: Sequence[uuid.UUID]) -> AnySelect:
    """The planned dates of a page's establishments (what `dashboard_list` runs for a page)."""
    return planned_template().params(ids=list(establishment_ids))


def due_statement(key: str, today: date) -> AnySelect:
    """Establishments behind "overdue[:risk]" or "due[:risk]", the most late first."""
    kind, _, risk = key.partition(":")
    when = (
        Establishment.next_inspection_on < today
        if kind == OVERDUE
        else Establishment.next_inspection_on.between(today, horizon(today))
    )
    query = (
        select(
            Establishment.id,
            Establishment.trade_name,
            Establishment.legal_name,
            Establishment.holder_kind,
            Establishment.document,
            Establishment.risk,
            District.name,
            Establishment.team,
            Establishment.next_inspection_on,
            Establishment.last_inspection_on,
        )
        .outerjoin(District, District.id == Establishment.district_id)
        .where(active_establishment(), when)
        .order_by(Establishment.next_inspection_on, Establishment.name_key, Establishment.id)
    )
    return query.where(_risk_filter(risk)) if risk else query


def due_row(row: Sequence[Any], today: date, planned: date | None = None) -> DueRow:
    (ident, trade, legal, kind, document, risk, district, team, next_on, last_on) = row
    return DueRow(
        establishment_id=ident,
        name=trade_or_legal(trade, legal),
        document=format_holder_document(kind, document),
        risk=risk.value if risk else "",
        district=district or "",
        team=team or "",
        next_inspection_on=next_on,
        last_inspection_on=last_on,
        days_late=(today - next_on).days,
        planned_on=planned,
    )


def planned_list_statement(today: date) -> AnySelect:
    return (
        select(
            Inspection.id,
            Establishment.id,
            Establishment.trade_name,
            Establishment.legal_name,
            Establishment.holder_kind,
            Establishment.document,
            Establishment.risk,
            Inspection.reason,
            Inspection.status,
            SanitaryInspector.name,
            Inspection.due_on,
        )
        .join(Establishment, Establishment.id == Inspection.establishment_id)
        .outerjoin(SanitaryInspector, SanitaryInspector.id == Inspection.inspector_id)
        .where(
            Inspection.status.in_(TODAY_STATUSES),
            Inspection.due_on == today,
            Inspection.deleted_at.is_(None),
        )
        .order_by(SanitaryInspector.name, Establishment.name_key, Inspection.id)
    )


def planned_row(row: Sequence[Any], today: date) -> PlannedRow:
    (ident, est, trade, legal, kind, document, risk, reason, status, inspector, due_on) = row
    return PlannedRow(
        inspection_id=ident,
        establishment_id=est,
        name=trade_or_legal(trade, legal),
        document=format_holder_document(kind, document),
        risk=risk.value if risk else "",
        reason=InspectionReason(reason).label,
        status=InspectionStatus(status).label,
        inspector=inspector or "(sem fiscal designado)",
        due_on=due_on,
    )
