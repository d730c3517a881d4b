"""A unit clerk administering the agenda from the Agenda page's "Administrar agenda" menu, by
keyboard: a new weekly template and its slots, an overlapping template refused, a vacation block,
a municipal holiday skipped by the generation, a citizen put on the waiting list.

The database is the demo (agendas at UBS Centro for 02–11/03/2026, some bookings) with the test
clock at Monday 02/03/2026 09:00 in Brasília; the clerk is the demo "recepcao" account. The tests
work on the nurse's agenda (weekdays 13:00–16:00, 30-minute slots).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from typing import TypeVar

import pytest
import shiboken6
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy import func, select

from app.care.models import AgendaTemplate, Appointment
from app.registry.models import Citizen
from tests.ui.shell_helpers import wait_for_window
from ui.care.agenda_blocks import BlocksDialog
from ui.care.agenda_dialogs import CitizenSearchDialog
from ui.care.agenda_holidays import HolidaysDialog
from ui.care.agenda_templates import GenerateSlotsDialog, TemplateFormDialog, TemplatesDialog
from ui.care.agenda_view import AgendaPage
from ui.care.waiting_list import WaitingEntryDialog, WaitingQueueDialog
from ui.context import AppContext

W = TypeVar("W", bound=QWidget)
SHOTS = os.environ.get("AGENDA_ADMIN_SHOTS", "")  # a folder: save a picture of each dialog


@pytest.fixture
def page(qtbot, ctx: AppContext) -> Iterator[AgendaPage]:
    widget = AgendaPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 640)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0)
    _choose_nurse(qtbot, widget)
    yield widget
    ctx.ops.wait_for_done()
    qtbot.waitUntil(ctx.ops.is_idle)


def _choose_nurse(qtbot, page: AgendaPage) -> None:
    combo = page.professional_combo
    wanted = next(i for i in range(combo.count()) if "Enfermeiro" in combo.itemText(i))
    if wanted != combo.currentIndex():
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            combo.setCurrentIndex(wanted)


def _open(qtbot, page: AgendaPage, action: str, kind: type[W]) -> W:
    entry = next(a for a in page.admin_menu.actions() if a.objectName() == action)
    assert entry.isVisible() and entry.isEnabled()
    entry.trigger()
    dialog = wait_for_window(qtbot, kind)
    qtbot.waitUntil(page._ctx.ops.is_idle)
    return dialog


def _shot(widget: QWidget, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def _show_day(qtbot, page: AgendaPage, day: date) -> None:
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.day_edit.setDate(QDate(day.year, day.month, day.day))


def _column(page: AgendaPage, column: int) -> list[str]:
    return [page.model.index(row, column).data() for row in range(page.model.rowCount())]


def _type(qtbot, widget: QWidget, text: str) -> None:
    """Type into the focused field as the clerk does, then Enter (to the next field)."""
    assert widget.hasFocus(), f"{widget.objectName()} should have the focus"
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def _templates(ctx: AppContext) -> int:
    with ctx.db.read_only() as s:
        return int(s.scalar(select(func.count()).select_from(AgendaTemplate)) or 0)


def _new_template(qtbot, templates: TemplatesDialog, weekdays_down: int, start: str, end: str):
    qtbot.keyClick(templates.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = wait_for_window(qtbot, TemplateFormDialog)
    assert form.weekday.hasFocus()
    for _ in range(weekdays_down):
        qtbot.keyClick(form.weekday, Qt.Key.Key_Down)
    qtbot.keyClick(form.weekday, Qt.Key.Key_Return)
    _type(qtbot, form.start, start)
    _type(qtbot, form.end, end)
    return form


def test_clerk_creates_a_template_and_generates_its_slots(
    qtbot, page: AgendaPage, ctx: AppContext, qtmodeltester
) -> None:
    templates = _open(qtbot, page, "templates", TemplatesDialog)
    qtbot.waitUntil(lambda: templates.model.rowCount() == 5)
    qtmodeltester.check(templates.model)
    assert templates.model.index(0, 0).data() == "segunda-feira"
    assert templates.model.index(0, 1).data() == "13:00 às 16:00"
    _shot(templates, "templates")

    form = _new_template(qtbot, templates, 5, "0800", "1000")  # sábado, 08:00–10:00
    _shot(form, "template_form")
    _type(qtbot, form.slot_minutes, "30")
    _type(qtbot, form.capacity, "2")
    _type(qtbot, form.overbooking, "0")  # Enter on the last field saves
    qtbot.waitUntil(lambda: templates.model.rowCount() == 6)
    saturday = [r for r in templates.model.rows() if r.weekday == 5]
    assert len(saturday) == 1 and saturday[0].capacity == 2
    row = templates.model.rows().index(saturday[0])
    assert templates.model.index(row, 1).data() == "08:00 às 10:00"
    assert templates.message.text() == "Modelo de agenda salvo."

    qtbot.mouseClick(templates.generate_button, Qt.MouseButton.LeftButton)
    generate = wait_for_window(qtbot, GenerateSlotsDialog)
    assert generate.first.text() == "02/03/2026" and generate.last.text() == "29/03/2026"
    _shot(generate, "generate_slots")
    qtbot.keyClick(generate.first, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "criada(s)" in templates.message.text())
    assert not shiboken6.isValid(generate) or not generate.isVisible()

    _show_day(qtbot, page, date(2026, 3, 7))  # the first Saturday
    assert page.weekday_label.text() == "sábado"
    assert _column(page, 0) == ["08:00", "08:30", "09:00", "09:30"]
    assert set(_column(page, 1)) == {"0/2"}
    assert set(_column(page, 4)) == {"Livre"}


def test_an_overlapping_template_is_refused_beside_the_field(
    qtbot, page: AgendaPage, ctx: AppContext
) -> None:
    before = _templates(ctx)
    templates = _open(qtbot, page, "templates", TemplatesDialog)
    qtbot.waitUntil(lambda: templates.model.rowCount() == 5)
    form = _new_template(qtbot, templates, 0, "1400", "1500")  # Monday, inside 13:00–16:00
    qtbot.keyClick(form.slot_minutes, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    error = form.form.error_labels["start"]
    qtbot.waitUntil(error.isVisible)
    assert error.text().startswith("Sobrepõe a agenda de 13:00 às 16:00 deste profissional")
    assert form.isVisible() and form.start.hasFocus()
    qtbot.waitUntil(lambda: form.height() >= form.sizeHint().height())
    _shot(form, "template_form_overlap")
    assert _templates(ctx) == before
    assert templates.model.rowCount() == 5


def test_a_vacation_block_shows_the_days_slots_as_blocked(
    qtbot, page: AgendaPage, ctx: AppContext, qtmodeltester
) -> None:
    blocks = _open(qtbot, page, "blocks", BlocksDialog)
    qtbot.waitUntil(lambda: blocks.professional.count() > 1)
    assert "Enfermeiro" in blocks.professional.currentText()
    assert blocks.reason.currentText() == "Férias"
    blocks.first.setFocus()
    qtbot.keyClick(blocks.first, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(blocks.first, "04032026")
    qtbot.keyClick(blocks.first, Qt.Key.Key_Return)
    qtbot.keyClick(blocks.last, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    _type(qtbot, blocks.last, "05032026")
    qtbot.keyClick(blocks.whole_day, Qt.Key.Key_Return)  # stays whole days
    blocks.note.setFocus()
    _type(qtbot, blocks.note, "Ferias regulamentares")  # Enter on the last field saves
    qtbot.waitUntil(lambda: "bloqueada(s)" in blocks.message.text())
    assert blocks.message.text().startswith("Bloqueio registrado: 12 vaga(s) bloqueada(s).")
    qtbot.waitUntil(lambda: blocks.model.rowCount() == 1)
    qtmodeltester.check(blocks.model)
    assert blocks.model.index(0, 0).data() == "04/03/2026 00:00"
    assert blocks.model.index(0, 1).data() == "05/03/2026 23:59"
    assert blocks.model.index(0, 3).data() == "Férias"
    _shot(blocks, "blocks")

    for day in (date(2026, 3, 4), date(2026, 3, 5)):
        _show_day(qtbot, page, day)
        assert page.model.rowCount() >= 6
        assert all("bloqueado" in text.lower() for text in _column(page, 4))
        assert not page.book_button.isEnabled() or page.selected_line().appointment is not None
    _show_day(qtbot, page, date(2026, 3, 6))
    assert not any("bloqueado" in text.lower() for text in _column(page, 4))

    blocks.table.selectRow(0)
    qtbot.mouseClick(blocks.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Bloqueio removido: 12 vaga(s)" in blocks.message.text())
    _show_day(qtbot, page, date(2026, 3, 4))
    assert not any("bloqueado" in text.lower() for text in _column(page, 4))


def test_no_slots_are_generated_on_a_municipal_holiday(
    qtbot, page: AgendaPage, ctx: AppContext, qtmodeltester
) -> None:
    holidays = _open(qtbot, page, "holidays", HolidaysDialog)
    qtbot.waitUntil(lambda: holidays.model.rowCount() > 0)
    national = [holidays.model.index(r, 2).data() for r in range(holidays.model.rowCount())]
    assert "Tiradentes" in national
    assert {holidays.model.index(r, 3).data() for r in range(holidays.model.rowCount())} == {
        "nacional"
    }
    assert holidays.day.hasFocus()
    _type(qtbot, holidays.day, "19032026")
    _type(qtbot, holidays.name, "Aniversario do municipio")  # Enter saves
    qtbot.waitUntil(lambda: "incluído" in holidays.message.text())
    qtbot.waitUntil(
        lambda: any(r.name == "Aniversario do municipio" for r in holidays.model.rows())
    )
    qtmodeltester.check(holidays.model)
    row = next(i for i, r in enumerate(holidays.model.rows()) if not r.national)
    assert holidays.model.index(row, 0).data() == "19/03/2026"
    assert holidays.model.index(row, 1).data() == "quinta-feira"
    assert holidays.model.index(row, 3).data() == "municipal"
    _shot(holidays, "holidays")

    _type(qtbot, holidays.day, "21042026")  # Tiradentes: refused beside the date
    _type(qtbot, holidays.name, "Outro")
    error = holidays.form.error_labels["day"]
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "21/04/2026 já é feriado nacional."
    holidays.close()

    templates = _open(qtbot, page, "templates", TemplatesDialog)
    qtbot.waitUntil(lambda: templates.model.rowCount() == 5)
    qtbot.mouseClick(templates.generate_button, Qt.MouseButton.LeftButton)
    generate = wait_for_window(qtbot, GenerateSlotsDialog)
    generate.first.set_value(date(2026, 3, 16))
    generate.last.set_value(date(2026, 3, 20))
    qtbot.keyClick(generate.first, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "criada(s)" in templates.message.text())
    assert "Feriados pulados: 19/03 (Aniversario do municipio)." in templates.message.text()
    assert templates.message.text().startswith("24 vaga(s) criada(s)")  # 4 days × 6 slots

    _show_day(qtbot, page, date(2026, 3, 19))
    assert page.model.rowCount() == 0 and page.summary.text() == "Sem horários neste dia"
    _show_day(qtbot, page, date(2026, 3, 18))
    assert page.model.rowCount() == 6


def _unbooked_citizen(ctx: AppContext) -> tuple[uuid.UUID, str, str]:
    with ctx.db.read_only() as s:
        query = (
            select(Citizen.id, Citizen.name, Citizen.cns)
            .where(Citizen.id.not_in(select(Appointment.citizen_id)), Citizen.cns.is_not(None))
            .order_by(Citizen.name_key)
            .limit(1)
        )
        return next(iter(s.execute(query)))  # type: ignore[return-value]


def test_clerk_puts_a_citizen_on_the_waiting_list(
    qtbot, page: AgendaPage, ctx: AppContext, qtmodeltester
) -> None:
    _citizen_id, name, cns = _unbooked_citizen(ctx)
    search = _open(qtbot, page, "add_waiting", CitizenSearchDialog)
    assert search.windowTitle() == "Incluir na lista de espera – cidadão"
    qtbot.keyClicks(search.search_box, cns)
    qtbot.waitUntil(lambda: search.model.rowCount() == 1)
    qtbot.keyClick(search.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(search.table, Qt.Key.Key_Return)

    entry = wait_for_window(qtbot, WaitingEntryDialog)
    qtbot.waitUntil(lambda: entry.professional.count() > 1)
    assert "Enfermeiro" in entry.professional.currentText()
    assert not entry.occupation.isEnabled()  # the professional fixes the occupation
    assert entry.occupation.currentData() == "223565"
    assert entry.professional.hasFocus()
    qtbot.keyClick(entry.professional, Qt.Key.Key_Return)  # occupation disabled: to priority
    assert entry.priority.hasFocus()
    qtbot.keyClick(entry.priority, Qt.Key.Key_Up)
    assert entry.priority.currentText() == "Prioritário"
    qtbot.keyClick(entry.priority, Qt.Key.Key_Return)
    qtbot.keyClicks(entry.note, "Prefere o periodo da manha")
    _shot(entry, "waiting_entry")
    qtbot.keyClick(entry.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "incluído(a) na lista de espera" in page.message.text())
    assert page.message.text() == f"{name} incluído(a) na lista de espera."

    queue = _open(qtbot, page, "waiting_list", WaitingQueueDialog)
    qtbot.waitUntil(lambda: any(r.citizen_name == name for r in queue.model.rows()))
    qtmodeltester.check(queue.model)
    row = next(i for i, r in enumerate(queue.model.rows()) if r.citizen_name == name)
    cells = [queue.model.index(row, c).data() for c in range(queue.model.columnCount())]
    assert cells[0] == "Prioritário"
    assert "Enfermeiro" not in cells[3] and cells[3]  # the nurse's name
    assert cells[4] == "02/03/2026" and cells[5] == "Prefere o periodo da manha"
    priorities = [queue.model.index(r, 0).data() for r in range(queue.model.rowCount())]
    assert priorities == sorted(priorities, key=["Prioritário", "Normal", "Eletivo"].index)
    _shot(queue, "waiting_list")
