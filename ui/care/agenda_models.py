"""Table models of the agenda screens: the day's lines, the citizens found, the waiting list.

All three hold plain rows from `app.care.agenda_queries` / `app.registry.queries` and are small
(a day has tens of slots; a search shows its first page; a waiting list a few dozen names), so
they are plain lists replaced as a whole (`set_rows`). The day agenda is flattened into lines as
the printed agenda is: one line per booking, plus one "livre" line for a slot with room left and
one line for a blocked slot, so every action acts on the selected line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from app.brazil.identifiers import format_cns, format_phone
from app.care.agenda_queries import AppointmentRow, SlotRow, WaitingCandidate
from app.care.agenda_rules import AppointmentStatus
from app.registry.queries import CitizenRow
from ui.models.rows import Column, RowsModel

MUTED = QColor("#6b6b6b")


# --- the day agenda -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaLine:
    """One line of the day: a slot and the booking shown on it (None on a free or blocked line)."""

    slot: SlotRow
    appointment: AppointmentRow | None
    past: bool = False  # the slot has already begun: nobody can be booked into it any more

    @property
    def is_free(self) -> bool:
        return self.appointment is None and not self.slot.blocked_reason and not self.past


def agenda_lines(slots: Sequence[SlotRow], now: datetime) -> list[AgendaLine]:
    """Flatten slots into lines: bookings (cancelled ones left out), then a free or blocked line."""
    lines: list[AgendaLine] = []
    for slot in slots:
        past = slot.starts_at <= now
        lines.extend(AgendaLine(slot, booking, past) for booking in slot.active)
        if slot.blocked_reason and not slot.active:
            lines.append(AgendaLine(slot, None, past))
        elif not slot.blocked_reason and slot.free > 0 and not (past and slot.active):
            lines.append(AgendaLine(slot, None, past))
    return lines


def _time(when: datetime) -> str:
    return f"{when:%H:%M}"


class AgendaModel(RowsModel[AgendaLine]):
    """The day's lines: Hora, Vagas, Cidadão, CNS, Situação."""

    def _build_columns(self) -> list[Column[AgendaLine]]:
        return [
            Column(self.tr("Hora"), lambda line: _time(line.slot.local_start)),
            Column(self.tr("Vagas"), self._places),
            Column(self.tr("Cidadão"), self._citizen),
            Column(
                self.tr("CNS"),
                lambda line: format_cns(line.appointment.cns if line.appointment else ""),
            ),
            Column(self.tr("Situação"), self._status),
        ]

    def _places(self, line: AgendaLine) -> str:
        slot = line.slot
        text = self.tr("{taken}/{capacity}").format(taken=len(slot.active), capacity=slot.capacity)
        if slot.overbooking:
            text += self.tr(" +{extra} encaixe").format(extra=slot.overbooking)
        return text

    def _citizen(self, line: AgendaLine) -> str:
        if line.appointment is not None:
            return line.appointment.citizen_name
        if line.slot.blocked_reason:
            return ""
        return self.tr("— não utilizado —") if line.past else self.tr("— livre —")

    def _status(self, line: AgendaLine) -> str:
        if line.appointment is None:
            if line.slot.blocked_reason:
                return line.slot.situation
            return self.tr("Horário encerrado") if line.past else self.tr("Livre")
        text = line.appointment.status.label
        if line.appointment.overbooked:
            text += self.tr(" (encaixe)")
        if line.slot.blocked_reason:
            text += self.tr(" – horário bloqueado: avise o cidadão")
        return text

    def foreground(self, row: AgendaLine) -> QColor | None:
        if row.appointment is None or row.appointment.status in (
            AppointmentStatus.NO_SHOW,
            AppointmentStatus.CANCELLED,
        ):
            return MUTED
        return None


# --- citizens found and the waiting list ----------------------------------------------------------


class CitizenPickModel(RowsModel[CitizenRow]):
    """Citizens found by the booking dialog's search: Nome, CNS, Nascimento, Mãe."""

    def _build_columns(self) -> list[Column[CitizenRow]]:
        return [
            Column(self.tr("Nome"), lambda row: row.name),
            Column(self.tr("CNS"), lambda row: format_cns(row.cns)),
            Column(self.tr("Nascimento"), lambda row: f"{row.birth_date:%d/%m/%Y}"),
            Column(self.tr("Mãe"), lambda row: row.mother_name),
        ]


class WaitingModel(RowsModel[WaitingCandidate]):
    """Waiting-list candidates for a freed slot, in the order they should be offered."""

    def __init__(
        self, tz_convert: Callable[[datetime], datetime], parent: QObject | None = None
    ) -> None:
        super().__init__(parent=parent)
        self._convert = tz_convert  # read by the last column when a cell is painted

    def _build_columns(self) -> list[Column[WaitingCandidate]]:
        return [
            Column(self.tr("Prioridade"), lambda row: row.priority.label),
            Column(self.tr("Cidadão"), lambda row: row.citizen_name),
            Column(self.tr("CNS"), lambda row: format_cns(row.cns)),
            Column(self.tr("Telefone"), lambda row: format_phone(row.phone)),
            Column(
                self.tr("Na lista desde"), lambda row: f"{self._convert(row.requested_at):%d/%m/%Y}"
            ),
        ]
