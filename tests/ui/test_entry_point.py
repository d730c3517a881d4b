"""The `saude-municipal` entry point: arguments, the log file's first line, the QApplication set-up,
a database that cannot be opened, and how the launcher starts (setup wizard, demo data, login).
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from app import __version__
from app.db.session import Database
from app.installation.service import is_configured
from ui import main as entry
from ui.login import LoginDialog
from ui.setup_wizard import SetupWizard


def test_version(capsys):
    assert entry.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"Saúde Municipal {__version__}"


def test_smoke_test_returns_its_exit_code_without_windows(monkeypatch):
    monkeypatch.setattr("app.smoke.run_smoke_test", lambda: 7)
    assert entry.main(["--smoke-test"]) == 7


def test_log_file_starts_with_versions(tmp_path):
    root = logging.getLogger()
    handlers, level, hook = list(root.handlers), root.level, sys.excepthook
    try:
        path = entry.setup_logging(tmp_path)
        for handler in root.handlers:
            handler.flush()
        first = path.read_text(encoding="utf-8").splitlines()[0]
    finally:
        for handler in set(root.handlers) - set(handlers):
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        sys.excepthook = hook
    assert f"Saúde Municipal {__version__}" in first
    assert "Python 3." in first and "Qt 6." in first


def test_application_is_set_up_in_portuguese(qapp):
    style, locale = qapp.style().name(), QLocale()
    try:
        app = entry.create_application()
        assert app is qapp
        assert app.applicationName() == "Saúde Municipal"
        assert QLocale().name() == "pt_BR"
        assert "QListWidget#navigation" in app.styleSheet()
    finally:
        for translator in qapp.findChildren(QTranslator):
            qapp.removeTranslator(translator)
        qapp.setStyleSheet("")
        if style:
            qapp.setStyle(style)
        qapp.setQuitOnLastWindowClosed(True)
        QLocale.setDefault(locale)


def test_database_from_a_newer_version_is_refused_with_exit_code_2(qapp, tmp_path, monkeypatch):
    path = tmp_path / "newer.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        raw.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    shown: list[str] = []
    monkeypatch.setattr(entry, "setup_logging", lambda: tmp_path / "log")
    monkeypatch.setattr(entry, "create_application", lambda argv=None: QApplication.instance())
    monkeypatch.setattr(entry, "show_fatal", shown.append)
    assert entry.main(["--db", str(path)]) == 2
    assert len(shown) == 1 and "versão mais nova" in shown[0]


class _App:
    def __init__(self) -> None:
        self.quit_called = False

    def quit(self) -> None:
        self.quit_called = True


def test_empty_database_starts_the_setup_wizard(qtbot, db: Database):
    launcher = entry.Launcher(_App(), db)  # type: ignore[arg-type]
    launcher.start()
    assert isinstance(launcher.dialog, SetupWizard)
    qtbot.addWidget(launcher.dialog)
    assert launcher.dialog.isVisible()
    launcher.dialog.reject()
    assert launcher.app.quit_called


def test_demo_fills_an_empty_database_then_asks_admin_to_log_in(qtbot, db: Database, monkeypatch):
    from app.installation import demo

    real = demo.create_demo
    monkeypatch.setattr(demo, "create_demo", lambda database: real(database, citizens=20))
    launcher = entry.Launcher(_App(), db, demo=True)  # type: ignore[arg-type]
    launcher.start()
    qtbot.waitUntil(lambda: isinstance(launcher.dialog, LoginDialog), timeout=20_000)
    qtbot.addWidget(launcher.dialog)
    assert launcher.dialog.username.text() == "admin"
    with db.read_only() as session:
        assert is_configured(session)
    launcher.ops.wait_for_done()


def test_arguments(tmp_path: Path):
    args = entry.build_parser().parse_args(["--db", str(tmp_path / "x.sqlite3"), "--demo"])
    assert args.demo and args.db.endswith("x.sqlite3")


def test_login_window_appears_before_the_database_is_open(qtbot, tmp_path: Path):
    """The clerk sees the login at once; it accepts input only once the database is usable."""
    from app.bootstrap import open_database
    from app.installation.demo import create_demo

    path = tmp_path / "unidade.sqlite3"
    opened = open_database(str(path))
    create_demo(opened, citizens=5, seed=4)
    opened.dispose()
    launcher = entry.Launcher(_App(), db_arg=str(path))  # type: ignore[arg-type]
    launcher.start()
    dialog = launcher.dialog
    assert isinstance(dialog, LoginDialog)
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not dialog.submit_button.isEnabled()
    assert dialog.place.text() == "Abrindo o banco de dados…"
    qtbot.waitUntil(dialog.submit_button.isEnabled, timeout=20_000)
    qtbot.waitUntil(lambda: "Santa Lúcia" in dialog.place.text(), timeout=10_000)
    launcher.shutdown()
