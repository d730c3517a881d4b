"""Commands of appointments: booking a citizen into a slot, its status changes, the waiting list.

Booking checks the slot's capacity (regular places, then the overbooking allowance the clerk must
ask for explicitly) and refuses a citizen already booked at an overlapping time. Status changes
follow the appointment's state machine (only legal forward transitions). Cancelling frees the
place and returns the waiting-list candidates for it. Every write needs "care.schedule" for the
unit and is audited; time comes from the session's clock. Agendas themselves (templates, slots,
blocks) live in `app.care.agendas`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.care.agenda_queries import WaitingCandidate, timezone_of, waiting_candidates
from app.care.agenda_rules import (
    AppointmentStatus,
    WaitingPriority,
    WaitingStatus,
    free_places,
    transition_error,
)
from app.care.agendas import SCHEDULE
from app.care.models import (
    Appointment,
    Slot,
    WaitingListEntry,
)
from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.registry.models import Citizen, Professional
from app.security import audit
from app.security.actor import Actor


class OverbookingNeeded(ValidationError):
    """The slot is full but allows overbooking (encaixe): ask the clerk, then book with it."""

    def __init__(self, extra: int) -> None:
        places = "1 encaixe permitido" if extra == 1 else f"{extra} encaixes permitidos"
        super().__init__(
            {"slot": f"Este horário está lotado, mas tem {places}. Agendar como encaixe?"}
        )
        self.extra = extra


@dataclass(frozen=True)
class Booked:
    appointment_id: uuid.UUID
    overbooked: bool


@dataclass(frozen=True)
class StatusChanged:
    appointment_id: uuid.UUID
    status: AppointmentStatus


@dataclass(frozen=True)
class Cancelled:
    """A cancellation and the waiting-list citizens the freed place can be offered to."""

    appointment_id: uuid.UUID
    slot_id: uuid.UUID
    candidates: tuple[WaitingCandidate, ...]


@dataclass(frozen=True)
class WaitingInput:
    citizen_id: uuid.UUID
    unit_cnes: str
    professional_id: uuid.UUID | None = None
    cbo: str = ""
    priority: WaitingPriority = WaitingPriority.NORMAL
    note: str = ""


# --- booking --------------------------------------------------------------------------------------


def _slot(session: Session, slot_id: uuid.UUID) -> Slot:
    slot = session.get(Slot, slot_id)
    if slot is None or slot.deleted_at is not None:
        raise NotFound("Horário não encontrado (pode ter sido excluído em outro computador).")
    return slot


def _active_count(session: Session, slot_id: uuid.UUID) -> int:
    query = select(func.count()).where(
        Appointment.slot_id == slot_id,
        Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED]),
    )
    return int(session.scalar(query) or 0)


def _check_bookable(session: Session, slot: Slot, overbook: bool) -> bool:
    """Whether the booking will be an overbooking; raises when the slot takes nobody."""
    if slot.blocked_reason:
        raise ValidationError({"slot": f"Horário bloqueado ({slot.blocked_reason})."})
    if slot.starts_at <= clock_of(session).now():
        raise ValidationError({"slot": "Este horário já passou: escolha outro."})
    regular, extra = free_places(slot.capacity, slot.overbooking, _active_count(session, slot.id))
    if regular:
        return False
    if not extra:
        raise ValidationError({"slot": "Este horário está lotado e não admite mais encaixes."})
    if not overbook:
        raise OverbookingNeeded(extra)
    return True


def _check_double_booking(session: Session, slot: Slot, citizen: Citizen) -> None:
    query = (
        select(Slot.starts_at, Professional.name)
        .join(Appointment, Appointment.slot_id == Slot.id)
        .join(Professional, Professional.id == Slot.professional_id)
        .where(
            Appointment.citizen_id == citizen.id,
            Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED]),
            Slot.starts_at < slot.ends_at,
            Slot.ends_at > slot.starts_at,
        )
        .limit(1)
    )
    clash = session.execute(query).first()
    if clash is not None:
        when = clash[0].astimezone(timezone_of(session))
        raise ValidationError(
            {
                "citizen_id": f"{citizen.name} já está agendado(a) em {when:%d/%m/%Y} às "
                f"{when:%H:%M} com {clash[1]}: um cidadão não pode ter dois agendamentos "
                "no mesmo horário."
            }
        )


def _citizen(session: Session, citizen_id: uuid.UUID) -> Citizen:
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or citizen.deleted_at is not None:
        raise NotFound("Cidadão não encontrado (pode ter sido excluído em outro computador).")
    return citizen


def book(
    session: Session,
    actor: Actor,
    slot_id: uuid.UUID,
    citizen_id: uuid.UUID,
    *,
    overbook: bool = False,
    waiting_entry_id: uuid.UUID | None = None,
) -> Booked:
    """Book a citizen into a slot (as an overbooking only when `overbook` says the clerk agreed)."""
    actor.require(SCHEDULE)
    slot = _slot(session, slot_id)
    actor.require(SCHEDULE, slot.unit_cnes)
    citizen = _citizen(session, citizen_id)
    overbooked = _check_bookable(session, slot, overbook)
    _check_double_booking(session, slot, citizen)
    appointment = Appointment(
        slot_id=slot.id, citizen_id=citizen.id, unit_cnes=slot.unit_cnes,
        status=AppointmentStatus.BOOKED, overbooked=overbooked, cancel_reason="",
        status_changed_at=clock_of(session).now(), booked_by=actor.username[:40],
        waiting_entry_id=waiting_entry_id,
    )  # fmt: skip
    session.add(appointment)
    session.flush()
    if waiting_entry_id is not None:
        _take_from_waiting_list(session, waiting_entry_id, appointment.id)
    audit.record(
        session, actor, audit.CREATE, entity="appointment", entity_id=str(appointment.id),
        detail={"slot_id": str(slot.id), "citizen_id": str(citizen.id), "overbooked": overbooked},
    )  # fmt: skip
    return Booked(appointment.id, overbooked)


def _take_from_waiting_list(
    session: Session, entry_id: uuid.UUID, appointment_id: uuid.UUID
) -> None:
    entry = session.get(WaitingListEntry, entry_id)
    if entry is None or entry.status != WaitingStatus.WAITING:
        raise ValidationError({"": "Este cidadão já não está aguardando na lista de espera."})
    entry.status, entry.appointment_id = WaitingStatus.SCHEDULED, appointment_id


# --- status changes -------------------------------------------------------------------------------


def _change_status(
    session: Session,
    actor: Actor,
    appointment_id: uuid.UUID,
    target: AppointmentStatus,
    reason: str = "",
) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.deleted_at is not None:
        raise NotFound("Agendamento não encontrado (pode ter sido excluído em outro computador).")
    actor.require(SCHEDULE, appointment.unit_cnes)
    error = transition_error(appointment.status, target)
    if error:
        raise ValidationError({"status": error})
    if target == AppointmentStatus.NO_SHOW:
        if _slot(session, appointment.slot_id).starts_at > clock_of(session).now():
            raise ValidationError({"status": "A falta só pode ser marcada depois do horário."})
    appointment.status = target
    appointment.status_changed_at = clock_of(session).now()
    fields = ["status"]
    if reason:
        appointment.cancel_reason = reason
        fields.append("cancel_reason")
    session.flush()
    audit.record(
        session, actor, audit.UPDATE, entity="appointment", entity_id=str(appointment.id),
        detail={"fields": fields, "status": target.value},
    )  # fmt: skip
    return appointment


def confirm(session: Session, actor: Actor, appointment_id: uuid.UUID) -> StatusChanged:
    """The citizen confirmed they will come."""
    _change_status(session, actor, appointment_id, AppointmentStatus.CONFIRMED)
    return StatusChanged(appointment_id, AppointmentStatus.CONFIRMED)


def mark_attended(session: Session, actor: Actor, appointment_id: uuid.UUID) -> StatusChanged:
    """The citizen came (compareceu)."""
    _change_status(session, actor, appointment_id, AppointmentStatus.ATTENDED)
    return StatusChanged(appointment_id, AppointmentStatus.ATTENDED)


def mark_no_show(session: Session, actor: Actor, appointment_id: uuid.UUID) -> StatusChanged:
    """The citizen did not come (faltou); only once the slot's time has begun."""
    _change_status(session, actor, appointment_id, AppointmentStatus.NO_SHOW)
    return StatusChanged(appointment_id, AppointmentStatus.NO_SHOW)


