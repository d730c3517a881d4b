"""Licença sanitária: who may get one, validity, printing, verification, revocation, renewal."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from validate_docbr import CNPJ

from app.brazil.identifiers import format_cnpj
from app.brazil.names import normalize_key
from app.db.session import Database
from app.errors import ValidationError
from app.sanitary import licence_checks as checks
from app.sanitary import licence_printing as printing
from app.sanitary import licence_queries as queries
from app.sanitary import licences as svc
from app.sanitary.document_actions import cancel_document
from app.sanitary.document_issue import issue_document
from app.sanitary.documents import DocumentInput
from app.sanitary.enums import (
    DocumentKind,
    EstablishmentStatus,
    HolderKind,
    InspectionOutcome,
    InspectionStatus,
    RiskLevel,
)
from app.sanitary.models import Establishment, EstablishmentActivity, Inspection
from app.security.actor import Actor
from app.security.auth import login
from tests.ui.shell_helpers import fill_demo

TODAY = date(2026, 3, 2)


@pytest.fixture
def visa(db: Database) -> Actor:
    fill_demo(db)
    with db.unit_of_work("visa") as session:
        result = login(session, "visa", "visa2026")
    assert result.actor is not None
    return result.actor


def make_establishment(
    db: Database, name: str, cnae: str, risk: RiskLevel, inspected_days_ago: int | None = None
) -> uuid.UUID:
    """An establishment with one activity and, optionally, a satisfactory inspection."""
    with db.unit_of_work("visa") as s:
        row = Establishment(
            holder_kind=HolderKind.CNPJ, document=CNPJ().generate(), legal_name=f"{name} Ltda",
            trade_name=name, name_key=normalize_key(name), street="Rua das Flores", number="120",
            risk=risk, team="Equipe Alimentos", technical_name="Maria Souza",
        )  # fmt: skip
        s.add(row)
        s.flush()
        s.add(EstablishmentActivity(establishment_id=row.id, cnae=cnae, main=True, team=row.team))
        if inspected_days_ago is not None:
            day = TODAY - timedelta(days=inspected_days_ago)
            s.add(
                Inspection(
                    establishment_id=row.id,
                    team=row.team,
                    status=InspectionStatus.DONE,
                    due_on=day,
                    performed_on=day,
                    outcome=InspectionOutcome.SATISFACTORY,
                )
            )
        return row.id


def run(db: Database, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with db.unit_of_work("visa") as s:
        return fn(s, *args, **kwargs)


def pdf_text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


# --- issuing ----------------------------------------------------------------------------------


def test_a_full_licence_needs_a_recent_satisfactory_inspection(db: Database, visa: Actor) -> None:
    never = make_establishment(db, "Restaurante Sem Visita", "5611201", RiskLevel.MEDIUM)
    old = make_establishment(db, "Restaurante Antigo", "5611201", RiskLevel.MEDIUM, 120)
    for establishment_id in (never, old):
        with pytest.raises(ValidationError) as refused:
            run(db, svc.issue_licence, visa, establishment_id, None, False)
        assert refused.value.errors["inspection_id"] == (
            "A licença exige inspeção concluída com resultado satisfatório deste "
            "estabelecimento nos últimos 90 dias."
        )
    recent = make_establishment(db, "Restaurante Visitado", "5611201", RiskLevel.MEDIUM, 10)
    issued = run(db, svc.issue_licence, visa, recent, None, False)
    assert not issued.provisional
    assert issued.valid_until == date(2027, 3, 2)  # 12 months (the default licence_months)
    # a second licence while this one is valid is refused: renew instead
    with pytest.raises(ValidationError) as twice:
        run(db, svc.issue_licence, visa, recent, None, False)
    assert (
        f"licença nº {issued.number}, válida até 02/03/2027"
        in twice.value.errors["establishment_id"]
    )


def test_provisional_licence_only_for_risk_ii(db: Database, visa: Actor) -> None:
    pharmacy = make_establishment(db, "Drogaria Central", "4771701", RiskLevel.HIGH)
    with pytest.raises(ValidationError) as refused:
        run(db, svc.issue_licence, visa, pharmacy, None, True)
    assert "risco III" in refused.value.errors["provisional"]
    assert "RDC nº 418/2020" in refused.value.errors["provisional"]
    bakery = make_establishment(db, "Padaria Nova Era", "4721102", RiskLevel.MEDIUM)
    issued = run(db, svc.issue_licence, visa, bakery, None, True)
    assert issued.provisional
    assert issued.valid_until == date(2026, 9, 2)  # 6 months


def test_interdicted_establishment_gets_no_licence(db: Database, visa: Actor) -> None:
    place = make_establishment(db, "Açougue Popular", "4722901", RiskLevel.MEDIUM, 5)
    with db.unit_of_work("visa") as s:
        row = s.get(Establishment, place)
        assert row is not None
        row.status = EstablishmentStatus.INTERDICTED
    with pytest.raises(ValidationError) as refused:
        run(db, svc.issue_licence, visa, place, None, False)
    assert refused.value.errors["establishment_id"].startswith("Estabelecimento interditado")


# --- printing and verification ---------------------------------------------------------------


def test_printed_licence_verifies_and_an_altered_code_does_not(db: Database, visa: Actor) -> None:
    place = make_establishment(db, "Restaurante Sabor", "5611201", RiskLevel.MEDIUM, 10)
    issued = run(db, svc.issue_licence, visa, place, None, False)
    printed = run(db, printing.print_licence, visa, issued.id)
    text = pdf_text(printed.pdf)
    assert f"LICENÇA SANITÁRIA Nº {issued.number}" in text
    assert "Restaurante Sabor Ltda" in text
    assert "VÁLIDA ATÉ 02/03/2027" in text
    assert "5611-2/01 – Restaurantes e similares" in text
    assert "2ª VIA" not in text

    check = run(db, checks.verify_licence, visa, printed.code.lower())
    assert check.valid
    assert check.message.startswith(f"Licença sanitária nº {issued.number}: VÁLIDA até 02/03/2027.")
    assert "Restaurante Sabor" in check.message
    altered = printed.code[:-2] + ("A" if printed.code[-2] != "A" else "B") + printed.code[-1]
    wrong = run(db, checks.verify_licence, visa, altered)
    assert not wrong.found
    assert wrong.message == "Código não encontrado: o documento pode ser falso."
    assert checks.cli_verify(db, altered) == (2, wrong.message)
    assert checks.cli_verify(db, printed.code)[0] == 0

    # the reprint says so, and its own code leads to the same licence
    again = run(db, printing.print_licence, visa, issued.id)
    assert "2ª VIA" in pdf_text(again.pdf)
    assert run(db, checks.verify_licence, visa, again.code).number == issued.number

    # a year later the same code says the licence expired
    db.clock.advance(timedelta(days=366))  # type: ignore[attr-defined]
    late = run(db, checks.verify_licence, visa, printed.code)
    assert late.status == checks.EXPIRED
    assert "VENCIDA desde 03/03/2027 (era válida até 02/03/2027)" in late.message
    assert checks.cli_verify(db, printed.code)[0] == 1


def test_revoked_and_renewed_licences_say_so(db: Database, visa: Actor) -> None:
    first = make_establishment(db, "Padaria Família", "4721102", RiskLevel.MEDIUM, 20)
    second = make_establishment(db, "Supermercado Bom Preço", "4711302", RiskLevel.MEDIUM, 15)
    revoked = run(db, svc.issue_licence, visa, first, None, False)
    code = run(db, printing.print_licence, visa, revoked.id).code
    with pytest.raises(ValidationError):
        run(db, svc.revoke_licence, visa, revoked.id, "  ")
    run(db, svc.revoke_licence, visa, revoked.id, "Interdição total do estabelecimento")
    check = run(db, checks.verify_licence, visa, code)
    assert check.status == checks.REVOKED
    assert "REVOGADA em 02/03/2026. Motivo: Interdição total do estabelecimento" in check.message

    provisional = run(db, svc.issue_licence, visa, second, None, True)
    old_code = run(db, printing.print_licence, visa, provisional.id).code
    renewed = run(db, svc.renew_licence, visa, provisional.id, None, False)
    assert not renewed.provisional and renewed.valid_until == date(2027, 3, 2)
    old = run(db, checks.verify_licence, visa, old_code)
    assert f"SUBSTITUÍDA pela licença nº {renewed.number}" in old.message
    with pytest.raises(ValidationError) as twice:
        run(db, svc.renew_licence, visa, provisional.id, None, False)
    assert twice.value.errors[""] == "Esta licença já foi renovada."


def test_an_interdiction_suspends_the_licence_until_it_is_cancelled(
    db: Database, visa: Actor
) -> None:
    place = make_establishment(db, "Lanchonete Esquina", "5611201", RiskLevel.MEDIUM, 10)
    licence = run(db, svc.issue_licence, visa, place, None, False)
    code = run(db, printing.print_licence, visa, licence.id).code
    with db.unit_of_work("fiscal") as s:
        fiscal = login(s, "fiscal", "fiscal2026").actor
        assert fiscal is not None
    term = DocumentInput(
        kind=DocumentKind.INTERDICTION, establishment_id=place, extent="total",
        facts="Esgoto a céu aberto na área de preparo.", receiver_name="Rui Lima",
        receiver_document="123.456.789-09",
    )  # fmt: skip
    with db.unit_of_work("fiscal") as s:
        issued = issue_document(s, fiscal, term)

    check = run(db, checks.verify_licence, visa, code)
    assert not check.valid and check.status == checks.SUSPENDED
    assert check.message.startswith(
        f"Licença sanitária nº {licence.number}: SUSPENSA — o estabelecimento está interditado "
        f"pelo Termo de Interdição nº {issued.number_label}, de 02/03/2026."
    )
    assert "volta a valer até 02/03/2027" in check.message
    assert checks.cli_verify(db, code)[0] == 1
    listed = run(db, queries.list_licences, visa, TODAY, queries.LIST_VALID, place)
    assert [row.status_label for row in listed] == ["Suspensa (estabelecimento interditado)"]

    with db.unit_of_work("fiscal") as s:
        cancel_document(s, fiscal, issued.document_id, "Interdição lavrada por engano")
    assert run(db, checks.verify_licence, visa, code).valid


def test_expiring_and_expired_lists(db: Database, visa: Actor) -> None:
    place = make_establishment(db, "Marmitaria Central", "5611201", RiskLevel.MEDIUM)
    issued = run(db, svc.issue_licence, visa, place, None, True)  # valid until 02/09/2026
    with db.read_only() as s:
        assert queries.expiring(s, visa, TODAY) == []
        soon = queries.expiring(s, visa, date(2026, 8, 10))
        gone = queries.expired(s, visa, date(2026, 9, 3))
    assert [row.number for row in soon] == [issued.number]
    assert soon[0].status_label == "Válida – vence em 23 dias"
    assert [row.number for row in gone] == [issued.number]
    assert gone[0].status_label == "Vencida"
    with db.read_only() as s:
        row = s.get(Establishment, place)
        assert row is not None
        assert gone[0].document == f"CNPJ {format_cnpj(row.document)}"
