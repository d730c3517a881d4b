"""The agenda service as a clerk uses it: slots from weekly templates, blocks, booking rules, the
appointment's status machine, cancellation feeding the waiting list, permissions and the audit.

The database is the real migrated SQLite of the `db` fixture; the clock stays at 02/03/2026 12:00
UTC. The agenda week is 20–24/04/2026, whose Tuesday (21/04) is Tiradentes, a national holiday.
Local time is Brasília's (UTC−3): 08:00 on the agenda is 11:00 UTC.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.brazil.identifiers import generate_cns, generate_cpf
from app.brazil.names import normalize_key
from app.care import agendas, appointments
from app.care.agenda_queries import day_agenda, free_slots
from app.care.agenda_rules import (
    AppointmentStatus,
    BlockReason,
    TemplateInput,
    WaitingPriority,
)
from app.care.models import Appointment, Slot
from app.clock import FixedClock
from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.installation.models import Municipality
from app.registry.enums import Sex, UnitKind
from app.registry.models import Citizen, HealthUnit, Professional, ProfessionalBond
from app.security.actor import Actor
from app.security.models import AuditEntry

UNIT = "2171643"
OTHER_UNIT = "2171651"
DOCTOR_CBO = "225142"
CLERK = Actor(
    account_id=uuid.UUID("01900000-0000-7000-8000-000000000011"),
    username="ana.recepcao",
    full_name="Ana Paula Recepção",
    permissions=frozenset({"care.read", "care.schedule", "registry.read"}),
)
READER = Actor(
    account_id=uuid.UUID("01900000-0000-7000-8000-000000000012"),
    username="leitor",
    full_name="Leitor",
    permissions=frozenset({"care.read"}),
)
MONDAY = date(2026, 4, 20)
TIRADENTES = date(2026, 4, 21)
WEDNESDAY = date(2026, 4, 22)


@dataclass(frozen=True)
class World:
    doctor: uuid.UUID
    nurse: uuid.UUID
    citizens: dict[str, uuid.UUID]


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    """The UTC instant of a Brasília wall-clock time."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC) + timedelta(hours=3)


def _professional(rng: random.Random, name: str, cbo: str, title: str) -> Professional:
    return Professional(name=name, name_key=normalize_key(name), cns=generate_cns(rng))


def build_world(db: Database, citizen_names: tuple[str, ...] = ()) -> World:
    """A municipality, a unit, a doctor and a nurse with Mon/Tue/Wed 08:00–10:00 templates."""
    rng = random.Random(7)
    names = citizen_names or ("Maria das Dores Silva", "José Carlos Pereira", "Ana Beatriz Lima",
                              "Pedro Henrique Souza", "Luana Cristina Alves")  # fmt: skip
    with db.unit_of_work("sistema") as s:
        s.add(Municipality(name="Campina Verde", uf="MG", ibge_code="3111200",
                           timezone="America/Sao_Paulo"))  # fmt: skip
        s.add(HealthUnit(cnes=UNIT, name="UBS Central", kind=UnitKind.UBS,
                         address="Rua das Flores, 100 – Centro", phone="3433330000"))  # fmt: skip
        s.add(HealthUnit(cnes=OTHER_UNIT, name="UBS Bairro Alto", kind=UnitKind.UBS))
        doctor = _professional(rng, "Carla Menezes Duarte", DOCTOR_CBO, "Médico")
        nurse = _professional(rng, "Rafael Nogueira Campos", "223565", "Enfermeiro")
        s.add_all([doctor, nurse])
        s.flush()
        s.add(
            ProfessionalBond(
                professional_id=doctor.id,
                unit_cnes=UNIT,
                cbo=DOCTOR_CBO,
                cbo_title="Médico da estratégia de saúde da família",
            )
        )
        s.add(
            ProfessionalBond(
                professional_id=nurse.id,
                unit_cnes=UNIT,
                cbo="223565",
                cbo_title="Enfermeiro da estratégia de saúde da família",
            )
        )
        people = {
            name: Citizen(
                name=name,
                name_key=normalize_key(name),
                cns=generate_cns(rng),
                cpf=generate_cpf(rng),
                birth_date=date(1980, 1, 1),
                sex=Sex.FEMALE,
                unit_cnes=UNIT,
            )
            for name in names
        }
        s.add_all(people.values())
        s.flush()
        world = World(doctor.id, nurse.id, {n: c.id for n, c in people.items()})
    with db.unit_of_work(CLERK.username) as s:
        for professional in (world.doctor, world.nurse):
            for weekday in (0, 1, 2):
                agendas.create_template(s, CLERK, template(professional, weekday))
    return world


