"""The department's dashboard: the numbers a VISA coordinator opens the day with, and the rows
behind each of them.

`dashboard` answers everything with five aggregate queries (GROUP BY), whatever the size of the
municipality: inspections overdue and due in the next 30 days by risk level (from each active
establishment's `next_inspection_on`), the inspections planned for today, the open processes by
stage and how many are past their deadline, the licences expiring in 30 days and the active
establishments whose licence has expired, and the complaints still without an answer. Every number
has a key; `dashboard_list(key)` pages through exactly the rows that number counts, as plain
frozen rows (never ORM objects). A licence that was already renewed (a later, unrevoked licence of
the same establishment exists) counts neither as expiring nor as expired: nothing is left to do.
The statements are built by functions of their own so that the benchmark can run the very same
SQL through `sqlite3` and compare.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.brazil.identifiers import format_cnpj, format_cpf
from app.errors import ValidationError
from app.registry.models import District
from app.sanitary.enums import (
    ComplaintStatus,
    EstablishmentStatus,
    HolderKind,
    InspectionReason,
    InspectionStatus,
    ProcessStage,
    RiskLevel,
)
from app.sanitary.models import (
    Complaint,
    Establishment,
    Inspection,
    SanitaryInspector,
    SanitaryLicence,
    SanitaryProcess,
)
from app.sanitary.numbers import label as number_label
from app.security.actor import Actor

AnySelect = Select[*tuple[Any, ...]]

HORIZON_DAYS = 30
CNPJ_LENGTH = 14
NO_RISK = "-"  # the key part of establishments not yet classified
RISK_KEYS: tuple[str, ...] = ("III", "II", "I", NO_RISK)
OPEN_STAGES: tuple[ProcessStage, ...] = tuple(
    s for s in ProcessStage if s is not ProcessStage.CLOSED
)
UNANSWERED = (ComplaintStatus.OPEN, ComplaintStatus.ROUTED)
TODAY_STATUSES = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)

# keys of the numbers (the risk or stage is appended after a colon)
OVERDUE = "overdue"
DUE = "due"
PLANNED_TODAY = "planned_today"
PROCESS_STAGE = "process"
PROCESSES_OVERDUE = "processes_overdue"
LICENCES_EXPIRING = "licences_expiring"
LICENCES_EXPIRED = "licences_expired"
COMPLAINTS_OPEN = "complaints_open"
COMPLAINTS_OVERDUE = "complaints_overdue"

INSPECTIONS_GROUP = "Inspeções"
PROCESSES_GROUP = "Processos"
LICENCES_GROUP = "Licenças"
COMPLAINTS_GROUP = "Denúncias"


# --- what the dashboard shows -------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """One number of the dashboard: its key (for `dashboard_list`), group, caption and count.

    `alert` marks numbers that mean something is late (shown in red when not zero).
    """

    key: str
    group: str
    caption: str
    count: int
    alert: bool = False


@dataclass(frozen=True)
class Dashboard:
    """Every number of the dashboard on `today` (counts by risk key / stage value)."""

    today: date
    overdue_by_risk: Mapping[str, int]
    due_by_risk: Mapping[str, int]
    planned_today: int
    processes_by_stage: Mapping[str, int]
    processes_overdue: int
    licences_expiring: int
    licences_expired: int
    complaints_open: int
    complaints_overdue: int

    def tiles(self) -> list[Tile]:
        """The numbers in display order, grouped (Inspeções, Processos, Licenças, Denúncias)."""
        return [*self._inspection_tiles(), *self._process_tiles(), *self._other_tiles()]

    def count_of(self, key: str) -> int:
        """The number shown for `key` (0 for an unknown key)."""
        return next((t.count for t in self.tiles() if t.key == key), 0)

    def _inspection_tiles(self) -> list[Tile]:
        tiles = []
        for kind, caption, counts in (
            (OVERDUE, "Inspeções vencidas", self.overdue_by_risk),
            (DUE, f"Inspeções a vencer em {HORIZON_DAYS} dias", self.due_by_risk),
        ):
            for risk in RISK_KEYS:
                count = counts.get(risk, 0)
                if risk == NO_RISK and count == 0:
                    continue  # "sem classificação" appears only when there is one
                tiles.append(
                    Tile(
                        f"{kind}:{risk}",
                        INSPECTIONS_GROUP,
                        f"{caption} — {risk_caption(risk)}",
                        count,
                        alert=kind == OVERDUE,
                    )
                )
        tiles.append(
            Tile(
                PLANNED_TODAY,
                INSPECTIONS_GROUP,
                "Inspeções planejadas para hoje",
                self.planned_today,
            )
        )
        return tiles

    def _process_tiles(self) -> list[Tile]:
        tiles = [
            Tile(
                f"{PROCESS_STAGE}:{stage.value}",
                PROCESSES_GROUP,
                stage.label,
                self.processes_by_stage.get(stage.value, 0),
            )
            for stage in OPEN_STAGES
        ]
        tiles.append(
            Tile(
                PROCESSES_OVERDUE,
                PROCESSES_GROUP,
                "Processos com prazo vencido",
                self.processes_overdue,
                alert=True,
            )
        )
        return tiles

    def _other_tiles(self) -> list[Tile]:
        return [
            Tile(
                LICENCES_EXPIRING,
                LICENCES_GROUP,
                f"Licenças que vencem em {HORIZON_DAYS} dias",
                self.licences_expiring,
            ),
            Tile(
                LICENCES_EXPIRED,
                LICENCES_GROUP,
                "Licenças vencidas (estabelecimentos ativos)",
                self.licences_expired,
                alert=True,
            ),
            Tile(COMPLAINTS_OPEN, COMPLAINTS_GROUP, "Denúncias sem resposta", self.complaints_open),
            Tile(
                COMPLAINTS_OVERDUE,
                COMPLAINTS_GROUP,
                "Denúncias com prazo vencido",
                self.complaints_overdue,
                alert=True,
            ),
        ]


def risk_caption(risk: str) -> str:
    """`risco III`, or `sem classificação de risco`."""
    return "sem classificação de risco" if risk == NO_RISK else f"risco {risk}"


# --- rows behind the numbers --------------------------------------------------------------------


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


DashboardRow = DueRow | PlannedRow | ProcessRow | LicenceRow | ComplaintRow


# --- shared pieces of the statements -------------------------------------------------------------


def _active_establishment() -> ColumnElement[bool]:
    return and_(
        Establishment.deleted_at.is_(None), Establishment.status != EstablishmentStatus.CLOSED
    )


def _horizon(today: date) -> date:
    return today + timedelta(days=HORIZON_DAYS)


def _risk_filter(risk: str) -> ColumnElement[bool]:
    if risk == NO_RISK:
        return Establishment.risk.is_(None)
    return Establishment.risk == RiskLevel(risk)


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
        _active_establishment(),
        _not_renewed(),
    )


def format_holder_document(kind: HolderKind | str, document: str) -> str:
    """An establishment's CNPJ or CPF as printed (stored values are clean: sliced directly)."""
    if kind == HolderKind.CPF:
        return format_cpf(document)
    if len(document) == CNPJ_LENGTH:
        return f"{document[:2]}.{document[2:5]}.{document[5:8]}/{document[8:12]}-{document[12:]}"
    return format_cnpj(document)


