"""Commands of the agendas: weekly templates (create, edit, deactivate), municipal holidays (add,
remove), slot generation and blocks (add, remove).

Generating slots is idempotent (an existing slot is kept as it is) and skips national and municipal
holidays and blocked periods; editing or deactivating a template, or adding a holiday, leaves the
slots already generated as they are (the clerk blocks them if needed). Blocking a period marks the
slots in it and *reports* the bookings they hold — it never cancels them silently: the clerk calls
each citizen and cancels one by one; removing a block opens its slots again.
Booking and the appointment's life live in `app.care.appointments`. Every write needs
"care.schedule" for the unit and is audited; time comes from the session's clock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.calendar import national_holidays
from app.care.agenda_queries import timezone_of
from app.care.agenda_rules import (
    AppointmentStatus,
    BlockReason,
    TemplateInput,
    slot_times,
    template_errors,
    times_overlap,
)
from app.care.models import (
    AgendaBlock,
    AgendaTemplate,
    Appointment,
    MunicipalHoliday,
    Slot,
)
from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.registry.models import Citizen, ProfessionalBond
from app.security import audit
from app.security.actor import Actor

MAX_GENERATION_DAYS = 93
SCHEDULE = "care.schedule"


@dataclass(frozen=True)
class SlotsGenerated:
    """What a generation did: slots created, kept (already there), days skipped and why."""

    created: int
    existing: int
    holidays: tuple[tuple[date, str], ...]
    blocked: int


@dataclass(frozen=True)
class AffectedBooking:
    """A booking inside a period just blocked: the clerk must contact the citizen."""

    appointment_id: uuid.UUID
    citizen_name: str
    starts_at: datetime


@dataclass(frozen=True)
class BlockInput:
    """A period without care; `professional_id` empty blocks the whole unit."""

    unit_cnes: str
    starts_at: datetime
    ends_at: datetime
    reason: BlockReason
    professional_id: str = ""
    note: str = ""


@dataclass(frozen=True)
class BlockResult:
    block_id: uuid.UUID
    slots_blocked: int
    affected: tuple[AffectedBooking, ...]


# --- templates and holidays -----------------------------------------------------------------------


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _as_time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ValidationError({field: "Selecione um profissional."}) from exc


def _check_bond(session: Session, professional_id: uuid.UUID, unit_cnes: str) -> None:
    query = select(ProfessionalBond.id).where(
        ProfessionalBond.professional_id == professional_id,
        ProfessionalBond.unit_cnes == unit_cnes,
        ProfessionalBond.active.is_(True),
    )
    if session.scalar(query.limit(1)) is None:
        raise ValidationError(
            {"professional_id": f"O profissional não tem vínculo ativo com a unidade {unit_cnes}."}
        )


def _check_template_overlap(
    session: Session,
    professional_id: uuid.UUID,
    data: TemplateInput,
    exclude: uuid.UUID | None = None,
) -> None:
    query = select(AgendaTemplate).where(
        AgendaTemplate.professional_id == professional_id,
        AgendaTemplate.weekday == data.weekday,
        AgendaTemplate.active.is_(True),
        AgendaTemplate.deleted_at.is_(None),
    )
    if exclude is not None:
        query = query.where(AgendaTemplate.id != exclude)
    for other in session.scalars(query):
        start, end = _as_time(other.start_minute), _as_time(other.end_minute)
        if times_overlap(data.start, data.end, start, end):
            raise ValidationError(
                {
                    "start": f"Sobrepõe a agenda de {start:%H:%M} às {end:%H:%M} deste "
                    f"profissional no mesmo dia da semana (unidade {other.unit_cnes})."
                }
            )


def create_template(session: Session, actor: Actor, data: TemplateInput) -> uuid.UUID:
    """Add a weekly shift; refused when it overlaps another shift of the same professional."""
    actor.require(SCHEDULE, data.unit_cnes)
    professional_id = _uuid(data.professional_id, "professional_id")
    errors = template_errors(data)
    if errors:
        raise ValidationError(errors)
    _check_bond(session, professional_id, data.unit_cnes)
    _check_template_overlap(session, professional_id, data)
    template = AgendaTemplate(
        professional_id=professional_id, unit_cnes=data.unit_cnes, weekday=data.weekday,
        start_minute=_minutes(data.start), end_minute=_minutes(data.end),
        slot_minutes=data.slot_minutes, capacity=data.capacity, overbooking=data.overbooking,
    )  # fmt: skip
    session.add(template)
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="agenda_template", entity_id=str(template.id))
    return template.id


def _template(session: Session, actor: Actor, template_id: uuid.UUID) -> AgendaTemplate:
    template = session.get(AgendaTemplate, template_id)
    if template is None or template.deleted_at is not None:
        raise NotFound(
            "Modelo de agenda não encontrado (pode ter sido excluído em outro computador)."
        )
    actor.require(SCHEDULE, template.unit_cnes)
    return template


def update_template(
    session: Session, actor: Actor, template_id: uuid.UUID, data: TemplateInput
) -> uuid.UUID:
    """Change a weekly shift (weekday, times, slot length, places); slots already generated stay
    as they are — the change applies to the slots generated from now on."""
    template = _template(session, actor, template_id)
    actor.require(SCHEDULE, data.unit_cnes)
    if data.unit_cnes != template.unit_cnes or data.professional_id != str(
        template.professional_id
    ):
        raise ValidationError({"": "O profissional e a unidade de um modelo não mudam."})
    errors = template_errors(data)
    if errors:
        raise ValidationError(errors)
    if template.active:
        _check_template_overlap(session, template.professional_id, data, exclude=template.id)
    template.weekday, template.slot_minutes = data.weekday, data.slot_minutes
    template.start_minute, template.end_minute = _minutes(data.start), _minutes(data.end)
    template.capacity, template.overbooking = data.capacity, data.overbooking
    session.flush()
    audit.record(session, actor, audit.UPDATE, entity="agenda_template", entity_id=str(template.id))
    return template.id


def deactivate_template(session: Session, actor: Actor, template_id: uuid.UUID) -> uuid.UUID:
    """Stop generating slots from a weekly shift (the slots already generated stay)."""
    template = _template(session, actor, template_id)
    if not template.active:
        raise ValidationError({"": "Este modelo de agenda já está desativado."})
    template.active = False
    session.flush()
    audit.record(
        session, actor, audit.UPDATE, entity="agenda_template", entity_id=str(template.id),
        detail={"fields": ["active"]},
    )  # fmt: skip
    return template.id


def add_municipal_holiday(session: Session, actor: Actor, day: date, name: str) -> uuid.UUID:
    """Register a municipal holiday (or an adopted ponto facultativo) that agendas skip."""
    actor.require(SCHEDULE)
    name = " ".join(name.split())
    if len(name) < 3:
        raise ValidationError({"name": "Informe o nome do feriado."})
    if day in national_holidays(day.year):
        raise ValidationError({"day": f"{day:%d/%m/%Y} já é feriado nacional."})
    holiday = session.scalar(select(MunicipalHoliday).where(MunicipalHoliday.day == day))
    if holiday is not None and holiday.deleted_at is None:
        raise ValidationError({"day": f"{day:%d/%m/%Y} já está cadastrado como feriado municipal."})
    if holiday is not None:  # a removed one comes back: the day is unique, tombstones included
        holiday.deleted_at, holiday.name = None, name
    else:
        holiday = MunicipalHoliday(day=day, name=name)
        session.add(holiday)
    session.flush()
    audit.record(
        session, actor, audit.CREATE, entity="municipal_holiday", entity_id=str(holiday.id)
    )
    return holiday.id


def remove_municipal_holiday(session: Session, actor: Actor, holiday_id: uuid.UUID) -> None:
    """Remove a municipal holiday; agendas generated from now on use that day again."""
    actor.require(SCHEDULE)
    holiday = session.get(MunicipalHoliday, holiday_id)
    if holiday is None or holiday.deleted_at is not None:
        raise NotFound("Feriado não encontrado (pode ter sido removido em outro computador).")
    holiday.deleted_at = clock_of(session).now()
    session.flush()
    audit.record(
        session, actor, audit.DELETE, entity="municipal_holiday", entity_id=str(holiday.id)
    )


def municipal_holidays(session: Session, first: date, last: date) -> dict[date, str]:
    """Municipal holidays between two dates (inclusive), date → name."""
    query = select(MunicipalHoliday.day, MunicipalHoliday.name).where(
        MunicipalHoliday.day >= first,
        MunicipalHoliday.day <= last,
        MunicipalHoliday.deleted_at.is_(None),
    )
    return {day: name for day, name in session.execute(query)}


# --- generating slots -----------------------------------------------------------------------------


def _templates(
    session: Session, unit_cnes: str, professional_id: uuid.UUID | None
) -> list[AgendaTemplate]:
    query = select(AgendaTemplate).where(
        AgendaTemplate.unit_cnes == unit_cnes,
        AgendaTemplate.active.is_(True),
        AgendaTemplate.deleted_at.is_(None),
    )
    if professional_id is not None:
        query = query.where(AgendaTemplate.professional_id == professional_id)
    return list(session.scalars(query))


def _blocks(session: Session, unit_cnes: str, start: datetime, end: datetime) -> list[AgendaBlock]:
    query = select(AgendaBlock).where(
        AgendaBlock.unit_cnes == unit_cnes,
        AgendaBlock.starts_at < end,
        AgendaBlock.ends_at > start,
        AgendaBlock.deleted_at.is_(None),
    )
    return list(session.scalars(query))


def _existing(
    session: Session, unit_cnes: str, start: datetime, end: datetime
) -> set[tuple[uuid.UUID, datetime]]:
    query = select(Slot.professional_id, Slot.starts_at).where(
        Slot.unit_cnes == unit_cnes, Slot.starts_at >= start, Slot.starts_at < end
    )
    return {(p, s) for p, s in session.execute(query)}


def _blocked_by(
    blocks: list[AgendaBlock], professional_id: uuid.UUID, start: datetime, end: datetime
) -> bool:
    return any(
        (b.professional_id is None or b.professional_id == professional_id)
        and b.starts_at < end
        and start < b.ends_at
        for b in blocks
    )


def _period_checked(first: date, last: date) -> None:
    if last < first:
        raise ValidationError({"last": "A data final deve ser igual ou posterior à inicial."})
    if (last - first).days >= MAX_GENERATION_DAYS:
        raise ValidationError({"last": "Gere as vagas de no máximo três meses de cada vez."})


@dataclass
class _Generation:
    """The state of one generation run: what exists, what blocks, what was counted."""

    session: Session
    tz: tzinfo
    blocks: list[AgendaBlock]
    existing: set[tuple[uuid.UUID, datetime]]
    created: int = 0
    kept: int = 0
    blocked: int = 0

    def fill(self, template: AgendaTemplate, day: date) -> None:
        start, end = _as_time(template.start_minute), _as_time(template.end_minute)
        for begin, finish in slot_times(day, start, end, template.slot_minutes, self.tz):
            if (template.professional_id, begin) in self.existing:
                self.kept += 1
            elif _blocked_by(self.blocks, template.professional_id, begin, finish):
                self.blocked += 1
            else:
                self.session.add(_slot_from(template, begin, finish))
                self.existing.add((template.professional_id, begin))
                self.created += 1


def generate_slots(
    session: Session,
    actor: Actor,
    unit_cnes: str,
    first: date,
    last: date,
    professional_id: uuid.UUID | None = None,
) -> SlotsGenerated:
    """Create the slots of the unit's templates from `first` to `last` (local dates, inclusive)."""
    actor.require(SCHEDULE, unit_cnes)
    _period_checked(first, last)
    tz = timezone_of(session)
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    templates = _templates(session, unit_cnes, professional_id)
    run = _Generation(
        session, tz, _blocks(session, unit_cnes, start, end),
        _existing(session, unit_cnes, start, end),
    )  # fmt: skip
    local = municipal_holidays(session, first, last)
    skipped: list[tuple[date, str]] = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        todays = [t for t in templates if t.weekday == day.weekday()]
        holiday = national_holidays(day.year).get(day) or local.get(day)
        if holiday and todays:
            skipped.append((day, holiday))
            continue
        for template in todays:
            run.fill(template, day)
    session.flush()
    detail = {"unit_cnes": unit_cnes, "first": first.isoformat(), "last": last.isoformat(),
              "created": run.created}  # fmt: skip
    audit.record(session, actor, audit.CREATE, entity="agenda_slot", entity_id=None, detail=detail)
    return SlotsGenerated(run.created, run.kept, tuple(skipped), run.blocked)


