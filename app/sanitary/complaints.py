"""Denúncias (complaints from the public): intake, routing to an inspection, answer, archive.

A complaint gets a protocol number (COMPLAINT_SERIES) and a deadline for the answer
(`complaint_days`, counted like every deadline of the department). The complainant may stay
anonymous, and then no name or contact is stored at all; otherwise the identity is stored but
only accounts with `sanitary.manage` ever see it — every other reader gets "identidade
protegida" (the row never travels to a field laptop either: it is a hub-only table). Routing
creates a PLANNED inspection with reason COMPLAINT for the establishment's team; the answer
closes the complaint and is printed for the complainant (`app.sanitary.complaint_report`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.sanitary.config import config_values
from app.sanitary.enums import (
    COMPLAINT_SERIES,
    ComplaintStatus,
    InspectionReason,
    InspectionStatus,
)
from app.sanitary.models import Complaint, Establishment, Inspection, SanitaryInspector
from app.sanitary.numbers import label, next_number
from app.sanitary.process_queries import establishment_name
from app.sanitary.processes import municipal_holidays
from app.sanitary.rules import Deadline, deadline
from app.security import audit
from app.security.actor import Actor

CHANNELS: Mapping[str, str] = {
    "presencial": "Presencial",
    "telefone": "Telefone",
    "e-mail": "E-mail",
    "ouvidoria": "Ouvidoria",
    "internet": "Internet",
}
PROTECTED = "identidade protegida"
ANONYMOUS = "Denúncia anônima"


@dataclass(frozen=True)
class ComplaintInput:
    """What the clerk types at intake."""

    received_on: date
    channel: str
    anonymous: bool
    description: str
    complainant_name: str = ""
    complainant_contact: str = ""
    establishment_id: uuid.UUID | None = None
    place: str = ""


@dataclass(frozen=True)
class ComplaintCreated:
    """A complaint just registered: its protocol and deadline."""

    id: uuid.UUID
    protocol: str
    due_on: date


@dataclass(frozen=True)
class ComplaintRow:
    """One complaint in a list (never the complainant's identity)."""

    id: uuid.UUID
    protocol: str
    received_on: date
    due_on: date
    status: ComplaintStatus
    target: str  # establishment name or place description
    establishment_id: uuid.UUID | None
    days_left: int
    anonymous: bool

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def open(self) -> bool:
        return self.status in (ComplaintStatus.OPEN, ComplaintStatus.ROUTED)

    @property
    def overdue(self) -> bool:
        return self.open and self.days_left < 0

    @property
    def deadline_text(self) -> str:
        if not self.open:
            return "—"
        if self.days_left < 0:
            late = -self.days_left
            return f"VENCIDA há {late} dia" + ("s" if late > 1 else "")
        if self.days_left == 0:
            return "vence hoje"
        return f"vence em {self.days_left} dia" + ("s" if self.days_left > 1 else "")


@dataclass(frozen=True)
class ComplaintDetail:
    """A complaint with what the reader may see of the complainant."""

    row: ComplaintRow
    channel: str
    complainant: str  # name, "identidade protegida" or "Denúncia anônima"
    contact: str
    place: str
    description: str
    deadline_words: str  # "30 (trinta) dias"
    inspection_id: uuid.UUID | None
    answer: str
    answered_on: date | None
    answered_by: str


@dataclass(frozen=True)
class InspectorChoice:
    id: uuid.UUID
    name: str
    team: str


# --- helpers ----------------------------------------------------------------------------------


def _today(session: Session) -> date:
    return clock_of(session).now().date()


def _load(session: Session, complaint_id: uuid.UUID) -> Complaint:
    row = session.get(Complaint, complaint_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("Denúncia não encontrada.")
    return row


def _answer_deadline(session: Session, received_on: date) -> Deadline:
    config = config_values(session)
    return deadline(
        received_on,
        config.complaint_days,
        business=config.business_days,
        municipal=municipal_holidays(session),
    )


def _problems(session: Session, data: ComplaintInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.received_on > _today(session):
        errors["received_on"] = "A data de recebimento não pode ser futura."
    if data.channel not in CHANNELS:
        errors["channel"] = "Escolha o canal: " + ", ".join(CHANNELS.values()) + "."
    if not data.anonymous and not data.complainant_name.strip():
        errors["complainant_name"] = "Informe o nome do denunciante ou marque “anônima”."
    if not data.description.strip():
        errors["description"] = "Descreva o fato denunciado."
    if data.establishment_id is None and not data.place.strip():
        errors["place"] = "Escolha o estabelecimento ou descreva o local."
    if data.establishment_id is not None:
        found = session.get(Establishment, data.establishment_id)
        if found is None or found.deleted_at is not None:
            errors["establishment_id"] = "Estabelecimento não encontrado."
    return errors


def _audit(session: Session, actor: Actor, action: str, row: Complaint, **detail: object) -> None:
    audit.record(
        session, actor, action, entity="sanitary_complaint", entity_id=str(row.id),
        detail=dict(detail),
    )  # fmt: skip


# --- commands ---------------------------------------------------------------------------------


def register_complaint(session: Session, actor: Actor, data: ComplaintInput) -> ComplaintCreated:
    """Register a complaint: protocol number, deadline; an anonymous one keeps no identity."""
    actor.require("sanitary.write")
    errors = _problems(session, data)
    if errors:
        raise ValidationError(errors)
    due = _answer_deadline(session, data.received_on).ends_on
    year = data.received_on.year
    number = next_number(session, COMPLAINT_SERIES, year)
    row = Complaint(
        year=year, number=number.number, received_on=data.received_on, channel=data.channel,
        anonymous=data.anonymous,
        complainant_name="" if data.anonymous else data.complainant_name.strip()[:120],
        complainant_contact="" if data.anonymous else data.complainant_contact.strip()[:200],
        establishment_id=data.establishment_id, place=data.place.strip()[:300],
        description=data.description.strip(), due_on=due,
    )  # fmt: skip
    session.add(row)
    session.flush()
    number.document_id = str(row.id)
    _audit(session, actor, audit.CREATE, row, anonymous=data.anonymous, channel=data.channel)
    return ComplaintCreated(row.id, label(row.number, row.year), due)


def route_to_inspection(
    session: Session,
    actor: Actor,
    complaint_id: uuid.UUID,
    due_on: date,
    inspector_id: uuid.UUID | None,
) -> uuid.UUID:
    """Plan an inspection (reason: denúncia) of the complaint's establishment; returns its id."""
    actor.require("sanitary.write")
    row = _load(session, complaint_id)
    if row.status is not ComplaintStatus.OPEN:
        raise ValidationError({"": f"Denúncia {row.status.label.lower()}: não pode ser "
                                   "encaminhada para inspeção."})  # fmt: skip
    if row.establishment_id is None:
        raise ValidationError(
            {"": "A denúncia não indica um estabelecimento cadastrado: cadastre-o e associe-o "
                 "antes de encaminhar, ou registre a resposta."}
        )  # fmt: skip
    if due_on < _today(session):
        raise ValidationError({"due_on": "A data prevista da inspeção já passou."})
    establishment = session.get(Establishment, row.establishment_id)
    assert establishment is not None
    if inspector_id is not None and session.get(SanitaryInspector, inspector_id) is None:
        raise ValidationError({"inspector_id": "Fiscal não encontrado."})
    inspection = Inspection(
        establishment_id=establishment.id, team=establishment.team,
        reason=InspectionReason.COMPLAINT, status=InspectionStatus.PLANNED, due_on=due_on,
        inspector_id=inspector_id, complaint_id=row.id,
    )  # fmt: skip
    session.add(inspection)
    session.flush()
    row.status = ComplaintStatus.ROUTED
    row.inspection_id = inspection.id
    session.flush()
    _audit(session, actor, audit.UPDATE, row, status=row.status.value,
           inspection_id=str(inspection.id))  # fmt: skip
    return inspection.id


def _close(
    session: Session,
    actor: Actor,
    complaint_id: uuid.UUID,
    text: str,
    on: date,
    status: ComplaintStatus,
) -> None:
    row = _load(session, complaint_id)
    if row.status not in (ComplaintStatus.OPEN, ComplaintStatus.ROUTED):
        raise ValidationError({"": f"Denúncia já {row.status.label.lower()}."})
    if on > _today(session):
        raise ValidationError({"answered_on": "A data não pode ser futura."})
    if on < row.received_on:
        raise ValidationError(
            {"answered_on": f"A data não pode ser anterior ao recebimento "
                            f"({row.received_on:%d/%m/%Y})."}
        )  # fmt: skip
    row.answer, row.answered_on, row.status = text, on, status
    row.answered_by = actor.full_name.strip() or actor.username
    session.flush()
    _audit(session, actor, audit.UPDATE, row, status=status.value)


def answer_complaint(
    session: Session, actor: Actor, complaint_id: uuid.UUID, text: str, answered_on: date
) -> None:
    """Record the answer given to the complainant (the complaint is then ANSWERED)."""
    actor.require("sanitary.write")
    answer = text.strip()
    if not answer:
        raise ValidationError({"answer": "Escreva a resposta ao denunciante."})
    _close(session, actor, complaint_id, answer, answered_on, ComplaintStatus.ANSWERED)


def archive_complaint(session: Session, actor: Actor, complaint_id: uuid.UUID, reason: str) -> None:
    """Archive a complaint that needs no action (duplicate, outside VISA's competence…).

    The reason is kept as the complaint's answer text, prefixed "Arquivada:".
    """
    actor.require("sanitary.write")
    text = reason.strip()
    if not text:
        raise ValidationError({"answer": "Informe o motivo do arquivamento."})
    _close(session, actor, complaint_id, f"Arquivada: {text}", _today(session),
           ComplaintStatus.ARCHIVED)  # fmt: skip


# --- queries ----------------------------------------------------------------------------------


def _query() -> Select[Complaint, Establishment]:
    return (
        select(Complaint, Establishment)
        .outerjoin(Establishment, Establishment.id == Complaint.establishment_id)
        .where(Complaint.deleted_at.is_(None))
    )


def _row(complaint: Complaint, establishment: Establishment | None, today: date) -> ComplaintRow:
    target = establishment_name(establishment) if establishment else complaint.place
    return ComplaintRow(
        id=complaint.id, protocol=label(complaint.number, complaint.year),
        received_on=complaint.received_on, due_on=complaint.due_on, status=complaint.status,
        target=target, establishment_id=complaint.establishment_id,
        days_left=(complaint.due_on - today).days, anonymous=complaint.anonymous,
    )  # fmt: skip


def list_complaints(
    session: Session,
    actor: Actor,
    today: date,
    status: ComplaintStatus | None = None,
    overdue: bool = False,
) -> list[ComplaintRow]:
    """Complaints, the nearest deadline first; `overdue`: open ones past their deadline."""
    actor.require("sanitary.read")
    query = _query()
    if status is not None:
        query = query.where(Complaint.status == status)
    if overdue:
        query = query.where(
            Complaint.status.in_((ComplaintStatus.OPEN, ComplaintStatus.ROUTED)),
            Complaint.due_on < today,
        )
    query = query.order_by(Complaint.due_on, Complaint.year, Complaint.number)
    return [_row(c, e, today) for c, e in session.execute(query)]


def overdue_complaints(session: Session, actor: Actor, today: date) -> list[ComplaintRow]:
    """Complaints without an answer whose deadline has passed."""
    return list_complaints(session, actor, today, overdue=True)


def _identity(actor: Actor, row: Complaint) -> tuple[str, str]:
    if row.anonymous:
        return ANONYMOUS, ""
    if not actor.can("sanitary.manage"):
        return PROTECTED, PROTECTED
    return row.complainant_name, row.complainant_contact


def get_complaint(
    session: Session, actor: Actor, complaint_id: uuid.UUID, today: date | None = None
) -> ComplaintDetail:
    """One complaint; the complainant is shown only to `sanitary.manage` accounts."""
    actor.require("sanitary.read")
    found = session.execute(_query().where(Complaint.id == complaint_id)).first()
    if found is None:
        raise NotFound("Denúncia não encontrada.")
    complaint, establishment = found
    name, contact = _identity(actor, complaint)
    if not complaint.anonymous and actor.can("sanitary.manage"):
        _audit(session, actor, audit.READ, complaint, fields=["complainant"])
    return ComplaintDetail(
        row=_row(complaint, establishment, today or _today(session)),
        channel=CHANNELS.get(complaint.channel, complaint.channel),
        complainant=name, contact=contact, place=complaint.place,
        description=complaint.description,
        deadline_words=_answer_deadline(session, complaint.received_on).words,
        inspection_id=complaint.inspection_id, answer=complaint.answer,
        answered_on=complaint.answered_on, answered_by=complaint.answered_by,
    )  # fmt: skip


def inspector_choices(session: Session, actor: Actor) -> list[InspectorChoice]:
    """Active inspectors, by name."""
    actor.require("sanitary.read")
    query = (
        select(SanitaryInspector)
        .where(SanitaryInspector.deleted_at.is_(None), SanitaryInspector.active.is_(True))
        .order_by(SanitaryInspector.name)
    )
    return [InspectorChoice(row.id, row.name, row.team) for row in session.scalars(query)]
