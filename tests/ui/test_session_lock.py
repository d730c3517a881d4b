"""Inactivity lock: after the (injected, 50 ms) timeout the workspace hides behind the login
dialog in lock mode; a wrong password counts as a failed login; the right one unlocks; input
keeps the countdown from running out; "Encerrar sessão" ends the session.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from app.db.session import Database
from app.security.models import Account
from app.settings import Settings
from tests.ui.shell_helpers import (
    context_for,
    fill_demo,
    type_password_and_enter,
)
from ui import state
from ui.context import Bus
from ui.main_window import MainWindow
from ui.ops import OpRunner
from ui.session_lock import LOCK, InactivityWatcher


@pytest.fixture(autouse=True)
def window_state(tmp_path: Path):
    state.use_file(tmp_path / "janelas.ini")
    yield
    state.use_file(None)


@pytest.fixture
def window(qtbot, db: Database, tmp_path: Path) -> MainWindow:
    fill_demo(db)
    ops = OpRunner()
    ctx = context_for(db, "recepcao", ops)
    main = MainWindow(ctx, settings=Settings(tmp_path / "s.json"), lock_timeout_ms=50)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.watcher.stop()
    ops.wait_for_done()


def _failed_attempts(db: Database, username: str) -> int:
    with db.read_only() as session:
        return session.scalar(select(Account.failed_attempts).where(Account.username == username))


def test_inactivity_shows_the_lock_dialog_and_the_password_unlocks(qtbot, window, db):
    qtbot.waitUntil(lambda: window.lock_dialog is not None and window.lock_dialog.isVisible())
    lock = window.lock_dialog
    assert window.is_locked() and not window.menuBar().isEnabled()
    assert not window.splitter.isVisible()  # the citizen list is hidden
    assert lock.username.text() == "recepcao" and lock.username.isReadOnly()
    assert "Sessão bloqueada por inatividade" in lock.subtitle.text()
    assert not window.watcher.is_watching()  # no second lock while locked

    type_password_and_enter(qtbot, lock, "errada-123")
    assert lock.error_text() == "Usuário ou senha incorretos."
    assert _failed_attempts(db, "recepcao") == 1
    assert window.is_locked()

    window.watcher.set_timeout_ms(60_000)  # no new lock while the test looks
    with qtbot.waitSignal(lock.accepted, timeout=10_000):
        type_password_and_enter(qtbot, lock, "recepcao2026")
    assert not window.is_locked() and window.splitter.isVisible()
    assert window.menuBar().isEnabled() and window.watcher.is_watching()
    assert _failed_attempts(db, "recepcao") == 0


def test_ending_the_session_from_the_lock_screen(qtbot, window):
    qtbot.waitUntil(lambda: window.lock_dialog is not None and window.lock_dialog.isVisible())
    leave = window.lock_dialog.findChild(QWidget, "login_leave")
    with qtbot.waitSignal(window.session_finished, timeout=10_000) as finished:
        qtbot.mouseClick(leave, Qt.MouseButton.LeftButton)
    assert finished.args == ["logout"] and not window.isVisible()


def test_input_restarts_the_countdown(qtbot):
    bus = Bus()
    target = QWidget()
    qtbot.addWidget(target)
    # A timeout much longer than the gaps between keys, so a busy machine (CI runs two test
    # processes on two cores) cannot stretch one 100 ms gap into a whole timeout.
    watcher = InactivityWatcher(bus, 1_200)
    ended: list[str] = []
    bus.session_ended.connect(ended.append)
    watcher.start()
    try:
        for _ in range(18):  # 18 × 100 ms of typing: longer than the 1.2 s timeout
            qtbot.wait(100)
            press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(target, press)
        assert ended == []
        qtbot.waitUntil(lambda: ended == [LOCK], timeout=5_000)
        assert not watcher.is_watching()
    finally:
        watcher.stop()


def test_mouse_moves_count_as_activity(qtbot):
    from PySide6.QtGui import QMouseEvent

    bus = Bus()
    target = QWidget()
    qtbot.addWidget(target)
    watcher = InactivityWatcher(bus, 300)
    ended: list[str] = []
    bus.session_ended.connect(ended.append)
    watcher.start()
    try:
        for _ in range(6):
            qtbot.wait(100)
            move = QMouseEvent(QEvent.Type.MouseMove, QPointF(5, 5), QPointF(5, 5),
                               Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                               Qt.KeyboardModifier.NoModifier)  # fmt: skip
            QApplication.sendEvent(target, move)
        assert ended == []
    finally:
        watcher.stop()
