"""The "Planejamento de inspeções" page as the VISA coordination uses it: pick overdue
establishments, programme them for an inspector, find them under "Programadas", cancel one with a
reason and print the inspector's work list.

The database is the demo (today 02/03/2026 on the test clock); every establishment is made due in
a year except two overdue ones, so the due list is known.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.db.session import Database
from app.sanitary.enums import InspectionStatus
from app.sanitary.models import Establishment, Inspection
from tests.ui.shell_helpers import context_for, fill_demo, wait_for_window
from ui.context import AppContext
from ui.sanitary.planning import PlanningPage
from ui.widgets.pdf_preview import PdfPreviewDialog

TODAY = date(2026, 3, 2)
SHOTS = Path("/tmp/shots")


@pytest.fixture
def overdue(db: Database) -> list[str]:
    """Two establishments overdue (by 12 and 3 days), the rest due in a year; their names."""
    fill_demo(db)
    with db.unit_of_work("visa") as session:
        planned = set(
            session.scalars(
                select(Inspection.establishment_id).where(
                    Inspection.status == InspectionStatus.PLANNED
                )
            )
        )
        rows = list(session.scalars(select(Establishment).order_by(Establishment.id)))
        for row in rows:
            row.next_inspection_on = TODAY + timedelta(days=365)
        free = [row for row in rows if row.id not in planned][-2:]
        for row, days in zip(free, (12, 3), strict=True):
            row.next_inspection_on = TODAY - timedelta(days=days)
        return [row.trade_name for row in free]


@pytest.fixture
def visa_ctx(db: Database, overdue: list[str]) -> Iterator[AppContext]:
    ctx = context_for(db, "visa")
    yield ctx
    ctx.ops.wait_for_done()


def texts(model, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_programme_two_overdue_establishments_for_an_inspector(
    qtbot, visa_ctx: AppContext, overdue: list[str]
) -> None:
    page = PlanningPage(visa_ctx)
    qtbot.addWidget(page)
    page.resize(1366, 720)
    page.show()
    due = page.due_tab
    qtbot.waitUntil(lambda: due.model.rowCount() == 2 and due.team.count() > 1)
    assert texts(due.model, 0) == overdue
    assert texts(due.model, 5) == ["vencida há 12 dias", "vencida há 3 dias"]
    assert due.summary.text().startswith("2 vencida(s) e 0 a vencer até 01/04/2026")
    SHOTS.mkdir(exist_ok=True)
    page.grab().save(str(SHOTS / "planning_due.png"))

    due.table.setFocus()
    qtbot.keyClick(due.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(due.plan_button, Qt.MouseButton.LeftButton)
    dialog = due.dialog
    assert dialog is not None
    assert (
        dialog.findChild(type(due.summary), "plan_intro")
        .text()
        .startswith("2 estabelecimento(s) selecionado(s):")
    )
    dialog.due_on.set_value(TODAY - timedelta(days=1))
    dialog.inspector.setCurrentIndex(
        dialog.inspector.findText("Roberto", Qt.MatchFlag.MatchStartsWith)
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.form.error_labels["due_on"]
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "A data da inspeção não pode estar no passado."

    dialog.due_on.set_value(date(2026, 3, 4))
    dialog.grab().save(str(SHOTS / "planning_dialog.png"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: texts(due.model, 6) == ["04/03/2026", "04/03/2026"])

    page.tabs.setCurrentIndex(1)
    scheduled = page.scheduled_tab
    scheduled.inspector.setCurrentIndex(
        scheduled.inspector.findText("Roberto", Qt.MatchFlag.MatchStartsWith)
    )
    qtbot.waitUntil(lambda: sorted(texts(scheduled.model, 1)) == sorted(overdue))
    assert texts(scheduled.model, 0) == ["04/03/2026", "04/03/2026"]
    assert set(texts(scheduled.model, 5)) == {"Roberto Lima Santos"}
    assert set(texts(scheduled.model, 7)) == {"Planejada"}
    page.grab().save(str(SHOTS / "planning_scheduled.png"))

    qtbot.mouseClick(scheduled.print_button, Qt.MouseButton.LeftButton)
    preview = wait_for_window(qtbot, PdfPreviewDialog)
    assert preview.windowTitle().startswith(
        "Roteiro de trabalho — Roberto Lima Santos — 02/03/2026 a 01/04/2026"
    )
    assert preview.page_count() == 1
    preview.accept()


def test_cancel_a_planned_inspection_with_a_reason(qtbot, visa_ctx: AppContext) -> None:
    page = PlanningPage(visa_ctx)
    qtbot.addWidget(page)
    scheduled = page.scheduled_tab
    qtbot.waitUntil(lambda: scheduled.model.rowCount() == 4)  # the demo's four visits of today
    cancelled = scheduled.model.row_at(0).inspection_id
    scheduled.table.selectRow(0)
    qtbot.mouseClick(scheduled.cancel_button, Qt.MouseButton.LeftButton)
    dialog = scheduled.dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.form.error_labels["reason"].isVisible)
    assert dialog.form.error_labels["reason"].text() == "Informe o motivo do cancelamento."
    dialog.reason.setCurrentText("Estabelecimento fechado no dia da visita")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: scheduled.model.rowCount() == 3)
    assert cancelled not in [row.inspection_id for row in scheduled.model.rows()]


def test_register_an_inspector_in_the_fiscais_tab(qtbot, visa_ctx: AppContext) -> None:
    page = PlanningPage(visa_ctx)
    qtbot.addWidget(page)
    page.resize(1366, 720)
    page.show()
    page.tabs.setCurrentIndex(2)
    register = page.inspectors_tab
    qtbot.waitUntil(lambda: register.model.rowCount() == 3)
    qtbot.mouseClick(register.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: register.dialog is not None and register.dialog.isVisible())
    dialog = register.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.name, "Ana Souza")
    qtbot.keyClicks(dialog.registration, "VISA-0200")
    dialog.team.setCurrentText("Equipe Alimentos")
    qtbot.keyClicks(dialog.username, "ana")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.form.error_labels["username"]
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "Não existe conta de usuário “ana”. Confira o login."
    dialog.username.clear()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Ana Souza" in texts(register.model, 0))
    page.grab().save(str(SHOTS / "planning_inspectors.png"))
    scheduled = page.scheduled_tab  # the new inspector is offered in the filters at once
    qtbot.waitUntil(lambda: scheduled.inspector.findText("Ana Souza (VISA-0200)") >= 0)
