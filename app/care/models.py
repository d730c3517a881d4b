"""Tables of the care department (Atenção à Saúde): agendas, slots, blocks, appointments and the
waiting list, the municipal holidays the agendas skip, attendances with their procedures, and the
closing of each month's production (competência).

Every table is synced (SYNC.md); those that belong to a unit carry its CNES as the sync scope.
Weekly templates hold wall-clock times of the municipality (minutes after midnight); slots, blocks
and appointments hold UTC instants. An appointment is a state machine (`app.care.agenda_rules`);
a cancelled one stays, with its reason. Municipal holidays belong to the whole municipality, so
they have no unit.

Attendances and their procedures are events (SYNC.md): never updated once written. A correction is
a new attendance whose `corrects_id` points to the one it replaces (`voided` when it only cancels
it); production counts the attendances no other attendance corrects. `competence` is the month the
attendance is presented in: its own month, or the next open one when that month was already closed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.care.agenda_rules import AppointmentStatus, BlockReason, WaitingPriority, WaitingStatus
from app.db.base import Base, SyncedMixin, UnitScopedMixin, UtcDateTime, str_enum


class MunicipalHoliday(SyncedMixin, Base):
    """A holiday (or ponto facultativo adopted) of the municipality, skipped by every agenda."""

    __tablename__ = "municipal_holiday"

    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(80))


class AgendaTemplate(SyncedMixin, UnitScopedMixin, Base):
    """One weekly shift of a professional at a unit, from which slots are generated."""

    __tablename__ = "agenda_template"

    professional_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("professional.id"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday … 6 = Sunday
    # Minutes after local midnight (420 = 07:00): plain integers travel through sync unchanged.
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    overbooking: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Slot(SyncedMixin, UnitScopedMixin, Base):
    """A bookable time of a professional at a unit (vaga); blocked when `blocked_reason` is set."""

    __tablename__ = "agenda_slot"

    professional_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("professional.id"))
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("agenda_template.id"), default=None
    )
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    overbooking: Mapped[int] = mapped_column(Integer, default=0)
    blocked_reason: Mapped[str] = mapped_column(String(120), default="")
    block_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("agenda_block.id"), default=None
    )

    __table_args__ = (
        UniqueConstraint("professional_id", "unit_cnes", "starts_at", name="uq_agenda_slot_time"),
        Index("ix_agenda_slot_unit_starts", "unit_cnes", "starts_at"),
    )


class AgendaBlock(SyncedMixin, UnitScopedMixin, Base):
    """A period without care: one professional's (vacation, meeting) or the whole unit's."""

    __tablename__ = "agenda_block"

    professional_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("professional.id"), default=None
    )
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[BlockReason] = mapped_column(str_enum(BlockReason))
    note: Mapped[str] = mapped_column(String(200), default="")


class Appointment(SyncedMixin, UnitScopedMixin, Base):
    """A citizen's booking in a slot (agendamento), with its status."""

    __tablename__ = "appointment"

    slot_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("agenda_slot.id"), index=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("citizen.id"), index=True)
    status: Mapped[AppointmentStatus] = mapped_column(str_enum(AppointmentStatus))
    overbooked: Mapped[bool] = mapped_column(default=False)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    booked_by: Mapped[str] = mapped_column(String(40), default="")
    waiting_entry_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)


class WaitingListEntry(SyncedMixin, UnitScopedMixin, Base):
    """A citizen waiting for a place with a professional (or any professional of an occupation)."""

    __tablename__ = "waiting_list_entry"

    citizen_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("citizen.id"), index=True)
    professional_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("professional.id"), default=None
    )
    cbo: Mapped[str] = mapped_column(String(6), default="")
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    priority: Mapped[WaitingPriority] = mapped_column(str_enum(WaitingPriority))
    status: Mapped[WaitingStatus] = mapped_column(str_enum(WaitingStatus))
    note: Mapped[str] = mapped_column(String(200), default="")
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)


class Attendance(SyncedMixin, UnitScopedMixin, Base):
    """One citizen attended by one professional (with one occupation) on one day (atendimento)."""

    __tablename__ = "attendance"
    __sync_kind__ = "event"

    citizen_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("citizen.id"), index=True)
    professional_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("professional.id"))
    cbo: Mapped[str] = mapped_column(String(6))
    attended_on: Mapped[date] = mapped_column(Date)
    competence: Mapped[str] = mapped_column(String(6))  # AAAAMM it is presented in
    icd10: Mapped[str] = mapped_column(String(4), default="")  # without the dot: "J069"
    # e-SUS LEDI codes (LocalDeAtendimento, TipoDeAtendimento) for the Ficha de Atendimento
    place: Mapped[int] = mapped_column(Integer, default=1)
    attendance_type: Mapped[int] = mapped_column(Integer, default=2)
    conduct: Mapped[int] = mapped_column(Integer, default=9)
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("attendance.id"), default=None, index=True
    )
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    correction_reason: Mapped[str] = mapped_column(String(200), default="")
    typed_by: Mapped[str] = mapped_column(String(40), default="")

    __table_args__ = (
        Index("ix_attendance_unit_competence", "unit_cnes", "competence"),
        Index("ix_attendance_professional_day", "professional_id", "attended_on"),
    )


class AttendanceProcedure(SyncedMixin, UnitScopedMixin, Base):
    """A SIGTAP procedure performed in an attendance, with its quantity."""

    __tablename__ = "attendance_procedure"
    __sync_kind__ = "event"

    attendance_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("attendance.id"), index=True)
    procedure: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int] = mapped_column(Integer, default=1)


class CompetenceClosing(SyncedMixin, UnitScopedMixin, Base):
    """A unit's production of one month, closed (no more attendances enter it) or reopened."""

    __tablename__ = "competence_closing"

    competence: Mapped[str] = mapped_column(String(6))
    closed: Mapped[bool] = mapped_column(Boolean, default=True)
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_by: Mapped[str] = mapped_column(String(40))
    attendances: Mapped[int] = mapped_column(Integer, default=0)
    procedures: Mapped[int] = mapped_column(Integer, default=0)
    reopen_reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        UniqueConstraint("unit_cnes", "competence", name="uq_competence_closing_unit"),
    )
