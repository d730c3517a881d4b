"""The shell after login: which pages each role sees, the status bar, the menus, logout and the
launcher that runs login → main window → login. Real demo database, real worker thread.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.db.session import Database
from app.security import audit
from app.security.models import AuditEntry
from app.settings import LOCK_MINUTES, Settings
from tests.ui.shell_helpers import context_for, fill_demo, type_login
from ui import state
from ui.admin.accounts import AccountsPage
from ui.admin.audit import AuditPage
from ui.admin.roles import RolesPage
from ui.context import AppContext
from ui.documents.verify import VerifyPage
from ui.login import LoginDialog
from ui.main import Launcher
from ui.main_window import PAGES, MainWindow, page_title
from ui.ops import OpRunner
from ui.registry.view import CitizenPage

ALL_PAGES = [
    "Cidadãos", "Verificar documento", "Contas de usuário", "Perfis de acesso",
    "Trilha de auditoria",
]  # fmt: skip


@pytest.fixture(autouse=True)
def window_state(tmp_path: Path):
    state.use_file(tmp_path / "janelas.ini")
    yield
    state.use_file(None)


@pytest.fixture
def demo_db(db: Database) -> Database:
    fill_demo(db)
    return db


@pytest.fixture
def ops() -> OpRunner:
    runner = OpRunner()
    yield runner
    runner.wait_for_done()


def _window(qtbot, ctx: AppContext, tmp_path: Path) -> MainWindow:
    window = MainWindow(ctx, settings=Settings(tmp_path / "settings.json"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.pending_label.text()[-1].isdigit())
    return window


def _login_through_dialog(qtbot, db: Database, ops: OpRunner, username: str, password: str):
    dialog = LoginDialog(db, ops)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        type_login(qtbot, dialog, username, password)
    return dialog.actor


def test_reception_sees_the_citizens_but_not_the_administration(qtbot, demo_db, ops, tmp_path):
    actor = _login_through_dialog(qtbot, demo_db, ops, "recepcao", "recepcao2026")
    ctx = context_for(demo_db, "recepcao", ops)
    assert actor.permissions == ctx.actor.permissions
    window = _window(qtbot, ctx, tmp_path)
    assert window.nav_titles() == [
        "Cidadãos",
        "Agenda",
        "Digitação de atendimentos",
        "Produção mensal",
        "Sincronização",
    ]
    assert "Contas de usuário" not in window.nav_titles()
    assert isinstance(window.current_page(), CitizenPage)
    assert not hasattr(window, "settings_action")  # no admin.settings


def test_administrator_sees_every_page_and_each_is_a_real_screen(qtbot, demo_db, ops, tmp_path):
    window = _window(qtbot, context_for(demo_db, "admin", ops), tmp_path)
    assert window.nav_titles() == [page_title(spec) for spec in PAGES]  # every page there is
    assert window.nav_titles()[: len(ALL_PAGES)] == ALL_PAGES
    kinds = [CitizenPage, VerifyPage, AccountsPage, RolesPage, AuditPage]
    for title, kind in zip(ALL_PAGES, kinds, strict=True):
        assert isinstance(window.show_page(title), kind)
        assert window.current_page() is window.show_page(title)


def test_auditor_sees_audit_verification_and_citizens(qtbot, demo_db, ops, tmp_path):
    window = _window(qtbot, context_for(demo_db, "auditor", ops), tmp_path)
    assert window.nav_titles() == ["Cidadãos", "Verificar documento", "Trilha de auditoria"]


def test_title_and_status_bar(qtbot, demo_db, ops, tmp_path):
    window = _window(qtbot, context_for(demo_db, "admin", ops), tmp_path)
    assert window.windowTitle() == "Saúde Municipal — Santa Lúcia (demonstração)/PR"
    assert window.node_label.text() == "Secretaria — sede (demonstração) · Central"
    assert window.user_label.text() == "Usuário: Administradora de Demonstração"
    assert re.fullmatch(r"Alterações pendentes: \d+", window.pending_label.text())
    assert window.sync_label.text() == "Última sincronização: nunca"


def test_pending_changes_follow_the_bus(qtbot, demo_db, ops, tmp_path):
    window = _window(qtbot, context_for(demo_db, "admin", ops), tmp_path)
    with qtbot.waitSignal(window.status_refreshed, timeout=10_000):
        window.ctx.bus.changed.emit("citizen")
    assert window.pending_label.text().startswith("Alterações pendentes: ")


def test_logout_is_recorded_and_announced(qtbot, demo_db, ops, tmp_path):
    window = _window(qtbot, context_for(demo_db, "admin", ops), tmp_path)
    with qtbot.waitSignal(window.session_finished, timeout=10_000) as finished:
        window.logout_action.trigger()
    assert finished.args == ["logout"]
    assert not window.isVisible()
    with demo_db.read_only() as session:
        query = select(AuditEntry.action, AuditEntry.username).order_by(AuditEntry.seq.desc())
        last = session.execute(query).first()
    assert tuple(last) == (audit.LOGOUT, "admin")


def test_closing_the_window_logs_out_and_saves_its_geometry(qtbot, demo_db, ops, tmp_path):
    window = _window(qtbot, context_for(demo_db, "admin", ops), tmp_path)
    window.resize(640, 480)  # within the offscreen screen (800×600)
    with qtbot.waitSignal(window.session_finished, timeout=10_000) as finished:
        window.close()
    assert finished.args == ["quit"]
    again = _window(qtbot, context_for(demo_db, "admin", ops), tmp_path)
    assert (again.width(), again.height()) == (640, 480)


def test_settings_change_the_lock_time_and_the_municipality(qtbot, demo_db, ops, tmp_path):
    window = _window(qtbot, context_for(demo_db, "admin", ops), tmp_path)
    window.settings_action.trigger()
    dialog = window.settings_dialog
    qtbot.waitUntil(dialog.municipality_tab.isEnabled)
    assert dialog.name.text() == "Santa Lúcia (demonstração)"
    dialog.name.setText("Santa Lúcia")
    dialog.lock_minutes.setValue(5)
    with qtbot.waitSignal(window.status_refreshed, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.windowTitle() == "Saúde Municipal — Santa Lúcia/PR")
    assert Settings(tmp_path / "settings.json").get(LOCK_MINUTES) == 5
    assert window.watcher.timeout_ms == 5 * 60_000


def test_about_lists_the_data_sources(qtbot, demo_db, ops, tmp_path):
    from ui.about import AboutDialog

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.text_label.text()
    assert "CID-10: Fonte: DATASUS/MS — CID-10 versão 2008" in text
    assert "Códigos de municípios: IBGE, via brutils 2.5.0 (MIT)" in text
    assert "PySide6" in text and "LGPL" in text


class _App:
    """Stands in for the QApplication: quitting the real one would end the test's event loops."""

    def __init__(self) -> None:
        self.quit_called = False

    def quit(self) -> None:
        self.quit_called = True


