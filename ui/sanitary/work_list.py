"""The inspector's page on the field laptop: "Minhas inspeções de hoje", and the inspection itself.

The list shows the acting inspector's inspections of the chosen day plus the overdue ones not done
(`app.sanitary.inspection_queries.work_list`). Enter or "Iniciar/continuar inspeção" starts the
selected one (or resumes it) and shows the fill-in screen (`ui.sanitary.inspection_form`) in place
of the list; "Voltar à lista" comes back. "Inspeção não programada…" searches an establishment by
name or CNPJ and starts a visit that was not planned (a complaint, a licensing request). Nothing
here needs the network: everything reads and writes the laptop's own database.
"""

from __future__ import annotations

import uuid
from datetime import date

import shiboken6
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import PermissionDenied, UserFacingError
from app.sanitary import inspections as svc
from app.sanitary.enums import InspectionReason
from app.sanitary.inspection_queries import (
    EstablishmentHit,
    WorkItem,
    find_establishments,
    work_list,
)
from ui.context import AppContext
from ui.models.rows import Column, RowsModel
from ui.ops import show_error
from ui.sanitary.inspection_form import InspectionForm
from ui.widgets.fields import OnEnter
from ui.widgets.page_header import title_label
from ui.widgets.search_box import SearchBox
from ui.widgets.tables import rows_table


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class WorkListModel(RowsModel[WorkItem]):
    def _build_columns(self) -> list[Column[WorkItem]]:
        return [
            Column(self.tr("Estabelecimento"), lambda r: r.name),
            Column(self.tr("Endereço"), lambda r: r.address),
            Column(self.tr("Bairro"), lambda r: r.district),
            Column(self.tr("Risco"), lambda r: r.risk_text),
            Column(self.tr("Motivo"), lambda r: r.reason.label),
            Column(self.tr("Situação"), lambda r: r.status_text),
        ]


class HitsModel(RowsModel[EstablishmentHit]):
    def _build_columns(self) -> list[Column[EstablishmentHit]]:
        return [
            Column(self.tr("Estabelecimento"), lambda r: r.name),
            Column(self.tr("CNPJ/CPF"), lambda r: r.document),
            Column(self.tr("Endereço"), lambda r: f"{r.address} – {r.district}".strip(" –")),
            Column(self.tr("Situação"), lambda r: r.status.label),
        ]


