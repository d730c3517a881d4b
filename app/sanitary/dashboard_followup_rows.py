"""The rows behind the dashboard's numbers of processes, licences and complaints.

The open processos administrativos sanitários of one stage or past their deadline (nearest
deadline first), the licences expiring within the horizon and the expired licences of active
establishments (a licence already renewed is neither), and the complaints without an answer (never
the complainant's identity). Plain frozen rows, never ORM objects; the statements are built by
functions of their own so that the benchmark can run the very same SQL through `sqlite3` and
compare. `app.sanitary.dashboard_lists.dashboard_list` pages through them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import aliased

from app.sanitary.dashboard import (
    COMPLAINTS_OVERDUE,
    LICENCES_EXPIRED,
    PROCESSES_OVERDUE,
    UNANSWERED,
    AnySelect,
    active_establishment,
    format_holder_document,
    horizon,
    trade_or_legal,
)
from app.sanitary.enums import ComplaintStatus, ProcessStage
from app.sanitary.models import Complaint, Establishment, SanitaryLicence, SanitaryProcess
from app.sanitary.numbers import label as number_label


@dataclass(frozen=True)
class ProcessRow:
    """An open processo administrativo sanitário."""

    process_id: uuid.UUID
    number: str  # "0003/2026"
    establishment_id: uuid.UUID
    name: str
    document: str
    stage: str  # label
    opened_on: date
    due_on: date | None
    days_late: int  # 0 when within the deadline (or none)


@dataclass(frozen=True)
class LicenceRow:
    """A licence expiring soon, or the last licence of an active establishment, expired."""

    licence_id: uuid.UUID
    number: str
    establishment_id: uuid.UUID
    name: str
    document: str
    risk: str
    provisional: bool
    issued_on: date
    valid_until: date
    days_left: int  # negative: expired that many days ago


@dataclass(frozen=True)
class ComplaintRow:
    """A complaint without an answer (never the complainant's identity)."""

    complaint_id: uuid.UUID
    number: str
    received_on: date
    subject: str  # the establishment's name, or the place described
    document: str
    status: str  # label
    due_on: date
    days_late: int


def _not_renewed() -> ColumnElement[bool]:
    later = aliased(SanitaryLicence)
    return ~exists().where(
        later.establishment_id == SanitaryLicence.establishment_id,
        later.valid_until > SanitaryLicence.valid_until,
        later.revoked_at.is_(None),
        later.deleted_at.is_(None),
    )


def _live_licence() -> ColumnElement[bool]:
    return and_(
        SanitaryLicence.deleted_at.is_(None),
        SanitaryLicence.revoked_at.is_(None),
        active_establishment(),
        _not_renewed(),
    )


def process_list_statement(key: str, today: date) -> AnySelect:
    """Open processes of one stage ("process:<stage>"), or every overdue one; nearest first."""
    query = (
        select(
            SanitaryProcess.id,
            SanitaryProcess.number,
            SanitaryProcess.year,
            Establishment.id,
            Establishment.trade_name,
            Establishment.legal_name,
            Establishment.holder_kind,
            Establishment.document,
            SanitaryProcess.stage,
            SanitaryProcess.opened_on,
            SanitaryProcess.due_on,
        )
        .join(Establishment, Establishment.id == SanitaryProcess.establishment_id)
        .where(SanitaryProcess.stage != ProcessStage.CLOSED, SanitaryProcess.deleted_at.is_(None))
        .order_by(SanitaryProcess.due_on, SanitaryProcess.year, SanitaryProcess.number)
    )
    if key == PROCESSES_OVERDUE:
        return query.where(SanitaryProcess.due_on < today)
    return query.where(SanitaryProcess.stage == ProcessStage(key.partition(":")[2]))


def process_row(row: Sequence[Any], today: date) -> ProcessRow:
    (ident, number, year, est, trade, legal, kind, document, stage, opened, due_on) = row
    return ProcessRow(
        process_id=ident,
        number=number_label(number, year),
        establishment_id=est,
        name=trade_or_legal(trade, legal),
        document=format_holder_document(kind, document),
        stage=ProcessStage(stage).label,
        opened_on=opened,
        due_on=due_on,
        days_late=max(0, (today - due_on).days) if due_on else 0,
    )


def licence_list_statement(key: str, today: date) -> AnySelect:
    when = (
        SanitaryLicence.valid_until < today
        if key == LICENCES_EXPIRED
        else SanitaryLicence.valid_until.between(today, horizon(today))
    )
    return (
        select(
            SanitaryLicence.id,
            SanitaryLicence.number,
            SanitaryLicence.year,
            Establishment.id,
            Establishment.trade_name,
            Establishment.legal_name,
            Establishment.holder_kind,
            Establishment.document,
            Establishment.risk,
            SanitaryLicence.provisional,
            SanitaryLicence.issued_on,
            SanitaryLicence.valid_until,
        )
        .join(Establishment, Establishment.id == SanitaryLicence.establishment_id)
        .where(when, _live_licence())
        .order_by(SanitaryLicence.valid_until, Establishment.name_key, SanitaryLicence.id)
    )


def licence_row(row: Sequence[Any], today: date) -> LicenceRow:
    (ident, number, year, est, trade, legal, kind, document, risk, provisional, issued, until) = row
    return LicenceRow(
        licence_id=ident,
        number=number_label(number, year),
        establishment_id=est,
        name=trade_or_legal(trade, legal),
        document=format_holder_document(kind, document),
        risk=risk.value if risk else "",
        provisional=bool(provisional),
        issued_on=issued,
        valid_until=until,
        days_left=(until - today).days,
    )


def complaint_list_statement(key: str, today: date) -> AnySelect:
    query = (
        select(
            Complaint.id,
            Complaint.number,
            Complaint.year,
            Complaint.received_on,
            Establishment.trade_name,
            Establishment.legal_name,
            Establishment.holder_kind,
            Establishment.document,
            Complaint.place,
            Complaint.status,
            Complaint.due_on,
        )
        .outerjoin(Establishment, Establishment.id == Complaint.establishment_id)
        .where(Complaint.status.in_(UNANSWERED), Complaint.deleted_at.is_(None))
        .order_by(Complaint.due_on, Complaint.year, Complaint.number)
    )
    return query.where(Complaint.due_on < today) if key == COMPLAINTS_OVERDUE else query


def complaint_row(row: Sequence[Any], today: date) -> ComplaintRow:
    (ident, number, year, received, trade, legal, kind, document, place, status, due_on) = row
    named = trade_or_legal(trade, legal)
    return ComplaintRow(
        complaint_id=ident,
        number=number_label(number, year),
        received_on=received,
        subject=named or place or "(local não informado)",
        document=format_holder_document(kind, document) if document else "",
        status=ComplaintStatus(status).label,
        due_on=due_on,
        days_late=max(0, (today - due_on).days),
    )
