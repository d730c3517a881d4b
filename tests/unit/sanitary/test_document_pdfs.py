"""The printed legal documents read back as text: number, legal basis, deadlines written out,
the establishment, the fine range, "2ª VIA" on reprints and "CANCELADO" on cancelled papers, the
refusal to sign with its witnesses, and the verification code that checks out afterwards."""

from __future__ import annotations

import io
from dataclasses import replace

from pypdf import PdfReader
from sqlalchemy import select

from app.brazil.identifiers import format_cnpj
from app.db.session import Database
from app.reports.issue import verify
from app.reports.models import IssuedDocument
from app.sanitary.document_actions import cancel_document, print_document
from app.sanitary.documents import DocumentInput, Witness
from app.sanitary.enums import DocumentKind
from app.sanitary.models import SanitaryDocument
from app.security.models import AuditEntry
from tests.unit.sanitary.test_documents import (
    World,
    build_world,
    infraction,
    issue,
    sample,
    summons,
)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _flat(pdf: bytes) -> str:
    """The text with line breaks as spaces (sentences wrap anywhere on paper)."""
    return " ".join(_text(pdf).split())


def _print(db: Database, world: World, document_id):
    with db.unit_of_work("fiscal") as session:
        return print_document(session, world.actor, document_id)


def test_printed_summons_and_infraction_carry_number_basis_deadline_and_fine(db: Database) -> None:
    world = build_world(db)
    tn = issue(db, world, summons(world))
    ai = issue(db, world, infraction(world))
    tn_text, ai_text = _flat(_print(db, world, tn.document_id).pdf), ""
    ai_text = _flat(_print(db, world, ai.document_id).pdf)
    cnpj = format_cnpj(world.cnpj)
    for text in (tn_text, ai_text):
        assert world.legal_name in text and cnpj in text
        assert "Lei Federal nº 6.437, de 20 de agosto de 1977" in text
        assert "Carla Mendes Oliveira" in text and "Matrícula VISA-0147" in text
        assert "2 de março de 2026" in text
        assert "Página 1 de" in text
    assert "TERMO DE INTIMAÇÃO/NOTIFICAÇÃO Nº 0001/2026" in tn_text
    assert "30 (trinta) dias, até 01/04/2026" in tn_text
    assert "Lavatório exclusivo para higiene das mãos" in tn_text
    assert "Imprescindível" in tn_text and "RDC Anvisa nº 216/2004, item 4.1.14" in tn_text
    assert "AUTO DE INFRAÇÃO SANITÁRIA Nº 0001/2026" in ai_text
    assert "de R$ 75.000,00 a R$ 200.000,00" in ai_text
    assert "art. 2º, § 1º" in ai_text
    assert "15 (quinze) dias, contados da ciência deste auto, até 17/03/2026" in ai_text
    assert "Fica o autuado notificado de que poderá apresentar defesa" in ai_text
    assert "2ª VIA" not in tn_text + ai_text


def test_a_reprint_says_2a_via_with_the_same_number_and_first_code(db: Database) -> None:
    world = build_world(db)
    tn = issue(db, world, summons(world))
    first = _print(db, world, tn.document_id)
    again = _print(db, world, tn.document_id)
    text = _flat(again.pdf)
    assert "TERMO DE INTIMAÇÃO/NOTIFICAÇÃO Nº 0001/2026 – 2ª VIA" in text
    assert "Reimpressão do documento emitido em 02/03/2026" in text
    with db.read_only() as session:
        document = session.get(SanitaryDocument, tn.document_id)
        assert (document.print_count, document.verification_code) == (2, first.code)
    with db.unit_of_work("fiscal") as session:
        assert verify(session, world.actor, first.code).found
        assert verify(session, world.actor, again.code).found
        subject = IssuedDocument.subject_id == str(tn.document_id)
        copies = [
            p["copy"] for p in session.scalars(select(IssuedDocument.parameters).where(subject))
        ]
        printed = select(AuditEntry.detail).where(
            AuditEntry.entity == "sanitary_document", AuditEntry.action == "print"
        )
        assert sorted(copies) == [1, 2]
        assert sorted(d["copy"] for d in session.scalars(printed)) == [1, 2]


def test_a_cancelled_document_prints_cancelado_and_keeps_its_number(db: Database) -> None:
    world = build_world(db)
    ac = issue(db, world, sample(world))
    with db.unit_of_work("fiscal") as session:
        cancel_document(session, world.actor, ac.document_id, "Lacre anotado com número errado")
    text = _flat(_print(db, world, ac.document_id).pdf)
    assert "AUTO DE COLETA DE AMOSTRA Nº 0001/2026 – CANCELADO" in text
    assert "Motivo: Lacre anotado com número errado" in text
    assert "não será reutilizado" in text
    assert issue(db, world, sample(world)).number_label == "0002/2026"


def test_a_refusal_to_sign_prints_the_two_witnesses(db: Database) -> None:
    world = build_world(db)
    witnesses = (
        Witness("Marcos Vieira da Silva", "987.654.321-00"),
        Witness("Joana Prado", "RG 4.555.666-7"),
    )
    data = infraction(world, refused_to_sign=True, receiver_document="", witnesses=witnesses)
    text = _flat(_print(db, world, issue(db, world, data).document_id).pdf)
    assert "Recusou-se a assinar." in text
    assert "Ana Pereira recusou-se a assinar" in text
    assert "Marcos Vieira da Silva" in text and "987.654.321-00" in text
    assert "2ª testemunha – Documento: RG 4.555.666-7" in text


def test_the_sample_and_interdiction_papers_show_what_only_they_carry(db: Database) -> None:
    world = build_world(db)
    text = _flat(_print(db, world, issue(db, world, sample(world)).document_id).pdf)
    assert "000123, 000124 e 000125" in text  # seals
    assert "LACEN-PR" in text and "Caixa isotérmica com gelo reciclável" in text
    assert "Cadeia de custódia" in text and "prova, contraprova e testemunho" in text
    td = DocumentInput(
        kind=DocumentKind.INTERDICTION, inspection_id=world.inspection_id, extent="total",
        facts="Ausência de água potável na cozinha.", receiver_name="Ana Pereira",
        receiver_document="123.456.789-09",
    )  # fmt: skip
    text = _flat(_print(db, world, issue(db, world, td).document_id).pdf)
    assert "TERMO DE INTERDIÇÃO Nº 0001/2026" in text
    assert "INTERDITADO TOTALMENTE" in text and "Todo o estabelecimento" in text
    ti = replace(summons(world), kind=DocumentKind.INSPECTION_REPORT, item_ids=())
    text = _flat(_print(db, world, issue(db, world, ti).document_id).pdf)
    assert "TERMO DE INSPEÇÃO Nº 0001/2026" in text and "Infração sanitária" in text


def test_the_signatures_share_the_page_of_the_closing_text(db: Database) -> None:
    """A page with only signature lines would not hold up: the closing sentence, the receipt note
    and the signatures are printed together, and a short summons fits on one page."""
    world = build_world(db)
    tn = issue(db, world, summons(world))
    pages = [
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(_print(db, world, tn.document_id).pdf)).pages
    ]
    assert len(pages) == 1
    last = pages[-1]
    assert "Recebi uma via deste documento e dele tomei ciência." in last
    assert "Carla Mendes Oliveira" in last and "Ana Pereira" in last
