"""Table models of the agenda screens: the day's lines, the citizens found, the waiting list, and
the administration lists (weekly templates, blocks, holidays).

All three hold plain rows from `app.care.agenda_queries` / `app.registry.queries` and are small
(a day has tens of slots; a search shows its first page; a waiting list a few dozen names), so
they are plain lists replaced as a whole (`set_rows`). The day agenda is flattened into lines as
the printed agenda is: one line per booking, plus one "livre" line for a slot with room left and
one line for a blocked slot, so every action acts on the selected line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from app.brazil.identifiers import format_cns, format_phone
from app.care.agenda_queries import (
    AppointmentRow,
    BlockRow,
    HolidayRow,
    SlotRow,
    TemplateRow,
    WaitingCandidate,
    WaitingRow,
)
from app.care.agenda_rules import WEEKDAYS, AppointmentStatus
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


# --- agenda administration ------------------------------------------------------------------------


class TemplateModel(RowsModel[TemplateRow]):
    """A professional's weekly shifts: Dia, Horário, Duração, Vagas, Encaixes, Situação."""

    def _build_columns(self) -> list[Column[TemplateRow]]:
        return [
            Column(self.tr("Dia da semana"), lambda row: WEEKDAYS[row.weekday]),
            Column(self.tr("Horário"), lambda row: f"{row.start:%H:%M} às {row.end:%H:%M}"),
            Column(self.tr("Duração da vaga"), lambda row: f"{row.slot_minutes} min"),
            Column(self.tr("Cidadãos por vaga"), lambda row: str(row.capacity), True),
            Column(self.tr("Encaixes"), lambda row: str(row.overbooking), True),
            Column(
                self.tr("Situação"),
                lambda row: self.tr("Ativo") if row.active else self.tr("Desativado"),
            ),
        ]

    def foreground(self, row: TemplateRow) -> QColor | None:
        return None if row.active else MUTED


class BlockModel(RowsModel[BlockRow]):
    """The unit's blocks: Início, Fim, Profissional (or the whole unit), Motivo, Observação."""

    def _build_columns(self) -> list[Column[BlockRow]]:
        return [
            Column(self.tr("Início"), lambda row: f"{row.local_start:%d/%m/%Y %H:%M}"),
            Column(self.tr("Fim"), _block_end),
            Column(
                self.tr("Profissional"),
                lambda row: row.professional_name or self.tr("Toda a unidade"),
            ),
            Column(self.tr("Motivo"), lambda row: row.reason.label),
            Column(self.tr("Observação"), lambda row: row.note),
        ]


def _block_end(row: BlockRow) -> str:
    """A block ending at midnight is shown as the last minute of the day before (until 23:59)."""
    if row.local_end.hour == 0 and row.local_end.minute == 0:
        return f"{row.local_end - timedelta(minutes=1):%d/%m/%Y %H:%M}"
    return f"{row.local_end:%d/%m/%Y %H:%M}"


class HolidayModel(RowsModel[HolidayRow]):
    """The year's holidays: Data, Dia da semana, Nome, Tipo (nacional ones greyed: read-only)."""

    def _build_columns(self) -> list[Column[HolidayRow]]:
        return [
            Column(self.tr("Data"), lambda row: f"{row.day:%d/%m/%Y}"),
            Column(self.tr("Dia da semana"), lambda row: WEEKDAYS[row.day.weekday()]),
            Column(self.tr("Feriado"), lambda row: row.name),
            Column(
                self.tr("Tipo"),
                lambda row: self.tr("nacional") if row.national else self.tr("municipal"),
            ),
        ]

    def foreground(self, row: HolidayRow) -> QColor | None:
        return MUTED if row.national else None


class WaitingListModel(RowsModel[WaitingRow]):
    """Who is waiting at the unit, in the order they should be called."""

    def __init__(
        self,
        tz_convert: Callable[[datetime], datetime],
        occupations: Callable[[str], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent=parent)
        self._convert = tz_convert
        self._occupation = occupations  # CBO code → title, for entries without a professional

    def _build_columns(self) -> list[Column[WaitingRow]]:
        return [
            Column(self.tr("Prioridade"), lambda row: row.priority.label),
            Column(self.tr("Cidadão"), lambda row: row.citizen_name),
            Column(self.tr("CNS"), lambda row: format_cns(row.cns)),
            Column(self.tr("Aguarda"), self._waits_for),
            Column(self.tr("Desde"), lambda row: f"{self._convert(row.requested_at):%d/%m/%Y}"),
            Column(self.tr("Observação"), lambda row: row.note),
        ]

    def _waits_for(self, row: WaitingRow) -> str:
        if row.professional_name:
            return row.professional_name
        return self.tr("Qualquer – {occupation}").format(
            occupation=self._occupation(row.cbo) or row.cbo
        )
