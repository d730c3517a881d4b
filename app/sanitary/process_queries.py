"""The read side of the processo administrativo sanitário: its rows, lists and one process.

Lists processes by stage, overdue or due soon (the nearest deadline first), one sentence per
overdue process for the dashboard, and one process with its timeline, the data of the auto de
infração and the steps allowed now, for the screen and for the printed process. The steps and
their commands are in `app.sanitary.processes`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.brazil.identifiers import format_cnpj, format_cpf
from app.errors import NotFound
from app.sanitary.enums import HolderKind, ProcessStage
from app.sanitary.models import Establishment, ProcessStep, SanitaryDocument, SanitaryProcess
from app.sanitary.numbers import label
from app.sanitary.processes import ALLOWED, STEP_LABELS, WAITING, today_of
from app.sanitary.rules import fine_range_text
from app.security.actor import Actor

# --- plain rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessRow:
    """One process in a list, with its deadline relative to `today`."""

    id: uuid.UUID
    number: str  # "0001/2026"
    establishment_id: uuid.UUID
    establishment: str
    infraction: str  # "AI 0003/2026"
    stage: ProcessStage
    opened_on: date
    due_on: date | None
    days_left: int | None  # negative when overdue; None without deadline

    @property
    def stage_label(self) -> str:
        return self.stage.label

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def deadline_text(self) -> str:
        """`vence em 3 dias`, `vence hoje`, `VENCIDO há 2 dias`, or `—`."""
        return deadline_text(self.days_left)


@dataclass(frozen=True)
class StepRow:
    """One step of the timeline."""

    id: uuid.UUID
    kind: str
    happened_on: date
    stage_after: ProcessStage
    due_on: date | None
    summary: str
    recorded_by: str

    @property
    def kind_label(self) -> str:
        return STEP_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class InfractionData:
    """What the auto de infração says (as issued)."""

    id: uuid.UUID
    number: str
    issued_on: date
    facts: str
    legal_basis: str
    gravity: str
    fine_min: Decimal | None
    fine_max: Decimal | None
    inspector_name: str

    @property
    def fine_range(self) -> str:
        if self.fine_min is None or self.fine_max is None:
            return ""
        return fine_range_text(self.fine_min, self.fine_max)


@dataclass(frozen=True)
class ProcessDetail:
    """A process with its establishment, auto de infração, timeline and what it waits for."""

    row: ProcessRow
    document: str  # CNPJ/CPF formatted
    address: str
    infraction: InfractionData
    steps: tuple[StepRow, ...]
    decision: str
    penalty: str
    fine_amount: Decimal | None
    closed_on: date | None
    allowed: tuple[str, ...]
    waiting: str


@dataclass(frozen=True)
class ProcessAlert:
    """An overdue process, as a sentence for the dashboard."""

    process_id: uuid.UUID
    message: str


def deadline_text(days_left: int | None) -> str:
    """A deadline relative to today, in words a clerk reads at a glance."""
    if days_left is None:
        return "—"
    if days_left < 0:
        days = -days_left
        return f"VENCIDO há {days} dia" + ("s" if days > 1 else "")
    if days_left == 0:
        return "vence hoje"
    return f"vence em {days_left} dia" + ("s" if days_left > 1 else "")


# --- helpers ----------------------------------------------------------------------------------


def holder_document(establishment: Establishment) -> str:
    """The establishment's CNPJ or CPF, formatted, with its name."""
    if establishment.holder_kind is HolderKind.CPF:
        return f"CPF {format_cpf(establishment.document)}"
    return f"CNPJ {format_cnpj(establishment.document)}"


def establishment_name(establishment: Establishment) -> str:
    """ "Trade name (legal name)" or the legal name alone."""
    trade = establishment.trade_name.strip()
    if trade and trade != establishment.legal_name:
        return f"{trade} ({establishment.legal_name})"
    return establishment.legal_name


# --- queries ----------------------------------------------------------------------------------


def _rows_query() -> Select[SanitaryProcess, Establishment, SanitaryDocument]:
    return (
        select(SanitaryProcess, Establishment, SanitaryDocument)
        .join(Establishment, Establishment.id == SanitaryProcess.establishment_id)
        .join(SanitaryDocument, SanitaryDocument.id == SanitaryProcess.infraction_id)
        .where(SanitaryProcess.deleted_at.is_(None))
    )