def _slot_from(template: AgendaTemplate, begin: datetime, finish: datetime) -> Slot:
    return Slot(
        professional_id=template.professional_id, template_id=template.id,
        unit_cnes=template.unit_cnes, starts_at=begin, ends_at=finish,
        capacity=template.capacity, overbooking=template.overbooking, blocked_reason="",
    )  # fmt: skip


# --- blocking -------------------------------------------------------------------------------------


def _block_label(data: BlockInput) -> str:
    note = " ".join(data.note.split())
    return f"{data.reason.label} – {note}"[:120] if note else data.reason.label


def block_period(session: Session, actor: Actor, data: BlockInput) -> BlockResult:
    """Block a period for a professional or the whole unit; bookings in it are reported back."""
    actor.require(SCHEDULE, data.unit_cnes)
    if data.ends_at <= data.starts_at:
        raise ValidationError({"ends_at": "O fim do bloqueio deve ser depois do início."})
    professional_id = (
        _uuid(data.professional_id, "professional_id") if data.professional_id else None
    )
    block = AgendaBlock(
        unit_cnes=data.unit_cnes, professional_id=professional_id, starts_at=data.starts_at,
        ends_at=data.ends_at, reason=data.reason, note=data.note.strip()[:200],
    )  # fmt: skip
    session.add(block)
    session.flush()
    query = select(Slot).where(
        Slot.unit_cnes == data.unit_cnes,
        Slot.starts_at < data.ends_at,
        Slot.ends_at > data.starts_at,
        Slot.deleted_at.is_(None),
    )
    if professional_id is not None:
        query = query.where(Slot.professional_id == professional_id)
    slots = list(session.scalars(query))
    for slot in slots:
        slot.blocked_reason, slot.block_id = _block_label(data), block.id
    affected = _affected(session, [s.id for s in slots])
    session.flush()
    audit.record(
        session, actor, audit.CREATE, entity="agenda_block", entity_id=str(block.id),
        detail={"slots": len(slots), "bookings_affected": len(affected)},
    )  # fmt: skip
    return BlockResult(block.id, len(slots), affected)


