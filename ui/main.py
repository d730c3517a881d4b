"""The desktop client's entry point: `saude-municipal [--db URL|PATH] [--demo] [--smoke-test]`.

`main()` reads the arguments, sets up the log file, creates the QApplication (pt-BR, Fusion, the
app's style sheet, Qt's own pt-BR translation), opens and migrates the database (a database it
cannot open is explained in a message box and the exit code is 2), and hands over to `Launcher`,
which runs the sessions: first-run setup (or the demo data with `--demo`), then login, the main
window, and login again after "Sair da sessão". Start-up work before the first window (opening
the database, asking whether it is configured) runs on the GUI thread on purpose: nothing is on
screen yet, and the login window must not appear before the database is known to be usable.
"""

from __future__ import annotations

import argparse
import gc
import logging
import logging.handlers
import platform
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTimer, QTranslator, qVersion
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QProgressDialog

from app import APP_ID, APP_NAME, __version__
from app.errors import DatabaseError
from app.paths import resource_path, user_data_dir
from app.security.actor import Actor
from ui.login import LoginDialog
from ui.ops import OpRunner, show_error

if TYPE_CHECKING:  # imported by the worker once the login window is on screen
    from app.db.session import Database
    from app.installation.service import InstallationInfo

log = logging.getLogger(__name__)

ORGANIZATION = "Secretaria Municipal de Saúde"
LOG_BYTES = 2_000_000
LOG_FILES = 5


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saude-municipal", description=APP_NAME)
    parser.add_argument("--db", metavar="URL|CAMINHO",
                        help="URL do PostgreSQL ou caminho do arquivo SQLite")  # fmt: skip
    parser.add_argument("--demo", action="store_true",
                        help="cria os dados de demonstração se o banco estiver vazio")  # fmt: skip
    parser.add_argument("--smoke-test", action="store_true",
                        help="autoteste da instalação, sem janelas (0 = tudo certo)")  # fmt: skip
    parser.add_argument("--version", action="store_true", help="mostra a versão e sai")
    # For `make bench`: quit as soon as the login window is on screen (start-up time).
    parser.add_argument("--quit-when-ready", action="store_true", help=argparse.SUPPRESS)
    return parser


def database_argument(args: argparse.Namespace) -> str | None:
    """`--db` as given; with `--demo` alone, a separate demo file so real data is never mixed."""
    if args.db is None and args.demo:
        return str(user_data_dir() / "demo.sqlite3")
    return args.db


def setup_logging(directory: Path | None = None) -> Path:
    """Log to a rotating file in the user data dir; the first line says what is running where."""
    folder = directory or user_data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{APP_ID}.log"
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_BYTES, backupCount=LOG_FILES, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    log.info(
        "%s %s · Python %s · Qt %s · %s",
        APP_NAME, __version__, platform.python_version(), qVersion(), platform.platform(),
    )  # fmt: skip
    sys.excepthook = _log_uncaught
    return path


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    log.critical("uncaught exception", exc_info=(kind, exc, tb))
    sys.__excepthook__(kind, exc, tb)


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with names, pt-BR locale, Fusion style, style sheet and translations."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv))
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)  # between login and main window no window is open
    QLocale.setDefault(QLocale(QLocale.Language.Portuguese, QLocale.Country.Brazil))
    app.setStyle("Fusion")
    _load_style_sheet(app)
    _install_qt_translation(app)
    _collect_garbage_on_gui_thread(app)
    return app


def _collect_garbage_on_gui_thread(app: QApplication) -> None:
    """Python's collector may free Qt objects; run it only here, never on the ops worker thread.

    Automatic collection can start in whatever thread allocates, and freeing a widget's wrapper
    outside the GUI thread crashes Qt. So automatic collection is off and a GUI-thread timer
    collects the young generation every second and everything every half minute.
    """
    gc.disable()
    ticks = {"n": 0}

    def collect() -> None:
        ticks["n"] += 1
        gc.collect(2 if ticks["n"] % 30 == 0 else 0)

    timer = QTimer(app)
    timer.timeout.connect(collect)
    timer.start(1000)


def _load_style_sheet(app: QApplication) -> None:
    path = resource_path("styles", "app.qss")
    try:
        app.setStyleSheet(path.read_text(encoding="utf-8"))
    except OSError:
        log.warning("style sheet %s not found; using the plain style", path)


