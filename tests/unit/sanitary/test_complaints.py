"""Denúncias: protocol, deadline, identity protection, routing to an inspection, the papers."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.db.session import Database
from app.errors import ValidationError
from app.sanitary import complaints as svc
from app.sanitary.complaint_report import answer_pdf, receipt_pdf
from app.sanitary.enums import ComplaintStatus, InspectionReason, InspectionStatus
from app.sanitary.models import Complaint, Establishment, Inspection
from app.security.actor import Actor
from app.security.auth import login
from tests.ui.shell_helpers import fill_demo

TODAY = date(2026, 3, 2)


def log_in(db: Database, username: str, password: str) -> Actor:
    with db.unit_of_work(username) as session:
        result = login(session, username, password)
    assert result.actor is not None
    return result.actor


@pytest.fixture
def fiscal(db: Database) -> Actor:
    fill_demo(db)
    return log_in(db, "fiscal", "fiscal2026")


def run(db: Database, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with db.unit_of_work("fiscal") as s:
        return fn(s, *args, **kwargs)


def first_establishment(db: Database) -> Establishment:
    with db.read_only() as s:
        row = s.scalars(select(Establishment).order_by(Establishment.name_key)).first()
        assert row is not None
        s.expunge(row)
        return row


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_anonymous_complaint_keeps_no_identity(db: Database, fiscal: Actor) -> None:
    data = svc.ComplaintInput(
        received_on=date(2026, 2, 27), channel="telefone", anonymous=True,
        description="Lanchonete vende salgados com bolor.", complainant_name="Fulano",
        complainant_contact="41 99999-0000", place="Lanchonete na praça da matriz",
    )  # fmt: skip
    created = run(db, svc.register_complaint, fiscal, data)
    assert created.protocol == "0001/2026"
    # 27/02 + 30 days = 29/03, a Sunday → Monday 30/03
    assert created.due_on == date(2026, 3, 30)
    with db.read_only() as s:
        row = s.get(Complaint, created.id)
        assert row is not None
        assert (row.complainant_name, row.complainant_contact) == ("", "")
    visa = log_in(db, "visa", "visa2026")
    shown = run(db, svc.get_complaint, visa, created.id)
    assert shown.complainant == "Denúncia anônima" and shown.contact == ""
    receipt = pdf_text(run(db, receipt_pdf, fiscal, created.id).pdf)
    assert "PROTOCOLO DE DENÚNCIA Nº 0001/2026" in receipt
    assert "30 (trinta) dias, até 30/03/2026" in receipt
    assert "nenhum dado do denunciante foi registrado" in receipt
    assert "Fulano" not in receipt


def test_identity_shown_only_to_coordination(db: Database, fiscal: Actor) -> None:
    establishment = first_establishment(db)
    data = svc.ComplaintInput(
        received_on=TODAY, channel="presencial", anonymous=False,
        description="Banheiro sem sabonete.", complainant_name="Maria das Dores",
        complainant_contact="maria@example.com", establishment_id=establishment.id,
    )  # fmt: skip
    created = run(db, svc.register_complaint, fiscal, data)
    assert run(db, svc.get_complaint, fiscal, created.id).complainant == "identidade protegida"
    visa = log_in(db, "visa", "visa2026")
    shown = run(db, svc.get_complaint, visa, created.id)
    assert (shown.complainant, shown.contact) == ("Maria das Dores", "maria@example.com")
    assert "Maria" not in pdf_text(run(db, receipt_pdf, visa, created.id).pdf)


def test_intake_refuses_missing_fields(db: Database, fiscal: Actor) -> None:
    data = svc.ComplaintInput(received_on=date(2026, 3, 3), channel="fax", anonymous=False,
                              description=" ")  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        run(db, svc.register_complaint, fiscal, data)
    assert set(refused.value.errors) == {
        "received_on", "channel", "complainant_name", "description", "place",
    }  # fmt: skip


def test_routing_creates_a_complaint_inspection_and_the_answer_prints(
    db: Database, fiscal: Actor
) -> None:
    establishment = first_establishment(db)
    data = svc.ComplaintInput(
        received_on=TODAY, channel="ouvidoria", anonymous=True,
        description="Carne exposta fora da refrigeração.", establishment_id=establishment.id,
    )  # fmt: skip
    created = run(db, svc.register_complaint, fiscal, data)
    with db.read_only() as s:
        inspector = svc.inspector_choices(s, fiscal)[0]
    inspection_id = run(db, svc.route_to_inspection, fiscal, created.id, date(2026, 3, 5),
                        inspector.id)  # fmt: skip
    with db.read_only() as s:
        inspection = s.get(Inspection, inspection_id)
        assert inspection is not None
        assert inspection.reason is InspectionReason.COMPLAINT
        assert inspection.reason.label == "Denúncia"
        assert inspection.status is InspectionStatus.PLANNED
        assert inspection.complaint_id == created.id
        assert inspection.team == establishment.team
        listed = svc.list_complaints(s, fiscal, TODAY, ComplaintStatus.ROUTED)
    assert [r.protocol for r in listed] == [created.protocol]
    with pytest.raises(ValidationError):
        run(db, svc.route_to_inspection, fiscal, created.id, date(2026, 3, 5), None)

    with pytest.raises(ValidationError) as early:
        run(db, answer_pdf, fiscal, created.id)
    assert "ainda não tem resposta" in early.value.errors[""]
    run(db, svc.answer_complaint, fiscal, created.id,
        "Inspeção realizada; o estabelecimento foi autuado.", TODAY)  # fmt: skip
    text = pdf_text(run(db, answer_pdf, fiscal, created.id).pdf)
    assert f"RESPOSTA À DENÚNCIA Nº {created.protocol}" in text
    assert "Inspeção realizada; o estabelecimento foi autuado." in text
    assert "Carne exposta fora da refrigeração." in text


def test_overdue_complaints_without_answer(db: Database, fiscal: Actor) -> None:
    late = svc.ComplaintInput(received_on=date(2026, 1, 5), channel="internet", anonymous=True,
                              description="Lixo acumulado.", place="Terreno da rua 7")  # fmt: skip
    fresh = svc.ComplaintInput(received_on=TODAY, channel="internet", anonymous=True,
                               description="Fumaça.", place="Padaria da esquina")  # fmt: skip
    old = run(db, svc.register_complaint, fiscal, late)  # due 04/02/2026
    run(db, svc.register_complaint, fiscal, fresh)
    with db.read_only() as s:
        overdue = svc.overdue_complaints(s, fiscal, TODAY)
    assert [r.id for r in overdue] == [old.id]
    assert overdue[0].deadline_text == "VENCIDA há 26 dias"
    run(db, svc.archive_complaint, fiscal, old.id, "Fora da competência da VISA (limpeza urbana).")
    with db.read_only() as s:
        assert svc.overdue_complaints(s, fiscal, TODAY) == []
