"""Issuing the legal documents of VISA from a finished inspection: numbers, deadlines, the second
issue refused, refusals to sign, cancelled numbers never reused, the process an auto opens, and a
field laptop without a numbering range that issues nothing.

The finished inspection is made here with the ORM (the inspection service is another module's):
the demo's "Serviços de alimentação" roteiro answered item by item, two Imprescindível items
and one Necessário item non-conforming.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.care.models import MunicipalHoliday
from app.db.session import Database
from app.errors import ValidationError
from app.installation.models import NodeKind
from app.sanitary.config import config_values, update_config
from app.sanitary.demo import FOOD_TEAM, seed_sanitary
from app.sanitary.document_actions import SampleResult, cancel_document, record_sample_result
from app.sanitary.document_issue import issue_document
from app.sanitary.document_queries import (
    CANCELLED,
    DocumentFilter,
    document_detail,
    documents_of_inspection,
    list_documents,
)
from app.sanitary.documents import DocumentInput, SampleInput, Witness
from app.sanitary.enums import (
    Answer,
    DocumentKind,
    EstablishmentStatus,
    Gravity,
    InspectionOutcome,
    InspectionStatus,
    ProcessStage,
)
from app.sanitary.models import (
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    Establishment,
    Inspection,
    InspectionAnswer,
    ProcessStep,
    SanitaryDocument,
    SanitaryInspector,
    SanitaryProcess,
)
from app.sanitary.process_opening import open_pending_processes
from app.security.actor import SYSTEM, Actor
from app.security.auth import login
from app.sync.models import LegalNumber, NumberingRange
from app.sync.node import identity
from tests.integration.sync.network import UNIT_A, make_node
from tests.ui.shell_helpers import install_demo

TODAY = date(2026, 3, 2)  # the FixedClock's day (a Monday)
NC_CODES = {"1.2": "Lavatório sem sabonete líquido e sem papel toalha.",
            "3.1": "Câmara fria marcando 12 °C com carnes armazenadas.",
            "1.1": "Parede da cozinha com mofo e reboco solto."}  # fmt: skip
FINDINGS = "Constatadas falhas graves de higiene na área de manipulação."


@dataclass(frozen=True)
class World:
    """A finished inspection of a food establishment, and the inspector who performed it."""

    actor: Actor
    inspection_id: uuid.UUID
    establishment_id: uuid.UUID
    legal_name: str
    cnpj: str
    nc_items: dict[str, uuid.UUID]  # by item code


def fiscal_actor(db: Database) -> Actor:
    with db.unit_of_work("fiscal") as session:
        result = login(session, "fiscal", "fiscal2026")
    assert result.actor is not None
    return result.actor


def food_version(session) -> uuid.UUID:
    query = (
        select(ChecklistVersion.id)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .where(Checklist.name == "Serviços de alimentação")
    )
    return session.scalars(query).one()


def finished_inspection(
    session, username: str = "fiscal"
) -> tuple[Inspection, dict[str, uuid.UUID]]:
    """An inspection done today with the food roteiro: the NC_CODES items non-conforming."""
    establishment = session.scalars(
        select(Establishment)
        .where(Establishment.team == FOOD_TEAM)
        .order_by(Establishment.legal_name)
    ).first()
    inspector = session.scalars(
        select(SanitaryInspector).where(SanitaryInspector.username == username)
    ).one()
    version = food_version(session)
    inspection = Inspection(
        establishment_id=establishment.id, team=establishment.team, status=InspectionStatus.DONE,
        due_on=TODAY, performed_on=TODAY, inspector_id=inspector.id, checklist_version_id=version,
        outcome=InspectionOutcome.INFRACTION, findings=FINDINGS, received_by="Ana Pereira",
    )  # fmt: skip
    session.add(inspection)
    session.flush()
    items = session.scalars(select(ChecklistItem).where(ChecklistItem.version_id == version))
    nc: dict[str, uuid.UUID] = {}
    for item in items:
        bad = item.code in NC_CODES
        session.add(
            InspectionAnswer(
                inspection_id=inspection.id, item_id=item.id, team=inspection.team,
                answer=Answer.NON_COMPLIANT if bad else Answer.COMPLIANT,
                observation=NC_CODES.get(item.code, ""),
            )
        )  # fmt: skip
        if bad:
            nc[item.code] = item.id
    session.flush()
    return inspection, nc


def build_world(db: Database) -> World:
    install_demo(db, citizens=50, seed=3)
    actor = fiscal_actor(db)
    with db.unit_of_work("fiscal") as session:
        inspection, nc = finished_inspection(session)
        establishment = session.get(Establishment, inspection.establishment_id)
        world = World(actor, inspection.id, establishment.id, establishment.legal_name,
                      establishment.document, nc)  # fmt: skip
    return world


def summons(world: World, **changes) -> DocumentInput:
    data = DocumentInput(
        kind=DocumentKind.SUMMONS, inspection_id=world.inspection_id,
        item_ids=(world.nc_items["1.2"], world.nc_items["3.1"]), deadline_days=30,
        receiver_name="Ana Pereira", receiver_document="123.456.789-09",
    )  # fmt: skip
    return replace(data, **changes)


def infraction(world: World, **changes) -> DocumentInput:
    data = DocumentInput(
        kind=DocumentKind.INFRACTION, inspection_id=world.inspection_id,
        facts="Manipulação de alimentos sem lavatório abastecido e carnes fora de refrigeração.",
        provisions="RDC Anvisa nº 216/2004, itens 4.1.14 e 4.7.5; Lei nº 6.437/1977, art. 10, IV.",
        gravity=Gravity.SERIOUS, item_ids=(world.nc_items["1.2"], world.nc_items["3.1"]),
        receiver_name="Ana Pereira", receiver_document="RG 12.345.678-9",
    )  # fmt: skip
    return replace(data, **changes)


def sample(world: World, **changes) -> DocumentInput:
    data = DocumentInput(
        kind=DocumentKind.SAMPLE, inspection_id=world.inspection_id,
        sample=SampleInput(
            product="Linguiça toscana resfriada", brand="Sabor do Sul", lot="L2026-118",
            manufactured_on=date(2026, 2, 25), expires_on=date(2026, 3, 20), quantity="3",
            unit="embalagens de 1 kg", units_per_sample=1, seals=("000123", "000124", "000125"),
            laboratory="LACEN-PR", analysis="Microbiológica (Salmonella spp., E. coli)",
            transport="Caixa isotérmica com gelo reciclável, 4 °C",
        ),
        receiver_name="Ana Pereira", receiver_document="123.456.789-09",
    )  # fmt: skip
    return replace(data, **changes)


def count(db: Database, model) -> int:
    with db.read_only() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def issue(db: Database, world: World, data: DocumentInput):
    with db.unit_of_work("fiscal") as session:
        return issue_document(session, world.actor, data)


# --- numbers, deadlines, the process --------------------------------------------------------------


def test_summons_lists_the_chosen_items_with_a_30_day_deadline(db: Database, world: World) -> None:
    issued = issue(db, world, summons(world))
    assert issued.number_label == "0001/2026"
    assert issued.title == "Termo de Intimação/Notificação nº 0001/2026"
    with db.read_only() as session:
        detail = document_detail(session, world.actor, issued.document_id)
    assert [item.code for item in detail.items] == ["1.2", "3.1"]
    assert detail.items[0].classification == "Imprescindível"
    assert detail.items[0].legal_reference == "RDC Anvisa nº 216/2004, item 4.1.14"
    assert detail.items[1].observation == NC_CODES["3.1"]
    assert detail.deadline is not None
    assert detail.deadline.sentence() == "30 (trinta) dias, até 01/04/2026"
    assert detail.establishment.document_label.startswith("CNPJ ")
    assert detail.facts == FINDINGS


def test_the_infraction_opens_the_process_with_the_defence_deadline(
    db: Database, world: World
) -> None:
    issued = issue(db, world, infraction(world))
    assert issued.number_label == "0001/2026"  # its own series (AI), not the TN's
    assert issued.process_label == "0001/2026"
    with db.read_only() as session:
        document = session.get(SanitaryDocument, issued.document_id)
        process = session.get(SanitaryProcess, issued.process_id)
        steps = session.scalars(select(ProcessStep).where(ProcessStep.process_id == process.id))
        step = steps.one()
        assert document.deadline_on == date(2026, 3, 17)  # 15 days after 02/03/2026
        assert (document.fine_min, document.fine_max) == (75000, 200000)
        assert document.legal_basis.endswith("art. 2º, § 1º")
        assert process.due_on == document.deadline_on
        assert process.opened_on == TODAY and process.stage is ProcessStage.DEFENCE
        assert "Auto de Infração Sanitária nº 0001/2026" in step.summary
        assert "15 (quinze) dias, até 17/03/2026" in step.summary


def test_a_municipal_sanitary_code_prints_its_own_fine_provision(
    db: Database, world: World
) -> None:
    code = "Lei Complementar Municipal nº 45/2012 (Código Sanitário)"
    with db.unit_of_work("visa") as session:
        values = replace(config_values(session), legal_basis=code, fine_basis="art. 98, II")
        update_config(session, SYSTEM, values)
        with pytest.raises(ValidationError) as refused:
            update_config(session, SYSTEM, replace(values, fine_basis="  "))
    assert refused.value.errors["fine_basis"].startswith("Informe o dispositivo que fixa as multas")
    issued = issue(db, world, infraction(world))
    with db.read_only() as session:
        document = session.get(SanitaryDocument, issued.document_id)
        assert document.legal_basis == f"{code}, art. 98, II"


def test_business_day_deadlines_skip_weekends_and_municipal_holidays(
    db: Database, world: World
) -> None:
    with db.unit_of_work("visa") as session:
        update_config(session, SYSTEM, replace(config_values(session), business_days=True))
        session.add(MunicipalHoliday(day=date(2026, 3, 19), name="Padroeiro São José"))
    issued = issue(db, world, summons(world, deadline_days=15))
    with db.read_only() as session:
        detail = document_detail(session, world.actor, issued.document_id)
    # 15 business days from Monday 02/03: 19/03 is the municipal holiday, so 24/03 (Tuesday)
    assert detail.deadline.sentence() == "15 (quinze) dias úteis, até 24/03/2026"


def test_the_office_gives_itself_a_numbering_range(db: Database, world: World) -> None:
    issue(db, world, summons(world))
    with db.read_only() as session:
        block = session.scalars(select(NumberingRange).where(NumberingRange.series == "TN")).one()
        drawn = session.scalars(select(LegalNumber).where(LegalNumber.series == "TN")).one()
        assert (block.year, block.first_number) == (2026, 1)
        assert drawn.number == 1 and drawn.cancelled_at is None


# --- refusals: nothing written, no number drawn ---------------------------------------------------


def _refused(db: Database, world: World, data: DocumentInput) -> ValidationError:
    before = (count(db, SanitaryDocument), count(db, LegalNumber))
    with pytest.raises(ValidationError) as caught:
        issue(db, world, data)
    assert (count(db, SanitaryDocument), count(db, LegalNumber)) == before
    return caught.value


def test_a_second_summons_of_the_same_inspection_is_refused(db: Database, world: World) -> None:
    issue(db, world, summons(world))
    error = _refused(db, world, summons(world, deadline_days=10))
    assert "já tem o Termo de Intimação/Notificação nº 0001/2026" in error.message
    assert "2ª via" in error.message


def test_refusing_to_sign_needs_two_identified_witnesses(db: Database, world: World) -> None:
    lonely = summons(world, receiver_name="", receiver_document="", refused_to_sign=True,
                     witnesses=(Witness("Marcos Vieira", "987.654.321-00"),))  # fmt: skip
    error = _refused(db, world, lonely)
    assert error.errors["witness2_name"] == "Informe o nome da 2ª testemunha."
    assert "duas testemunhas" in error.errors["witnesses"]
    same = replace(lonely, witnesses=(Witness("Marcos Vieira", "1"), Witness("Marcos V.", "1")))
    assert "pessoas diferentes" in _refused(db, world, same).errors["witness2_document"]


def test_a_receiver_must_be_named_when_nobody_refused(db: Database, world: World) -> None:
    error = _refused(db, world, summons(world, receiver_name=" ", receiver_document=""))
    assert error.errors["receiver_name"] == "Informe o nome de quem recebe o documento."
    assert "CPF ou RG" in error.errors["receiver_document"]


def test_a_past_deadline_is_refused(db: Database, world: World) -> None:
    error = _refused(
        db, world, summons(world, deadline_days=None, deadline_on=TODAY - timedelta(1))
    )
    assert error.errors["deadline_days"] == (
        "O prazo termina em 01/03/2026, que já passou: confira a data."
    )
    error = _refused(db, world, summons(world, deadline_days=0))
    assert error.errors["deadline_days"] == "O prazo deve ser de pelo menos um dia."


def test_a_summons_needs_items_and_an_infraction_its_grounds(db: Database, world: World) -> None:
    assert "ao menos um item" in _refused(db, world, summons(world, item_ids=())).errors["items"]
    error = _refused(db, world, infraction(world, facts="", provisions="", gravity=None))
    assert set(error.errors) >= {"facts", "provisions", "gravity"}


def test_an_account_that_is_no_inspector_cannot_sign(db: Database, world: World) -> None:
    with db.unit_of_work("admin") as session:
        admin = login(session, "admin", "admin2026").actor
    with pytest.raises(ValidationError) as caught, db.unit_of_work("admin") as session:
        issue_document(session, admin, summons(world))
    assert "não está vinculada a uma autoridade sanitária" in caught.value.message
    assert count(db, SanitaryDocument) == 0


def test_a_field_laptop_without_a_range_issues_nothing(tmp_path: Path) -> None:
    laptop = make_node(tmp_path / "rede", "notebook-fiscal", NodeKind.FIELD, UNIT_A)
    try:
        with laptop.unit_of_work() as session:
            seed_sanitary(session, random.Random(5), establishments=6)
            inspection, nc = finished_inspection(session)
            inspection_id = inspection.id
        actor = Actor(None, "fiscal", "Carla Mendes Oliveira", frozenset({"sanitary.inspect"}))
        data = DocumentInput(
            kind=DocumentKind.SUMMONS, inspection_id=inspection_id, item_ids=(nc["1.2"],),
            deadline_days=30, receiver_name="Ana Pereira", receiver_document="123.456.789-09",
        )  # fmt: skip
        with pytest.raises(ValidationError) as caught, laptop.unit_of_work() as session:
            issue_document(session, actor, data)
        assert caught.value.message == (
            "Este computador não tem faixa de numeração da série TN/2026: "
            "solicite nova faixa à central."
        )
        assert count(laptop, SanitaryDocument) == 0
        assert count(laptop, LegalNumber) == 0
    finally:
        laptop.dispose()


def test_a_field_laptop_numbers_from_its_own_range_and_leaves_the_process_to_the_office(
    tmp_path: Path,
) -> None:
    laptop = make_node(tmp_path / "rede", "notebook-fiscal", NodeKind.FIELD, UNIT_A)
    try:
        with laptop.unit_of_work() as session:
            seed_sanitary(session, random.Random(5), establishments=6)
            inspection, nc = finished_inspection(session)
            node_id = identity(session).node_id
            # the block the hub handed this laptop (as it arrives through sync)
            session.add(NumberingRange(series="AI", year=2026, node_id=node_id,
                                       first_number=101, last_number=150))  # fmt: skip
            inspection_id = inspection.id
        actor = Actor(None, "fiscal", "Carla Mendes Oliveira", frozenset({"sanitary.inspect"}))
        world = World(actor, inspection_id, uuid.uuid4(), "", "", nc)
        with laptop.unit_of_work() as session:
            issued = issue_document(session, actor, infraction(world))
            assert open_pending_processes(session, actor) == []
        assert issued.number_label == "0101/2026"
        assert issued.process_id is None
        assert count(laptop, SanitaryProcess) == 0
    finally:
        laptop.dispose()


def test_the_office_opens_the_process_of_an_auto_that_arrived_without_one(
    db: Database, world: World
) -> None:
    with db.unit_of_work("fiscal") as session:  # an auto as sync delivers it from a laptop
        session.add(SanitaryDocument(
            kind=DocumentKind.INFRACTION, series="AI", year=2026, number=101,
            establishment_id=world.establishment_id, issued_on=TODAY, issued_at=db.clock.now(),
            inspector_name="Carla Mendes Oliveira", facts="Fatos", gravity=Gravity.LIGHT,
            deadline_days=15, deadline_on=date(2026, 3, 17),
        ))  # fmt: skip
    with db.unit_of_work("fiscal") as session:
        opened = open_pending_processes(session, world.actor)
        assert [(p.number_label, p.due_on) for p in opened] == [("0001/2026", date(2026, 3, 17))]
        assert open_pending_processes(session, world.actor) == []


# --- cancelling, interdiction, samples, lists -----------------------------------------------------


def test_a_cancelled_number_stays_and_is_never_reused(db: Database, world: World) -> None:
    first = issue(db, world, summons(world))
    with db.unit_of_work("fiscal") as session:
        cancel_document(session, world.actor, first.document_id, "Prazo lançado errado")
    second = issue(db, world, summons(world, deadline_days=20))
    assert second.number_label == "0002/2026"
    with db.read_only() as session:
        numbers = [
            (n.number, n.cancel_reason)
            for n in session.scalars(select(LegalNumber).order_by(LegalNumber.number))
        ]
        cancelled = list_documents(session, world.actor, DocumentFilter(status=CANCELLED))
        listed = documents_of_inspection(session, world.actor, world.inspection_id)
    assert numbers == [(1, "Prazo lançado errado"), (2, "")]
    assert [row.number_label for row in cancelled] == ["0001/2026"]
    assert [(row.number_label, row.status_label) for row in listed] == [
        ("0001/2026", "Cancelado"),
        ("0002/2026", "Válido"),
    ]


def test_cancelling_needs_a_reason_and_happens_once(db: Database, world: World) -> None:
    issued = issue(db, world, summons(world))
    with pytest.raises(ValidationError) as caught, db.unit_of_work("fiscal") as session:
        cancel_document(session, world.actor, issued.document_id, "  ")
    assert caught.value.errors["reason"] == "Informe o motivo do cancelamento."
    with db.unit_of_work("fiscal") as session:
        cancel_document(session, world.actor, issued.document_id, "Erro de digitação")
    with pytest.raises(ValidationError) as caught, db.unit_of_work("fiscal") as session:
        cancel_document(session, world.actor, issued.document_id, "De novo")
    assert caught.value.message == "O documento nº 0001/2026 já está cancelado."


def test_an_interdiction_interdicts_the_establishment(db: Database, world: World) -> None:
    data = DocumentInput(
        kind=DocumentKind.INTERDICTION, inspection_id=world.inspection_id, extent="parcial",
        interdicted="Câmara fria e os produtos cárneos nela armazenados",
        facts="Câmara fria sem refrigeração adequada (12 °C).",
        receiver_name="Ana Pereira", receiver_document="123.456.789-09",
    )  # fmt: skip
    error = _refused(db, world, replace(data, interdicted=""))
    assert error.errors["interdicted"].startswith("Descreva o que fica interditado")
    issued = issue(db, world, data)
    with db.read_only() as session:
        status = session.get(Establishment, world.establishment_id).status
    assert status is EstablishmentStatus.INTERDICTED
    with db.unit_of_work("fiscal") as session:
        cancel_document(
            session, world.actor, issued.document_id, "Lavrado no estabelecimento errado"
        )
    with db.read_only() as session:
        assert (
            session.get(Establishment, world.establishment_id).status is EstablishmentStatus.ACTIVE
        )


def test_a_sample_result_is_linked_back_without_touching_the_text(
    db: Database, world: World
) -> None:
    issued = issue(db, world, sample(world))
    result = SampleResult(result_on=TODAY, satisfactory=False, report_number="LACEN 4471/2026",
                          notes="Salmonella spp. presente em 25 g.")  # fmt: skip
    with db.unit_of_work("fiscal") as session:
        record_sample_result(session, world.actor, issued.document_id, result)
    with db.read_only() as session:
        detail = document_detail(session, world.actor, issued.document_id)
    assert detail.result["report_number"] == "LACEN 4471/2026"
    assert detail.result["satisfactory"] is False
    assert detail.sample["seals"] == ["000123", "000124", "000125"]
    with pytest.raises(ValidationError) as caught, db.unit_of_work("fiscal") as session:
        record_sample_result(session, world.actor, issued.document_id, result)
    assert caught.value.message == "O resultado desta amostra já foi registrado."


def test_a_sample_needs_seals_laboratory_and_transport(db: Database, world: World) -> None:
    bare = SampleInput(product="Queijo minas frescal", laboratory="", transport="")
    error = _refused(db, world, sample(world, sample=bare))
    assert error.errors["seals"] == "Informe o número de ao menos um lacre."
    assert set(error.errors) >= {"laboratory", "transport", "quantity", "analysis"}


def test_the_list_filters_by_kind_number_and_establishment(db: Database, world: World) -> None:
    issue(db, world, summons(world))
    issue(db, world, infraction(world))
    issue(db, world, sample(world))
    with db.read_only() as session:

        def labels(**filters: object) -> list[str]:
            rows = list_documents(session, world.actor, DocumentFilter(**filters))
            return sorted(f"{row.kind.value} {row.number_label}" for row in rows)

        assert labels() == ["AC 0001/2026", "AI 0001/2026", "TN 0001/2026"]
        assert labels(kind=DocumentKind.INFRACTION) == ["AI 0001/2026"]
        assert labels(text="1/2026", kind=DocumentKind.SAMPLE) == ["AC 0001/2026"]
        assert len(labels(text=world.legal_name.split()[0].lower())) == 3
        assert labels(year=2025) == []
