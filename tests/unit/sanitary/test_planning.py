"""Inspection planning: the due list (vencidas / a vencer against the clock's today), programming,
reassigning and cancelling visits, the work list, the printed "Roteiro de trabalho" and the
register of inspectors.

The database is the demo (today is 02/03/2026 on the test clock); the acting account is the demo
coordination ("visa"). The demo's establishments get controlled `next_inspection_on` dates here so
that the expected lists are known.
"""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import event, select

from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.sanitary import planning as svc
from app.sanitary.enums import EstablishmentStatus, InspectionStatus, RiskLevel
from app.sanitary.inspectors import (
    InspectorInput,
    create_inspector,
    inspector_for_account,
    list_inspectors,
    list_teams,
    update_inspector,
)
from app.sanitary.models import Establishment, Inspection, SanitaryInspector
from app.sanitary.planning_report import work_list_pdf
from app.security.actor import Actor
from app.security.auth import login
from tests.ui.shell_helpers import fill_demo

TODAY = date(2026, 3, 2)
ROBERTO = "Roberto Lima Santos"


def login_as(db: Database, username: str, password: str) -> Actor:
    with db.unit_of_work(username) as session:
        result = login(session, username, password)
    assert result.actor is not None
    return result.actor


@pytest.fixture
def visa(db: Database) -> Actor:
    """The demo with every establishment due far in the future, except those a test sets."""
    fill_demo(db)
    with db.unit_of_work("visa") as session:
        for row in session.scalars(select(Establishment)):
            row.next_inspection_on = TODAY + timedelta(400)
    return login_as(db, "visa", "visa2026")


def set_due(db: Database, dates: list[date]) -> list[tuple[uuid.UUID, str]]:
    """Give the first establishments without a planned inspection these due dates."""
    with db.unit_of_work("visa") as session:
        planned = set(
            session.scalars(
                select(Inspection.establishment_id).where(
                    Inspection.status == InspectionStatus.PLANNED
                )
            )
        )
        rows = [
            row
            for row in session.scalars(select(Establishment).order_by(Establishment.id))
            if row.id not in planned
        ][: len(dates)]
        for row, due in zip(rows, dates, strict=True):
            row.next_inspection_on = due
        return [(row.id, row.trade_name) for row in rows]


def inspector_id(db: Database, name: str) -> uuid.UUID:
    with db.read_only() as session:
        return session.scalars(
            select(SanitaryInspector.id).where(SanitaryInspector.name == name)
        ).one()


def test_due_list_splits_overdue_and_upcoming_by_the_clock(db: Database, visa: Actor) -> None:
    chosen = set_due(
        db,
        [
            TODAY - timedelta(10),
            TODAY - timedelta(1),
            TODAY,
            TODAY + timedelta(30),
            TODAY + timedelta(31),
        ],
    )
    with db.read_only() as session:
        page = svc.due_list(session, visa, svc.DueFilter())
        overdue = svc.due_list(session, visa, svc.DueFilter(only="overdue"))
        upcoming = svc.due_list(session, visa, svc.DueFilter(only="upcoming"))
    assert [r.establishment_id for r in page.rows] == [ident for ident, _ in chosen[:4]]
    assert (page.total, page.overdue, page.upcoming) == (4, 2, 2)
    assert [r.overdue for r in page.rows] == [True, True, False, False]
    assert [r.days_late for r in page.rows] == [10, 1, 0, -30]
    assert [r.name for r in overdue.rows] == [name for _, name in chosen[:2]]
    assert [r.name for r in upcoming.rows] == [name for _, name in chosen[2:4]]
    assert page.horizon == date(2026, 4, 1)


def test_due_list_flags_an_establishment_already_planned(db: Database, visa: Actor) -> None:
    (first, _), (second, _) = set_due(db, [TODAY - timedelta(5), TODAY - timedelta(3)])
    with db.unit_of_work("visa") as session:
        svc.plan_inspections(
            session, visa, [first], TODAY + timedelta(2), inspector_id(db, ROBERTO)
        )
    with db.read_only() as session:
        page = svc.due_list(session, visa, svc.DueFilter())
        hidden = svc.due_list(session, visa, svc.DueFilter(include_planned=False))
    assert [(r.establishment_id, r.planned_on) for r in page.rows] == [
        (first, date(2026, 3, 4)),
        (second, None),
    ]
    assert page.planned == 1
    assert [r.establishment_id for r in hidden.rows] == [second]