def _name(trade: str | None, legal: str | None) -> str:
    return (trade or "").strip() or (legal or "").strip()


# --- the aggregate statements -------------------------------------------------------------------


def inspections_statement(today: date) -> AnySelect:
    """Active establishments due within the horizon, counted by risk and overdue/due."""
    late = case((Establishment.next_inspection_on < today, 1), else_=0).label("late")
    return (
        select(Establishment.risk, late, func.count())
        .where(_active_establishment(), Establishment.next_inspection_on <= _horizon(today))
        .group_by(Establishment.risk, late)
    )


def planned_statement(today: date) -> AnySelect:
    return select(func.count()).where(
        Inspection.status.in_(TODAY_STATUSES),
        Inspection.due_on == today,
        Inspection.deleted_at.is_(None),
    )


def processes_statement(today: date) -> AnySelect:
    late = func.sum(case((SanitaryProcess.due_on < today, 1), else_=0))
    return (
        select(SanitaryProcess.stage, func.count(), late)
        .where(SanitaryProcess.stage != ProcessStage.CLOSED, SanitaryProcess.deleted_at.is_(None))
        .group_by(SanitaryProcess.stage)
    )


def licences_statement(today: date) -> AnySelect:
    """Active establishments by whether their latest live licence expired or expires soon.

    Grouping the licences by establishment first (one pass over the establishment index) is what
    keeps this fast; asking "is there a later licence?" of every old licence cost 2.5x as much.
    """
    latest = (
        select(
            SanitaryLicence.establishment_id.label("establishment_id"),
            func.max(SanitaryLicence.valid_until).label("valid_until"),
        )
        .where(SanitaryLicence.deleted_at.is_(None), SanitaryLicence.revoked_at.is_(None))
        .group_by(SanitaryLicence.establishment_id)
        .subquery()
    )
    expired = case((latest.c.valid_until < today, 1), else_=0).label("expired")
    return (
        select(expired, func.count())
        .join(Establishment, Establishment.id == latest.c.establishment_id)
        .where(latest.c.valid_until <= _horizon(today), _active_establishment())
        .group_by(expired)
    )


def complaints_statement(today: date) -> AnySelect:
    late = func.sum(case((Complaint.due_on < today, 1), else_=0))
    return select(func.count(), late).where(
        Complaint.status.in_(UNANSWERED), Complaint.deleted_at.is_(None)
    )


def dashboard_statements(today: date) -> list[AnySelect]:
    """The five statements `dashboard` runs, in order (the benchmark runs them raw too)."""
    return [
        inspections_statement(today),
        planned_statement(today),
        processes_statement(today),
        licences_statement(today),
        complaints_statement(today),
    ]


