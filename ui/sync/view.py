"""The "Sincronização" page: this computer, what is pending, the peers, and the exchange itself.

Top: this node (name, kind, epoch) and the clock warning if a batch arrived from the future.
Then "Alterações pendentes" per kind of record and "Computadores" with the last exchange (and,
for "sync.admin", the enrolment, revocation and numbering actions of `ui.sync.enrolment`). The
buttons "Exportar lote…", "Importar lotes…" and "Reenviar não confirmados" ask for the folder
(remembered for the next time) and run in the worker with a progress bar and "Cancelar"; the
result is a Portuguese summary. Below, tabs with the history of batch files, the quarantined files
with their reasons and the open conflicts (Enter or double-click opens one side by side).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.sync.conflict_queries import ConflictDetail, conflict_detail
from app.sync.exporter import export_to
from app.sync.folder import import_folder, quarantined
from app.sync.status import (
    PeerRow,
    SyncOverview,
    export_summary,
    export_targets,
    import_summary,
    overview,
)
from ui import state
from ui.context import AppContext
from ui.ops import show_error
from ui.sync.conflict_dialog import ConflictDialog
from ui.sync.enrolment import EnrolmentActions
from ui.sync.models import (
    ConflictsModel,
    HistoryModel,
    PeersModel,
    PendingModel,
    QuarantineModel,
)
from ui.widgets.page_header import title_label
from ui.widgets.tables import rows_table

FOLDER_KEY = "sync/pasta"
FolderChooser = Callable[[QWidget, str, str], Path | None]


def ask_folder(parent: QWidget, title: str, start: str) -> Path | None:
    """The folder dialog (tests inject their own chooser instead)."""
    folder = QFileDialog.getExistingDirectory(parent, title, start)
    return Path(folder) if folder else None


class _Progress(QObject):
    """Carries the worker's progress to the GUI thread (queued signal)."""

    moved = Signal(int, int)


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