def test_due_list_filters_and_leaves_out_closed_establishments(db: Database, visa: Actor) -> None:
    chosen = set_due(db, [TODAY - timedelta(5)] * 6)
    with db.unit_of_work("visa") as session:
        closed = session.get(Establishment, chosen[0][0])
        assert closed is not None
        closed.status = EstablishmentStatus.CLOSED
        rows = [session.get(Establishment, ident) for ident, _ in chosen[1:]]
        expected_high = {r.id for r in rows if r is not None and r.risk == RiskLevel.HIGH}
        expected_team = {r.id for r in rows if r is not None and r.team == "Equipe Alimentos"}
    with db.read_only() as session:
        everything = svc.due_list(session, visa, svc.DueFilter())
        high = svc.due_list(session, visa, svc.DueFilter(risk=RiskLevel.HIGH))
        team = svc.due_list(session, visa, svc.DueFilter(team="Equipe Alimentos"))
    assert everything.total == 5 and chosen[0][0] not in {
        r.establishment_id for r in everything.rows
    }
    assert {r.establishment_id for r in high.rows} == expected_high
    assert {r.establishment_id for r in team.rows} == expected_team


def test_due_list_reads_a_page_in_a_fixed_number_of_queries(db: Database, visa: Actor) -> None:
    """No query per row: a page of 25 costs what a page of 3 costs (page, totals, planned)."""
    set_due(db, [TODAY - timedelta(days) for days in range(30)])

    def statements_for(limit: int) -> tuple[int, int]:
        seen: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            with db.read_only() as session:
                page = svc.due_list(session, visa, svc.DueFilter(), limit=limit)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert page.total == 30
        return len(page.rows), len(seen)

    (small, small_queries), (big, big_queries) = statements_for(3), statements_for(25)
    assert (small, big) == (3, 25)
    assert small_queries == big_queries <= 4


def test_planning_creates_planned_inspections_with_team_and_inspector(
    db: Database, visa: Actor
) -> None:
    chosen = set_due(db, [TODAY - timedelta(5), TODAY - timedelta(3)])
    roberto = inspector_id(db, ROBERTO)
    with db.unit_of_work("visa") as session:
        planned = svc.plan_inspections(
            session, visa, [c[0] for c in chosen], date(2026, 3, 5), roberto
        )
    assert planned.inspector_name == ROBERTO and len(planned.inspection_ids) == 2
    with db.read_only() as session:
        rows = svc.work_list(
            session, visa, start=date(2026, 3, 5), end=date(2026, 3, 5), inspector_id=roberto
        )
        teams = {session.get_one(Establishment, c[0]).team for c in chosen}
    assert sorted(r.name for r in rows) == sorted(name for _, name in chosen)
    assert {r.status for r in rows} == {InspectionStatus.PLANNED}
    assert {r.team for r in rows} == teams and all(r.inspector_name == ROBERTO for r in rows)


def test_planning_refuses_a_past_date_and_a_duplicate(db: Database, visa: Actor) -> None:
    (first, name), (second, _) = set_due(db, [TODAY - timedelta(5), TODAY - timedelta(3)])
    roberto = inspector_id(db, ROBERTO)
    with pytest.raises(ValidationError) as past, db.unit_of_work("visa") as session:
        svc.plan_inspections(session, visa, [first], TODAY - timedelta(1), roberto)
    assert past.value.errors["due_on"] == "A data da inspeção não pode estar no passado."
    with db.unit_of_work("visa") as session:
        svc.plan_inspections(session, visa, [first], TODAY, roberto)
    with pytest.raises(ValidationError) as twice, db.unit_of_work("visa") as session:
        svc.plan_inspections(session, visa, [second, first], TODAY + timedelta(1), roberto)
    assert f"Já existe inspeção programada ou em andamento para: {name}." in twice.value.message
    with db.read_only() as session:  # nothing half-written: the second one was not planned either
        page = svc.due_list(session, visa, svc.DueFilter())
    assert [r.planned_on for r in page.rows] == [TODAY, None]


def test_planning_needs_an_inspector_and_the_manage_permission(db: Database, visa: Actor) -> None:
    ((first, _),) = set_due(db, [TODAY])
    with pytest.raises(ValidationError) as refused, db.unit_of_work("visa") as session:
        svc.plan_inspections(session, visa, [first], TODAY, None)
    assert refused.value.errors["inspector_id"] == "Escolha o fiscal responsável pela inspeção."
    fiscal = login_as(db, "fiscal", "fiscal2026")
    with pytest.raises(PermissionDenied), db.unit_of_work("fiscal") as session:
        svc.plan_inspections(session, fiscal, [first], TODAY, inspector_id(db, ROBERTO))


