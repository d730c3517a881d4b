"""The clerk's whole journey as issue 2 tells it, from the real launcher to the printed ficha.

Start the app on a demo database, log in through the login window by keyboard, open "Cidadãos"
from the main window's navigation, register a citizen (an invalid CNS first: the message appears
beside the field), find her by a prefix of the surname typed without accents, open her record and
the print preview of the ficha. Then the other side of the door: five wrong passwords lock the
account, and the right one is refused while the lockout lasts.
"""

from __future__ import annotations

import random
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.brazil.identifiers import cns_error, generate_cns
from app.db.session import Database
from app.security.auth import MAX_FAILED_ATTEMPTS
from app.settings import Settings
from tests.ui.shell_helpers import fill_demo, type_login, wait_for_window
from tests.ui.test_citizen_workflow import (
    NEW_NAME,
    _closed,
    _find_row,
    _focused,
    _open_new_form,
    _type_identity,
)
from ui.login import LoginDialog
from ui.main import Launcher
from ui.main_window import MainWindow
from ui.registry.detail import CitizenDetailDialog
from ui.registry.view import CitizenPage
from ui.widgets.pdf_preview import PdfPreviewDialog


class _App:
    """Stands in for the QApplication, whose quit() would end the test's event loops."""

    def quit(self) -> None:
        pass


def _start(qtbot, db: Database, tmp_path: Path, monkeypatch) -> tuple[Launcher, LoginDialog]:
    monkeypatch.setattr("ui.main_window.Settings", lambda: Settings(tmp_path / "s.json"))
    launcher = Launcher(_App(), db)  # type: ignore[arg-type]
    launcher.start()
    dialog = launcher.dialog
    assert isinstance(dialog, LoginDialog)
    qtbot.addWidget(dialog)
    return launcher, dialog


def test_clerk_logs_in_registers_finds_and_previews_the_ficha(
    qtbot, db: Database, tmp_path: Path, monkeypatch
) -> None:
    fill_demo(db)
    launcher, dialog = _start(qtbot, db, tmp_path, monkeypatch)
    type_login(qtbot, dialog, "recepcao", "recepcao2026")
    qtbot.waitUntil(lambda: isinstance(launcher.window, MainWindow), timeout=10_000)
    window = launcher.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    page = window.show_page("Cidadãos")
    assert isinstance(page, CitizenPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)

    form = _open_new_form(qtbot, page)
    _type_identity(qtbot, form, NEW_NAME, "111111111111111")
    error = form.findChild(QWidget, "error_cns")
    assert error.isVisible() and error.text() == cns_error("111111111111111")
    form.fields["cns"].setFocus()
    qtbot.keyClick(form.fields["cns"], Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.fields["cns"], generate_cns(random.Random(8)))
    qtbot.keyClick(form.fields["cns"], Qt.Key.Key_Tab)
    assert not error.isVisible()
    qtbot.keyClick(_focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _closed(form) and launcher.ops.is_idle(), timeout=10_000)

    qtbot.keyClicks(page.search_box, "conceicao arauj")
    qtbot.waitUntil(lambda: _find_row(page, NEW_NAME) is not None, timeout=10_000)
    page.table.setFocus()
    page.table.selectRow(_find_row(page, NEW_NAME))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    detail = wait_for_window(qtbot, CitizenDetailDialog)
    qtbot.mouseClick(detail.print_button, Qt.MouseButton.LeftButton)
    preview = wait_for_window(qtbot, PdfPreviewDialog)
    assert preview.page_count() == 1
    preview.save_to(tmp_path / "ficha.pdf")
    text = PdfReader(tmp_path / "ficha.pdf").pages[0].extract_text()
    assert NEW_NAME in text and "FICHA CADASTRAL DO CIDADÃO" in text
    for widget in (preview, detail):
        widget.close()
    window.close()
    launcher.shutdown()


def test_five_wrong_passwords_lock_the_account(qtbot, db: Database, tmp_path, monkeypatch) -> None:
    fill_demo(db)
    launcher, dialog = _start(qtbot, db, tmp_path, monkeypatch)
    for attempt in range(MAX_FAILED_ATTEMPTS):
        dialog.username.clear()
        dialog.password.clear()
        result = type_login(qtbot, dialog, "recepcao", f"errada{attempt}")
        assert result.actor is None
    assert "bloqueada" in dialog.error_text()
    dialog.username.clear()
    dialog.password.clear()
    result = type_login(qtbot, dialog, "recepcao", "recepcao2026")
    assert result.actor is None and "bloqueada" in dialog.error_text()
    assert launcher.window is None
    launcher.shutdown()
