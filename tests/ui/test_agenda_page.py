"""A reception clerk's agenda work, from the keyboard: book a citizen into a slot, cancel it, see
the freed slot offered to the waiting list and book the citizen waiting.

The database is the demo (300 citizens, agendas at UBS Centro for two weeks, some bookings) with
the test clock at Monday 02/03/2026 09:00 in Brasília; the clerk is the demo "recepcao" account.
The test works on Tuesday's agenda of the nurse, so every slot is still ahead.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from app.care import appointments
from app.care.agenda_rules import AppointmentStatus, WaitingPriority
from app.care.models import Appointment
from app.installation.demo import DEMO_UNIT
from app.registry.models import Citizen
from tests.ui.shell_helpers import wait_for_window
from ui.care.agenda_dialogs import BookingDialog, CancelDialog, WaitingListDialog
from ui.care.agenda_view import AgendaPage
from ui.context import AppContext
from ui.widgets.pdf_preview import PdfPreviewDialog


@pytest.fixture
def page(qtbot, ctx: AppContext) -> Iterator[AgendaPage]:
    widget = AgendaPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 640)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0)
    yield widget
    ctx.ops.wait_for_done()
    qtbot.waitUntil(ctx.ops.is_idle)


def _unbooked_citizens(ctx: AppContext, count: int) -> list[tuple[uuid.UUID, str, str]]:
    """Citizens of the demo with no appointment at all: (id, name, CNS)."""
    with ctx.db.read_only() as s:
        booked = select(Appointment.citizen_id)
        query = (
            select(Citizen.id, Citizen.name, Citizen.cns)
            .where(Citizen.id.not_in(booked), Citizen.cns.is_not(None))
            .order_by(Citizen.name_key)
            .limit(count)
        )
        return [(i, n, c) for i, n, c in s.execute(query)]


def _line_of(page: AgendaPage, name: str) -> int | None:
    for number, line in enumerate(page.model.rows()):
        if line.appointment is not None and line.appointment.citizen_name == name:
            return number
    return None


def _choose_tomorrow(qtbot, page: AgendaPage, occupation: str = "Enfermeiro") -> None:
    combo = page.professional_combo
    wanted = next(i for i in range(combo.count()) if occupation in combo.itemText(i))
    if wanted != combo.currentIndex():
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            combo.setCurrentIndex(wanted)
    page.table.setFocus()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClick(page.table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert page.weekday_label.text() == "terça-feira"
    assert page.day().isoformat() == "2026-03-03"


def test_clerk_books_cancels_and_offers_the_slot_to_the_waiting_list(
    qtbot, page: AgendaPage, ctx: AppContext, qtmodeltester
) -> None:
    assert page.unit_cnes() == DEMO_UNIT
    _choose_tomorrow(qtbot, page)
    line = page.selected_line()
    assert line is not None and line.is_free
    slot_id = line.slot.id
    (citizen_id, name, cns), (waiting_id, waiting_name, _) = _unbooked_citizens(ctx, 2)
    with ctx.db.unit_of_work("sistema") as s:
        data = appointments.WaitingInput(waiting_id, DEMO_UNIT, page.professional_id(),
                                    priority=WaitingPriority.HIGH)  # fmt: skip
        appointments.add_to_waiting_list(s, ctx.actor, data)

    # Book: Enter on the free line, the CNS, Down, Enter.
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = wait_for_window(qtbot, BookingDialog)
    qtbot.keyClicks(dialog.search_box, cns)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)
    qtmodeltester.check(dialog.model)
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _line_of(page, name) is not None and ctx.ops.is_idle())
    when = f"{line.slot.local_start:%d/%m/%Y} às {line.slot.local_start:%H:%M}"
    assert when.startswith("03/03/2026")  # tomorrow, the first free time the page offered
    assert page.message.text().startswith(f"{name} agendado(a) para {when}")
    qtmodeltester.check(page.model)

    # Cancel it with a reason; the waiting list is offered the freed slot.
    page.table.selectRow(_line_of(page, name))
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    cancel = wait_for_window(qtbot, CancelDialog)
    qtbot.keyClick(cancel.reason.lineEdit(), Qt.Key.Key_Return)  # no reason: refused here
    assert cancel.error.isVisible() and cancel.isVisible()
    qtbot.keyClicks(cancel.reason.lineEdit(), "Pedido do cidadao")
    qtbot.keyClick(cancel.reason.lineEdit(), Qt.Key.Key_Return)
    offer = wait_for_window(qtbot, WaitingListDialog)
    qtmodeltester.check(offer.model)
    assert offer.model.index(0, 1).data() == waiting_name
    assert offer.model.index(0, 0).data() == "Prioritário"
    qtbot.keyClick(offer.table, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: _line_of(page, waiting_name) is not None and ctx.ops.is_idle())
    assert _line_of(page, name) is None
    booked = page.model.rows()[_line_of(page, waiting_name)]
    assert booked.slot.id == slot_id and booked.appointment is not None
    assert booked.appointment.status == AppointmentStatus.BOOKED
    with ctx.db.read_only() as s:
        query = select(Appointment.citizen_id, Appointment.status).where(
            Appointment.slot_id == slot_id
        )
        statuses = {citizen: status for citizen, status in s.execute(query)}
    assert statuses == {
        citizen_id: AppointmentStatus.CANCELLED,
        waiting_id: AppointmentStatus.BOOKED,
    }


def test_full_slot_asks_before_booking_as_overbooking(
    qtbot, page: AgendaPage, ctx: AppContext
) -> None:
    _choose_tomorrow(qtbot, page, "Médico")  # the doctor's slots admit one overbooking
    (first_id, first, _), (_, second, cns) = _unbooked_citizens(ctx, 2)
    slot = next(line.slot for line in page.model.rows() if line.is_free and not line.slot.active)
    with ctx.db.unit_of_work("sistema") as s:
        appointments.book(s, ctx.actor, slot.id, first_id)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.reload(select_slot=slot.id)
    assert page.selected_line().slot.id == slot.id
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = wait_for_window(qtbot, BookingDialog)
    qtbot.keyClicks(dialog.search_box, cns)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    box = wait_for_window(qtbot, QMessageBox)
    assert box.objectName() == "ask_overbooking"
    assert "lotado, mas tem 1 encaixe permitido" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _line_of(page, second) is not None and ctx.ops.is_idle())
    line = page.model.rows()[_line_of(page, second)]
    assert line.slot.id == slot.id and line.appointment.overbooked
    situation = page.model.index(_line_of(page, second), 4).data()
    assert situation == "Agendado (encaixe)"
    assert _line_of(page, first) is not None


def test_marks_attendance_and_prints_the_day(qtbot, page: AgendaPage, ctx: AppContext) -> None:
    _choose_tomorrow(qtbot, page)
    ((citizen_id, name, _),) = _unbooked_citizens(ctx, 1)
    slot = page.selected_line().slot
    with ctx.db.unit_of_work("sistema") as s:
        appointments.book(s, ctx.actor, slot.id, citizen_id)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.reload(select_slot=slot.id)
    page.table.selectRow(_line_of(page, name))
    qtbot.mouseClick(page.attended_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            page.model.index(_line_of(page, name), 4).data() == "Compareceu" and ctx.ops.is_idle()
        )
    )
    assert not page.cancel_button.isEnabled()  # a final status: nothing more to do with it

    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    preview = wait_for_window(qtbot, PdfPreviewDialog)
    assert preview.windowTitle().startswith("Agenda do dia")
    assert preview.page_count() >= 1
    preview.close()