class WorkListPage(QWidget):
    """The day's inspections of the acting inspector, and the inspection being filled in.

    Signals:
        loaded(): the list shows a freshly read day (tests wait on it).
        form_opened(InspectionForm): the fill-in screen is showing.
        finished(uuid.UUID): an inspection was concluded (the documents screen connects here).
    """

    loaded = Signal()
    form_opened = Signal(object)
    finished = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("work_list_page")
        self._ctx = ctx
        self._generation = 0
        self.form: InspectionForm | None = None
        self.model = WorkListModel(parent=self)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_list_page())
        QVBoxLayout(self).addWidget(self.stack)
        self.layout().setContentsMargins(0, 0, 0, 0)
        self._connect()
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _build_list_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.title = title_label("")
        layout.addWidget(self.title)
        layout.addLayout(self._build_day_row())
        self.table = rows_table(self.model, "work_list")
        self.table.setToolTip(self.tr("Enter inicia ou continua a inspeção selecionada"))
        layout.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setObjectName("work_list_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons())
        return page

    def _build_day_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.day_edit = QDateEdit()
        self.day_edit.setObjectName("day")
        self.day_edit.setDisplayFormat("dd/MM/yyyy")
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDate(_qdate(self._ctx.today()))
        caption = QLabel(self.tr("&Dia:"))
        caption.setBuddy(self.day_edit)
        self.previous_button = QPushButton(self.tr("◀"))
        self.previous_button.setToolTip(self.tr("Dia anterior (Alt+←)"))
        self.today_button = QPushButton(self.tr("&Hoje"))
        self.next_button = QPushButton(self.tr("▶"))
        self.next_button.setToolTip(self.tr("Próximo dia (Alt+→)"))
        self.summary = QLabel()
        self.summary.setObjectName("work_list_summary")
        row.addWidget(caption)
        row.addWidget(self.day_edit)
        for button in (self.previous_button, self.today_button, self.next_button):
            button.setAutoDefault(False)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            row.addWidget(button)
        row.addSpacing(16)
        row.addWidget(self.summary, 1)
        return row

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.start_button = QPushButton(self.tr("&Iniciar/continuar inspeção"))
        self.start_button.setObjectName("start")
        self.start_button.setToolTip(self.tr("Enter na lista"))
        self.unplanned_button = QPushButton(self.tr("Inspeção &não programada…"))
        self.unplanned_button.setObjectName("unplanned")
        self.unplanned_button.setToolTip(
            self.tr("Visita fora da lista (denúncia, licenciamento): busca o estabelecimento")
        )
        for button in (self.start_button, self.unplanned_button):
            button.setAutoDefault(False)
            button.setMinimumHeight(34)
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _connect(self) -> None:
        self.day_edit.dateChanged.connect(lambda _d: self.reload())
        self.previous_button.clicked.connect(lambda: self.move_days(-1))
        self.next_button.clicked.connect(lambda: self.move_days(1))
        self.today_button.clicked.connect(lambda: self.day_edit.setDate(_qdate(self._ctx.today())))
        self.table.activated.connect(lambda _index: self.start_selected())
        self.table.installEventFilter(OnEnter(self.start_selected, self))
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self.start_button.clicked.connect(self.start_selected)
        self.unplanned_button.clicked.connect(self.start_unplanned)
        list_page = self.stack.widget(0)
        for key, step in (("Alt+Left", -1), ("Alt+Right", 1)):
            shortcut = QShortcut(QKeySequence(key), list_page)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=step: self.move_days(s))
        self._ctx.bus.changed.connect(self._on_changed)
        self._update_buttons()

    # --- the list ---------------------------------------------------------------------------

    def day(self) -> date:
        return _pydate(self.day_edit.date())

    def move_days(self, days: int) -> None:
        self.day_edit.setDate(self.day_edit.date().addDays(days))

    def reload(self) -> None:
        """Read the chosen day's work list again (in the worker)."""
        self._generation += 1
        generation, ctx, day = self._generation, self._ctx, self.day()
        if day == ctx.today():
            self.title.setText(self.tr("Minhas inspeções de hoje"))
        else:
            self.title.setText(self.tr("Minhas inspeções de {d}").format(d=f"{day:%d/%m/%Y}"))

        def work() -> tuple[int, list[WorkItem]]:
            with ctx.db.read_only() as session:
                return generation, work_list(session, ctx.actor, day)

        ctx.ops.run(work, self._show, self._failed, parent=self)

    def _show(self, result: tuple[int, list[WorkItem]]) -> None:
        generation, rows = result
        if generation != self._generation:
            return
        current = self.selected()
        self.model.set_rows(rows)
        overdue = sum(1 for row in rows if row.overdue)
        text = self.tr("{n} inspeção(ões) a fazer").format(n=len(rows))
        if overdue:
            text += self.tr(", {o} atrasada(s)").format(o=overdue)
        self.summary.setText(text if rows else self.tr("Nenhuma inspeção para este dia."))
        self.message.clear()
        keep = current.inspection_id if current else None
        number = next((i for i, r in enumerate(rows) if r.inspection_id == keep), 0)
        if rows:
            self.table.selectRow(number)
        self._update_buttons()
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, PermissionDenied):
            self.model.set_rows([])
            self.summary.clear()
            self.message.setText(exc.message)
            self.loaded.emit()
        else:
            show_error(self, exc)

    def selected(self) -> WorkItem | None:
        return self.model.row_for(self.table.currentIndex())

    def _update_buttons(self) -> None:
        may = self._ctx.actor.can("sanitary.inspect")
        self.start_button.setEnabled(may and self.selected() is not None)
        self.unplanned_button.setEnabled(may)

    def _on_changed(self, kind: str) -> None:
        if kind in ("inspection", "establishment"):
            self.reload()

    # --- starting ---------------------------------------------------------------------------

    def start_selected(self) -> None:
        """Start (or resume) the selected inspection and show its form."""
        row = self.selected()
        if row is None or not self.start_button.isEnabled():
            return
        ctx, inspection_id = self._ctx, row.inspection_id

        def work() -> svc.Started:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.start_inspection(session, ctx.actor, inspection_id)

        ctx.ops.run(work, self._started, lambda e: self._start_failed(e), parent=self)

    def _started(self, started: svc.Started) -> None:
        if not started.resumed:
            self._ctx.bus.changed.emit("inspection")
        self.open_form(started.inspection_id)

    def _start_failed(self, exc: BaseException) -> None:
        show_error(self, exc, self.tr("Não foi possível iniciar a inspeção"))

    def open_form(self, inspection_id: uuid.UUID) -> InspectionForm:
        """Show the fill-in screen of an inspection in place of the list."""
        self._close_form()
        form = InspectionForm(self._ctx, inspection_id)
        form.closed.connect(self.show_list)
        form.finished.connect(self.finished.emit)
        self.form = form
        self.stack.addWidget(form)
        self.stack.setCurrentWidget(form)
        self.form_opened.emit(form)
        return form

    def show_list(self) -> None:
        """Back to the work list (everything answered is already saved)."""
        self.stack.setCurrentIndex(0)
        self._close_form()
        self.reload()
        self.table.setFocus()

    def _close_form(self) -> None:
        if self.form is not None and shiboken6.isValid(self.form):
            self.stack.removeWidget(self.form)
            self.form.deleteLater()
        self.form = None

    def start_unplanned(self) -> None:
        """Search an establishment and start a visit that was not planned."""
        dialog = UnplannedDialog(self._ctx, self)
        dialog.started.connect(self._started)
        dialog.open()
        dialog.search_box.setFocus()