def dashboard(session: Session, actor: Actor, today: date) -> Dashboard:
    """Every number of the dashboard on `today`."""
    actor.require("sanitary.read")
    overdue: dict[str, int] = {}
    due: dict[str, int] = {}
    for risk, late, count in session.execute(inspections_statement(today)):
        target = overdue if late else due
        key = risk.value if risk is not None else NO_RISK
        target[key] = target.get(key, 0) + int(count)
    stages: dict[str, int] = {}
    stages_late = 0
    for stage, count, late in session.execute(processes_statement(today)):
        stages[ProcessStage(stage).value] = int(count)
        stages_late += int(late or 0)
    licences = {
        bool(expired): int(count) for expired, count in session.execute(licences_statement(today))
    }
    complaints, complaints_late = session.execute(complaints_statement(today)).one()
    return Dashboard(
        today=today,
        overdue_by_risk=overdue,
        due_by_risk=due,
        planned_today=int(session.scalar(planned_statement(today)) or 0),
        processes_by_stage=stages,
        processes_overdue=stages_late,
        licences_expiring=licences.get(False, 0),
        licences_expired=licences.get(True, 0),
        complaints_open=int(complaints or 0),
        complaints_overdue=int(complaints_late or 0),
    )


# --- the list statements ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _planned_template() -> AnySelect:
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
    return _planned_template().params(ids=list(establishment_ids))


def due_statement(key: str, today: date) -> AnySelect:
    """Establishments behind "overdue[:risk]" or "due[:risk]", the most late first."""
    kind, _, risk = key.partition(":")
    when = (
        Establishment.next_inspection_on < today
        if kind == OVERDUE
        else Establishment.next_inspection_on.between(today, _horizon(today))
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
        .where(_active_establishment(), when)
        .order_by(Establishment.next_inspection_on, Establishment.name_key, Establishment.id)
    )
    return query.where(_risk_filter(risk)) if risk else query


def _due_row(row: Sequence[Any], today: date, planned: date | None = None) -> DueRow:
    (ident, trade, legal, kind, document, risk, district, team, next_on, last_on) = row
    return DueRow(
        establishment_id=ident,
        name=_name(trade, legal),
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


def _planned_row(row: Sequence[Any], today: date) -> PlannedRow:
    (ident, est, trade, legal, kind, document, risk, reason, status, inspector, due_on) = row
    return PlannedRow(
        inspection_id=ident,
        establishment_id=est,
        name=_name(trade, legal),
        document=format_holder_document(kind, document),
        risk=risk.value if risk else "",
        reason=InspectionReason(reason).label,
        status=InspectionStatus(status).label,
        inspector=inspector or "(sem fiscal designado)",
        due_on=due_on,
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


def _process_row(row: Sequence[Any], today: date) -> ProcessRow:
    (ident, number, year, est, trade, legal, kind, document, stage, opened, due_on) = row
    return ProcessRow(
        process_id=ident,
        number=number_label(number, year),
        establishment_id=est,
        name=_name(trade, legal),
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
        else SanitaryLicence.valid_until.between(today, _horizon(today))
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


def _licence_row(row: Sequence[Any], today: date) -> LicenceRow:
    (ident, number, year, est, trade, legal, kind, document, risk, provisional, issued, until) = row
    return LicenceRow(
        licence_id=ident,
        number=number_label(number, year),
        establishment_id=est,
        name=_name(trade, legal),
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


def _complaint_row(row: Sequence[Any], today: date) -> ComplaintRow:
    (ident, number, year, received, trade, legal, kind, document, place, status, due_on) = row
    named = _name(trade, legal)
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


_Builder = tuple[Callable[[str, date], AnySelect], Callable[[Sequence[Any], date], Any]]


def _builder(key: str) -> _Builder:
    kind, _, rest = key.partition(":")
    if kind in (OVERDUE, DUE) and rest in ("", *RISK_KEYS):
        return due_statement, _due_row
    if key == PLANNED_TODAY:
        return (lambda _key, today: planned_list_statement(today)), _planned_row
    if key == PROCESSES_OVERDUE or (
        kind == PROCESS_STAGE and rest in {s.value for s in OPEN_STAGES}
    ):
        return process_list_statement, _process_row
    if key in (LICENCES_EXPIRING, LICENCES_EXPIRED):
        return licence_list_statement, _licence_row
    if key in (COMPLAINTS_OPEN, COMPLAINTS_OVERDUE):
        return complaint_list_statement, _complaint_row
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
    if make_row is not _due_row or not found:
        return [make_row(row, today) for row in found]
    ids = [row[0] for row in found]
    planned: dict[uuid.UUID, date | None] = {
        ident: first for ident, first in connection.execute(_planned_template(), {"ids": ids})
    }
    return [_due_row(row, today, planned.get(row[0])) for row in found]