def _install_qt_translation(app: QApplication) -> None:
    """Qt's own texts (Cancel, Yes/No in standard dialogs, context menus) in pt-BR."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_pt_BR", folder):
        app.installTranslator(translator)
    else:
        log.info("qtbase_pt_BR translation not found in %s", folder)


def show_fatal(message: str) -> None:
    """A blocking critical message (only when the database cannot be used at all)."""
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, message, QMessageBox.StandardButton.Ok)
    box.exec()


class Launcher(QObject):
    """Runs the sessions: setup or demo if needed, then login → main window → login …

    Given no database, it first shows the login window (waiting) and opens the database on the
    worker thread: importing and checking the database layer takes longer than drawing a window,
    and a clerk should see the program answer at once.
    """

    def __init__(
        self,
        app: QApplication,
        db: Database | None = None,
        *,
        demo: bool = False,
        db_arg: str | None = None,
    ) -> None:
        super().__init__()
        self.app, self.db, self.demo, self.db_arg = app, db, demo, db_arg
        self.ops = OpRunner(self)
        self.window: QObject | None = None
        self.dialog: QObject | None = None

    def start(self) -> None:
        if self.db is not None:
            self._database_ready(self.db)
            return
        self.show_login()
        self.ops.run(self._open, self._opened, self._refused)

    def _open(self) -> tuple[Database, bool]:
        from app.bootstrap import open_database
        from app.installation.service import is_configured

        db = open_database(self.db_arg)
        with db.read_only() as session:
            return db, is_configured(session)

    def _opened(self, opened: tuple[Database, bool]) -> None:
        self.db, configured = opened
        self._continue(configured)

    def _refused(self, exc: BaseException) -> None:
        """The database cannot be used: say why, then leave with exit code 2."""
        if isinstance(self.dialog, QDialog):
            self.dialog.hide()
        message = exc.message if isinstance(exc, DatabaseError) else str(exc)
        log.error("database refused: %s", message)
        show_fatal(message)
        self.app.exit(2)

    def _database_ready(self, db: Database) -> None:
        from app.installation.service import is_configured

        with db.read_only() as session:
            self._continue(is_configured(session))

    def _continue(self, configured: bool) -> None:
        assert self.db is not None
        waiting = self.dialog if isinstance(self.dialog, LoginDialog) else None
        if configured and waiting is not None:
            waiting.set_database(self.db)
            if self.demo:
                from app.installation.demo import DEMO_ACCOUNTS

                waiting.username.setText(DEMO_ACCOUNTS[0][0])
                waiting.password.setFocus()
        elif configured:
            self.show_login()
        else:
            if waiting is not None:
                waiting.hide()
            self._create_demo() if self.demo else self._run_wizard()

    def _run_wizard(self) -> None:
        from ui.setup_wizard import SetupWizard

        assert self.db is not None
        wizard = SetupWizard(self.db, self.ops)
        wizard.accepted.connect(lambda: self.show_login(wizard.admin_username))
        wizard.rejected.connect(self.app.quit)
        self.dialog = wizard
        wizard.show()

    def _create_demo(self) -> None:
        from app.installation.demo import DEMO_ACCOUNTS, create_demo

        progress = QProgressDialog(self.tr("Criando os dados de demonstração…"), "", 0, 0)
        progress.setCancelButton(None)
        progress.setWindowTitle(APP_NAME)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.show()
        self.dialog = progress

        def done(_summary: object) -> None:
            progress.close()
            self.show_login(DEMO_ACCOUNTS[0][0])

        def failed(exc: BaseException) -> None:
            progress.close()
            box = show_error(None, exc)
            box.finished.connect(self.app.quit)

        db = self.db
        assert db is not None
        self.ops.run(lambda: create_demo(db), done, failed)

    def show_login(self, username: str = "") -> None:
        dialog = LoginDialog(self.db, self.ops)
        dialog.username.setText(username)
        if username:
            dialog.password.setFocus()
        dialog.accepted.connect(lambda: self._open_main(dialog.actor))
        dialog.rejected.connect(self.app.quit)
        self.dialog = dialog
        dialog.show()

    def _open_main(self, actor: Actor | None) -> None:
        db = self.db
        assert db is not None

        def work() -> InstallationInfo | None:
            from app.installation.service import installation_info

            with db.read_only() as session:
                return installation_info(session)

        if actor is not None:
            self.ops.run(work, lambda info: self._show_main(actor, info))

    def _show_main(self, actor: Actor, info: InstallationInfo | None) -> None:
        from ui.context import AppContext, Bus
        from ui.main_window import MainWindow

        assert self.db is not None
        if info is None:  # the database was emptied under us: start over
            self.start()
            return
        # A fresh bus per session: nothing of the previous user's screens stays connected.
        ctx = AppContext(db=self.db, actor=actor, installation=info, ops=self.ops, bus=Bus())
        window = MainWindow(ctx)
        window.session_finished.connect(self._session_finished)
        self.window = window
        window.show()

    def _session_finished(self, how: str) -> None:
        if how == "logout":
            self.show_login()
        else:
            self.app.quit()

    def shutdown(self) -> None:
        self.ops.wait_for_done()
        if self.db is not None:
            self.db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop client; returns the process exit code."""
    args = build_parser().parse_args(argv)
    if args.version:
        print(f"{APP_NAME} {__version__}")
        return 0
    if args.smoke_test:
        from app.smoke import run_smoke_test

        return run_smoke_test()
    setup_logging()
    app = create_application(sys.argv[:1])
    launcher = Launcher(app, demo=args.demo, db_arg=database_argument(args))
    launcher.start()
    if args.quit_when_ready:
        app.processEvents()  # let it paint, as the bare-window baseline does
        print("ready", flush=True)  # the login window is on screen (make bench reads this)
        QTimer.singleShot(0, app.quit)
    code = app.exec()
    launcher.shutdown()
    return code
