"""The department's dashboard: the numbers a VISA coordinator opens the day with.

`dashboard` answers everything with five aggregate queries (GROUP BY), whatever the size of the
municipality: inspections overdue and due in the next 30 days by risk level (from each active
establishment's `next_inspection_on`), the inspections planned for today, the open processes by
stage and how many are past their deadline, the licences expiring in 30 days and the active
establishments whose licence has expired, and the complaints still without an answer. Every number
has a key; `app.sanitary.dashboard_lists.dashboard_list(key)` pages through exactly the rows that
number counts, and the pieces those lists share with these statements live here. A licence that
was already renewed (a later, unrevoked licence of the same establishment exists) counts neither
as expiring nor as expired: nothing is left to do. The statements are built by functions of their
own so that the benchmark can run the very same SQL through `sqlite3` and compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from app.brazil.identifiers import format_cnpj, format_cpf
from app.sanitary.enums import (
    ComplaintStatus,
    EstablishmentStatus,
    HolderKind,
    InspectionStatus,
    ProcessStage,
)
from app.sanitary.models import (
    Complaint,
    Establishment,
    Inspection,
    SanitaryLicence,
    SanitaryProcess,
)
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


# --- shared pieces of the statements -------------------------------------------------------------


def active_establishment() -> ColumnElement[bool]:
    return and_(
        Establishment.deleted_at.is_(None), Establishment.status != EstablishmentStatus.CLOSED
    )


def horizon(today: date) -> date:
    return today + timedelta(days=HORIZON_DAYS)


def format_holder_document(kind: HolderKind | str, document: str) -> str:
    """An establishment's CNPJ or CPF as printed (stored values are clean: sliced directly)."""
    if kind == HolderKind.CPF:
        return format_cpf(document)
    if len(document) == CNPJ_LENGTH:
        return f"{document[:2]}.{document[2:5]}.{document[5:8]}/{document[8:12]}-{document[12:]}"
    return format_cnpj(document)


def trade_or_legal(trade: str | None, legal: str | None) -> str:
    return (trade or "").strip() or (legal or "").strip()


# --- the aggregate statements -------------------------------------------------------------------


def inspections_statement(today: date) -> AnySelect:
    """Active establishments due within the horizon, counted by risk and overdue/due."""
    late = case((Establishment.next_inspection_on < today, 1), else_=0).label("late")
    return (
        select(Establishment.risk, late, func.count())
        .where(active_establishment(), Establishment.next_inspection_on <= horizon(today))
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
        .where(latest.c.valid_until <= horizon(today), active_establishment())
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