def _affected(session: Session, slot_ids: list[uuid.UUID]) -> tuple[AffectedBooking, ...]:
    query = (
        select(Appointment.id, Citizen.name, Slot.starts_at)
        .join(Citizen, Citizen.id == Appointment.citizen_id)
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(
            Appointment.slot_id.in_(slot_ids),
            Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED]),
        )
        .order_by(Slot.starts_at)
    )
    return tuple(AffectedBooking(*row) for row in session.execute(query))


def remove_block(session: Session, actor: Actor, block_id: uuid.UUID) -> int:
    """Remove a block; its slots open again unless another block still covers them.

    Returns how many slots were opened again."""
    block = session.get(AgendaBlock, block_id)
    if block is None or block.deleted_at is not None:
        raise NotFound("Bloqueio não encontrado (pode ter sido removido em outro computador).")
    actor.require(SCHEDULE, block.unit_cnes)
    block.deleted_at = clock_of(session).now()
    session.flush()
    slots = list(session.scalars(select(Slot).where(Slot.block_id == block.id)))
    others = _blocks(session, block.unit_cnes or "", block.starts_at, block.ends_at)
    opened = 0
    for slot in slots:
        cover = next(
            (b for b in others if _blocked_by([b], slot.professional_id, slot.starts_at,
                                               slot.ends_at)),
            None,
        )  # fmt: skip
        if cover is None:
            slot.blocked_reason, slot.block_id = "", None
            opened += 1
        else:
            slot.blocked_reason, slot.block_id = _label_of(cover), cover.id
    session.flush()
    audit.record(
        session, actor, audit.DELETE, entity="agenda_block", entity_id=str(block.id),
        detail={"slots_opened": opened},
    )  # fmt: skip
    return opened


def _label_of(block: AgendaBlock) -> str:
    return _block_label(
        BlockInput(block.unit_cnes or "", block.starts_at, block.ends_at, block.reason,
                   note=block.note)
    )  # fmt: skip