def test_launcher_runs_login_then_window_then_login_again(qtbot, demo_db, tmp_path, monkeypatch):
    monkeypatch.setattr("ui.main_window.Settings", lambda: Settings(tmp_path / "s.json"))
    app = _App()
    launcher = Launcher(app, demo_db)  # type: ignore[arg-type]
    launcher.start()
    login = launcher.dialog
    assert isinstance(login, LoginDialog)
    qtbot.addWidget(login)
    type_login(qtbot, login, "recepcao", "recepcao2026")
    qtbot.waitUntil(lambda: isinstance(launcher.window, MainWindow), timeout=10_000)
    window = launcher.window
    qtbot.addWidget(window)
    assert window.nav_titles() == [
        "Cidadãos",
        "Agenda",
        "Digitação de atendimentos",
        "Produção mensal",
        "Sincronização",
    ]
    with qtbot.waitSignal(window.session_finished, timeout=10_000):
        window.log_out()
    assert isinstance(launcher.dialog, LoginDialog) and launcher.dialog is not login
    assert launcher.dialog.isVisible() and not app.quit_called
    qtbot.addWidget(launcher.dialog)
    launcher.dialog.reject()
    assert app.quit_called
    launcher.shutdown()


def test_a_citizen_marked_as_attended_in_the_agenda_is_typed_with_the_header_filled(
    qtbot, demo_db: Database, ops: OpRunner, tmp_path: Path
) -> None:
    """Agenda → "Digitar atendimento": the entry opens with unit, professional, date and citizen
    of the booking; the clerk types only the procedure, and the attendance keeps the booking."""
    from datetime import UTC, date, datetime

    from app.care import appointments
    from app.care.models import Appointment, Attendance, Slot
    from app.registry.models import ProfessionalBond
    from ui.care.agenda_view import AgendaPage
    from ui.care.attendance_view import AttendanceEntryPage

    ctx = context_for(demo_db, "recepcao", ops)
    with demo_db.unit_of_work("recepcao") as s:  # today's first booking with the nurse, who came
        booking = s.execute(
            select(Appointment.id, Slot.professional_id, Appointment.citizen_id)
            .join(Slot, Slot.id == Appointment.slot_id)
            .join(ProfessionalBond, ProfessionalBond.professional_id == Slot.professional_id)
            .where(
                ProfessionalBond.cbo == "223565",
                Slot.starts_at >= demo_db.clock.now(),
                Slot.starts_at < datetime(2026, 3, 3, 3, tzinfo=UTC),  # midnight in Brasília
            )
            .order_by(Slot.starts_at)
        ).first()
        assert booking is not None
        appointments.mark_attended(s, ctx.actor, booking.id)
    window = _window(qtbot, ctx, tmp_path)
    agenda = window.show_page("Agenda")
    assert isinstance(agenda, AgendaPage)
    combo = agenda.professional_combo
    qtbot.waitUntil(lambda: combo.findData(str(booking.professional_id)) >= 0)
    combo.setCurrentIndex(combo.findData(str(booking.professional_id)))

    def booking_row() -> int | None:
        lines = enumerate(agenda.model.rows())
        return next((n for n, line in lines
                     if line.appointment is not None and line.appointment.id == booking.id),
                    None)  # fmt: skip

    qtbot.waitUntil(lambda: booking_row() is not None and ctx.ops.is_idle())
    row = booking_row()
    assert row is not None
    agenda.table.selectRow(row)
    assert agenda.attendance_button.isEnabled()
    qtbot.mouseClick(agenda.attendance_button, Qt.MouseButton.LeftButton)

    entry = window.current_page()
    assert isinstance(entry, AttendanceEntryPage)
    form = entry.form
    qtbot.waitUntil(lambda: form.appointment_id == booking.id and ctx.ops.is_idle())
    assert form.unit_cnes() == "7654321"
    assert form.bond().startswith(str(booking.professional_id))
    assert form.attended_on() == date(2026, 3, 2)
    assert form.citizen_info.text() != ""
    qtbot.keyClicks(form.lines[0].code_edit, "0301010030")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(entry.saved, timeout=10_000):
        qtbot.keyClick(form.lines[0].code_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with demo_db.read_only() as s:
        typed = s.execute(
            select(Attendance.citizen_id, Attendance.professional_id).where(
                Attendance.appointment_id == booking.id
            )
        ).all()
    assert [tuple(a) for a in typed] == [(booking.citizen_id, booking.professional_id)]
