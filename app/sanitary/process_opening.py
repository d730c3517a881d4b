"""Opening the processo administrativo sanitário of an auto de infração.

`open_process` opens it in the defence stage, with the auto's defence deadline as the first due
date and a first step saying the auto was issued. The office opens it in the same transaction as
the auto (`document_issue`); on a field laptop (which never receives processes) the office opens
it when the auto arrives through sync (`open_pending_processes`). The later steps of the process
live in `processes`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.base import new_id
from app.errors import ValidationError
from app.sanitary import numbers
from app.sanitary.documents import PERMISSION, get_document
from app.sanitary.enums import PROCESS_SERIES, DocumentKind, ProcessStage
from app.sanitary.models import ProcessStep, SanitaryDocument, SanitaryProcess
from app.sanitary.rules import Deadline
from app.security import audit
from app.security.actor import Actor
from app.sync.node import identity

PROCESS_STEP_KIND = "autuacao"


@dataclass(frozen=True)
class ProcessOpened:
    process_id: uuid.UUID
    number_label: str
    due_on: date | None


# --- process --------------------------------------------------------------------------------------


def open_process(session: Session, actor: Actor, infraction_id: uuid.UUID) -> ProcessOpened:
    """Open the processo administrativo sanitário of an auto de infração (defence stage)."""
    actor.require(PERMISSION)
    document = get_document(session, infraction_id)
    if document.kind is not DocumentKind.INFRACTION or document.cancelled_at is not None:
        raise ValidationError({"": "Só um auto de infração válido abre processo."})
    query = select(SanitaryProcess.id).where(SanitaryProcess.infraction_id == document.id)
    if session.scalar(query) is not None:
        raise ValidationError({"": "Este auto de infração já tem processo aberto."})
    process = SanitaryProcess(
        id=new_id(), year=document.issued_on.year, number=0,
        establishment_id=document.establishment_id, infraction_id=document.id,
        opened_on=document.issued_on, stage=ProcessStage.DEFENCE, due_on=document.deadline_on,
    )  # fmt: skip
    drawn = numbers.next_number(session, PROCESS_SERIES, process.year, document_id=str(process.id))
    process.number = drawn.number
    session.add(process)
    session.flush()
    session.add(_first_step(process, document, actor))
    session.flush()
    audit.record(
        session, actor, audit.CREATE, entity="sanitary_process", entity_id=str(process.id),
        detail={"infraction_id": str(document.id), "number": process.number},
    )  # fmt: skip
    return ProcessOpened(process.id, numbers.label(process.number, process.year), process.due_on)


def open_pending_processes(session: Session, actor: Actor) -> list[ProcessOpened]:
    """At the office: open the process of every valid auto de infração that has none yet (autos
    issued on a field laptop arrive through sync without one). Returns what was opened."""
    actor.require(PERMISSION)
    if identity(session).kind == "field":
        return []
    with_process = select(SanitaryProcess.infraction_id)
    query = select(SanitaryDocument.id).where(
        SanitaryDocument.kind == DocumentKind.INFRACTION,
        SanitaryDocument.cancelled_at.is_(None),
        SanitaryDocument.deleted_at.is_(None),
        SanitaryDocument.id.not_in(with_process),
    )
    pending = list(session.scalars(query.order_by(SanitaryDocument.issued_at)))
    return [open_process(session, actor, document_id) for document_id in pending]


def _first_step(process: SanitaryProcess, document: SanitaryDocument, actor: Actor) -> ProcessStep:
    label = numbers.label(document.number, document.year)
    summary = f"Auto de Infração Sanitária nº {label} lavrado e notificado ao autuado."
    if document.deadline_on is not None and document.deadline_days:
        words = Deadline(document.deadline_days, document.deadline_business, document.deadline_on)
        summary += f" Prazo de defesa: {words.sentence()}."
    return ProcessStep(
        process_id=process.id, kind=PROCESS_STEP_KIND, happened_on=document.issued_on,
        stage_after=ProcessStage.DEFENCE, due_on=document.deadline_on, summary=summary,
        recorded_by=actor.full_name or actor.username,
    )  # fmt: skip