def _row(
    process: SanitaryProcess, establishment: Establishment, document: SanitaryDocument, today: date
) -> ProcessRow:
    open_stage = process.stage is not ProcessStage.CLOSED
    days_left = (process.due_on - today).days if process.due_on and open_stage else None
    return ProcessRow(
        id=process.id,
        number=label(process.number, process.year),
        establishment_id=establishment.id,
        establishment=establishment_name(establishment),
        infraction=f"{document.kind.value} {label(document.number, document.year)}",
        stage=process.stage,
        opened_on=process.opened_on,
        due_on=process.due_on if open_stage else None,
        days_left=days_left,
    )


def list_processes(
    session: Session,
    actor: Actor,
    today: date,
    *,
    stage: ProcessStage | None = None,
    overdue: bool = False,
    due_within: int | None = None,
    establishment_id: uuid.UUID | None = None,
) -> list[ProcessRow]:
    """Processes, the nearest deadline first; filters combine."""
    actor.require("sanitary.read")
    query = _rows_query()
    if stage is not None:
        query = query.where(SanitaryProcess.stage == stage)
    if overdue or due_within is not None:
        query = query.where(SanitaryProcess.stage != ProcessStage.CLOSED)
    if overdue:
        query = query.where(SanitaryProcess.due_on < today)
    if due_within is not None:
        query = query.where(
            SanitaryProcess.due_on >= today,
            SanitaryProcess.due_on <= today + timedelta(days=due_within),
        )
    if establishment_id is not None:
        query = query.where(SanitaryProcess.establishment_id == establishment_id)
    query = query.order_by(
        SanitaryProcess.due_on.is_(None), SanitaryProcess.due_on, SanitaryProcess.year,
        SanitaryProcess.number,
    )  # fmt: skip
    return [_row(p, e, d, today) for p, e, d in session.execute(query)]


def overdue_processes(session: Session, actor: Actor, today: date) -> list[ProcessRow]:
    """Open processes whose deadline has passed."""
    return list_processes(session, actor, today, overdue=True)


def due_soon(session: Session, actor: Actor, today: date, days: int) -> list[ProcessRow]:
    """Open processes whose deadline falls within the next `days` days (today included)."""
    return list_processes(session, actor, today, due_within=days)


def overdue_alerts(session: Session, actor: Actor, today: date) -> list[ProcessAlert]:
    """One sentence per overdue process: what is late and since when."""
    alerts = []
    for row in overdue_processes(session, actor, today):
        assert row.due_on is not None and row.days_left is not None
        late = -row.days_left
        alerts.append(
            ProcessAlert(
                row.id,
                f"Processo nº {row.number} – {row.establishment}: {row.stage_label.lower()} "
                f"vencido em {row.due_on:%d/%m/%Y} (há {late} dia{'s' if late > 1 else ''}).",
            )
        )
    return alerts


def _infraction(document: SanitaryDocument) -> InfractionData:
    return InfractionData(
        id=document.id,
        number=label(document.number, document.year),
        issued_on=document.issued_on,
        facts=document.facts,
        legal_basis=document.legal_basis,
        gravity=document.gravity.label if document.gravity is not None else "",
        fine_min=document.fine_min,
        fine_max=document.fine_max,
        inspector_name=document.inspector_name,
    )


def _steps(session: Session, process_id: uuid.UUID) -> tuple[StepRow, ...]:
    query = (
        select(ProcessStep)
        .where(ProcessStep.process_id == process_id, ProcessStep.deleted_at.is_(None))
        .order_by(ProcessStep.happened_on, ProcessStep.created_at, ProcessStep.id)
    )
    return tuple(
        StepRow(s.id, s.kind, s.happened_on, s.stage_after, s.due_on, s.summary, s.recorded_by)
        for s in session.scalars(query)
    )


def _address(establishment: Establishment) -> str:
    parts = [establishment.street, establishment.number, establishment.complement]
    return ", ".join(part for part in parts if part.strip())


def get_process(
    session: Session, actor: Actor, process_id: uuid.UUID, today: date | None = None
) -> ProcessDetail:
    """One process with its timeline, the auto de infração and the steps allowed now."""
    actor.require("sanitary.read")
    day = today or today_of(session)
    found = session.execute(_rows_query().where(SanitaryProcess.id == process_id)).first()
    if found is None:
        raise NotFound("Processo administrativo não encontrado.")
    process, establishment, document = found
    return ProcessDetail(
        row=_row(process, establishment, document, day),
        document=holder_document(establishment),
        address=_address(establishment),
        infraction=_infraction(document),
        steps=_steps(session, process.id),
        decision=process.decision,
        penalty=process.penalty,
        fine_amount=process.fine_amount,
        closed_on=process.closed_on,
        allowed=ALLOWED[process.stage],
        waiting=WAITING[process.stage],
    )