class SyncPage(QWidget):
    """The sync center.

    Signals:
        loaded(): the overview was read again.
        finished(str): an export or import ended; the summary shown.
    """

    loaded = Signal()
    finished = Signal(str)

    def __init__(self, ctx: AppContext, choose_folder: FolderChooser | None = None) -> None:
        super().__init__()
        self.setObjectName("sync_page")
        self._ctx = ctx
        self.choose_folder: FolderChooser = choose_folder or ask_folder
        self._cancel = threading.Event()
        self._progress = _Progress(self)
        self._progress.moved.connect(self._show_progress)
        self.dialog: ConflictDialog | None = None
        self._shown_once = False
        self._build_ui()
        ctx.bus.changed.connect(self._changed_elsewhere)
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Sincronização"))
        layout.addWidget(title)
        self.node_label = QLabel(self.tr("Carregando…"))
        self.node_label.setObjectName("node_label")
        layout.addWidget(self.node_label)
        self.skew_label = QLabel()
        self.skew_label.setObjectName("skew_label")
        self.skew_label.setWordWrap(True)
        self.skew_label.setStyleSheet("color: #9a3412; font-weight: bold;")
        self.skew_label.hide()
        layout.addWidget(self.skew_label)
        layout.addLayout(self._build_top(), 2)
        layout.addLayout(self._build_actions())
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet("background: #f1f5f9; padding: 6px; border-radius: 4px;")
        self.summary.hide()
        layout.addWidget(self.summary)
        layout.addWidget(self._build_tabs(), 3)

    def _build_top(self) -> QHBoxLayout:
        local = self._ctx.local
        self.pending_model = PendingModel(parent=self)
        self.peers_model = PeersModel(local, parent=self)
        self.pending_box = QGroupBox(self.tr("Alterações pendentes"))
        box = QVBoxLayout(self.pending_box)
        self.pending_table = rows_table(self.pending_model, "pending_table")
        box.addWidget(self.pending_table)
        peers_box = QGroupBox(self.tr("Computadores"))
        box = QVBoxLayout(peers_box)
        self.peers_table = rows_table(self.peers_model, "peers_table")
        box.addWidget(self.peers_table)
        self.enrolment = EnrolmentActions(self._ctx, self.selected_peer, self.folder)
        self.enrolment.done.connect(self._enrolment_done)
        box.addWidget(self.enrolment)
        row = QHBoxLayout()
        row.addWidget(self.pending_box, 1)
        row.addWidget(peers_box, 2)
        return row

    def _build_actions(self) -> QHBoxLayout:
        self.export_button = _button(self.tr("&Exportar lote…"), "export")
        self.import_button = _button(self.tr("&Importar lotes…"), "import")
        self.resend_button = _button(self.tr("&Reenviar não confirmados…"), "resend")
        self.resend_button.setToolTip(
            self.tr("Grava de novo tudo o que a central ainda não confirmou (pendrive perdido).")
        )
        self.cancel_button = _button(self.tr("&Cancelar"), "cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.export_button.clicked.connect(lambda: self.export_batches(resend=False))
        self.resend_button.clicked.connect(lambda: self.export_batches(resend=True))
        self.import_button.clicked.connect(self.import_batches)
        self.cancel_button.clicked.connect(self._cancel.set)
        row = QHBoxLayout()
        for widget in (self.export_button, self.import_button, self.resend_button):
            row.addWidget(widget)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        return row

    def _build_tabs(self) -> QTabWidget:
        local = self._ctx.local
        self.history_model = HistoryModel(local, parent=self)
        self.quarantine_model = QuarantineModel(parent=self)
        self.conflicts_model = ConflictsModel(local, parent=self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("sync_tabs")
        self.history_table = rows_table(self.history_model, "history_table")
        self.quarantine_table = rows_table(self.quarantine_model, "quarantine_table")
        self.conflicts_table = rows_table(self.conflicts_model, "conflicts_table")
        self.conflicts_table.activated.connect(self._open_conflict_at)
        self.conflicts_table.doubleClicked.connect(self._open_conflict_at)
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.conflicts_table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(lambda: self._open_conflict_at(self.conflicts_table.currentIndex()))
        conflicts = QWidget()
        column = QVBoxLayout(conflicts)
        column.setContentsMargins(0, 0, 0, 0)
        hint = QLabel(
            self.tr(
                "Cada conflito é um registro alterado em dois computadores ao mesmo tempo. "
                "Selecione um e tecle Enter (ou clique duas vezes) para comparar as versões."
            )
        )
        hint.setWordWrap(True)
        column.addWidget(hint)
        column.addWidget(self.conflicts_table)
        self.tabs.addTab(conflicts, self.tr("Conflitos"))
        self.tabs.addTab(self.history_table, self.tr("Histórico"))
        self.tabs.addTab(self.quarantine_table, self.tr("Quarentena"))
        return self.tabs

    # --- loading ----------------------------------------------------------------------------

    def folder(self) -> str:
        return state.load_text(FOLDER_KEY)

    def reload(self) -> None:
        db = self._ctx.db
        folder = self.folder()

        def work() -> tuple[SyncOverview, list[tuple[Path, str]]]:
            with db.read_only() as session:
                data = overview(session)
            return data, quarantined(Path(folder)) if folder else []

        self._ctx.ops.run(work, self._show, parent=self)

    def _show(self, result: tuple[SyncOverview, list[tuple[Path, str]]]) -> None:
        data, quarantine = result
        node = f"{data.node_name} · {data.kind_label}"
        if data.cnes:
            node += f" (CNES {data.cnes})"
        self.node_label.setText(
            self.tr("Este computador: {node} · época {epoch}").format(node=node, epoch=data.epoch)
        )
        self.skew_label.setText(data.skew)
        self.skew_label.setVisible(bool(data.skew))
        title = self.tr("Alterações pendentes ({n})").format(n=data.pending_total)
        if not data.pending_total:
            title += self.tr(" — tudo enviado e confirmado")
        self.pending_box.setTitle(title)
        self.pending_model.set_rows(data.pending)
        self.peers_model.set_rows(data.peers)
        self.history_model.set_rows(data.history)
        self.quarantine_model.set_rows(quarantine)
        self.conflicts_model.set_rows(data.conflicts)
        self.tabs.setTabText(0, self.tr("Conflitos ({n})").format(n=len(data.conflicts)))
        self.tabs.setTabText(2, self.tr("Quarentena ({n})").format(n=len(quarantine)))
        self.loaded.emit()

    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the page shows fresh counts (edits elsewhere add pending changes)."""
        super().showEvent(event)
        if self._shown_once:
            self.reload()
        self._shown_once = True

    def _changed_elsewhere(self, kind: str) -> None:
        if kind != "sync" and self.isVisible():
            self.reload()

    # --- export and import ------------------------------------------------------------------

    def _ask(self, title: str) -> Path | None:
        folder = self.choose_folder(self, title, self.folder())
        if folder is not None:
            state.save_text(FOLDER_KEY, str(folder))
        return folder

    def export_batches(self, resend: bool = False) -> None:
        """Ask the folder, write the batches for the hub (or every node, on the hub)."""
        title = self.tr("Pasta onde gravar os lotes (pasta compartilhada ou pendrive)")
        folder = self._ask(title)
        if folder is None:
            return
        db, cancel, progress, note = self._ctx.db, self._cancel, self._progress, self._cancel_note()

        def work() -> str:
            with db.read_only() as session:
                targets = export_targets(session)
            results = []
            for node_id, name in targets:
                result = export_to(
                    db, node_id, folder, resend=resend,
                    progress=progress.moved.emit, cancelled=cancel.is_set,
                )  # fmt: skip
                results.append((name, result))
            return export_summary(results) + (note if cancel.is_set() else "")

        self._start(work)

    def import_batches(self) -> None:
        """Ask the folder, import every receipt and batch addressed to this computer."""
        folder = self._ask(self.tr("Pasta de onde importar os lotes"))
        if folder is None:
            return
        db, cancel, progress, note = self._ctx.db, self._cancel, self._progress, self._cancel_note()

        def work() -> str:
            outcomes = import_folder(
                db, folder, progress=progress.moved.emit, cancelled=cancel.is_set
            )
            return import_summary(outcomes) + (note if cancel.is_set() else "")

        self._start(work)

    def _cancel_note(self) -> str:
        return "\n" + self.tr(
            "Operação cancelada: o que já foi concluído fica valendo; o resto, na próxima vez."
        )

    def _start(self, work: Callable[[], str]) -> None:
        self._cancel.clear()
        self._busy(True)
        self._ctx.ops.run(work, self._done, self._failed, self)

    def _busy(self, busy: bool) -> None:
        for button in (self.export_button, self.import_button, self.resend_button):
            button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)

    def _show_progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(self.tr("%v de %m arquivo(s)"))
        else:
            self.progress.setRange(0, 0)

    def _done(self, summary: str) -> None:
        self._busy(False)
        self.summary.setText(summary)
        self.summary.show()
        self._ctx.bus.changed.emit("sync")
        self.reload()
        self.finished.emit(summary)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.reload()
        show_error(self, exc)

    # --- enrolment --------------------------------------------------------------------------

    def selected_peer(self) -> PeerRow | None:
        return self.peers_model.row_for(self.peers_table.currentIndex())

    def _enrolment_done(self, message: str) -> None:
        self.summary.setText(message)
        self.summary.show()
        self._ctx.bus.changed.emit("sync")
        self.reload()

    # --- conflicts --------------------------------------------------------------------------

    def _open_conflict_at(self, index: QModelIndex) -> None:
        row = self.conflicts_model.row_for(index)
        if row is not None:
            self.open_conflict(row.id)

    def open_conflict(self, conflict_id: Any) -> None:
        db = self._ctx.db

        def work() -> ConflictDetail:
            with db.read_only() as session:
                return conflict_detail(session, conflict_id)

        self._ctx.ops.run(work, self._show_conflict, parent=self)

    def _show_conflict(self, detail: ConflictDetail) -> None:
        dialog = ConflictDialog(self._ctx, detail, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(self._resolved)
        self.dialog = dialog
        dialog.open()

    def _resolved(self, note: str) -> None:
        self.summary.setText(self.tr("Conflito resolvido ({note}).").format(note=note))
        self.summary.show()
        self._ctx.bus.changed.emit("sync")
        self.reload()
