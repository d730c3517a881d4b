"""An inspector's day on a field laptop, offline, reaching the office through the batches.

The hub gives the food team's laptop a block of auto de infração and termo de intimação numbers.
Offline, the inspector runs a planned inspection with the roteiro, marks an Imprescindível item
"não conforme", issues a termo de intimação and an auto de infração and prints them; meanwhile
the office issues autos of its own. After one exchange the hub holds every document, no number
is used twice, the laptop's documents carry the numbers of its block, and the office opens the
processo administrativo of the auto that came from the field.
"""

from __future__ import annotations

import io
import random
import uuid
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from app.db.session import Database
from app.installation.models import NodeKind
from app.sanitary.demo import FOOD_TEAM, seed_sanitary
from app.sanitary.document_actions import print_document
from app.sanitary.document_issue import issue_document
from app.sanitary.documents import DocumentInput
from app.sanitary.enums import Answer, DocumentKind, Gravity, InspectionOutcome, ItemClass
from app.sanitary.inspection_queries import inspection_sheet, work_list
from app.sanitary.inspections import FinishInput, answer_item, finish_inspection, start_inspection
from app.sanitary.models import SanitaryDocument, SanitaryProcess
from app.sanitary.process_opening import open_pending_processes
from app.security.actor import Actor
from app.sync.numbering import allocate_range
from tests.integration.sync.network import Network, make_network

PERMISSIONS = frozenset({"sanitary.read", "sanitary.write", "sanitary.inspect"})
FISCAL = Actor(None, "fiscal", "Carla Mendes Oliveira", PERMISSIONS)
OFFICE = Actor(None, "visa", "Patrícia Gomes Ferreira", PERMISSIONS | {"sanitary.process"})


def _scene(tmp_path: Path) -> tuple[Network, Database, list[uuid.UUID]]:
    net = make_network(tmp_path)
    laptop = net.add("Notebook Alimentos", NodeKind.FIELD, "7654372", team=FOOD_TEAM)
    with net.hub.unit_of_work("admin") as session:
        demo = seed_sanitary(session, random.Random(11), establishments=12)
        for series in (DocumentKind.SUMMONS.value, DocumentKind.INFRACTION.value):
            allocate_range(session, laptop.node_id, series, 2026, 20)
    net.round()
    return net, laptop, demo.establishment_ids


def _inspect_offline(laptop: Database) -> uuid.UUID:
    """Start the first inspection of the day, fail one Imprescindível item, finish: infração."""
    with laptop.unit_of_work("fiscal") as session:
        day = work_list(session, FISCAL, laptop.clock.now().date())
        inspection_id = day[0].inspection_id
        start_inspection(session, FISCAL, inspection_id)
        sheet = inspection_sheet(session, FISCAL, inspection_id)
        failed = next(i for i in sheet.items if i.classification is ItemClass.ESSENTIAL)
        for item in sheet.items:
            if item.item_id == failed.item_id:
                answer_item(
                    session, FISCAL, inspection_id, item.item_id, Answer.NON_COMPLIANT,
                    "Sem sabonete nem papel toalha no lavatório da cozinha.",
                )  # fmt: skip
            else:
                answer_item(session, FISCAL, inspection_id, item.item_id, Answer.COMPLIANT)
        finish_inspection(
            session, FISCAL, inspection_id,
            FinishInput(InspectionOutcome.INFRACTION, "Lavatório sem insumos.", None, "Gerente"),
        )  # fmt: skip
    return inspection_id


def _field_documents(laptop: Database, inspection_id: uuid.UUID) -> list[str]:
    with laptop.unit_of_work("fiscal") as session:
        failed = tuple(
            i.item_id
            for i in inspection_sheet(session, FISCAL, inspection_id).items
            if i.answer is Answer.NON_COMPLIANT
        )
        common = {
            "inspection_id": inspection_id,
            "receiver_name": "João Pereira",
            "receiver_document": "RG 12.345.678-9",
        }
        summons = issue_document(
            session,
            FISCAL,
            DocumentInput(DocumentKind.SUMMONS, item_ids=failed, deadline_days=30, **common),
        )
        infraction = issue_document(
            session,
            FISCAL,
            DocumentInput(
                DocumentKind.INFRACTION,
                item_ids=failed,
                gravity=Gravity.LIGHT,
                facts="Lavatório da área de manipulação sem sabonete e sem papel toalha.",
                provisions="RDC Anvisa nº 216/2004, item 4.1.14",
                **common,
            ),
        )
        texts = []
        for result in (summons, infraction):
            pdf = print_document(session, FISCAL, result.document_id).pdf
            texts.append(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert summons.number_label == "0001/2026" and infraction.number_label == "0001/2026"
    return texts


def _office_autos(hub: Database, establishment_id: uuid.UUID) -> list[str]:
    labels = []
    with hub.unit_of_work("visa") as session:
        for facts in ("Produtos vencidos expostos à venda.", "Ausência de controle de pragas."):
            result = issue_document(
                session,
                OFFICE,
                DocumentInput(
                    DocumentKind.INFRACTION,
                    establishment_id=establishment_id,
                    gravity=Gravity.LIGHT,
                    facts=facts,
                    provisions="RDC Anvisa nº 216/2004",
                    receiver_name="Maria Souza",
                    receiver_document="RG 98.765.432-1",
                ),
            )
            labels.append(result.number_label)
    return labels


def test_field_documents_reach_the_office_without_number_collisions(tmp_path: Path) -> None:
    net, laptop, establishments = _scene(tmp_path)
    inspection_id = _inspect_offline(laptop)
    summons_text, infraction_text = _field_documents(laptop, inspection_id)
    assert "0001/2026" in summons_text and "30 (trinta) dias" in summons_text
    assert "0001/2026" in infraction_text and "R$ 2.000,00" in infraction_text
    office = _office_autos(net.hub, establishments[-1])
    assert office == ["0021/2026", "0022/2026"]  # after the laptop's block of 20
    net.round()
    with net.hub.read_only() as session:
        rows = session.execute(
            select(SanitaryDocument.series, SanitaryDocument.number, SanitaryDocument.origin_node)
        ).all()
    numbers = [(series, number) for series, number, _ in rows]
    assert len(numbers) == len(set(numbers)) == 4
    from_field = {(s, n) for s, n, origin in rows if origin == laptop.node_id}
    assert from_field == {("TN", 1), ("AI", 1)}
    with net.hub.unit_of_work("visa") as session:
        opened = open_pending_processes(session, OFFICE)
        assert len(opened) == 1  # the field's auto; the office's autos opened theirs at once
        processes = session.scalars(select(SanitaryProcess.id)).all()
    assert len(processes) == 3