def template(professional: uuid.UUID, weekday: int, **changes: object) -> TemplateInput:
    values: dict[str, object] = {
        "professional_id": str(professional), "unit_cnes": UNIT, "weekday": weekday,
        "start": time(8), "end": time(10), "slot_minutes": 30, "capacity": 1, "overbooking": 1,
    }  # fmt: skip
    values.update(changes)
    return TemplateInput(**values)  # type: ignore[arg-type]


def generate_week(db: Database) -> agendas.SlotsGenerated:
    with db.unit_of_work(CLERK.username) as s:
        return agendas.generate_slots(s, CLERK, UNIT, MONDAY, WEDNESDAY)


def slot_at(db: Database, professional: uuid.UUID, day: date, hour: int, minute: int = 0):
    with db.read_only() as s:
        rows = day_agenda(s, CLERK, UNIT, professional, day)
    return next(r for r in rows if r.starts_at == utc(day, hour, minute))


def book(db: Database, slot_id: uuid.UUID, citizen: uuid.UUID, **kw: object) -> appointments.Booked:
    with db.unit_of_work(CLERK.username) as s:
        return appointments.book(s, CLERK, slot_id, citizen, **kw)  # type: ignore[arg-type]


def _count(db: Database, model: type) -> int:
    with db.read_only() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def test_generation_skips_the_national_holiday_and_a_block_and_is_idempotent(
    db: Database, world: World
) -> None:
    with db.unit_of_work(CLERK.username) as s:
        agendas.block_period(
            s, CLERK,
            agendas.BlockInput(UNIT, utc(WEDNESDAY, 8), utc(WEDNESDAY, 9), BlockReason.MEETING,
                               professional_id=str(world.doctor), note="Reunião de equipe"),
        )  # fmt: skip
    result = generate_week(db)
    # 2 professionals × 4 slots on Monday and Wednesday, minus the doctor's two blocked slots.
    assert result.created == 14 and result.blocked == 2
    assert result.holidays == ((TIRADENTES, "Tiradentes"),)
    with db.read_only() as s:
        assert day_agenda(s, CLERK, UNIT, world.doctor, TIRADENTES) == []
        wednesday = day_agenda(s, CLERK, UNIT, world.doctor, WEDNESDAY)
    assert [r.local_start.strftime("%H:%M") for r in wednesday] == ["09:00", "09:30"]

    again = generate_week(db)
    assert again.created == 0 and again.existing == 14
    assert _count(db, Slot) == 14


def test_a_municipal_holiday_is_skipped_too(db: Database, world: World) -> None:
    with db.unit_of_work(CLERK.username) as s:
        agendas.add_municipal_holiday(s, CLERK, MONDAY, "Aniversário da cidade")
        with pytest.raises(ValidationError) as refused:
            agendas.add_municipal_holiday(s, CLERK, TIRADENTES, "Tiradentes")
    assert refused.value.errors["day"] == "21/04/2026 já é feriado nacional."
    result = generate_week(db)
    assert result.holidays == ((MONDAY, "Aniversário da cidade"), (TIRADENTES, "Tiradentes"))
    assert result.created == 8  # Wednesday only


def test_overlapping_template_is_refused_with_a_message(db: Database, world: World) -> None:
    with db.unit_of_work(CLERK.username) as s, pytest.raises(ValidationError) as refused:
        agendas.create_template(s, CLERK, template(world.doctor, 0, start=time(9), end=time(12)))
    assert "Sobrepõe a agenda de 08:00 às 10:00" in refused.value.errors["start"]


def test_capacity_and_overbooking(db: Database, world: World) -> None:
    generate_week(db)
    names = list(world.citizens.values())
    slot = slot_at(db, world.doctor, MONDAY, 8)
    assert not book(db, slot.id, names[0]).overbooked
    with pytest.raises(appointments.OverbookingNeeded) as full:
        book(db, slot.id, names[1])
    assert "lotado, mas tem 1 encaixe permitido" in full.value.message
    assert book(db, slot.id, names[1], overbook=True).overbooked
    with pytest.raises(ValidationError) as no_more:
        book(db, slot.id, names[2], overbook=True)
    assert no_more.value.errors["slot"] == "Este horário está lotado e não admite mais encaixes."
    assert slot_at(db, world.doctor, MONDAY, 8).situation == "Lotado (+1 encaixe)"


