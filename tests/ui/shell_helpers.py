"""Helpers shared by the shell's UI tests (login, main window, lock, admin pages, verification).

Not a test module: plain functions that each test module's fixtures call, so every module keeps
its own fixtures (the citizen-page tests live in the same folder and define theirs).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TypeVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.db.engine import sqlite_path
from app.db.migrate import upgrade
from app.db.session import Database
from app.installation.demo import DEMO_ACCOUNTS, create_demo
from app.installation.service import installation_info
from app.security.auth import login
from ui.context import AppContext, Bus
from ui.login import LoginDialog
from ui.ops import OpRunner

W = TypeVar("W", bound=QWidget)

PASSWORDS = {username: password for username, password, _role, _what in DEMO_ACCOUNTS}
# The offscreen platform cannot resize native windows and says so whenever a shown dialog's
# size hints change: a limitation of the test platform, not a fault of the code.


# Demo databases already built in this run, by (citizens, seed, clock instant): building one takes
# about a second (CID-10, four SIGTAP competences, agendas, attendances), copying it milliseconds.
_TEMPLATES: dict[tuple[int, int, str], tuple[Path, str]] = {}


def install_demo(db: Database, citizens: int, seed: int) -> None:
    """Make `db` (a migrated, empty SQLite file) a copy of the demo built by `create_demo`."""
    key = (citizens, seed, db.clock.now().isoformat())
    if key not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="demo-template-"))
        template = Database(f"sqlite:///{folder / 'demo.sqlite3'}", clock=db.clock)
        upgrade(template, db.clock.now())
        create_demo(template, citizens=citizens, seed=seed)
        template.dispose()  # the last connection checkpoints the WAL into the file
        _TEMPLATES[key] = (folder / "demo.sqlite3", template.node_id)
    source, node_id = _TEMPLATES[key]
    target = sqlite_path(db.url)
    assert target is not None, "install_demo copies SQLite files only"
    db.dispose()
    for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    db.node_id = node_id


def fill_demo(db: Database) -> None:
    """The demo secretariat, small: 50 citizens, the demo accounts."""
    install_demo(db, citizens=50, seed=3)


def context_for(db: Database, username: str, ops: OpRunner | None = None) -> AppContext:
    """A logged-in session for a demo account, as the launcher builds it after the login."""
    with db.unit_of_work(username) as session:
        result = login(session, username, PASSWORDS[username])
        info = installation_info(session)
    assert result.actor is not None and info is not None
    return AppContext(db=db, actor=result.actor, installation=info, ops=ops or OpRunner(),
                      bus=Bus())  # fmt: skip


def type_password_and_enter(qtbot, dialog: LoginDialog, password: str) -> object:
    """Type the password as a person would, press Enter, wait for the answer; returns it."""
    qtbot.keyClicks(dialog.password, password)
    with qtbot.waitSignal(dialog.attempt_finished, timeout=10_000) as blocker:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    return blocker.args[0]


def type_login(qtbot, dialog: LoginDialog, username: str, password: str) -> object:
    """Username, Enter (moves to the password), password, Enter; returns the LoginResult."""
    dialog.username.setFocus()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    assert dialog.password.hasFocus() or not dialog.isActiveWindow()
    return type_password_and_enter(qtbot, dialog, password)


def wait_for_window(
    qtbot, kind: type[W], object_name: str | None = None, *, activate: bool = True
) -> W:
    """Wait for a visible top-level window of `kind` (and name), return the newest, activated
    unless `activate` is False (a test that keeps typing into the window it is in)."""
    found: list[W] = []

    def visible() -> bool:
        found[:] = [
            w for w in QApplication.topLevelWidgets()
            if isinstance(w, kind) and shiboken6.isValid(w) and w.isVisible()
            and (object_name is None or w.objectName() == object_name)
        ]  # fmt: skip
        return bool(found)

    qtbot.waitUntil(visible, timeout=10_000)
    window = found[-1]
    if activate:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
    return window