class UnplannedDialog(QDialog):
    """ "Inspeção não programada": find the establishment, say why, start.

    Signals:
        started(Started): the inspection was created and started; the dialog closes.
    """

    started = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unplanned_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Inspeção não programada"))
        self._ctx = ctx
        self._generation = 0
        self.model = HitsModel(parent=self)
        self._build_ui()
        self.resize(900, 480)

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.search_box = SearchBox()
        self.search_box.setPlaceholderText(self.tr("Nome, razão social ou CNPJ/CPF…"))
        self.search_box.search_requested.connect(self.search)
        self.search_box.move_down_requested.connect(self._focus_table)
        caption = QLabel(self.tr("&Buscar estabelecimento:"))
        caption.setBuddy(self.search_box)
        self.table = rows_table(self.model, "establishment_hits")
        self.table.activated.connect(lambda _i: self.submit())
        self.table.installEventFilter(OnEnter(self.submit, self))
        self.reason = QComboBox()
        self.reason.setObjectName("reason")
        for reason in (InspectionReason.COMPLAINT, InspectionReason.LICENSING,
                       InspectionReason.RETURN):  # fmt: skip
            self.reason.addItem(reason.label, reason.value)
        reason_caption = QLabel(self.tr("&Motivo:"))
        reason_caption.setBuddy(self.reason)
        self.error = QLabel()
        self.error.setObjectName("unplanned_error")
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.ok_button = QPushButton(self.tr("Iniciar inspeção"))
        self.ok_button.setObjectName("start_unplanned")
        self.ok_button.setAutoDefault(False)
        self.ok_button.clicked.connect(self.submit)
        cancel = QPushButton(self.tr("Cancelar (Esc)"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(reason_caption)
        buttons.addWidget(self.reason)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        for widget in (caption, self.search_box, self.table, self.error):
            layout.addWidget(widget)
        layout.addLayout(buttons)

    def _focus_table(self) -> None:
        if self.model.rowCount():
            self.table.selectRow(0)
            self.table.setFocus()

    def search(self, text: str) -> None:
        self._generation += 1
        generation, ctx = self._generation, self._ctx

        def work() -> tuple[int, list[EstablishmentHit]]:
            with ctx.db.read_only() as session:
                return generation, find_establishments(session, ctx.actor, text)

        def show(result: tuple[int, list[EstablishmentHit]]) -> None:
            if result[0] == self._generation:
                self.model.set_rows(result[1])
                self.error.setText("" if result[1] or not text else self.tr("Nada encontrado."))

        ctx.ops.run(work, show, parent=self)

    def submit(self) -> None:
        hit = self.model.row_for(self.table.currentIndex())
        if hit is None:
            self.error.setText(self.tr("Escolha o estabelecimento na lista."))
            return
        ctx, reason = self._ctx, InspectionReason(self.reason.currentData())

        def work() -> svc.Started:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.start_unplanned(session, ctx.actor, hit.establishment_id, reason)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserFacingError):
                self.error.setText(exc.message)
            else:
                show_error(self, exc)

        def done(result: svc.Started) -> None:
            self.started.emit(result)
            self.accept()

        ctx.ops.run(work, done, failed, parent=self)
