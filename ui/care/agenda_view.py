"""The "Agenda" page: a professional's day at a unit, booking, cancelling, attendance and printing.

The clerk picks the unit, the professional and the day (Alt+← / Alt+→ move a day, Alt+H goes to
today); the day's lines fill the table (see `ui.care.agenda_models`). On a free line, Enter or
"Agendar…" (Ctrl+N) opens the citizen search; if the slot is full but admits overbooking, the page
asks before booking it as an "encaixe". "Cancelar agendamento…" asks the reason and then offers the
freed slot to the waiting list. "Faltou" and "Compareceu" mark the booking; "Comprovante" prints
the citizen's slip and "Imprimir agenda do dia" the day; "Administrar agenda" opens the templates,
blocks, holidays and waiting-list dialogs (`ui.care.agenda_admin`). Every service call runs in
`ctx.ops`; buttons the account may not use are hidden, and the services check again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.care import appointments
from app.care.agenda_queries import (
    AgendaUnitRow,
    ProfessionalRow,
    SlotRow,
    WaitingCandidate,
    day_agenda,
    list_agenda_units,
    list_professionals,
)
from app.care.agenda_rules import WEEKDAYS, AppointmentStatus
from app.care.reports import agenda_day_pdf, appointment_slip_pdf
from ui.care.agenda_admin import admin_menu
from ui.care.agenda_dialogs import BookingDialog, CancelDialog, WaitingListDialog
from ui.care.agenda_forms import AgendaChoice
from ui.care.agenda_models import AgendaLine, AgendaModel, agenda_lines
from ui.care.handoff import AttendanceDraft
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.page_header import title_label
from ui.widgets.pdf_preview import issue_and_preview

SCHEDULE = "care.schedule"


class AgendaPage(QWidget):
    """The day agenda of one professional at one unit, with the booking actions.

    Signals:
        loaded(): the table shows a freshly read day (tests wait on it).
    """

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agenda_page")
        self._ctx = ctx
        self._generation = 0
        self._people: list[ProfessionalRow] = []  # in the professional chooser's order
        self.model = AgendaModel(parent=self)
        self._build_ui()
        self._connect()
        self._load_units()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header())
        layout.addLayout(self._build_choosers())
        layout.addWidget(self._build_table(), 1)
        self.message = QLabel()
        self.message.setObjectName("agenda_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons())

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        title = title_label(self.tr("Agenda"))
        self.summary = QLabel()
        self.summary.setObjectName("agenda_summary")
        row.addWidget(title)
        row.addStretch(1)
        row.addWidget(self.summary, 0, Qt.AlignmentFlag.AlignBottom)
        return row

    def _build_choosers(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.unit_combo = QComboBox()
        self.unit_combo.setObjectName("unit")
        self.unit_combo.setMinimumContentsLength(22)
        self.professional_combo = QComboBox()
        self.professional_combo.setObjectName("professional")
        self.professional_combo.setMinimumContentsLength(30)
        self.day_edit = QDateEdit()
        self.day_edit.setObjectName("day")
        self.day_edit.setDisplayFormat("dd/MM/yyyy")
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDate(_qdate(self._ctx.today()))
        self.weekday_label = QLabel()
        self.previous_button = QPushButton(self.tr("◀"))
        self.previous_button.setToolTip(self.tr("Dia anterior (Alt+←)"))
        self.today_button = QPushButton(self.tr("&Hoje"))
        self.next_button = QPushButton(self.tr("▶"))
        self.next_button.setToolTip(self.tr("Próximo dia (Alt+→)"))
        for label, widget, stretch in (
            (self.tr("&Unidade:"), self.unit_combo, 2),
            (self.tr("&Profissional:"), self.professional_combo, 3),
            (self.tr("&Dia:"), self.day_edit, 0),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget, stretch)
        row.addWidget(self.weekday_label)
        for button in (self.previous_button, self.today_button, self.next_button):
            button.setAutoDefault(False)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            row.addWidget(button)
        return row

    def _build_table(self) -> QTableView:
        self.table = QTableView()
        self.table.setObjectName("agenda_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        return self.table

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.book_button = self._action(self.tr("&Agendar…"), "book", self.tr("Ctrl+N ou Enter"))
        self.cancel_button = self._action(self.tr("&Cancelar agendamento…"), "cancel_booking")
        self.no_show_button = self._action(self.tr("&Faltou"), "no_show")
        self.attended_button = self._action(self.tr("C&ompareceu"), "attended")
        self.slip_button = self._action(self.tr("Co&mprovante"), "slip")
        self.attendance_button = self._action(
            self.tr("&Digitar atendimento"), "type_attendance",
            self.tr("Abre a digitação com o cidadão, o profissional e a data deste agendamento"),
        )  # fmt: skip
        self.print_button = self._action(self.tr("&Imprimir agenda do dia"), "print_day")
        self.admin_button = self._action(self.tr("Administrar a&genda"), "agenda_admin")
        self.admin_menu = admin_menu(self._ctx, self.admin_choice, self)
        self.admin_button.setMenu(self.admin_menu)
        may_schedule = self._ctx.actor.can(SCHEDULE)
        for button in (self.book_button, self.cancel_button, self.no_show_button,
                       self.attended_button, self.slip_button):  # fmt: skip
            button.setVisible(may_schedule)
            row.addWidget(button)
        self.attendance_button.setVisible(self._ctx.actor.can("care.attend"))
        row.addWidget(self.attendance_button)
        row.addStretch(1)
        row.addWidget(self.admin_button)
        row.addWidget(self.print_button)
        return row

    def _action(self, text: str, name: str, tip: str = "") -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        if tip:
            button.setToolTip(tip)
        return button

    def _connect(self) -> None:
        self.unit_combo.currentIndexChanged.connect(lambda _i: self._load_professionals())
        self.professional_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.day_edit.dateChanged.connect(lambda _d: self.reload())
        self.previous_button.clicked.connect(lambda: self.move_days(-1))
        self.next_button.clicked.connect(lambda: self.move_days(1))
        self.today_button.clicked.connect(lambda: self.day_edit.setDate(_qdate(self._ctx.today())))
        self.table.activated.connect(lambda _index: self._activate())
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.book_button.clicked.connect(self.book_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.no_show_button.clicked.connect(lambda: self._mark(appointments.mark_no_show))
        self.attended_button.clicked.connect(lambda: self._mark(appointments.mark_attended))
        self.slip_button.clicked.connect(self.print_slip)
        self.attendance_button.clicked.connect(self.type_attendance)
        self.print_button.clicked.connect(self.print_day)
        QShortcut(QKeySequence("Ctrl+N"), self, self.book_selected)
        QShortcut(QKeySequence("Alt+Left"), self, lambda: self.move_days(-1))
        QShortcut(QKeySequence("Alt+Right"), self, lambda: self.move_days(1))
        self._ctx.bus.changed.connect(self._on_changed)
        self._update_buttons()

    # --- choosing unit, professional, day ---------------------------------------------------

    def _load_units(self) -> None:
        ctx = self._ctx

        def work() -> list[AgendaUnitRow]:
            with ctx.db.read_only() as session:
                return list_agenda_units(session, ctx.actor)

        ctx.ops.run(work, self._show_units, parent=self)

    def _show_units(self, units: list[AgendaUnitRow]) -> None:
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        for unit in units:
            self.unit_combo.addItem(f"{unit.name} (CNES {unit.cnes})", unit.cnes)
        preferred = self.unit_combo.findData(self._ctx.installation.unit_cnes)
        self.unit_combo.setCurrentIndex(max(preferred, 0))
        self.unit_combo.blockSignals(False)
        self._load_professionals()

    def _load_professionals(self) -> None:
        cnes, ctx = self.unit_cnes(), self._ctx
        if not cnes:
            return

        def work() -> list[ProfessionalRow]:
            with ctx.db.read_only() as session:
                return list_professionals(session, ctx.actor, cnes)

        ctx.ops.run(work, self._show_professionals, parent=self)

    def _show_professionals(self, people: list[ProfessionalRow]) -> None:
        self.professional_combo.blockSignals(True)
        self.professional_combo.clear()
        self._people = people
        for person in people:
            title = f" – {person.cbo_title}" if person.cbo_title else ""
            self.professional_combo.addItem(f"{person.name}{title}", str(person.id))
        self.professional_combo.setCurrentIndex(0 if people else -1)
        self.professional_combo.blockSignals(False)
        self.reload()

    def unit_cnes(self) -> str:
        return str(self.unit_combo.currentData() or "")

    def professional_id(self) -> uuid.UUID | None:
        data = self.professional_combo.currentData()
        return uuid.UUID(data) if data else None

    def day(self) -> date:
        return _pydate(self.day_edit.date())

    def admin_choice(self) -> AgendaChoice:
        """What the agenda administration dialogs work on: this unit, professional and today."""
        label = self.professional_combo.currentText()
        return AgendaChoice(self.unit_cnes(), self.professional_id(), label, self._ctx.today())

    def move_days(self, days: int) -> None:
        self.day_edit.setDate(self.day_edit.date().addDays(days))

    # --- the day's lines --------------------------------------------------------------------

    def reload(self, select_slot: uuid.UUID | None = None) -> None:
        """Read the chosen day again (in the worker) and show it."""
        self._generation += 1
        generation, ctx = self._generation, self._ctx
        cnes, professional, day = self.unit_cnes(), self.professional_id(), self.day()
        self.weekday_label.setText(WEEKDAYS[day.weekday()])
        if not cnes or professional is None:
            self.model.set_rows([])
            self.summary.setText(self.tr("Nenhum profissional nesta unidade"))
            return

        def work() -> tuple[int, list[SlotRow]]:
            with ctx.db.read_only() as session:
                return generation, day_agenda(session, ctx.actor, cnes, professional, day)

        ctx.ops.run(work, lambda result: self._show_day(result, select_slot), parent=self)

    def _show_day(self, result: tuple[int, list[SlotRow]], select_slot: uuid.UUID | None) -> None:
        generation, slots = result
        if generation != self._generation:
            return
        current = self.selected_line()
        self.model.set_rows(agenda_lines(slots, self._ctx.db.clock.now()))
        self.summary.setText(self._summary_text(slots))
        keep = select_slot or (current.slot.id if current else None)
        self._select_slot(keep)
        self.loaded.emit()

    def _summary_text(self, slots: list[SlotRow]) -> str:
        if not slots:
            return self.tr("Sem horários neste dia")
        booked = sum(len(slot.active) for slot in slots)
        now = self._ctx.db.clock.now()
        free = sum(slot.free for slot in slots if not slot.blocked_reason and slot.starts_at > now)
        return self.tr("{booked} agendado(s), {free} vaga(s) livre(s)").format(
            booked=booked, free=free
        )

    def _select_slot(self, slot_id: uuid.UUID | None) -> None:
        lines = self.model.rows()
        number = next((i for i, line in enumerate(lines) if line.slot.id == slot_id), None)
        if number is None:
            number = next((i for i, line in enumerate(lines) if line.is_free), 0 if lines else None)
        if number is not None:
            self.table.selectRow(number)
        self._update_buttons()

    def selected_line(self) -> AgendaLine | None:
        return self.model.row_for(self.table.currentIndex())

    def _update_buttons(self, *_args: object) -> None:
        line = self.selected_line()
        booking = line is not None and line.appointment is not None
        active = (
            booking
            and line is not None
            and line.appointment is not None
            and (line.appointment.status.is_active)
        )
        self.book_button.setEnabled(
            line is not None and not line.slot.blocked_reason and not line.past
        )
        for button in (self.cancel_button, self.no_show_button, self.attended_button):
            button.setEnabled(bool(active))
        self.slip_button.setEnabled(bool(active))
        came = (
            line is not None
            and line.appointment is not None
            and (line.appointment.status is AppointmentStatus.ATTENDED)
        )
        self.attendance_button.setEnabled(came)
        self.print_button.setEnabled(self.professional_id() is not None)
        for action in self.admin_menu.actions():
            if action.objectName() == "templates":  # they are a professional's
                action.setEnabled(self.professional_id() is not None)

    def _on_changed(self, kind: str) -> None:
        if kind in ("appointment", "agenda"):
            self.reload()

    def _slot_text(self, line: AgendaLine) -> str:
        start = line.slot.local_start
        return self.tr("{day} às {time}").format(day=f"{start:%d/%m/%Y}", time=f"{start:%H:%M}")

    # --- actions ----------------------------------------------------------------------------

    def _activate(self) -> None:
        line = self.selected_line()
        if line is not None and line.is_free:
            self.book_selected()

    def book_selected(self) -> None:
        """Open the citizen search for the selected line's slot."""
        line = self.selected_line()
        if line is None or line.slot.blocked_reason or line.past:
            return
        if not self._ctx.actor.can(SCHEDULE):
            return
        dialog = BookingDialog(self._ctx, self._slot_text(line), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda row: self._book(line, row.id, row.name))
        dialog.open()
        dialog.search_box.setFocus()

    def _book(
        self,
        line: AgendaLine,
        citizen_id: uuid.UUID,
        name: str,
        *,
        overbook: bool = False,
        entry_id: uuid.UUID | None = None,
    ) -> None:
        ctx, slot_id = self._ctx, line.slot.id

        def work() -> appointments.Booked:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return appointments.book(
                    session, ctx.actor, slot_id, citizen_id, overbook=overbook,
                    waiting_entry_id=entry_id,
                )  # fmt: skip

        def failed(exc: BaseException) -> None:
            if isinstance(exc, appointments.OverbookingNeeded):
                again = {"overbook": True, "entry_id": entry_id}
                self._ask_overbooking(exc, lambda: self._book(line, citizen_id, name, **again))
            else:
                show_error(self, exc, self.tr("Não foi possível agendar"))

        def done(_booked: appointments.Booked) -> None:
            text = self.tr("{name} agendado(a) para {slot}.")
            self.message.setText(text.format(name=name, slot=self._slot_text(line)))
            ctx.bus.changed.emit("appointment")

        ctx.ops.run(work, done, failed, parent=self)

    def _ask_overbooking(
        self, exc: appointments.OverbookingNeeded, proceed: Callable[[], None]
    ) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Horário lotado"), exc.message,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self,
        )  # fmt: skip
        box.setObjectName("ask_overbooking")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Agendar como encaixe"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("Não agendar"))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.buttonClicked.connect(lambda button: button is yes and proceed())
        box.open()

    def cancel_selected(self) -> None:
        """Ask the reason, cancel, then offer the freed slot to the waiting list."""
        line = self.selected_line()
        if line is None or line.appointment is None or not line.appointment.status.is_active:
            return
        booking = line.appointment
        dialog = CancelDialog(booking.citizen_name, self._slot_text(line), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.confirmed.connect(lambda reason: self._cancel(line, booking.id, reason))
        dialog.open()

    def _cancel(self, line: AgendaLine, appointment_id: uuid.UUID, reason: str) -> None:
        ctx = self._ctx

        def work() -> appointments.Cancelled:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return appointments.cancel(session, ctx.actor, appointment_id, reason)

        def done(result: appointments.Cancelled) -> None:
            self.message.setText(self.tr("Agendamento cancelado."))
            ctx.bus.changed.emit("appointment")
            if result.candidates:
                self._offer(line, list(result.candidates))

        ctx.ops.run(work, done, parent=self)

    def _offer(self, line: AgendaLine, candidates: list[WaitingCandidate]) -> None:
        dialog = WaitingListDialog(candidates, self._slot_text(line), self._ctx.local, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(
            lambda c: self._book(line, c.citizen_id, c.citizen_name, entry_id=c.entry_id)
        )
        dialog.open()

    def _mark(self, command: Callable[..., Any]) -> None:
        line = self.selected_line()
        if line is None or line.appointment is None:
            return
        ctx, appointment_id = self._ctx, line.appointment.id

        def work() -> object:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return command(session, ctx.actor, appointment_id)

        ctx.ops.run(work, lambda _r: ctx.bus.changed.emit("appointment"), parent=self)

    def type_attendance(self) -> None:
        """Hand the attended booking to the attendance entry (the main window opens it)."""
        line, index = self.selected_line(), self.professional_combo.currentIndex()
        if line is None or line.appointment is None or not 0 <= index < len(self._people):
            return
        person = self._people[index]
        draft = AttendanceDraft(self.unit_cnes(), person.id, person.cbo,
                                line.slot.local_start.date(), line.appointment.citizen_id,
                                line.appointment.id)  # fmt: skip
        self._ctx.bus.attendance_requested.emit(draft)

    def print_slip(self) -> None:
        line = self.selected_line()
        if line is None or line.appointment is None:
            return
        ctx, appointment_id = self._ctx, line.appointment.id
        issue_and_preview(
            ctx, self, self.slip_button,
            lambda session: appointment_slip_pdf(session, ctx.actor, appointment_id),
        )  # fmt: skip

    def print_day(self) -> None:
        professional = self.professional_id()
        if professional is None:
            return
        ctx, cnes, day = self._ctx, self.unit_cnes(), self.day()
        issue_and_preview(
            ctx, self, self.print_button,
            lambda session: agenda_day_pdf(session, ctx.actor, cnes, professional, day),
        )  # fmt: skip


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
