"""The inspection on the field laptop, as the service sees it: start, answer the roteiro, attach,
finish with each outcome — and every refusal leaves the database as it was.

The database is the demo (the test clock at Monday 02/03/2026 09:00 in Brasília); the inspector
is the demo "fiscal" account (Carla Mendes Oliveira), who has four routine inspections planned
for today at food establishments (roteiro "Serviços de alimentação", 10 items, 4 imprescindíveis).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.care.models import MunicipalHoliday
from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.sanitary import inspections as svc
from app.sanitary.config import current_config
from app.sanitary.enums import (
    Answer,
    EstablishmentStatus,
    InspectionOutcome,
    InspectionReason,
    InspectionStatus,
    ItemClass,
    RiskLevel,
)
from app.sanitary.inspection_queries import (
    attachments,
    find_establishments,
    finished_summary,
    inspection_sheet,
    work_list,
)
from app.sanitary.models import Establishment, Inspection, InspectionAnswer
from app.security.actor import Actor
from app.security.auth import login
from tests.ui.shell_helpers import fill_demo

TODAY = date(2026, 3, 2)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fiscal(db: Database) -> Actor:
    """The demo database with the inspector "fiscal" logged in."""
    fill_demo(db)
    with db.unit_of_work("fiscal") as session:
        result = login(session, "fiscal", "fiscal2026")
    assert result.actor is not None
    return result.actor


def login_as(db: Database, username: str, password: str) -> Actor:
    with db.unit_of_work(username) as session:
        result = login(session, username, password)
    assert result.actor is not None
    return result.actor


def first_planned(db: Database, fiscal: Actor) -> uuid.UUID:
    with db.read_only() as s:
        return work_list(s, fiscal, TODAY)[0].inspection_id


def started(db: Database, fiscal: Actor) -> uuid.UUID:
    inspection_id = first_planned(db, fiscal)
    with db.unit_of_work("fiscal") as s:
        svc.start_inspection(s, fiscal, inspection_id, received_by="Ana Pereira")
    return inspection_id


def answer_all(
    db: Database, fiscal: Actor, inspection_id: uuid.UUID, failing: str | None = None
) -> None:
    """Answer every item Conforme, except item `failing` (Não conforme, with an observation)."""
    with db.read_only() as s:
        items = inspection_sheet(s, fiscal, inspection_id).items
    with db.unit_of_work("fiscal") as s:
        for item in items:
            if item.code == failing:
                note = "Lavatório sem sabonete nem papel toalha."
                svc.answer_item(s, fiscal, inspection_id, item.item_id, Answer.NON_COMPLIANT, note)
            else:
                svc.answer_item(s, fiscal, inspection_id, item.item_id, Answer.COMPLIANT)


def finish(db: Database, fiscal: Actor, inspection_id: uuid.UUID, data: svc.FinishInput) -> object:
    with db.unit_of_work("fiscal") as s:
        return svc.finish_inspection(s, fiscal, inspection_id, data)


def inspection_row(db: Database, inspection_id: uuid.UUID) -> Inspection:
    with db.read_only() as s:
        row = s.get(Inspection, inspection_id)
        assert row is not None
        s.expunge(row)
        return row


def test_work_list_shows_the_four_inspections_planned_for_today(
    db: Database, fiscal: Actor
) -> None:
    with db.read_only() as s:
        rows = work_list(s, fiscal, TODAY)
    assert len(rows) == 4
    assert {r.status for r in rows} == {InspectionStatus.PLANNED}
    assert all(r.address and r.risk_text.startswith(("I", "II", "III")) for r in rows)
    assert rows[0].reason.label == "Rotina (programada)"
    with db.read_only() as s:
        assert work_list(s, fiscal, date(2026, 3, 1)) == []  # nothing due before today
        later = work_list(s, fiscal, date(2026, 3, 4))  # not done by Wednesday: overdue
    assert len(later) == 4 and all(r.overdue for r in later)
    assert later[0].status_text == "Planejada – atrasada (prevista para 02/03/2026)"


def test_start_answer_finish_happy_path(db: Database, fiscal: Actor) -> None:
    inspection_id = started(db, fiscal)
    with db.read_only() as s:
        sheet = inspection_sheet(s, fiscal, inspection_id)
    assert sheet.status is InspectionStatus.IN_PROGRESS
    assert sheet.roteiro == "Serviços de alimentação – versão 1"
    assert [section.name for section in sheet.sections][:2] == [
        "Edificação e instalações", "Manipuladores",
    ]  # fmt: skip
    assert sheet.progress_text() == "0 de 10 respondidos — nenhum imprescindível não conforme"
    assert sheet.received_by == "Ana Pereira"

    answer_all(db, fiscal, inspection_id)
    done = finish(db, fiscal, inspection_id, svc.FinishInput(
        InspectionOutcome.SATISFACTORY, "Estabelecimento em boas condições.", None, "Ana Pereira",
    ))  # fmt: skip
    assert isinstance(done, svc.Finished)
    row = inspection_row(db, inspection_id)
    assert row.status is InspectionStatus.DONE
    assert row.performed_on == TODAY and row.finished_at is not None
    assert row.outcome is InspectionOutcome.SATISFACTORY
    with db.read_only() as s:
        assert work_list(s, fiscal, TODAY)[0].inspection_id != inspection_id
        assert len(work_list(s, fiscal, TODAY)) == 3
        summary = finished_summary(s, fiscal, inspection_id)
    assert summary.inspector_name == "Carla Mendes Oliveira"
    assert summary.answered == 10 and summary.non_conformities == ()


def test_the_establishment_gets_its_next_inspection_date(db: Database, fiscal: Actor) -> None:
    inspection_id = started(db, fiscal)
    answer_all(db, fiscal, inspection_id)
    finish(db, fiscal, inspection_id, svc.FinishInput(InspectionOutcome.SATISFACTORY))
    with db.read_only() as s:
        row = s.get(Inspection, inspection_id)
        assert row is not None
        place = s.get(Establishment, row.establishment_id)
        assert place is not None
        assert place.last_inspection_on == TODAY
        months = {RiskLevel.LOW: 36, RiskLevel.MEDIUM: 24, RiskLevel.HIGH: 12}[place.risk]
        assert place.next_inspection_on == date(2026 + months // 12, 3, 2)
        assert place.status is EstablishmentStatus.ACTIVE


def test_an_unanswered_item_is_refused_listing_its_code(db: Database, fiscal: Actor) -> None:
    inspection_id = started(db, fiscal)
    with db.read_only() as s:
        items = inspection_sheet(s, fiscal, inspection_id).items
    with db.unit_of_work("fiscal") as s:
        for item in items[:-2]:
            svc.answer_item(s, fiscal, inspection_id, item.item_id, Answer.COMPLIANT)
    with pytest.raises(ValidationError) as refused:
        finish(db, fiscal, inspection_id, svc.FinishInput(InspectionOutcome.SATISFACTORY))
    assert refused.value.errors[""] == (
        "Responda todos os itens do roteiro antes de concluir. Falta(m) 2: 4.1, 5.1."
    )
    row = inspection_row(db, inspection_id)
    assert row.status is InspectionStatus.IN_PROGRESS and row.outcome is None


def test_satisfactory_is_refused_with_an_essential_item_non_compliant(
    db: Database, fiscal: Actor
) -> None:
    inspection_id = started(db, fiscal)
    answer_all(db, fiscal, inspection_id, failing="1.2")
    with pytest.raises(ValidationError) as refused:
        finish(db, fiscal, inspection_id, svc.FinishInput(InspectionOutcome.SATISFACTORY))
    assert "há item imprescindível não conforme (1.2)" in refused.value.errors["outcome"]
    assert inspection_row(db, inspection_id).status is InspectionStatus.IN_PROGRESS
    finish(db, fiscal, inspection_id, svc.FinishInput(InspectionOutcome.INFRACTION, "Ver 1.2"))
    with db.read_only() as s:
        summary = finished_summary(s, fiscal, inspection_id)
    (failure,) = summary.non_conformities
    assert (failure.code, failure.classification_label) == ("1.2", "Imprescindível")
    assert failure.observation == "Lavatório sem sabonete nem papel toalha."
    assert failure.text.startswith("Lavatório exclusivo para higiene das mãos")


def test_non_compliant_essential_item_needs_an_observation(db: Database, fiscal: Actor) -> None:
    inspection_id = started(db, fiscal)
    with db.read_only() as s:
        items = inspection_sheet(s, fiscal, inspection_id).items
    essential = next(i for i in items if i.classification is ItemClass.ESSENTIAL)
    with pytest.raises(ValidationError) as refused, db.unit_of_work("fiscal") as s:
        svc.answer_item(s, fiscal, inspection_id, essential.item_id, Answer.NON_COMPLIANT, "  ")
    assert refused.value.errors["observation"].startswith(f"Item {essential.code} é imprescindível")
    with db.read_only() as s:
        assert s.scalar(select(func.count(InspectionAnswer.id))) == 0


def test_corrections_deadline_skips_weekend_and_municipal_holiday(
    db: Database, fiscal: Actor
) -> None:
    with db.unit_of_work("visa") as s:
        current_config(s).business_days = True
        s.add(MunicipalHoliday(day=date(2026, 3, 5), name="Aniversário do município"))
    inspection_id = started(db, fiscal)
    answer_all(db, fiscal, inspection_id, failing="1.2")
    with pytest.raises(ValidationError) as refused:
        finish(db, fiscal, inspection_id, svc.FinishInput(InspectionOutcome.CORRECTIONS))
    assert refused.value.errors["correction_days"].startswith("Informe o prazo para as correções")
    done = finish(db, fiscal, inspection_id, svc.FinishInput(
        InspectionOutcome.CORRECTIONS, "Instalar lavatório.", 5, "Ana Pereira"))  # fmt: skip
    # Monday 02/03 + 5 business days: 03, 04, (05 holiday), 06, (weekend), 09, 10.
    assert isinstance(done, svc.Finished) and done.correction_due_on == date(2026, 3, 10)
    row = inspection_row(db, inspection_id)
    assert (row.correction_days, row.correction_due_on) == (5, date(2026, 3, 10))


def test_a_deadline_already_past_is_refused(db: Database, fiscal: Actor) -> None:
    """The visit was on 20/02 and written up only on 02/03: 3 days from the visit have passed."""
    inspection_id = first_planned(db, fiscal)
    db.clock.current = datetime(2026, 2, 20, 13, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    with db.unit_of_work("fiscal") as s:
        svc.start_inspection(s, fiscal, inspection_id)
    answer_all(db, fiscal, inspection_id)
    db.clock.current = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as refused:
        finish(db, fiscal, inspection_id, svc.FinishInput(InspectionOutcome.CORRECTIONS, "", 3))
    assert refused.value.errors["correction_days"] == (
        "O prazo termina em 23/02/2026, que já passou: confira a data."
    )
    assert inspection_row(db, inspection_id).status is InspectionStatus.IN_PROGRESS
    finish(db, fiscal, inspection_id, svc.FinishInput(InspectionOutcome.CORRECTIONS, "", 15))
    assert inspection_row(db, inspection_id).correction_due_on == date(2026, 3, 9)
    assert inspection_row(db, inspection_id).performed_on == date(2026, 2, 20)


def test_answers_and_attachments_are_refused_after_done(db: Database, fiscal: Actor) -> None:
    inspection_id = started(db, fiscal)
    answer_all(db, fiscal, inspection_id)
    finish(db, fiscal, inspection_id, svc.FinishInput(InspectionOutcome.SATISFACTORY))
    with db.read_only() as s:
        item = inspection_sheet(s, fiscal, inspection_id).items[0]
    with pytest.raises(ValidationError) as refused, db.unit_of_work("fiscal") as s:
        svc.answer_item(s, fiscal, inspection_id, item.item_id, Answer.NOT_APPLICABLE)
    assert refused.value.errors[""] == (
        "Esta inspeção já foi concluída (02/03/2026): as respostas não podem mais ser alteradas."
    )
    with pytest.raises(ValidationError), db.unit_of_work("fiscal") as s:
        svc.attach(s, fiscal, inspection_id, None, "foto.png", PNG)
    with pytest.raises(ValidationError), db.unit_of_work("fiscal") as s:
        svc.start_inspection(s, fiscal, inspection_id)
    with db.read_only() as s:
        assert inspection_sheet(s, fiscal, inspection_id).items[0].answer is Answer.COMPLIANT


def test_attachments_too_big_or_of_a_wrong_type_are_refused(db: Database, fiscal: Actor) -> None:
    inspection_id = started(db, fiscal)
    with db.read_only() as s:
        item = inspection_sheet(s, fiscal, inspection_id).items[1]
    cases = [
        ("planilha.xlsx", PNG, "Tipo de arquivo não aceito (xlsx)"),
        ("foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024), "o limite é de 10 MB"),
        ("foto.jpg", PNG, "O arquivo não é uma foto JPEG válida"),
        ("vazio.pdf", b"", "O arquivo está vazio."),
    ]
    for name, content, message in cases:
        with pytest.raises(ValidationError) as refused, db.unit_of_work("fiscal") as s:
            svc.attach(s, fiscal, inspection_id, item.item_id, name, content)
        assert message in refused.value.errors["file"], name
    with db.unit_of_work("fiscal") as s:
        svc.attach(s, fiscal, inspection_id, item.item_id, r"C:\Fotos\lavatorio.PNG", PNG,
                   "Lavatório sem sabão")  # fmt: skip
    with db.read_only() as s:
        (row,) = attachments(s, inspection_id)
        sheet = inspection_sheet(s, fiscal, inspection_id)
    assert (row.file_name, row.media_type, row.item_code) == ("lavatorio.PNG", "image/png", "1.2")
    assert row.caption == "Lavatório sem sabão" and row.size == len(PNG)
    assert len(row.sha256) == 64
    assert sheet.items[1].attachments == 1


def test_an_account_without_an_inspector_is_refused(db: Database, fiscal: Actor) -> None:
    inspection_id = first_planned(db, fiscal)
    admin = login_as(db, "admin", "admin2026")
    with pytest.raises(PermissionDenied) as refused, db.unit_of_work("admin") as s:
        svc.start_inspection(s, admin, inspection_id)
    assert refused.value.message.startswith("Sua conta não está vinculada a um fiscal sanitário")
    with pytest.raises(PermissionDenied), db.read_only() as s:
        work_list(s, admin, TODAY)
    assert inspection_row(db, inspection_id).status is InspectionStatus.PLANNED


def test_interdiction_interdicts_the_establishment(db: Database, fiscal: Actor) -> None:
    inspection_id = started(db, fiscal)
    answer_all(db, fiscal, inspection_id, failing="1.2")
    finish(db, fiscal, inspection_id, svc.FinishInput(InspectionOutcome.INTERDICTION, "Risco"))
    with db.read_only() as s:
        row = s.get(Inspection, inspection_id)
        assert row is not None
        place = s.get(Establishment, row.establishment_id)
        assert place is not None and place.status is EstablishmentStatus.INTERDICTED


def test_unplanned_visit_for_a_complaint(db: Database, fiscal: Actor) -> None:
    with db.read_only() as s:
        hits = find_establishments(s, fiscal, "padaria")
    assert hits and all("Padaria" in hit.name for hit in hits)
    with db.unit_of_work("fiscal") as s:
        result = svc.start_unplanned(s, fiscal, hits[0].establishment_id)
    assert not result.resumed
    with db.read_only() as s:
        row = s.get(Inspection, result.inspection_id)
        place = s.get(Establishment, hits[0].establishment_id)
        assert row is not None and place is not None
        assert row.reason is InspectionReason.COMPLAINT and row.team == place.team
        assert row.status is InspectionStatus.IN_PROGRESS and row.due_on == TODAY
        first = work_list(s, fiscal, TODAY)[0]
    assert first.inspection_id == result.inspection_id  # in progress first on the list
    with pytest.raises(ValidationError) as refused, db.unit_of_work("fiscal") as s:
        svc.start_unplanned(s, fiscal, hits[0].establishment_id)
    assert "Já há uma inspeção em andamento" in refused.value.errors[""]


def test_an_establishment_without_a_roteiro_is_inspected_in_words(
    db: Database, fiscal: Actor
) -> None:
    """No demo roteiro serves gyms (CNAE 9313100): the visit starts, findings become required."""
    with db.read_only() as s:
        gym = find_establishments(s, fiscal, "academia")[0]
    with db.unit_of_work("fiscal") as s:
        result = svc.start_unplanned(s, fiscal, gym.establishment_id, InspectionReason.LICENSING)
    assert result.version_id is None
    with db.read_only() as s:
        sheet = inspection_sheet(s, fiscal, result.inspection_id)
    assert sheet.items == [] and sheet.roteiro == ""
    assert sheet.progress_text() == "Sem roteiro: as constatações são registradas ao concluir"
    with pytest.raises(ValidationError) as refused:
        finish(db, fiscal, result.inspection_id, svc.FinishInput(InspectionOutcome.SATISFACTORY))
    assert refused.value.errors == {
        "findings": "Inspeção sem roteiro: descreva nas constatações o que foi verificado."
    }
    with db.unit_of_work("fiscal") as s:
        svc.attach(s, fiscal, result.inspection_id, None, "fachada.pdf", b"%PDF-1.4 ...")
    finish(db, fiscal, result.inspection_id,
           svc.FinishInput(InspectionOutcome.SATISFACTORY, "Instalações adequadas."))  # fmt: skip
    assert inspection_row(db, result.inspection_id).status is InspectionStatus.DONE
