"""The production pages beyond the typing journey: what an account without "care.production" sees,
reopening a closed month with a reason, and correcting and voiding an attendance typed today.

Demo database (300 citizens, clock at Monday 02/03/2026 09:00 in Brasília; 12/2025 and 01/2026
closed by the demo).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.care.attendances import AttendanceInput, ProcedureInput, record_attendance
from app.care.models import Attendance
from app.db.session import Database
from app.installation.demo import DEMO_UNIT
from app.registry.models import Citizen, ProfessionalBond
from app.settings import Settings
from tests.ui.shell_helpers import context_for, install_demo, wait_for_window
from ui import state
from ui.care.attendance_forms import CorrectionDialog, ReasonDialog
from ui.care.attendance_view import AttendanceEntryPage
from ui.care.production_view import ProductionPage
from ui.context import AppContext

SHOTS = Path("/tmp/attendance_shots")


@pytest.fixture(autouse=True)
def _window_state(tmp_path: Path) -> Iterator[None]:
    state.use_file(tmp_path / "janelas.ini")
    yield
    state.use_file(None)


@pytest.fixture
def billing(db: Database) -> Iterator[AppContext]:
    install_demo(db, citizens=300, seed=1)
    ctx = context_for(db, "faturamento")
    yield ctx
    ctx.ops.wait_for_done()


def _production(qtbot, ctx: AppContext, tmp_path: Path) -> ProductionPage:
    page = ProductionPage(ctx, settings=Settings(tmp_path / "s.json"))
    qtbot.addWidget(page)
    page.resize(1140, 700)
    page.show()
    qtbot.waitUntil(lambda: page.competences.rowCount() > 0 and ctx.ops.is_idle())
    return page


def test_without_care_production_the_buttons_say_why(qtbot, ctx: AppContext, tmp_path) -> None:
    assert ctx.actor.can("care.read") and not ctx.actor.can("care.production")
    page = _production(qtbot, ctx, tmp_path)
    assert page.select_competence("202602")
    qtbot.waitUntil(lambda: "02/2026" in page.summary_label.text() and ctx.ops.is_idle())
    assert page.professionals.rowCount() > 0
    for button in (page.close_button, page.reopen_button, page.bpa_button, page.esus_button):
        assert button.isVisible() and not button.isEnabled()
        assert "care.production" in button.toolTip()
    assert page.print_button.isEnabled()


def test_reopening_a_closed_month_asks_the_reason(qtbot, billing: AppContext, tmp_path) -> None:
    page = _production(qtbot, billing, tmp_path)
    assert page.select_competence("202601")
    assert page.selected().closed and page.reopen_button.isEnabled()
    qtbot.mouseClick(page.reopen_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, ReasonDialog)
    qtbot.keyClicks(dialog.reason, "ok")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error.isVisible()  # too short: asked again
    qtbot.keyClicks(dialog.reason, " - arquivo devolvido pelo DATASUS")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.selected().closed and billing.ops.is_idle())
    status = page.competences.index(page.competence_table.currentIndex().row(), 2).data()
    assert status.startswith("Aberta (reaberta: ok - arquivo devolvido")
    assert "reaberta" in page.message.text() and page.close_button.isEnabled()


def _typed_today(ctx: AppContext) -> tuple[uuid.UUID, str]:
    """One attendance the clerk typed today (through the service): (citizen id, name)."""
    with ctx.db.read_only() as s:
        bond = s.execute(
            select(ProfessionalBond.professional_id).where(
                ProfessionalBond.unit_cnes == DEMO_UNIT, ProfessionalBond.cbo == "223565"
            )
        ).scalar_one()
        attended = select(Attendance.citizen_id)
        citizen_id, name = s.execute(
            select(Citizen.id, Citizen.name)
            .where(
                Citizen.cns.is_not(None),
                Citizen.id.not_in(attended),
                Citizen.birth_date < date(1990, 1, 1),
            )
            .limit(1)
        ).one()
    data = AttendanceInput(
        unit_cnes=DEMO_UNIT, professional_id=bond, cbo="223565", citizen_id=citizen_id,
        attended_on=date(2026, 3, 2), procedures=(ProcedureInput(code="0301010030"),),
    )  # fmt: skip
    with ctx.db.unit_of_work(ctx.actor.username) as s:
        record_attendance(s, ctx.actor, data)
    return citizen_id, name


def test_correct_then_void_an_attendance_typed_today(qtbot, billing: AppContext) -> None:
    ctx = billing
    _citizen_id, name = _typed_today(ctx)
    page = AttendanceEntryPage(ctx)
    qtbot.addWidget(page)
    page.resize(1140, 700)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and ctx.ops.is_idle())
    assert not page.correct_button.isEnabled()
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.mouseClick(page.correct_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, CorrectionDialog)
    form = dialog.form
    qtbot.waitUntil(lambda: form.lines[0].code() == "0301010030" and ctx.ops.is_idle())
    assert form.citizen_info.text() == name and "223565" in form.professional_combo.currentText()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "correction.png"))

    form.lines[0].quantity.setFocus()
    qtbot.keyClick(form.lines[0].quantity, Qt.Key.Key_Return)  # opens line 2
    qtbot.keyClicks(form.lines[1].code_edit, "0301100039")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.reason_error.isVisible()  # the reason is required
    qtbot.keyClicks(dialog.reason, "pressao aferida e nao digitada")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and ctx.ops.is_idle(), timeout=10_000)
    situations = {row.situation: row for row in page.model.rows()}
    assert set(situations) == {"Válido", "Corrigido"}
    assert situations["Válido"].procedures_text == "0301010030, 0301100039"
    assert "Correção gravada" in page.message.text()

    valid = next(i for i, row in enumerate(page.model.rows()) if row.situation == "Válido")
    page.table.selectRow(valid)
    qtbot.mouseClick(page.void_button, Qt.MouseButton.LeftButton)
    void = wait_for_window(qtbot, ReasonDialog)
    qtbot.keyClicks(void.reason, "digitado em duplicidade")
    qtbot.keyClick(void.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3 and ctx.ops.is_idle(), timeout=10_000)
    assert sorted(row.situation for row in page.model.rows()) == [
        "Anulado", "Anulação", "Corrigido",
    ]  # fmt: skip
    assert "anulado" in page.message.text()


def test_the_header_is_remembered_for_the_next_start(qtbot, billing: AppContext) -> None:
    ctx = billing
    first = AttendanceEntryPage(ctx)
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: first.form.professional_combo.count() > 1 and ctx.ops.is_idle())
    combo = first.form.professional_combo
    combo.setCurrentIndex(combo.count() - 1)
    chosen = first.form.bond()
    first.form.date_field.set_value(date(2026, 2, 27))
    first.form.date_field.editingFinished.emit()
    qtbot.waitUntil(ctx.ops.is_idle)
    first.close()

    again = AttendanceEntryPage(ctx)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.form.professional_combo.count() > 1 and ctx.ops.is_idle())
    assert again.form.bond() == chosen and again.form.unit_cnes() == DEMO_UNIT
    assert again.form.attended_on() == date(2026, 2, 27)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("123 4567 8901 2345", "CNS inválido: os dígitos verificadores não conferem."),
        ("111.111.111-11", "CPF inválido: todos os dígitos são iguais."),
        ("12345", "Digite o CNS (15 dígitos), o CPF (11 dígitos) ou o nome do cidadão."),
    ],
)
def test_a_mistyped_cns_or_cpf_is_explained_before_any_search(
    qtbot, billing: AppContext, typed: str, message: str
) -> None:
    page = AttendanceEntryPage(billing)
    qtbot.addWidget(page)
    page.show()
    field = page.form.citizen_edit
    qtbot.keyClicks(field, typed)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    error = page.form.error_labels["citizen_id"]
    qtbot.waitUntil(error.isVisible)
    assert error.text() == message
    assert field.text() == typed and page.form.citizen_info.text() == ""
