"""Read side of the agendas: units and professionals to choose from, a professional's day, free
slots, the waiting-list candidates for a slot and what an appointment slip shows — plain rows.

Instants are stored in UTC and shown in the municipality's time zone, so every row carries the
local start time already converted. Reading needs "care.read" (and the unit, for accounts limited
to some units). Nothing here writes, except that opening a slip's data is not audited: the slip
itself is, when issued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.calendar import national_holidays
from app.care.agenda_rules import (
    AppointmentStatus,
    BlockReason,
    WaitingPriority,
    WaitingStatus,
    day_bounds,
    free_places,
)
from app.care.models import (
    AgendaBlock,
    AgendaTemplate,
    Appointment,
    MunicipalHoliday,
    Slot,
    WaitingListEntry,
)
from app.errors import NotFound
from app.installation.models import Municipality
from app.registry.models import Citizen, HealthUnit, Professional, ProfessionalBond
from app.reports.styles import zone
from app.security.actor import Actor

DEFAULT_TIMEZONE = "America/Sao_Paulo"


@dataclass(frozen=True)
class ProfessionalRow:
    id: uuid.UUID
    name: str
    cbo: str
    cbo_title: str
    with_agenda: bool = False


@dataclass(frozen=True)
class AgendaUnitRow:
    cnes: str
    name: str
    with_agenda: bool = False


@dataclass(frozen=True)
class AppointmentRow:
    id: uuid.UUID
    citizen_id: uuid.UUID
    citizen_name: str
    cns: str
    status: AppointmentStatus
    overbooked: bool
    cancel_reason: str


@dataclass(frozen=True)
class SlotRow:
    """One slot of a day agenda with its bookings (cancelled ones included, for the record)."""

    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    local_start: datetime
    local_end: datetime
    capacity: int
    overbooking: int
    blocked_reason: str
    appointments: tuple[AppointmentRow, ...]

    @property
    def active(self) -> tuple[AppointmentRow, ...]:
        """Bookings that still hold a place (cancelled ones free it)."""
        return tuple(a for a in self.appointments if a.status != AppointmentStatus.CANCELLED)

    @property
    def free(self) -> int:
        return free_places(self.capacity, self.overbooking, len(self.active))[0]

    @property
    def situation(self) -> str:
        """The slot as the clerk says it: "Livre", "Lotado", "1 de 2 vagas", "Bloqueado: …"."""
        if self.blocked_reason:
            return f"Bloqueado: {self.blocked_reason}"
        taken = len(self.active)
        if taken == 0:
            return "Livre"
        if taken > self.capacity:
            return f"Lotado (+{taken - self.capacity} encaixe)"
        if taken == self.capacity:
            return "Lotado"
        return f"{taken} de {self.capacity} vagas"


@dataclass(frozen=True)
class WaitingCandidate:
    """A citizen on the waiting list who fits a freed slot, in the order they should be offered."""

    entry_id: uuid.UUID
    citizen_id: uuid.UUID
    citizen_name: str
    cns: str
    phone: str
    priority: WaitingPriority
    requested_at: datetime
    note: str


@dataclass(frozen=True)
class SlipData:
    """Everything the appointment slip prints."""

    appointment_id: uuid.UUID
    citizen_name: str
    cns: str
    unit_cnes: str
    unit_name: str
    unit_address: str
    unit_phone: str
    professional_name: str
    cbo_title: str
    local_start: datetime
    status: AppointmentStatus


def timezone_of(session: Session) -> tzinfo:
    """The municipality's time zone (Brasília's when the profile is not filled in yet)."""
    query = select(Municipality.timezone).where(Municipality.deleted_at.is_(None)).limit(1)
    return zone(session.scalar(query) or DEFAULT_TIMEZONE)


def _templated(column: Any) -> Any:
    """EXISTS an active weekly template for the unit or professional in `column`'s row."""
    field = AgendaTemplate.unit_cnes if column.key == "cnes" else AgendaTemplate.professional_id
    return (
        select(AgendaTemplate.id)
        .where(
            field == column, AgendaTemplate.active.is_(True), AgendaTemplate.deleted_at.is_(None)
        )
        .exists()
    )