def test_double_booking_of_a_citizen_is_refused(db: Database, world: World) -> None:
    generate_week(db)
    maria = world.citizens["Maria das Dores Silva"]
    book(db, slot_at(db, world.doctor, MONDAY, 8).id, maria)
    with pytest.raises(ValidationError) as refused:
        book(db, slot_at(db, world.nurse, MONDAY, 8).id, maria)
    message = refused.value.errors["citizen_id"]
    assert "Maria das Dores Silva já está agendado(a) em 20/04/2026 às 08:00" in message
    assert "Carla Menezes Duarte" in message
    book(db, slot_at(db, world.nurse, MONDAY, 8, 30).id, maria)  # the next slot is fine
    assert _count(db, Appointment) == 2


def test_past_and_blocked_slots_take_nobody(db: Database, world: World, clock: FixedClock) -> None:
    generate_week(db)
    slot = slot_at(db, world.doctor, MONDAY, 8)
    with db.unit_of_work(CLERK.username) as s:
        agendas.block_period(
            s,
            CLERK,
            agendas.BlockInput(UNIT, utc(MONDAY, 0), utc(MONDAY, 23), BlockReason.VACATION),
        )
    with pytest.raises(ValidationError, match="Horário bloqueado \\(Férias\\)"):
        book(db, slot.id, world.citizens["Ana Beatriz Lima"])
    clock.current = utc(WEDNESDAY, 9, 1)
    with pytest.raises(ValidationError, match="já passou"):
        book(db, slot_at(db, world.doctor, WEDNESDAY, 9).id, world.citizens["Ana Beatriz Lima"])


def test_blocking_reports_existing_bookings_and_keeps_them(db: Database, world: World) -> None:
    generate_week(db)
    appointment = book(
        db, slot_at(db, world.doctor, MONDAY, 9).id, world.citizens["Ana Beatriz Lima"]
    )
    with db.unit_of_work(CLERK.username) as s:
        result = agendas.block_period(
            s, CLERK,
            agendas.BlockInput(UNIT, utc(MONDAY, 0), utc(MONDAY, 23, 59), BlockReason.VACATION,
                               professional_id=str(world.doctor)),
        )  # fmt: skip
    assert result.slots_blocked == 4
    assert [(a.appointment_id, a.citizen_name) for a in result.affected] == [
        (appointment.appointment_id, "Ana Beatriz Lima")
    ]
    slot = slot_at(db, world.doctor, MONDAY, 9)
    assert slot.situation == "Bloqueado: Férias"
    assert slot.appointments[0].status == AppointmentStatus.BOOKED  # never dropped silently


def test_status_machine_and_illegal_transitions(
    db: Database, world: World, clock: FixedClock
) -> None:
    generate_week(db)
    booked = book(
        db, slot_at(db, world.doctor, MONDAY, 8).id, world.citizens["Pedro Henrique Souza"]
    )
    appointment_id = booked.appointment_id
    with db.unit_of_work(CLERK.username) as s:
        with pytest.raises(ValidationError, match="só pode ser marcada depois do horário"):
            appointments.mark_no_show(s, CLERK, appointment_id)
        appointments.confirm(s, CLERK, appointment_id)
    clock.current = utc(MONDAY, 8, 5)
    with db.unit_of_work(CLERK.username) as s:
        appointments.mark_attended(s, CLERK, appointment_id)
    with db.unit_of_work(CLERK.username) as s, pytest.raises(ValidationError) as refused:
        appointments.cancel(s, CLERK, appointment_id, "Cidadão pediu")
    assert refused.value.errors["status"] == (
        "Um agendamento na situação “Compareceu” não pode ser cancelado. "
        "Situações finais (compareceu, faltou, cancelado) não mudam mais."
    )
    with db.unit_of_work(CLERK.username) as s, pytest.raises(ValidationError) as again:
        appointments.mark_attended(s, CLERK, appointment_id)
    assert again.value.errors["status"] == "O agendamento já está na situação “Compareceu”."
    other = book(db, slot_at(db, world.nurse, MONDAY, 9).id, world.citizens["Luana Cristina Alves"])
    clock.current = utc(MONDAY, 9, 40)
    with db.unit_of_work(CLERK.username) as s:
        assert appointments.mark_no_show(s, CLERK, other.appointment_id).status == "no_show"


