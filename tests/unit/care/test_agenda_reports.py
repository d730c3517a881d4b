"""The agenda printouts read back as text: the day agenda of a professional and the citizen's slip,
whose verification code the app confirms afterwards."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from test_agendas_service import (
    CLERK,
    MONDAY,
    READER,
    UNIT,
    World,
    book,
    build_world,
    generate_week,
    slot_at,
)

from app.brazil.identifiers import format_cns
from app.care import appointments
from app.care.reports import agenda_day_pdf, appointment_slip_pdf
from app.db.session import Database
from app.errors import PermissionDenied
from app.registry.models import Citizen
from app.reports.issue import verify
from app.security.actor import Actor

VERIFIER = Actor(None, "conferente", "Conferente", frozenset({"documents.verify"}))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def world(db: Database) -> World:
    built = build_world(db)
    generate_week(db)
    return built


def _cns(db: Database, citizen_id) -> str:
    with db.read_only() as s:
        return s.get(Citizen, citizen_id).cns


def test_day_agenda_lists_the_day_with_citizens_and_free_slots(db: Database, world: World) -> None:
    maria, jose = world.citizens["Maria das Dores Silva"], world.citizens["José Carlos Pereira"]
    book(db, slot_at(db, world.doctor, MONDAY, 8).id, maria)
    cancelled = book(db, slot_at(db, world.doctor, MONDAY, 9).id, jose)
    with db.unit_of_work(CLERK.username) as s:
        appointments.cancel(s, CLERK, cancelled.appointment_id, "Viagem")
        issued = agenda_day_pdf(s, CLERK, UNIT, world.doctor, MONDAY)
    text = _text(issued.pdf)
    assert "AGENDA DO DIA" in text
    assert "Carla Menezes Duarte" in text
    assert "segunda-feira, 20 de abril de 2026" in text
    assert "08:00" in text and "Maria das Dores Silva" in text
    assert format_cns(_cns(db, maria)) in text
    assert "José Carlos Pereira" not in text  # cancelled: the slot shows as free again
    assert text.count("horário livre") == 3
    assert "Total: 1 cidadão agendado; 3 vagas livres." in text
    with db.unit_of_work("conferente") as s:
        assert verify(s, VERIFIER, issued.code).authentic


def test_slip_writes_the_date_out_and_its_code_verifies(db: Database, world: World) -> None:
    ana = world.citizens["Ana Beatriz Lima"]
    booked = book(db, slot_at(db, world.nurse, MONDAY, 8, 30).id, ana)
    with db.unit_of_work(CLERK.username) as s:
        issued = appointment_slip_pdf(s, CLERK, booked.appointment_id)
    text = " ".join(_text(issued.pdf).split())
    assert "COMPROVANTE DE AGENDAMENTO" in text
    assert "Ana Beatriz Lima" in text and format_cns(_cns(db, ana)) in text
    assert "segunda-feira, 20 de abril de 2026, às 8h30" in text
    assert "Rafael Nogueira Campos" in text and "UBS Central" in text
    assert "O que trazer" in text and "Cartão Nacional de Saúde" in text
    assert issued.code in text
    with db.unit_of_work("conferente") as s:
        result = verify(s, VERIFIER, issued.code)
    assert result.authentic and result.title == "Comprovante de agendamento"


def test_printing_needs_the_permission(db: Database, world: World) -> None:
    booked = book(db, slot_at(db, world.doctor, MONDAY, 8).id, world.citizens["Ana Beatriz Lima"])
    with db.unit_of_work("leitor") as s, pytest.raises(PermissionDenied):
        appointment_slip_pdf(s, READER, booked.appointment_id)
    nobody = Actor(None, "x", "X", frozenset({"registry.read"}))
    with db.unit_of_work("x") as s, pytest.raises(PermissionDenied):
        agenda_day_pdf(s, nobody, UNIT, world.doctor, MONDAY)
