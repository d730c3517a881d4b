"""The processo administrativo sanitário: deadlines against the calendar, order of the steps,
the fine range, the overdue list and the printed process.

The process is opened here straight through the ORM (an auto de infração, the process in stage
DEFENCE and its first step), as the legal-documents service will do it.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.care.models import MunicipalHoliday
from app.db.session import Database
from app.errors import ValidationError
from app.sanitary import process_queries as queries
from app.sanitary import processes as svc
from app.sanitary.config import config_values, current_config
from app.sanitary.enums import PROCESS_SERIES, DocumentKind, Gravity, ProcessStage
from app.sanitary.models import Establishment, ProcessStep, SanitaryDocument, SanitaryProcess
from app.sanitary.numbers import next_number
from app.sanitary.process_reports import process_pdf
from app.security.actor import Actor
from app.security.auth import login
from tests.ui.shell_helpers import fill_demo


@pytest.fixture
def visa(db: Database) -> Actor:
    """The demo database with the VISA coordination account logged in."""
    fill_demo(db)
    with db.unit_of_work("visa") as session:
        result = login(session, "visa", "visa2026")
    assert result.actor is not None
    return result.actor


def move_clock_to(db: Database, day: date) -> None:
    db.clock.current = datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)  # type: ignore[attr-defined]


def open_process(db: Database, issued_on: date, gravity: Gravity = Gravity.LIGHT) -> uuid.UUID:
    """An auto de infração issued on `issued_on` and the process it opens (stage DEFENCE)."""
    with db.unit_of_work("visa") as s:
        establishment = s.scalars(select(Establishment).order_by(Establishment.legal_name)).first()
        assert establishment is not None
        config = config_values(s)
        low, high = config.fine_range(gravity)
        ai_number = next_number(s, DocumentKind.INFRACTION.value, issued_on.year)
        document = SanitaryDocument(
            kind=DocumentKind.INFRACTION, series="AI", year=issued_on.year,
            number=ai_number.number, establishment_id=establishment.id, issued_on=issued_on,
            issued_at=datetime(issued_on.year, issued_on.month, issued_on.day, 13, tzinfo=UTC),
            inspector_name="Carla Mendes Oliveira",
            facts="Alimentos perecíveis expostos à venda fora de refrigeração.",
            legal_basis="Lei nº 6.437/1977, art. 10, IV", gravity=gravity, fine_min=low,
            fine_max=high, team=establishment.team,
        )  # fmt: skip
        s.add(document)
        s.flush()
        due = svc.stage_deadline(s, config, issued_on, config.defence_days)
        number = next_number(s, PROCESS_SERIES, issued_on.year)
        process = SanitaryProcess(
            year=issued_on.year, number=number.number, establishment_id=establishment.id,
            infraction_id=document.id, opened_on=issued_on, stage=ProcessStage.DEFENCE,
            due_on=due,
        )  # fmt: skip
        s.add(process)
        s.flush()
        s.add(
            ProcessStep(
                process_id=process.id,
                kind=svc.OPENED,
                happened_on=issued_on,
                stage_after=ProcessStage.DEFENCE,
                due_on=due,
                summary="Auto de infração lavrado.",
            )
        )
        return process.id


def use_business_days(db: Database, *holidays: tuple[date, str]) -> None:
    with db.unit_of_work("visa") as s:
        current_config(s).business_days = True
        for day, name in holidays:
            s.add(MunicipalHoliday(day=day, name=name))


def run(db: Database, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with db.unit_of_work("visa") as s:
        return fn(s, *args, **kwargs)


def detail(db: Database, actor: Actor, process_id: uuid.UUID) -> queries.ProcessDetail:
    with db.read_only() as s:
        return queries.get_process(s, actor, process_id)


# --- deadlines --------------------------------------------------------------------------------


def test_calendar_days_ending_on_a_weekend_move_to_the_next_business_day(
    db: Database, visa: Actor
) -> None:
    # AI on Friday 13/02/2026: 15 days end on Saturday 28/02 → Monday 02/03.
    process_id = open_process(db, date(2026, 2, 13))
    assert detail(db, visa, process_id).row.due_on == date(2026, 3, 2)
    # Defence on Thursday 19/02: the autuante's 10 days end on Sunday 01/03 → Monday 02/03.
    result = run(db, svc.record_defence, visa, process_id, date(2026, 2, 19), "Nega os fatos.")
    assert result.stage is ProcessStage.REPLY
    assert result.due_on == date(2026, 3, 2)
    shown = detail(db, visa, process_id)
    assert shown.row.stage_label == "Manifestação do autuante"
    assert [s.kind_label for s in shown.steps] == [
        "Auto de infração lavrado (abertura)",
        "Defesa apresentada",
    ]


def test_business_days_skip_national_and_municipal_holidays(db: Database, visa: Actor) -> None:
    use_business_days(db, (date(2026, 4, 8), "Padroeira do município"),
                      (date(2026, 4, 23), "Dia de São Jorge"))  # fmt: skip
    move_clock_to(db, date(2026, 5, 20))
    # AI on Monday 30/03: 15 business days skip Good Friday (03/04), the municipal 08/04,
    # Tiradentes (21/04) and the municipal 23/04 → Friday 24/04.
    process_id = open_process(db, date(2026, 3, 30))
    assert detail(db, visa, process_id).row.due_on == date(2026, 4, 24)
    # Defence on 30/03: 10 business days (reply) skip 03/04 and 08/04 → 15/04.
    reply = run(db, svc.record_defence, visa, process_id, date(2026, 3, 30), "Alega reforma.")
    assert reply.due_on == date(2026, 4, 15)
    run(db, svc.record_reply, visa, process_id, date(2026, 4, 15), "Mantém o auto.")
    # Decision on Thursday 16/04: 15 business days (appeal) skip 21/04, 23/04 and 01/05 → 12/05.
    decided = run(
        db, svc.record_decision, visa, process_id, date(2026, 4, 16), "Auto procedente.",
        ["Advertência"],
    )  # fmt: skip
    assert decided.stage is ProcessStage.APPEAL
    assert decided.due_on == date(2026, 5, 12)


# --- order of the steps -----------------------------------------------------------------------


def test_steps_out_of_order_are_refused_with_what_the_process_waits_for(
    db: Database, visa: Actor
) -> None:
    process_id = open_process(db, date(2026, 2, 13))
    with pytest.raises(ValidationError) as refused:
        run(db, svc.record_decision, visa, process_id, date(2026, 2, 20), "Procedente.",
            ["Advertência"])  # fmt: skip
    assert "aguarda a defesa do autuado" in refused.value.errors[""]
    # revelia only after the deadline (02/03 is the last day)
    with pytest.raises(ValidationError) as early:
        run(db, svc.record_no_defence, visa, process_id, date(2026, 3, 2))
    assert "02/03/2026" in early.value.errors["happened_on"]
    # no future dates, nothing before the previous step
    with pytest.raises(ValidationError) as future:
        run(db, svc.record_defence, visa, process_id, date(2026, 3, 3), "Defesa.")
    assert future.value.errors["happened_on"] == "A data não pode ser futura."
    with pytest.raises(ValidationError) as before:
        run(db, svc.record_defence, visa, process_id, date(2026, 2, 12), "Defesa.")
    assert "13/02/2026" in before.value.errors["happened_on"]
    assert detail(db, visa, process_id).row.stage is ProcessStage.DEFENCE


def test_a_closed_process_accepts_no_more_steps(db: Database, visa: Actor) -> None:
    process_id = open_process(db, date(2026, 2, 13))
    run(db, svc.archive, visa, process_id, "Auto lavrado contra o CNPJ errado.")
    shown = detail(db, visa, process_id)
    assert shown.row.stage is ProcessStage.CLOSED and shown.allowed == ()
    with pytest.raises(ValidationError) as refused:
        run(db, svc.record_defence, visa, process_id, date(2026, 3, 2), "Defesa.")
    assert "Encerrado" in refused.value.errors[""]


def test_fine_outside_the_range_of_the_auto_is_refused(db: Database, visa: Actor) -> None:
    move_clock_to(db, date(2026, 4, 30))
    process_id = open_process(db, date(2026, 2, 13))
    run(db, svc.record_no_defence, visa, process_id, date(2026, 3, 3))
    with pytest.raises(ValidationError) as refused:
        run(db, svc.record_decision, visa, process_id, date(2026, 3, 20), "Procedente.",
            [svc.FINE], Decimal("80000"))  # fmt: skip
    assert refused.value.errors["fine_amount"] == (
        "A multa de R$ 80.000,00 está fora da faixa do auto de infração "
        "(de R$ 2.000,00 a R$ 75.000,00)."
    )
    ok = run(db, svc.record_decision, visa, process_id, date(2026, 3, 20), "Procedente.",
             [svc.FINE, "Advertência"], Decimal("5000"))  # fmt: skip
    assert ok.stage is ProcessStage.APPEAL
    shown = detail(db, visa, process_id)
    assert shown.penalty == "Advertência; Multa"
    assert shown.fine_amount == Decimal("5000.00")
    # appeal period ends (calendar days: 20/03 + 15 = 04/04, a Saturday → Monday 06/04)
    assert shown.row.due_on == date(2026, 4, 6)
    closed = run(db, svc.record_no_appeal, visa, process_id, date(2026, 4, 7))
    assert closed.stage is ProcessStage.CLOSED


# --- lists ------------------------------------------------------------------------------------


def test_overdue_and_due_soon_lists(db: Database, visa: Actor) -> None:
    late = open_process(db, date(2026, 2, 2))  # defence due 17/02 (Carnaval is not national)
    soon = open_process(db, date(2026, 2, 20))  # due 09/03 (07/03 is a Saturday)
    today = date(2026, 3, 2)
    with db.read_only() as s:
        overdue = queries.overdue_processes(s, visa, today)
        within = queries.due_soon(s, visa, today, 7)
        alerts = queries.overdue_alerts(s, visa, today)
    assert [r.id for r in overdue] == [late]
    assert overdue[0].deadline_text == "VENCIDO há 13 dias"
    assert [r.id for r in within] == [soon]
    assert within[0].deadline_text == "vence em 7 dias"
    assert "prazo de defesa vencido em 17/02/2026 (há 13 dias)" in alerts[0].message


# --- printed process --------------------------------------------------------------------------


def test_the_whole_process_prints(db: Database, visa: Actor) -> None:
    move_clock_to(db, date(2026, 4, 30))
    process_id = open_process(db, date(2026, 2, 13))
    run(db, svc.record_defence, visa, process_id, date(2026, 2, 25), "Alega que o freezer quebrou.")
    run(db, svc.record_reply, visa, process_id, date(2026, 3, 3), "Fatos confirmados.")
    run(db, svc.record_decision, visa, process_id, date(2026, 3, 20),
        "Julgo procedente o auto de infração.", [svc.FINE], Decimal("10000"))  # fmt: skip
    number = detail(db, visa, process_id).row.number
    issued = run(db, process_pdf, visa, process_id)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(issued.pdf)).pages)
    flat = " ".join(text.split())
    assert f"PROCESSO ADMINISTRATIVO SANITÁRIO Nº {number}" in flat
    assert "Alimentos perecíveis expostos" in flat
    assert "de R$ 2.000,00 a R$ 75.000,00" in flat
    assert "Defesa apresentada" in flat and "Manifestação do autuante" in flat
    assert "Julgo procedente o auto de infração." in flat
    assert "R$ 10.000,00" in flat
    assert "06/04/2026" in flat  # the appeal deadline opened by the decision


def test_a_process_opened_by_the_auto_de_infracao_service_goes_on(
    db: Database, visa: Actor
) -> None:
    """The process as `process_opening.open_process` opens it accepts the steps of this module."""
    from app.sanitary.process_opening import open_process as open_from_auto

    first = open_process(db, date(2026, 2, 13))
    with db.unit_of_work("visa") as s:
        ai_id = s.get(SanitaryProcess, first).infraction_id  # type: ignore[union-attr]
        source = s.get(SanitaryDocument, ai_id)
        assert source is not None
        copy = SanitaryDocument(
            kind=DocumentKind.INFRACTION, series="AI", year=2026,
            number=next_number(s, "AI", 2026).number, establishment_id=source.establishment_id,
            issued_on=date(2026, 2, 20), issued_at=source.issued_at, facts=source.facts,
            gravity=Gravity.SERIOUS, fine_min=Decimal("75000"), fine_max=Decimal("200000"),
            deadline_days=15, deadline_on=date(2026, 3, 9), team=source.team,
        )  # fmt: skip
        s.add(copy)
        s.flush()
        opened = open_from_auto(s, visa, copy.id)
    result = run(db, svc.record_defence, visa, opened.process_id, date(2026, 3, 2), "Defesa.")
    assert result.due_on == date(2026, 3, 12)
    shown = detail(db, visa, opened.process_id)
    assert [s.kind_label for s in shown.steps] == [
        "Auto de infração lavrado (abertura)",
        "Defesa apresentada",
    ]
    assert shown.infraction.fine_range == "de R$ 75.000,00 a R$ 200.000,00"
