"""The shell: navigation on the left, the chosen page on the right, menus and the status bar.

`PAGES` is the page registry: (title, permission, factory). The navigation lists only the pages
whose permission the account holds, grouped under their department's name; a later department
adds one line here. Pages are built the first time they are chosen, so opening the window costs
only the first page. The status bar shows this installation, the user, the local changes not yet
synchronised (refreshed when something changes and every minute, through `ctx.ops`) and the last
synchronisation. The window also owns the inactivity watcher: when it fires, the workspace is
hidden behind the login dialog in lock mode until the same user types the password again.

Signals:
    session_finished(str): "logout" (show the login again) or "quit" (leave the app); emitted
    after the logout was recorded and the window closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.installation.service import InstallationInfo, installation_info, pending_changes
from app.security.auth import logout
from app.security.permissions import DEPARTMENT_LABELS
from app.settings import LOCK_MINUTES, Settings
from ui import state
from ui.admin import local_time
from ui.context import AppContext
from ui.login import LoginDialog
from ui.session_lock import LOCK, InactivityWatcher, minutes_to_ms

log = logging.getLogger(__name__)

STATUS_REFRESH_MS = 60_000
STATE_KEY = "main_window"
PAGE_ROLE = Qt.ItemDataRole.UserRole


def _citizens(ctx: AppContext) -> QWidget:
    from ui.registry.view import CitizenPage

    return CitizenPage(ctx)


def _agenda(ctx: AppContext) -> QWidget:
    from ui.care.agenda_view import AgendaPage

    return AgendaPage(ctx)


def _attendance_entry(ctx: AppContext) -> QWidget:
    from ui.care.attendance_view import AttendanceEntryPage

    return AttendanceEntryPage(ctx)


def _production(ctx: AppContext) -> QWidget:
    from ui.care.production_view import ProductionPage

    return ProductionPage(ctx)


def _verify(ctx: AppContext) -> QWidget:
    from ui.documents.verify import VerifyPage

    return VerifyPage(ctx)


def _accounts(ctx: AppContext) -> QWidget:
    from ui.admin.accounts import AccountsPage

    return AccountsPage(ctx)


def _roles(ctx: AppContext) -> QWidget:
    from ui.admin.roles import RolesPage

    return RolesPage(ctx)


def _reference(ctx: AppContext) -> QWidget:
    from ui.reference.view import ReferencePage

    return ReferencePage(ctx)


def _audit(ctx: AppContext) -> QWidget:
    from ui.admin.audit import AuditPage

    return AuditPage(ctx)


def _sync(ctx: AppContext) -> QWidget:
    from ui.sync.view import SyncPage

    return SyncPage(ctx)


def _visa_dashboard(ctx: AppContext) -> QWidget:
    from ui.sanitary.dashboard import SanitaryDashboardPage

    return SanitaryDashboardPage(ctx)


def _visa_establishments(ctx: AppContext) -> QWidget:
    from ui.sanitary.establishments import EstablishmentsPage

    return EstablishmentsPage(ctx)


def _visa_work_list(ctx: AppContext) -> QWidget:
    from ui.sanitary.work_list import WorkListPage

    return WorkListPage(ctx)


def _visa_planning(ctx: AppContext) -> QWidget:
    from ui.sanitary.planning import PlanningPage

    return PlanningPage(ctx)


def _visa_documents(ctx: AppContext) -> QWidget:
    from ui.sanitary.documents import DocumentsPage

    return DocumentsPage(ctx)


def _visa_processes(ctx: AppContext) -> QWidget:
    from ui.sanitary.processes import ProcessesPage

    return ProcessesPage(ctx)


def _visa_licences(ctx: AppContext) -> QWidget:
    from ui.sanitary.licences import LicencesPage

    return LicencesPage(ctx)


def _visa_complaints(ctx: AppContext) -> QWidget:
    from ui.sanitary.complaints import ComplaintsPage

    return ComplaintsPage(ctx)


def _visa_reports(ctx: AppContext) -> QWidget:
    from ui.sanitary.reports_view import SanitaryReportsPage

    return SanitaryReportsPage(ctx)


def _visa_checklists(ctx: AppContext) -> QWidget:
    from ui.sanitary.checklists import ChecklistsPage

    return ChecklistsPage(ctx)


def _visa_risk(ctx: AppContext) -> QWidget:
    from ui.sanitary.risk_table import RiskTablePage

    return RiskTablePage(ctx)


def _visa_settings(ctx: AppContext) -> QWidget:
    from ui.sanitary.settings import SanitarySettingsPage

    return SanitarySettingsPage(ctx)


@dataclass(frozen=True)
class PageSpec:
    """A page of the navigation: its title (translated in context "MainWindow"), the permission
    that shows it, and the function that builds it."""

    title: str
    permission: str
    factory: Callable[[AppContext], QWidget]

    @property
    def department(self) -> str:
        return self.permission.split(".", 1)[0]


PAGES: tuple[PageSpec, ...] = (
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Cidadãos"), "registry.read", _citizens),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Verificar documento"), "documents.verify", _verify),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Contas de usuário"), "admin.accounts", _accounts),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Perfis de acesso"), "admin.accounts", _roles),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Trilha de auditoria"), "admin.audit", _audit),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Agenda"), "care.read", _agenda),
    PageSpec(
        QT_TRANSLATE_NOOP("MainWindow", "Digitação de atendimentos"),
        "care.attend",
        _attendance_entry,
    ),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Produção mensal"), "care.read", _production),
    PageSpec(
        QT_TRANSLATE_NOOP("MainWindow", "Tabelas de referência"), "reference.manage", _reference
    ),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Sincronização"), "sync.run", _sync),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Painel da VISA"), "sanitary.read", _visa_dashboard),
    PageSpec(
        QT_TRANSLATE_NOOP("MainWindow", "Estabelecimentos"), "sanitary.read", _visa_establishments
    ),
    PageSpec(
        QT_TRANSLATE_NOOP("MainWindow", "Minhas inspeções"), "sanitary.inspect", _visa_work_list
    ),
    PageSpec(
        QT_TRANSLATE_NOOP("MainWindow", "Planejamento de inspeções"),
        "sanitary.manage",
        _visa_planning,
    ),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Termos e autos"), "sanitary.read", _visa_documents),
    PageSpec(
        QT_TRANSLATE_NOOP("MainWindow", "Processos sanitários"), "sanitary.read", _visa_processes
    ),
    PageSpec(
        QT_TRANSLATE_NOOP("MainWindow", "Licenças sanitárias"), "sanitary.read", _visa_licences
    ),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Denúncias"), "sanitary.write", _visa_complaints),
    PageSpec(QT_TRANSLATE_NOOP("MainWindow", "Relatórios da VISA"), "sanitary.read", _visa_reports),
    PageSpec(
        QT_TRANSLATE_NOOP("MainWindow", "Roteiros de inspeção"), "sanitary.manage", _visa_checklists
    ),
    PageSpec(
        QT_TRANSLATE_NOOP("MainWindow", "Tabela de risco (CNAE)"), "sanitary.manage", _visa_risk
    ),
    PageSpec(
        QT_TRANSLATE_NOOP("MainWindow", "Parâmetros da VISA"), "sanitary.manage", _visa_settings
    ),
)


ATTENDANCE_PAGE = PAGES[[spec.factory for spec in PAGES].index(_attendance_entry)].title


def page_title(spec: PageSpec) -> str:
    return QCoreApplication.translate("MainWindow", spec.title)


class MainWindow(QMainWindow):
    """The logged-in shell. `settings` and `lock_timeout_ms` are injectable for tests."""

    session_finished = Signal(str)
    status_refreshed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        *,
        settings: Settings | None = None,
        lock_timeout_ms: int | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.ctx = ctx
        self.settings = settings or Settings()
        self._fixed_timeout = lock_timeout_ms
        self._specs = [spec for spec in PAGES if ctx.actor.can(spec.permission)]
        self._pages: dict[int, QWidget] = {}
        self._ending: str | None = None
        self.lock_dialog: LoginDialog | None = None
        self._hidden: list[QDialog] = []
        self._build_ui()
        self._build_menus()
        self._build_status_bar()
        self._start_watchers()
        self._show_installation(ctx.installation)
        self._restore_state()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.central = QStackedWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self._build_navigation())
        self.stack = QStackedWidget()
        self.stack.setObjectName("page_stack")
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        self.central.addWidget(self.splitter)
        self.central.addWidget(self._build_lock_panel())
        self.setCentralWidget(self.central)
        if self._specs:
            self.navigation.setCurrentRow(self._first_page_row())
        else:
            self.stack.addWidget(self._build_no_pages())

    def _build_navigation(self) -> QListWidget:
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setMinimumWidth(190)
        department = None
        for index, spec in enumerate(self._specs):
            if spec.department != department:
                department = spec.department
                self._add_department_header(department)
            item = QListWidgetItem(page_title(spec), self.navigation)
            item.setData(PAGE_ROLE, index)
        self.navigation.currentItemChanged.connect(self._navigate)
        return self.navigation

    def _add_department_header(self, department: str) -> None:
        label = DEPARTMENT_LABELS.get(department, department)
        header = QListWidgetItem(label.upper(), self.navigation)
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        font = QFont(self.navigation.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        header.setFont(font)

    def _first_page_row(self) -> int:
        return next(
            row for row in range(self.navigation.count())
            if self.navigation.item(row).data(PAGE_ROLE) is not None
        )  # fmt: skip

    def _build_lock_panel(self) -> QWidget:
        panel = QWidget()
        panel.setObjectName("lock_panel")
        column = QVBoxLayout(panel)
        text = QLabel(self.tr("Sessão bloqueada. Digite sua senha para continuar."))
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(text)
        return panel

    def _build_no_pages(self) -> QWidget:
        text = QLabel(
            self.tr(
                "Seu perfil ainda não dá acesso a nenhuma tela. Peça ao administrador do "
                "sistema que revise as permissões da sua conta."
            )
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return text

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&Arquivo"))
        if self.ctx.actor.can("admin.settings"):
            self.settings_action = self._action(self.tr("&Configurações…"), self.open_settings)
            file_menu.addAction(self.settings_action)
            file_menu.addSeparator()
        self.logout_action = self._action(self.tr("Sai&r da sessão"), self.log_out, "Ctrl+Shift+L")
        self.quit_action = self._action(self.tr("&Sair"), self.quit_app, "Ctrl+Q")
        file_menu.addAction(self.logout_action)
        file_menu.addAction(self.quit_action)
        help_menu = self.menuBar().addMenu(self.tr("Aj&uda"))
        help_menu.addAction(self._action(self.tr("&Sobre"), self.open_about))

    def _action(self, text: str, slot: Callable[[], None], shortcut: str = "") -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.node_label = QLabel()
        self.user_label = QLabel(self.tr("Usuário: {name}").format(name=self.ctx.actor.full_name))
        self.pending_label = QLabel(self.tr("Alterações pendentes: …"))
        self.sync_label = QLabel()
        for name, label in (("status_node", self.node_label), ("status_user", self.user_label),
                            ("status_pending", self.pending_label),
                            ("status_sync", self.sync_label)):  # fmt: skip
            label.setObjectName(name)
            bar.addPermanentWidget(label)

    def _start_watchers(self) -> None:
        self.watcher = InactivityWatcher(self.ctx.bus, self._lock_timeout_ms(), self)
        self.watcher.start()
        self.ctx.bus.session_ended.connect(self._session_ended)
        self.ctx.bus.attendance_requested.connect(self.open_attendance_entry)
        self.ctx.bus.changed.connect(lambda _kind: self.refresh_status())
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_REFRESH_MS)
        self.status_timer.timeout.connect(self.refresh_status)
        self.status_timer.start()
        self.refresh_status()

    def _lock_timeout_ms(self) -> int:
        if self._fixed_timeout is not None:
            return self._fixed_timeout
        return minutes_to_ms(self.settings.get(LOCK_MINUTES))

    def _restore_state(self) -> None:
        if not state.restore_geometry(self, STATE_KEY):
            self.resize(1200, 760)
        if not state.restore_splitter(self.splitter, STATE_KEY):
            self.splitter.setSizes([220, 980])

    # --- navigation -------------------------------------------------------------------------

    def nav_titles(self) -> list[str]:
        """The page titles the navigation offers (department headers left out)."""
        items = (self.navigation.item(row) for row in range(self.navigation.count()))
        return [item.text() for item in items if item.data(PAGE_ROLE) is not None]

    def show_page(self, title: str) -> QWidget:
        """Select the page with this title (as shown) and return its widget."""
        for row in range(self.navigation.count()):
            item = self.navigation.item(row)
            if item.text() == title and item.data(PAGE_ROLE) is not None:
                self.navigation.setCurrentItem(item)
                return self._pages[item.data(PAGE_ROLE)]
        raise KeyError(title)

    def open_attendance_entry(self, draft: object) -> None:
        """The agenda asked to type an attendance: open the entry page pre-filled."""
        from ui.care.attendance_view import AttendanceEntryPage
        from ui.care.handoff import AttendanceDraft

        title = QCoreApplication.translate("MainWindow", ATTENDANCE_PAGE)
        if title not in self.nav_titles():
            return  # the account cannot type attendances; the agenda hides the button anyway
        page = self.show_page(title)
        if isinstance(page, AttendanceEntryPage) and isinstance(draft, AttendanceDraft):
            page.start_from(draft)

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    def _navigate(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None or item.data(PAGE_ROLE) is None:
            return
        index = item.data(PAGE_ROLE)
        if index not in self._pages:
            self._pages[index] = self._specs[index].factory(self.ctx)
            self.stack.addWidget(self._pages[index])
        self.stack.setCurrentWidget(self._pages[index])

    # --- status bar -------------------------------------------------------------------------

    def refresh_status(self) -> None:
        db = self.ctx.db

        def work() -> tuple[int, InstallationInfo | None, int, datetime | None]:
            from app.sync.status import last_exchange, open_conflict_count

            with db.read_only() as session:
                return (pending_changes(session), installation_info(session),
                        open_conflict_count(session), last_exchange(session))  # fmt: skip

        def failed(exc: BaseException) -> None:
            # The status bar is not worth a message box every minute; the log keeps it.
            log.warning("could not refresh the status bar", exc_info=exc)

        self.ctx.ops.run(work, self._show_status, failed, self)

    def _show_status(
        self, result: tuple[int, InstallationInfo | None, int, datetime | None]
    ) -> None:
        pending, info, conflicts, last = result
        text = self.tr("Alterações pendentes: {n}").format(n=pending)
        if conflicts:
            text += self.tr(" · Conflitos a resolver: {n}").format(n=conflicts)
        self.pending_label.setText(text)
        if info is not None:
            self.ctx.installation = info
            self._show_installation(info)
            self.sync_label.setText(self._sync_text(last or info.last_sync_at, info.timezone))
        self.status_refreshed.emit()

    def _show_installation(self, info: InstallationInfo) -> None:
        self.setWindowTitle(
            self.tr("{app} — {municipality}/{uf}").format(
                app=APP_NAME, municipality=info.municipality, uf=info.uf
            )
        )
        node = f"{info.name} · {info.kind.label}"
        if info.unit_cnes:
            node += self.tr(" (CNES {cnes})").format(cnes=info.unit_cnes)
        self.node_label.setText(node)
        self.sync_label.setText(self._sync_text(info.last_sync_at, info.timezone))

    def _sync_text(self, when: datetime | None, timezone: str) -> str:
        if when is None:
            return self.tr("Última sincronização: nunca")
        return self.tr("Última sincronização: {when}").format(when=local_time(when, timezone))

    # --- dialogs ----------------------------------------------------------------------------

    def open_settings(self) -> None:
        from ui.settings import SettingsDialog

        dialog = SettingsDialog(self.ctx, self.settings, self)
        dialog.accepted.connect(lambda: self.watcher.set_timeout_ms(self._lock_timeout_ms()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings_dialog = dialog
        dialog.open()

    def open_about(self) -> None:
        from ui.about import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # --- lock, logout, quit -----------------------------------------------------------------

    def is_locked(self) -> bool:
        return self.central.currentIndex() == 1

    def _session_ended(self, reason: str) -> None:
        if reason == LOCK and not self.is_locked() and self._ending is None:
            self.lock()

    def lock(self) -> None:
        """Hide the workspace behind the lock screen; the leave is recorded as a logout."""
        self.watcher.stop()
        self.central.setCurrentIndex(1)
        self.menuBar().setEnabled(False)
        # Open dialogs (an account being edited…) must not stay readable over the lock.
        self._hidden = [d for d in self.findChildren(QDialog) if d.isVisible()]
        for hidden in self._hidden:
            hidden.hide()
        self._record_logout(lambda: None)
        dialog = LoginDialog(self.ctx.db, self.ctx.ops, self, locked_actor=self.ctx.actor)
        dialog.accepted.connect(self._unlock)
        dialog.rejected.connect(lambda: self._ended("logout"))
        self.lock_dialog = dialog
        dialog.open()

    def _unlock(self) -> None:
        self.central.setCurrentIndex(0)
        self.menuBar().setEnabled(True)
        self.lock_dialog = None
        for hidden in self._hidden:
            hidden.show()
        self._hidden = []
        self.watcher.start()

    def log_out(self) -> None:
        self._finish_session("logout")

    def quit_app(self) -> None:
        self._finish_session("quit")

    def _finish_session(self, how: str) -> None:
        if self._ending is not None:
            return
        self._ending = how
        self.watcher.stop()
        self._record_logout(lambda: self._ended(how))

    def _record_logout(self, then: Callable[[], None]) -> None:
        ctx = self.ctx

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                logout(session, ctx.actor)

        def failed(exc: BaseException) -> None:
            # A failure to record must not keep anyone inside the app: log it and go on.
            log.error("could not record the logout", exc_info=exc)
            then()

        ctx.ops.run(work, lambda _r: then(), failed, self)

    def _ended(self, how: str) -> None:
        self._ending = how
        self.watcher.stop()
        self.status_timer.stop()
        self.close()
        self.session_finished.emit(how)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._ending is None:
            event.ignore()  # record the logout first, then close
            self.quit_app()
            return
        state.save_geometry(self, STATE_KEY)
        state.save_splitter(self.splitter, STATE_KEY)
        super().closeEvent(event)