def list_agenda_units(session: Session, actor: Actor) -> list[AgendaUnitRow]:
    """Active units the actor may see: those with agendas first, then by name."""
    actor.require("care.read")
    query = select(HealthUnit.cnes, HealthUnit.name, _templated(HealthUnit.cnes)).where(
        HealthUnit.deleted_at.is_(None), HealthUnit.active.is_(True)
    )
    if actor.units:
        query = query.where(HealthUnit.cnes.in_(sorted(actor.units)))
    rows = [AgendaUnitRow(c, n, bool(w)) for c, n, w in session.execute(query)]
    return sorted(rows, key=lambda row: (not row.with_agenda, row.name))


def list_professionals(session: Session, actor: Actor, unit_cnes: str) -> list[ProfessionalRow]:
    """Professionals with an active bond to the unit, by name."""
    actor.require("care.read", unit_cnes)
    query = (
        select(
            Professional.id,
            Professional.name,
            ProfessionalBond.cbo,
            ProfessionalBond.cbo_title,
            _templated(Professional.id),
        )
        .join(ProfessionalBond, ProfessionalBond.professional_id == Professional.id)
        .where(
            ProfessionalBond.unit_cnes == unit_cnes,
            ProfessionalBond.active.is_(True),
            ProfessionalBond.deleted_at.is_(None),
            Professional.deleted_at.is_(None),
        )
        .order_by(Professional.name_key)
    )
    rows = [ProfessionalRow(i, n, c, t, bool(w)) for i, n, c, t, w in session.execute(query)]
    return sorted(rows, key=lambda row: not row.with_agenda)  # stable: by name within each