def test_reassign_and_cancel_planned_inspections(db: Database, visa: Actor) -> None:
    chosen = set_due(db, [TODAY, TODAY])
    roberto, carla = inspector_id(db, ROBERTO), inspector_id(db, "Carla Mendes Oliveira")
    with db.unit_of_work("visa") as session:
        made = svc.plan_inspections(session, visa, [c[0] for c in chosen], TODAY, roberto)
        svc.assign(session, visa, [made.inspection_ids[0]], carla, date(2026, 3, 9))
    with pytest.raises(ValidationError) as no_reason, db.unit_of_work("visa") as session:
        svc.cancel_planned(session, visa, [made.inspection_ids[1]], "  ")
    assert no_reason.value.errors["reason"] == "Informe o motivo do cancelamento."
    with db.unit_of_work("visa") as session:
        svc.cancel_planned(session, visa, [made.inspection_ids[1]], "Estabelecimento em reforma")
        cancelled = session.get_one(Inspection, made.inspection_ids[1])
        assert (cancelled.status, cancelled.cancel_reason) == (
            InspectionStatus.CANCELLED,
            "Estabelecimento em reforma",
        )
    with db.read_only() as session:
        carla_rows = svc.work_list(
            session, visa, start=TODAY, end=date(2026, 3, 31), inspector_id=carla
        )
    moved = [r for r in carla_rows if r.inspection_id == made.inspection_ids[0]]
    assert [(r.due_on, r.inspector_name) for r in moved] == [
        (date(2026, 3, 9), "Carla Mendes Oliveira")
    ]
    with pytest.raises(ValidationError), db.unit_of_work("visa") as session:
        svc.assign(session, visa, [made.inspection_ids[1]], roberto)  # cancelled: not planned


def test_work_list_pdf_shows_inspector_date_and_establishments(db: Database, visa: Actor) -> None:
    carla = inspector_id(db, "Carla Mendes Oliveira")
    with db.read_only() as session:
        rows = svc.work_list(session, visa, start=TODAY, end=TODAY, inspector_id=carla)
    assert len(rows) == 4  # the demo plans four visits for today
    with db.unit_of_work("visa") as session:
        issued = work_list_pdf(session, visa, carla, TODAY)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(issued.pdf)).pages)
    flat = " ".join(text.split())
    assert issued.title == "Roteiro de trabalho — Carla Mendes Oliveira — 02/03/2026"
    assert "ROTEIRO DE TRABALHO — CARLA MENDES OLIVEIRA — 02/03/2026" in flat
    assert "VISA-0147" in flat and "Equipe Alimentos" in flat
    for row in rows:
        assert row.name in flat
    assert "Total: 4 estabelecimentos." in flat and "Coordenação da VISA" in flat


def test_inspectors_register(db: Database, visa: Actor) -> None:
    with pytest.raises(ValidationError) as refused, db.unit_of_work("visa") as session:
        create_inspector(
            session,
            visa,
            InspectorInput("Ana Souza", "VISA-0200", team="Equipe Saúde", username="naoexiste"),
        )
    assert (
        refused.value.errors["username"]
        == "Não existe conta de usuário “naoexiste”. Confira o login."
    )
    with pytest.raises(ValidationError) as taken, db.unit_of_work("visa") as session:
        create_inspector(session, visa, InspectorInput("Ana Souza", "VISA-0147"))
    assert taken.value.errors["registration"] == "Outro fiscal ativo já tem esta matrícula."
    with db.unit_of_work("visa") as session:
        new_id = create_inspector(
            session,
            visa,
            InspectorInput("Ana Souza", "VISA-0200", team="Equipe Ambiental", username="consulta"),
        )
        assert inspector_for_account(session, "consulta").name == "Ana Souza"  # type: ignore[union-attr]
        assert inspector_for_account(session, "fiscal").name == "Carla Mendes Oliveira"  # type: ignore[union-attr]
        assert "Equipe Ambiental" in list_teams(session, visa)
        update_inspector(
            session,
            visa,
            new_id,
            InspectorInput("Ana Souza", "VISA-0200", username="consulta", active=False),
        )
        assert inspector_for_account(session, "consulta") is None
        names = [r.name for r in list_inspectors(session, visa)]
    assert "Ana Souza" not in names and ROBERTO in names