def cancel(session: Session, actor: Actor, appointment_id: uuid.UUID, reason: str) -> Cancelled:
    """Cancel with a reason; returns who on the waiting list may take the freed place."""
    reason = " ".join(reason.split())
    if len(reason) < 3:
        raise ValidationError({"reason": "Informe o motivo do cancelamento."})
    appointment = _change_status(
        session, actor, appointment_id, AppointmentStatus.CANCELLED, reason[:200]
    )
    candidates = waiting_candidates(session, actor, appointment.slot_id)
    return Cancelled(appointment.id, appointment.slot_id, tuple(candidates))


# --- waiting list ---------------------------------------------------------------------------------


def add_to_waiting_list(session: Session, actor: Actor, data: WaitingInput) -> uuid.UUID:
    """Put a citizen on the unit's waiting list for a professional or an occupation (CBO)."""
    actor.require(SCHEDULE, data.unit_cnes)
    _citizen(session, data.citizen_id)
    if data.professional_id is None and not data.cbo:
        raise ValidationError({"professional_id": "Informe o profissional ou a ocupação (CBO)."})
    entry = WaitingListEntry(
        citizen_id=data.citizen_id, unit_cnes=data.unit_cnes,
        professional_id=data.professional_id, cbo=data.cbo, priority=data.priority,
        status=WaitingStatus.WAITING, requested_at=clock_of(session).now(),
        note=data.note.strip()[:200],
    )  # fmt: skip
    session.add(entry)
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="waiting_list_entry", entity_id=str(entry.id))
    return entry.id
