"""The agenda administration commands and lists: editing and deactivating a template, removing a
block or a municipal holiday, and the lists of templates, blocks, holidays and the waiting list.

Same world as `test_agendas_service`: UBS Central, a doctor and a nurse with Mon/Tue/Wed
08:00–10:00 templates; the agenda week is 20–24/04/2026 (Tuesday 21/04 is Tiradentes).
"""

from __future__ import annotations

from datetime import date, time

import pytest

from app.care import agendas, appointments
from app.care.agenda_queries import (
    day_agenda,
    list_blocks,
    list_holidays,
    list_templates,
    waiting_list,
)
from app.care.agenda_rules import BlockReason, WaitingPriority
from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from tests.unit.care.test_agendas_service import (
    CLERK,
    MONDAY,
    READER,
    UNIT,
    WEDNESDAY,
    World,
    build_world,
    generate_week,
    template,
    utc,
)


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def _templates(db: Database, world: World):
    with db.read_only() as s:
        return list_templates(s, CLERK, UNIT, world.doctor)


def test_templates_are_listed_edited_and_deactivated(db: Database, world: World) -> None:
    rows = _templates(db, world)
    assert [(r.weekday, r.start, r.end, r.active) for r in rows] == [
        (0, time(8), time(10), True), (1, time(8), time(10), True), (2, time(8), time(10), True),
    ]  # fmt: skip
    monday, tuesday = rows[0], rows[1]
    with db.unit_of_work(CLERK.username) as s, pytest.raises(ValidationError) as refused:
        data = template(world.doctor, 1, start=time(9), end=time(11))
        agendas.update_template(s, CLERK, monday.id, data)
    assert refused.value.errors["start"].startswith("Sobrepõe a agenda de 08:00 às 10:00")
    with db.unit_of_work(CLERK.username) as s:  # its own times do not count as an overlap
        data = template(world.doctor, 0, start=time(7), end=time(9), slot_minutes=20)
        agendas.update_template(s, CLERK, monday.id, data)
        agendas.deactivate_template(s, CLERK, tuesday.id)
    rows = _templates(db, world)
    assert [(r.weekday, r.start, r.slot_minutes, r.active) for r in rows] == [
        (0, time(7), 20, True), (2, time(8), 30, True), (1, time(8), 30, False),
    ]  # fmt: skip
    generate_week(db)
    with db.read_only() as s:
        doctor_monday = day_agenda(s, CLERK, UNIT, world.doctor, MONDAY)
        doctor_wednesday = day_agenda(s, CLERK, UNIT, world.doctor, WEDNESDAY)
    assert [f"{r.local_start:%H:%M}" for r in doctor_monday] == [
        "07:00", "07:20", "07:40", "08:00", "08:20", "08:40",
    ]  # fmt: skip
    assert len(doctor_wednesday) == 4
    with db.unit_of_work(CLERK.username) as s, pytest.raises(ValidationError) as again:
        agendas.deactivate_template(s, CLERK, tuesday.id)
    assert again.value.errors[""] == "Este modelo de agenda já está desativado."


def test_removing_a_block_opens_its_slots_unless_another_covers_them(
    db: Database, world: World
) -> None:
    generate_week(db)
    whole_unit = agendas.BlockInput(UNIT, utc(MONDAY, 8), utc(MONDAY, 9), BlockReason.MEETING,
                                    note="Reunião de equipe")  # fmt: skip
    vacation = agendas.BlockInput(UNIT, utc(MONDAY, 0), utc(MONDAY, 23), BlockReason.VACATION,
                                  professional_id=str(world.doctor))  # fmt: skip
    with db.unit_of_work(CLERK.username) as s:
        meeting_id = agendas.block_period(s, CLERK, whole_unit).block_id
        agendas.block_period(s, CLERK, vacation)
    with db.read_only() as s:
        blocks = list_blocks(s, CLERK, UNIT, MONDAY)
    assert [(b.reason, b.professional_name, f"{b.local_start:%H:%M}") for b in blocks] == [
        (BlockReason.VACATION, "Carla Menezes Duarte", "00:00"),
        (BlockReason.MEETING, "", "08:00"),
    ]
    with db.unit_of_work(CLERK.username) as s:
        opened = agendas.remove_block(s, CLERK, meeting_id)
    assert opened == 2  # the nurse's 08:00 and 08:30; the doctor's stay on vacation
    with db.read_only() as s:
        nurse = day_agenda(s, CLERK, UNIT, world.nurse, MONDAY)
        doctor = day_agenda(s, CLERK, UNIT, world.doctor, MONDAY)
        remaining = list_blocks(s, CLERK, UNIT, MONDAY)
    assert all(r.situation == "Livre" for r in nurse)
    assert {r.situation for r in doctor} == {"Bloqueado: Férias"}
    assert [b.reason for b in remaining] == [BlockReason.VACATION]


def test_municipal_holidays_are_listed_with_the_national_ones_removed_and_added_again(
    db: Database, world: World
) -> None:
    with db.unit_of_work(CLERK.username) as s:
        holiday_id = agendas.add_municipal_holiday(s, CLERK, WEDNESDAY, "Aniversário da cidade")
    with db.read_only() as s:
        rows = list_holidays(s, CLERK, 2026)
    april = [(r.day, r.name, r.national) for r in rows if r.day.month == 4]
    assert april == [
        (date(2026, 4, 3), "Sexta-feira Santa", True),
        (date(2026, 4, 21), "Tiradentes", True),
        (WEDNESDAY, "Aniversário da cidade", False),
    ]
    with db.unit_of_work(CLERK.username) as s:
        agendas.remove_municipal_holiday(s, CLERK, holiday_id)
    assert generate_week(db).holidays == ((date(2026, 4, 21), "Tiradentes"),)
    with db.unit_of_work(CLERK.username) as s:  # the same day again: the tombstone comes back
        agendas.add_municipal_holiday(s, CLERK, WEDNESDAY, "Feriado da padroeira")
    with db.read_only() as s:
        names = [r.name for r in list_holidays(s, CLERK, 2026) if not r.national]
    assert names == ["Feriado da padroeira"]


def test_waiting_list_in_calling_order(db: Database, world: World, clock) -> None:
    names = list(world.citizens)
    for name, priority in ((names[0], WaitingPriority.NORMAL), (names[1], WaitingPriority.HIGH),
                           (names[2], WaitingPriority.LOW)):  # fmt: skip
        data = appointments.WaitingInput(world.citizens[name], UNIT, None, "223565", priority)
        with db.unit_of_work(CLERK.username) as s:
            appointments.add_to_waiting_list(s, CLERK, data)
    with db.read_only() as s:
        rows = waiting_list(s, CLERK, UNIT)
    assert [(r.citizen_name, r.priority, r.cbo) for r in rows] == [
        (names[1], WaitingPriority.HIGH, "223565"),
        (names[0], WaitingPriority.NORMAL, "223565"),
        (names[2], WaitingPriority.LOW, "223565"),
    ]


def test_a_reader_cannot_change_the_agenda(db: Database, world: World) -> None:
    monday = _templates(db, world)[0]
    with db.unit_of_work(READER.username) as s:
        with pytest.raises(PermissionDenied):
            agendas.deactivate_template(s, READER, monday.id)
        with pytest.raises(PermissionDenied):
            agendas.update_template(s, READER, monday.id, template(world.doctor, 0))
    assert all(r.active for r in _templates(db, world))
