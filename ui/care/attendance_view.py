"""The "Digitação de atendimentos" page: a clerk types the paper fichas of a unit, one after the
other, from the keyboard only.

The ficha's header (unit, professional with occupation, date) stays between attendances and is
remembered across restarts (QSettings through `ui.state`). Ctrl+S, or Enter on the last field,
saves through `record_attendance` in the worker; errors appear beside their fields and nothing
typed is lost; on success the status line says which competence received the attendance, the
citizen, procedures and CID are emptied and the cursor goes back to the citizen. Below, the
attendances this clerk typed today at the unit, with "Corrigir…" and "Anular…".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.care import attendances
from app.care.attendance_queries import (
    AttendanceDetail,
    AttendanceRow,
    attendances_typed_on,
    get_attendance,
)
from app.care.attendances import AttendanceInput, Recorded
from app.errors import ValidationError
from ui import state
from ui.care.attendance_forms import AttendanceForm, CorrectionDialog, ReasonDialog
from ui.care.attendance_models import TypedTodayModel
from ui.care.handoff import AttendanceDraft
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.page_header import title_label
from ui.widgets.tables import rows_table

STATE_KEY = "attendance_entry"
OK_COLOR = "#1b5e20"


def remember(key: str, value: str) -> None:
    """Keep a header choice for the next start (window state, not a setting)."""
    state.save_text(f"{STATE_KEY}/{key}", value)


def remembered(key: str) -> str:
    return state.load_text(f"{STATE_KEY}/{key}")


class AttendanceEntryPage(QWidget):
    """Typing attendances, and the running list of what was typed today.

    Signals:
        saved(object): a `Recorded` (tests wait on it).
        listed(): the list of today's attendances was read again.
    """

    saved = Signal(object)
    listed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attendance_entry_page")
        self._ctx = ctx
        self._numbers: list[int] = []
        self._saving = False
        self.model = TypedTodayModel(self._ctx.local, self)
        self._build_ui()
        self._connect()
        self.form.load_header(remembered("unit"), remembered("bond"))

    def start_from(self, draft: AttendanceDraft) -> None:
        """Type the attendance of a citizen the agenda marked as attended."""
        self.form.start_from(draft)

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_title())
        self.form = AttendanceForm(self._ctx, self._ctx.today(), self)
        saved_day = remembered("date")
        if saved_day:
            self.form.date_field.set_value(date.fromisoformat(saved_day))
        layout.addWidget(self.form)
        layout.addLayout(self._build_save_row())
        layout.addWidget(self._build_list_caption())
        layout.addWidget(self._build_table(), 1)
        layout.addLayout(self._build_buttons())

    def _build_title(self) -> QHBoxLayout:
        row = QHBoxLayout()
        title = title_label(self.tr("Digitação de atendimentos"))
        hint = QLabel(self.tr("Enter avança · Enter no código vazio vai ao CID · Ctrl+S grava"))
        hint.setObjectName("hint")
        row.addWidget(title)
        row.addStretch(1)
        row.addWidget(hint, 0, Qt.AlignmentFlag.AlignBottom)
        return row

    def _build_save_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("entry_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {OK_COLOR}; font-weight: bold;")
        self.save_button = _button(self.tr("&Gravar atendimento (Ctrl+S)"), "save")
        self.clear_button = _button(self.tr("Limpar fic&ha"), "clear")
        row.addWidget(self.message, 1)
        row.addWidget(self.clear_button)
        row.addWidget(self.save_button)
        return row

    def _build_list_caption(self) -> QLabel:
        self.list_caption = QLabel(self.tr("Digitados hoje por você nesta unidade"))
        font = QFont(self.list_caption.font())
        font.setBold(True)
        self.list_caption.setFont(font)
        return self.list_caption

    def _build_table(self) -> QTableView:
        self.table = rows_table(self.model, "typed_today", stretch_last=False)
        self.table.setMinimumHeight(120)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        return self.table

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.correct_button = _button(self.tr("Corr&igir…"), "correct")
        self.void_button = _button(self.tr("A&nular…"), "void")
        row.addWidget(self.correct_button)
        row.addWidget(self.void_button)
        row.addStretch(1)
        return row

    def _connect(self) -> None:
        form = self.form
        form.header_ready.connect(self._header_ready)
        form.header_changed.connect(self._header_changed)
        form.submit_requested.connect(self.save)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self._clear)
        self.correct_button.clicked.connect(self.correct_selected)
        self.void_button.clicked.connect(self.void_selected)
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._ctx.bus.changed.connect(self._on_changed)
        self._update_buttons()

    # --- header -----------------------------------------------------------------------------

    def _header_ready(self) -> None:
        self.reload()
        self.form.citizen_edit.setFocus()

    def _header_changed(self) -> None:
        remember("unit", self.form.unit_cnes())
        remember("bond", self.form.bond())
        day = self.form.attended_on()
        if day is not None:
            remember("date", day.isoformat())
        self.reload()

    # --- saving -----------------------------------------------------------------------------

    def save(self) -> None:
        """Check what can be checked here, then record the attendance in the worker."""
        if self._saving:
            return
        data, errors, self._numbers = self.form.collect()
        if errors or data is None:
            self.form.show_errors(errors, self._numbers)
            self.message.clear()
            return
        self._saving = True
        self.save_button.setEnabled(False)
        ctx = self._ctx

        def work() -> Recorded:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return attendances.record_attendance(session, ctx.actor, data)

        ctx.ops.run(work, self._saved, self._refused, parent=self)

    def _saved(self, recorded: Recorded) -> None:
        self._finish_saving()
        self.message.setText(recorded.notice)
        window = self.window()
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(recorded.notice, 10_000)
        self.form.clear_body()
        self._ctx.bus.changed.emit("attendance")
        self.saved.emit(recorded)

    def _refused(self, exc: BaseException) -> None:
        self._finish_saving()
        self.message.clear()
        if isinstance(exc, ValidationError):
            self.form.show_errors(exc.errors, self._numbers)
        else:
            show_error(self, exc, self.tr("Não foi possível gravar o atendimento"))

    def _finish_saving(self) -> None:
        self._saving = False
        self.save_button.setEnabled(True)

    def _clear(self) -> None:
        self.form.clear_body()
        self.message.clear()

    # --- today's list -----------------------------------------------------------------------

    def _since(self) -> datetime:
        zone = ZoneInfo(self._ctx.installation.timezone)
        return datetime.combine(self._ctx.today(), time(0), zone)

    def reload(self) -> None:
        ctx, cnes, since = self._ctx, self.form.unit_cnes(), self._since()
        if not cnes:
            self.model.set_rows([])
            return

        def work() -> list[AttendanceRow]:
            with ctx.db.read_only() as session:
                return attendances_typed_on(session, ctx.actor, cnes, ctx.actor.username, since)

        ctx.ops.run(work, self._show_list, parent=self)

    def _show_list(self, rows: list[AttendanceRow]) -> None:
        self.model.set_rows(rows)
        valid = sum(row.situation == "Válido" for row in rows)
        self.list_caption.setText(
            self.tr("Digitados hoje por você nesta unidade: {count} ({valid} válido(s))").format(
                count=len(rows), valid=valid
            )
        )
        self.listed.emit()

    def _on_changed(self, kind: str) -> None:
        if kind == "attendance":
            self.reload()

    def selected(self) -> AttendanceRow | None:
        return self.model.row_for(self.table.currentIndex())

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected()
        usable = row is not None and row.situation == "Válido"
        self.correct_button.setEnabled(usable)
        self.void_button.setEnabled(usable)

    # --- correcting and voiding -------------------------------------------------------------

    def correct_selected(self) -> None:
        row = self.selected()
        if row is None or row.situation != "Válido":
            return
        ctx, attendance_id = self._ctx, row.id

        def work() -> AttendanceDetail:
            with ctx.db.read_only() as session:
                return get_attendance(session, ctx.actor, attendance_id)

        ctx.ops.run(work, self._open_correction, parent=self)

    def _open_correction(self, detail: AttendanceDetail) -> None:
        dialog = CorrectionDialog(self._ctx, detail, self._ctx.today(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(
            lambda data, reason: self._correct(dialog, detail.row.id, data, reason)
        )
        self.correction_dialog = dialog
        dialog.open()

    def _correct(
        self, dialog: CorrectionDialog, attendance_id: uuid.UUID, data: AttendanceInput, reason: str
    ) -> None:
        ctx = self._ctx

        def work() -> Recorded:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return attendances.correct_attendance(
                    session, ctx.actor, attendance_id, data, reason
                )

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                dialog.show_errors(exc.errors)
            else:
                dialog.show_errors({})
                show_error(dialog, exc, self.tr("Não foi possível corrigir"))

        def done(recorded: Recorded) -> None:
            dialog.accept()
            self.message.setText(self.tr("Correção gravada. ") + recorded.notice)
            ctx.bus.changed.emit("attendance")

        ctx.ops.run(work, done, failed, parent=dialog)

    def void_selected(self) -> None:
        row = self.selected()
        if row is None or row.situation != "Válido":
            return
        question = self.tr(
            "Anular o atendimento de {citizen} em {day} ({procedures})? O registro continua "
            "guardado, mas deixa de contar na produção."
        ).format(citizen=row.citizen_name, day=f"{row.attended_on:%d/%m/%Y}",
                 procedures=row.procedures_text)  # fmt: skip
        dialog = ReasonDialog(self.tr("Anular atendimento"), question,
                              self.tr("A&nular atendimento"), self)  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.confirmed.connect(lambda reason: self._void(row.id, reason))
        dialog.open()

    def _void(self, attendance_id: uuid.UUID, reason: str) -> None:
        ctx = self._ctx

        def work() -> uuid.UUID:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return attendances.void_attendance(session, ctx.actor, attendance_id, reason)

        def done(_void_id: uuid.UUID) -> None:
            self.message.setText(self.tr("Atendimento anulado."))
            ctx.bus.changed.emit("attendance")

        ctx.ops.run(work, done, lambda exc: show_error(self, exc), parent=self)


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button