def test_cancel_returns_the_waiting_list_in_priority_order(
    db: Database, world: World, clock: FixedClock
) -> None:
    generate_week(db)
    slot = slot_at(db, world.doctor, MONDAY, 8)
    booked = book(db, slot.id, world.citizens["Maria das Dores Silva"])
    waiting = [
        ("José Carlos Pereira", WaitingPriority.NORMAL, {"professional_id": world.doctor}),
        ("Ana Beatriz Lima", WaitingPriority.HIGH, {"cbo": DOCTOR_CBO}),
        ("Pedro Henrique Souza", WaitingPriority.NORMAL, {"cbo": DOCTOR_CBO}),
        ("Luana Cristina Alves", WaitingPriority.HIGH, {"professional_id": world.nurse}),
    ]
    for name, priority, target in waiting:
        clock.advance(timedelta(hours=1))
        with db.unit_of_work(CLERK.username) as s:
            data = appointments.WaitingInput(
                world.citizens[name], UNIT, priority=priority, **target
            )  # type: ignore[arg-type]
            appointments.add_to_waiting_list(s, CLERK, data)
    with db.unit_of_work(CLERK.username) as s:
        with pytest.raises(ValidationError, match="Informe o motivo"):
            appointments.cancel(s, CLERK, booked.appointment_id, " ")
        cancelled = appointments.cancel(s, CLERK, booked.appointment_id, "Viagem")
    names = [c.citizen_name for c in cancelled.candidates]
    # High priority first; then by waiting time. The nurse's list is not offered the doctor's slot.
    assert names == ["Ana Beatriz Lima", "José Carlos Pereira", "Pedro Henrique Souza"]
    first = cancelled.candidates[0]
    taken = book(db, cancelled.slot_id, first.citizen_id, waiting_entry_id=first.entry_id)
    with db.read_only() as s:
        from app.care.agenda_queries import waiting_candidates

        remaining = [c.citizen_name for c in waiting_candidates(s, CLERK, cancelled.slot_id)]
        assert s.get(Appointment, taken.appointment_id).waiting_entry_id == first.entry_id
    assert remaining == ["José Carlos Pereira", "Pedro Henrique Souza"]
    assert slot_at(db, world.doctor, MONDAY, 8).situation == "Lotado"


def test_permission_denied_writes_nothing(db: Database, world: World) -> None:
    generate_week(db)
    slot = slot_at(db, world.doctor, MONDAY, 8)
    audits = _count(db, AuditEntry)
    with db.unit_of_work(READER.username) as s, pytest.raises(PermissionDenied) as denied:
        appointments.book(s, READER, slot.id, world.citizens["Ana Beatriz Lima"])
    assert "Agendar, confirmar e cancelar" in denied.value.message
    limited = Actor(None, "outra", "Outra unidade", CLERK.permissions, frozenset({OTHER_UNIT}))
    with db.unit_of_work("outra") as s, pytest.raises(PermissionDenied, match="CNES 2171643"):
        appointments.book(s, limited, slot.id, world.citizens["Ana Beatriz Lima"])
    assert _count(db, Appointment) == 0 and _count(db, AuditEntry) == audits


def test_every_write_is_audited_with_ids_only(db: Database, world: World) -> None:
    generate_week(db)
    booked = book(db, slot_at(db, world.doctor, MONDAY, 8).id, world.citizens["Ana Beatriz Lima"])
    with db.unit_of_work(CLERK.username) as s:
        appointments.cancel(s, CLERK, booked.appointment_id, "Doença na família")
    with db.read_only() as s:
        query = select(AuditEntry).where(AuditEntry.entity_id == str(booked.appointment_id))
        entries = [(e.action, e.username, e.detail) for e in s.scalars(query)]
    assert [(action, user) for action, user, _ in entries] == [
        ("create", CLERK.username), ("update", CLERK.username)
    ]  # fmt: skip
    assert entries[1][2] == {"fields": ["status", "cancel_reason"], "status": "cancelled"}
    assert "Doença" not in str(entries[1][2])  # the reason's text stays out of the trail


def test_free_slots_lists_places_left(db: Database, world: World) -> None:
    generate_week(db)
    book(db, slot_at(db, world.doctor, MONDAY, 8).id, world.citizens["Ana Beatriz Lima"])
    with db.read_only() as s:
        rows = free_slots(s, CLERK, UNIT, MONDAY, professional_id=world.doctor, days=7)
    assert [r.local_start.strftime("%d/%m %H:%M") for r in rows][:3] == [
        "20/04 08:30", "20/04 09:00", "20/04 09:30"
    ]  # fmt: skip
    assert len(rows) == 7