def _appointments(session: Session, slot_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    query = (
        select(Appointment, Citizen.name, Citizen.cns)
        .join(Citizen, Citizen.id == Appointment.citizen_id)
        .where(Appointment.slot_id.in_(slot_ids), Appointment.deleted_at.is_(None))
        .order_by(Appointment.created_at)
    )
    found: dict[uuid.UUID, list[Any]] = {}
    for appointment, name, cns in session.execute(query):
        row = AppointmentRow(
            appointment.id, appointment.citizen_id, name, cns or "", appointment.status,
            appointment.overbooked, appointment.cancel_reason,
        )  # fmt: skip
        found.setdefault(appointment.slot_id, []).append(row)
    return found


def day_agenda(
    session: Session, actor: Actor, unit_cnes: str, professional_id: uuid.UUID, day: date
) -> list[SlotRow]:
    """The professional's slots at the unit on `day` (local), in time order, with bookings."""
    actor.require("care.read", unit_cnes)
    tz = timezone_of(session)
    start, end = day_bounds(day, tz)
    query = (
        select(Slot)
        .where(
            Slot.unit_cnes == unit_cnes,
            Slot.professional_id == professional_id,
            Slot.starts_at >= start,
            Slot.starts_at < end,
            Slot.deleted_at.is_(None),
        )
        .order_by(Slot.starts_at)
    )
    slots = list(session.scalars(query))
    bookings = _appointments(session, [s.id for s in slots])
    return [_slot_row(slot, tuple(bookings.get(slot.id, ())), tz) for slot in slots]


def _slot_row(slot: Slot, appointments: tuple[AppointmentRow, ...], tz: tzinfo) -> SlotRow:
    return SlotRow(
        slot.id, slot.starts_at, slot.ends_at, slot.starts_at.astimezone(tz),
        slot.ends_at.astimezone(tz), slot.capacity, slot.overbooking, slot.blocked_reason,
        appointments,
    )  # fmt: skip


def free_slots(
    session: Session,
    actor: Actor,
    unit_cnes: str,
    first: date,
    *,
    professional_id: uuid.UUID | None = None,
    days: int = 30,
    limit: int = 50,
) -> list[SlotRow]:
    """Unblocked future slots with a regular place left, from `first` on, earliest first."""
    actor.require("care.read", unit_cnes)
    tz = timezone_of(session)
    start = day_bounds(first, tz)[0]
    end = day_bounds(first + timedelta(days=days), tz)[0]
    query = select(Slot).where(
        Slot.unit_cnes == unit_cnes,
        Slot.starts_at >= start,
        Slot.starts_at < end,
        Slot.blocked_reason == "",
        Slot.deleted_at.is_(None),
    )
    if professional_id is not None:
        query = query.where(Slot.professional_id == professional_id)
    found: list[SlotRow] = []
    for slot in session.scalars(query.order_by(Slot.starts_at)):
        row = _slot_row(slot, tuple(_appointments(session, [slot.id]).get(slot.id, ())), tz)
        if row.free > 0:
            found.append(row)
            if len(found) >= limit:
                break
    return found


def waiting_candidates(
    session: Session, actor: Actor, slot_id: uuid.UUID
) -> list[WaitingCandidate]:
    """Who on the waiting list fits the slot (same unit; the same professional or one of their
    occupations), by priority and then by how long they have waited; those booked in it excluded."""
    actor.require("care.read")
    slot = session.get(Slot, slot_id)
    if slot is None or slot.deleted_at is not None:
        raise NotFound("Horário não encontrado (pode ter sido excluído em outro computador).")
    actor.require("care.read", slot.unit_cnes)
    cbos = select(ProfessionalBond.cbo).where(
        ProfessionalBond.professional_id == slot.professional_id,
        ProfessionalBond.unit_cnes == slot.unit_cnes,
        ProfessionalBond.active.is_(True),
    )
    booked = select(Appointment.citizen_id).where(
        Appointment.slot_id == slot.id, Appointment.status != AppointmentStatus.CANCELLED
    )
    query = (
        select(WaitingListEntry, Citizen.name, Citizen.cns, Citizen.phone)
        .join(Citizen, Citizen.id == WaitingListEntry.citizen_id)
        .where(
            WaitingListEntry.unit_cnes == slot.unit_cnes,
            WaitingListEntry.status == WaitingStatus.WAITING,
            WaitingListEntry.deleted_at.is_(None),
            (WaitingListEntry.professional_id == slot.professional_id)
            | (WaitingListEntry.professional_id.is_(None) & WaitingListEntry.cbo.in_(cbos)),
            WaitingListEntry.citizen_id.not_in(booked),
        )
    )
    rows = [
        _candidate(entry, name, cns, phone) for entry, name, cns, phone in session.execute(query)
    ]
    return sorted(rows, key=lambda c: (c.priority.rank, c.requested_at, str(c.entry_id)))


def _candidate(entry: WaitingListEntry, name: str, cns: str | None, phone: str) -> WaitingCandidate:
    return WaitingCandidate(
        entry.id, entry.citizen_id, name, cns or "", phone, entry.priority, entry.requested_at,
        entry.note,
    )  # fmt: skip


def slip_data(session: Session, actor: Actor, appointment_id: uuid.UUID) -> SlipData:
    """What the appointment slip of one booking shows."""
    actor.require("care.read")
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.deleted_at is not None:
        raise NotFound("Agendamento não encontrado (pode ter sido excluído em outro computador).")
    actor.require("care.read", appointment.unit_cnes)
    slot = session.get(Slot, appointment.slot_id)
    citizen = session.get(Citizen, appointment.citizen_id)
    assert slot is not None and citizen is not None
    professional = session.get(Professional, slot.professional_id)
    unit = session.scalars(select(HealthUnit).where(HealthUnit.cnes == slot.unit_cnes)).first()
    title = session.scalar(
        select(ProfessionalBond.cbo_title).where(
            ProfessionalBond.professional_id == slot.professional_id,
            ProfessionalBond.unit_cnes == slot.unit_cnes,
        )
    )
    return SlipData(
        appointment.id, citizen.social_name or citizen.name, citizen.cns or "",
        slot.unit_cnes or "", unit.name if unit else "", unit.address if unit else "",
        unit.phone if unit else "", professional.name if professional else "", title or "",
        slot.starts_at.astimezone(timezone_of(session)), appointment.status,
    )  # fmt: skip


# --- what the agenda administration screens list --------------------------------------------------


@dataclass(frozen=True)
class TemplateRow:
    """A weekly shift of a professional at a unit, as its list shows it."""

    id: uuid.UUID
    professional_id: uuid.UUID
    unit_cnes: str
    weekday: int
    start: time
    end: time
    slot_minutes: int
    capacity: int
    overbooking: int
    active: bool


@dataclass(frozen=True)
class BlockRow:
    """A period without care; `professional_name` is empty for a whole-unit block."""

    id: uuid.UUID
    professional_id: uuid.UUID | None
    professional_name: str
    local_start: datetime
    local_end: datetime
    reason: BlockReason
    note: str


@dataclass(frozen=True)
class HolidayRow:
    """A holiday of the year: national (from the law, read-only) or municipal (`id` set)."""

    day: date
    name: str
    national: bool
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class WaitingRow:
    """A citizen still waiting on the unit's list, with whom or which occupation they wait for."""

    entry_id: uuid.UUID
    citizen_id: uuid.UUID
    citizen_name: str
    cns: str
    professional_name: str
    cbo: str
    priority: WaitingPriority
    requested_at: datetime
    note: str


def _clock_time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def list_templates(
    session: Session, actor: Actor, unit_cnes: str, professional_id: uuid.UUID
) -> list[TemplateRow]:
    """The professional's weekly shifts at the unit (deactivated ones last), by weekday and time."""
    actor.require("care.read", unit_cnes)
    query = select(AgendaTemplate).where(
        AgendaTemplate.unit_cnes == unit_cnes,
        AgendaTemplate.professional_id == professional_id,
        AgendaTemplate.deleted_at.is_(None),
    )
    rows = [
        TemplateRow(
            t.id,
            t.professional_id,
            t.unit_cnes or "",
            t.weekday,
            _clock_time(t.start_minute),
            _clock_time(t.end_minute),
            t.slot_minutes,
            t.capacity,
            t.overbooking,
            t.active,
        )
        for t in session.scalars(query)
    ]
    return sorted(rows, key=lambda r: (not r.active, r.weekday, r.start))


def list_blocks(session: Session, actor: Actor, unit_cnes: str, since: date) -> list[BlockRow]:
    """The unit's blocks that end on or after `since` (local date), earliest first."""
    actor.require("care.read", unit_cnes)
    tz = timezone_of(session)
    query = (
        select(AgendaBlock, Professional.name)
        .outerjoin(Professional, Professional.id == AgendaBlock.professional_id)
        .where(
            AgendaBlock.unit_cnes == unit_cnes,
            AgendaBlock.ends_at > day_bounds(since, tz)[0],
            AgendaBlock.deleted_at.is_(None),
        )
        .order_by(AgendaBlock.starts_at)
    )
    return [
        BlockRow(
            b.id,
            b.professional_id,
            name or "",
            b.starts_at.astimezone(tz),
            b.ends_at.astimezone(tz),
            b.reason,
            b.note,
        )
        for b, name in session.execute(query)
    ]


def list_holidays(session: Session, actor: Actor, year: int) -> list[HolidayRow]:
    """The year's holidays the agendas skip: national ones and the municipality's, by date."""
    actor.require("care.read")
    rows = [HolidayRow(day, name, True) for day, name in national_holidays(year).items()]
    query = select(MunicipalHoliday).where(
        MunicipalHoliday.day >= date(year, 1, 1),
        MunicipalHoliday.day <= date(year, 12, 31),
        MunicipalHoliday.deleted_at.is_(None),
    )
    rows += [HolidayRow(h.day, h.name, False, h.id) for h in session.scalars(query)]
    return sorted(rows, key=lambda r: (r.day, not r.national))


def waiting_list(session: Session, actor: Actor, unit_cnes: str) -> list[WaitingRow]:
    """Who is still waiting at the unit, in the order they should be called (priority, then
    how long they have waited)."""
    actor.require("care.read", unit_cnes)
    query = (
        select(WaitingListEntry, Citizen.name, Citizen.cns, Professional.name)
        .join(Citizen, Citizen.id == WaitingListEntry.citizen_id)
        .outerjoin(Professional, Professional.id == WaitingListEntry.professional_id)
        .where(
            WaitingListEntry.unit_cnes == unit_cnes,
            WaitingListEntry.status == WaitingStatus.WAITING,
            WaitingListEntry.deleted_at.is_(None),
        )
    )
    rows = [
        WaitingRow(
            e.id,
            e.citizen_id,
            name,
            cns or "",
            professional or "",
            e.cbo,
            e.priority,
            e.requested_at,
            e.note,
        )
        for e, name, cns, professional in session.execute(query)
    ]
    return sorted(rows, key=lambda r: (r.priority.rank, r.requested_at, str(r.entry_id)))
