"""Pure rules of the agendas: statuses and their legal transitions, block reasons, waiting-list
priorities, template validation and the slot times a weekly template yields on a day.

No database here. An appointment is a state machine (SYNC.md): booked → confirmed → attended |
no-show | cancelled, confirmation being optional; attended, no-show and cancelled are final, and
any other move is refused with a Portuguese sentence that says why. Template times are wall-clock
times of the municipality, turned into UTC instants with its time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240
MAX_CAPACITY = 50
WEEKDAYS = ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira",
            "sábado", "domingo")  # fmt: skip


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_active(self) -> bool:
        """Still holds the place (counts against the slot's capacity and the citizen's time)."""
        return self in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)


_STATUS_LABELS = {
    AppointmentStatus.BOOKED: "Agendado",
    AppointmentStatus.CONFIRMED: "Confirmado",
    AppointmentStatus.ATTENDED: "Compareceu",
    AppointmentStatus.NO_SHOW: "Faltou",
    AppointmentStatus.CANCELLED: "Cancelado",
}

_NEXT: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    AppointmentStatus.BOOKED: frozenset(
        {
            AppointmentStatus.CONFIRMED,
            AppointmentStatus.ATTENDED,
            AppointmentStatus.NO_SHOW,
            AppointmentStatus.CANCELLED,
        }
    ),
    AppointmentStatus.CONFIRMED: frozenset(
        {AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED}
    ),
    AppointmentStatus.ATTENDED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
}

_VERB = {
    AppointmentStatus.CONFIRMED: "confirmado",
    AppointmentStatus.ATTENDED: "marcado como comparecimento",
    AppointmentStatus.NO_SHOW: "marcado como falta",
    AppointmentStatus.CANCELLED: "cancelado",
}


def transition_error(current: AppointmentStatus, target: AppointmentStatus) -> str | None:
    """Why `current` cannot move to `target`, or None when the move is legal."""
    if target in _NEXT[current]:
        return None
    if current == target:
        return f"O agendamento já está na situação “{current.label}”."
    return (
        f"Um agendamento na situação “{current.label}” não pode ser {_VERB[target]}. "
        "Situações finais (compareceu, faltou, cancelado) não mudam mais."
    )


class BlockReason(StrEnum):
    HOLIDAY = "holiday"
    VACATION = "vacation"
    MEETING = "meeting"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "holiday": "Feriado",
            "vacation": "Férias",
            "meeting": "Reunião",
            "other": "Outro motivo",
        }[self.value]


class WaitingPriority(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def label(self) -> str:
        return {"high": "Prioritário", "normal": "Normal", "low": "Eletivo"}[self.value]

    @property
    def rank(self) -> int:
        """Sort key: lower is served first."""
        return {"high": 0, "normal": 1, "low": 2}[self.value]


class WaitingStatus(StrEnum):
    WAITING = "waiting"
    SCHEDULED = "scheduled"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return {"waiting": "Aguardando", "scheduled": "Agendado", "removed": "Retirado"}[self.value]


@dataclass(frozen=True)
class TemplateInput:
    """One weekly shift of a professional at a unit: e.g. Mondays 07:00–11:00, 20-minute slots."""

    professional_id: str
    unit_cnes: str
    weekday: int  # 0 = Monday … 6 = Sunday
    start: time
    end: time
    slot_minutes: int = 20
    capacity: int = 1
    overbooking: int = 0  # extra bookings allowed per slot beyond capacity (encaixe)


def template_errors(data: TemplateInput) -> dict[str, str]:
    """Every problem with a template's own fields (overlaps need the database)."""
    errors: dict[str, str] = {}
    if not 0 <= data.weekday <= 6:
        errors["weekday"] = "Dia da semana inválido."
    if data.end <= data.start:
        errors["end"] = "O horário final deve ser depois do inicial."
    if not MIN_SLOT_MINUTES <= data.slot_minutes <= MAX_SLOT_MINUTES:
        errors["slot_minutes"] = (
            f"A duração da vaga deve ficar entre {MIN_SLOT_MINUTES} e {MAX_SLOT_MINUTES} minutos."
        )
    if not 1 <= data.capacity <= MAX_CAPACITY:
        errors["capacity"] = f"Informe de 1 a {MAX_CAPACITY} cidadãos por vaga."
    if data.overbooking < 0:
        errors["overbooking"] = "O número de encaixes não pode ser negativo."
    return errors


def times_overlap(a_start: time, a_end: time, b_start: time, b_end: time) -> bool:
    return a_start < b_end and b_start < a_end


def slot_times(
    day: date, start: time, end: time, slot_minutes: int, tz: tzinfo
) -> list[tuple[datetime, datetime]]:
    """The (start, end) UTC instants of the whole slots between `start` and `end` on `day`."""
    first = datetime.combine(day, start, tzinfo=tz)
    last = datetime.combine(day, end, tzinfo=tz)
    step = timedelta(minutes=slot_minutes)
    found: list[tuple[datetime, datetime]] = []
    begin = first
    while begin + step <= last:
        found.append((begin.astimezone(UTC), (begin + step).astimezone(UTC)))
        begin += step
    return found


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants where `day` starts and ends in the time zone `tz`."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def free_places(capacity: int, overbooking: int, active: int) -> tuple[int, int]:
    """(regular places left, overbooking places left) for a slot with `active` bookings."""
    regular = max(capacity - active, 0)
    extra = max(capacity + overbooking - max(active, capacity), 0)
    return regular, extra
