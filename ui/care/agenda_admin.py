"""Agenda administration, for the unit's manager or clerk: the weekly templates of a professional
("Modelos de agenda") and the slots they generate, blocks (vacations, meetings, the whole unit),
the municipal holidays and the waiting list.

Opened from the Agenda page's "Administrar agenda" menu with what the page has chosen (unit,
professional, today). Every form is keyboard-first: Enter moves to the next field and saves on the
last one, Ctrl+S saves, Esc closes; the services' `ValidationError` messages appear beside their
fields. Every read and write runs in `ctx.ops`; after a write the dialogs announce
`ctx.bus.changed("agenda")` (or "waiting") so the page shows the day again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.brazil.identifiers import only_digits
from app.care import agendas, appointments
from app.care.agenda_queries import (
    BlockRow,
    HolidayRow,
    ProfessionalRow,
    TemplateRow,
    WaitingRow,
    list_blocks,
    list_holidays,
    list_professionals,
    list_templates,
    waiting_list,
)
from app.care.agenda_rules import WEEKDAYS, BlockReason, TemplateInput, WaitingPriority
from app.errors import ValidationError
from app.registry.queries import CitizenRow
from app.reports.styles import local_time, zone
from ui.care.agenda_dialogs import CitizenSearchDialog
from ui.care.agenda_models import BlockModel, HolidayModel, TemplateModel, WaitingListModel
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.fields import CheckedLineEdit, DateField, ErrorLabel, FormLayout
from ui.widgets.tables import rows_table

GENERATION_DAYS = 28  # four weeks ahead by default: what units usually open at a time


@dataclass(frozen=True)
class AgendaChoice:
    """What the Agenda page has chosen when a dialog opens."""

    unit_cnes: str
    professional_id: uuid.UUID | None
    professional_label: str
    today: date


# --- small pieces ---------------------------------------------------------------------------------


class TimeField(CheckedLineEdit):
    """A HH:mm time typed as four digits; `value()` is a time or None."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.setInputMask("00:00;_")
        self.setFixedWidth(self.fontMetrics().horizontalAdvance("88:88") + 24)

    def value(self) -> time | None:
        digits = only_digits(self.text())
        if len(digits) != 4 or int(digits[:2]) > 23 or int(digits[2:]) > 59:
            return None
        return time(int(digits[:2]), int(digits[2:]))

    def set_value(self, value: time | None) -> None:
        self.setText(f"{value:%H%M}" if value else "")
        self.set_error(None)

    def current_error(self) -> str | None:
        return None if self.value() is not None else self.tr("Informe a hora (HH:MM).")


class _SubmitOnEnter(QObject):
    """Event filter for a form's last field: Enter saves."""

    def __init__(self, submit: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._submit = submit

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return False
        self._submit()
        return True


def _button(text: str, name: str, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)  # Enter belongs to the fields and lists
    if tip:
        button.setToolTip(tip)
    return button


def _spin(low: int, high: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance("8888 min") + 40)
    return spin


def _message(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def _load_professionals(
    ctx: AppContext, cnes: str, done: Callable[[list[ProfessionalRow]], None], parent: QWidget
) -> None:
    def work() -> list[ProfessionalRow]:
        with ctx.db.read_only() as session:
            return list_professionals(session, ctx.actor, cnes)

    ctx.ops.run(work, done, parent=parent)


class _FormDialog(QDialog):
    """A dialog with a form saved through a service: errors beside the fields, the rest on top,
    Enter to advance (saving on the last field), Ctrl+S to save, Esc to close."""

    def __init__(self, ctx: AppContext, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.form = FormLayout()
        self.form_error = ErrorLabel("form")
        self._saving = False
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)

    def _build_buttons(self, save_text: str) -> QHBoxLayout:
        row = QHBoxLayout()
        hint = QLabel(self.tr("Enter: próximo campo · Ctrl+S: salvar · Esc: fechar"))
        hint.setEnabled(False)
        self.save_button = _button(save_text, "save", self.tr("Salvar (Ctrl+S)"))
        self.close_button = _button(self.tr("Fechar"), "close", self.tr("Fechar (Esc)"))
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        row.addWidget(hint, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.close_button)
        return row

    def _last_field(self, widget: QWidget) -> None:
        self.form.submit_on_enter(widget)
        widget.installEventFilter(_SubmitOnEnter(self.save, self))

    def save(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        if self._saving:
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.form.clear_errors()
        self.form_error.show_message(None)

        def finished(result: Any) -> None:
            self._set_idle()
            done(result)

        self.ctx.ops.run(work, finished, self._refused, parent=self)

    def _set_idle(self) -> None:
        self._saving = False
        self.save_button.setEnabled(True)

    def _refused(self, exc: BaseException) -> None:
        self._set_idle()
        if not isinstance(exc, ValidationError):
            show_error(self, exc)
            return
        self.show_errors(exc.errors)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field, the others on top; the first wrong field gets focus."""
        rest = self.form.show_errors(errors)
        self.form_error.show_message(" ".join(rest.values()) or None)
        first = next((w for n, w in self.form.fields.items() if n in errors), None)
        if first is not None:
            first.setFocus()
        QTimer.singleShot(0, self._fit_height)

    def _fit_height(self) -> None:
        # A two-line error beside a field needs the room the dialog had not: grow, never shrink.
        if shiboken6.isValid(self) and self.sizeHint().height() > self.height():
            self.resize(self.width(), self.sizeHint().height())


# --- weekly templates -----------------------------------------------------------------------------


class TemplateFormDialog(_FormDialog):
    """Create or edit one weekly shift ("Novo modelo de agenda" / "Editar modelo de agenda").

    Signals:
        saved(object): the template's id.
    """

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        choice: AgendaChoice,
        row: TemplateRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("template_form")
        self._choice, self._row = choice, row
        title = self.tr("Editar modelo de agenda") if row else self.tr("Novo modelo de agenda")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("Profissional: {name}").format(name=choice.professional_label))
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(self.form_error)
        layout.addLayout(self._build_form())
        if row is not None:
            note = QLabel(
                self.tr("As vagas já geradas não mudam: a alteração vale para as próximas.")
            )
            note.setWordWrap(True)
            note.setEnabled(False)
            layout.addWidget(note)
        layout.addLayout(self._build_buttons(self.tr("&Salvar")))
        self._fill(row)
        self.setMinimumWidth(600)
        self.weekday.setFocus()

    def _build_form(self) -> FormLayout:
        self.weekday = QComboBox()
        for number, name in enumerate(WEEKDAYS):
            self.weekday.addItem(name, number)
        self.start, self.end = TimeField("start"), TimeField("end")
        self.slot_minutes = _spin(5, 240, " min")
        self.capacity = _spin(1, 50)
        self.overbooking = _spin(0, 20)
        form = self.form
        form.add_field("weekday", self.tr("&Dia da semana:"), self.weekday)
        form.add_field("start", self.tr("&Início:"), self.start)
        form.add_field("end", self.tr("&Fim:"), self.end)
        form.add_field("slot_minutes", self.tr("Duração da &vaga:"), self.slot_minutes)
        form.add_field("capacity", self.tr("&Cidadãos por vaga:"), self.capacity)
        form.add_field("overbooking", self.tr("&Encaixes por vaga:"), self.overbooking)
        self._last_field(self.overbooking)
        return form

    def _fill(self, row: TemplateRow | None) -> None:
        self.weekday.setCurrentIndex(row.weekday if row else 0)
        self.start.set_value(row.start if row else time(7, 0))
        self.end.set_value(row.end if row else time(11, 0))
        self.slot_minutes.setValue(row.slot_minutes if row else 20)
        self.capacity.setValue(row.capacity if row else 1)
        self.overbooking.setValue(row.overbooking if row else 0)

    def _local_errors(self) -> dict[str, str]:
        found = {}
        for name, field in (("start", self.start), ("end", self.end)):
            message = field.validate()
            if message:
                found[name] = message
        return found

    def save(self) -> None:
        local = self._local_errors()
        if local:
            self.show_errors(local)
            return
        start, end = self.start.value(), self.end.value()
        assert start is not None and end is not None and self._choice.professional_id
        data = TemplateInput(
            str(self._choice.professional_id), self._choice.unit_cnes,
            int(self.weekday.currentData()), start, end, self.slot_minutes.value(),
            self.capacity.value(), self.overbooking.value(),
        )  # fmt: skip
        ctx, template_id = self.ctx, self._row.id if self._row else None

        def work() -> uuid.UUID:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                if template_id is None:
                    return agendas.create_template(session, ctx.actor, data)
                return agendas.update_template(session, ctx.actor, template_id, data)

        self._run(work, self._saved)

    def _saved(self, template_id: uuid.UUID) -> None:
        self.ctx.bus.changed.emit("agenda")
        self.saved.emit(template_id)
        self.accept()


class GenerateSlotsDialog(_FormDialog):
    """Generate the slots of the professional's templates for a period ("Gerar vagas").

    Signals:
        generated(object): the `agendas.SlotsGenerated` summary.
    """

    generated = Signal(object)

    def __init__(self, ctx: AppContext, choice: AgendaChoice, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("generate_slots_dialog")
        self.setWindowTitle(self.tr("Gerar vagas"))
        self._choice = choice
        layout = QVBoxLayout(self)
        text = self.tr(
            "Cria as vagas dos modelos ativos de {name} no período (no máximo três meses). "
            "Feriados e períodos bloqueados são pulados; vagas que já existem são mantidas."
        )
        intro = QLabel(text.format(name=choice.professional_label))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.form_error)
        layout.addLayout(self._build_form())
        layout.addLayout(self._build_buttons(self.tr("&Gerar vagas")))
        self.first.setFocus()
        self.resize(520, self.sizeHint().height())

    def _build_form(self) -> FormLayout:
        self.first, self.last = DateField("first"), DateField("last")
        self.first.set_value(self._choice.today)
        self.last.set_value(self._choice.today + timedelta(days=GENERATION_DAYS - 1))
        self.form.add_field("first", self.tr("&De:"), self.first)
        self.form.add_field("last", self.tr("&Até:"), self.last)
        self._last_field(self.last)
        return self.form

    def save(self) -> None:
        first, last = self.first.value(), self.last.value()
        missing = {n: self.tr("Informe a data (dd/mm/aaaa).")
                   for n, v in (("first", first), ("last", last)) if v is None}  # fmt: skip
        if missing or first is None or last is None:
            self.show_errors(missing)
            return
        ctx, choice = self.ctx, self._choice

        def work() -> agendas.SlotsGenerated:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return agendas.generate_slots(
                    session, ctx.actor, choice.unit_cnes, first, last, choice.professional_id
                )

        self._run(work, self._generated)

    def _generated(self, result: agendas.SlotsGenerated) -> None:
        self.ctx.bus.changed.emit("agenda")
        self.generated.emit(result)
        self.accept()


def generation_text(result: agendas.SlotsGenerated) -> str:
    """The summary a clerk reads after generating: created, kept, skipped holidays, blocked."""
    parts = [f"{result.created} vaga(s) criada(s)"]
    if result.existing:
        parts.append(f"{result.existing} já existia(m)")
    if result.blocked:
        parts.append(f"{result.blocked} não criada(s) por bloqueio")
    text = ", ".join(parts) + "."
    if result.holidays:
        days = "; ".join(f"{day:%d/%m} ({name})" for day, name in result.holidays)
        text += f" Feriados pulados: {days}."
    return text


class TemplatesDialog(QDialog):
    """The weekly templates of the chosen professional at the unit ("Modelos de agenda")."""

    def __init__(self, ctx: AppContext, choice: AgendaChoice, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("templates_dialog")
        self.setWindowTitle(self.tr("Modelos de agenda"))
        self.ctx, self._choice = ctx, choice
        self.model = TemplateModel(parent=self)
        layout = QVBoxLayout(self)
        heading = self.tr("Profissional: {name}").format(name=choice.professional_label)
        layout.addWidget(QLabel(heading))
        self.table = rows_table(self.model)
        self.table.setObjectName("templates")
        layout.addWidget(self.table, 1)
        self.message = _message("templates_message")
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons())
        self._connect()
        self.resize(760, 380)
        self.reload()

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_button = _button(self.tr("&Novo…"), "new_template", self.tr("Ctrl+N"))
        self.edit_button = _button(self.tr("&Editar…"), "edit_template", self.tr("Enter"))
        self.deactivate_button = _button(self.tr("&Desativar"), "deactivate_template")
        self.generate_button = _button(self.tr("&Gerar vagas…"), "generate_slots")
        self.close_button = _button(self.tr("Fechar"), "close")
        for button in (self.new_button, self.edit_button, self.deactivate_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.generate_button)
        row.addWidget(self.close_button)
        return row

    def _connect(self) -> None:
        self.new_button.clicked.connect(lambda: self.open_form(None))
        self.edit_button.clicked.connect(lambda: self.open_form(self.selected()))
        self.table.activated.connect(lambda _i: self.open_form(self.selected()))
        self.deactivate_button.clicked.connect(self.deactivate_selected)
        self.generate_button.clicked.connect(self.open_generation)
        self.close_button.clicked.connect(self.reject)
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        QShortcut(QKeySequence("Ctrl+N"), self, lambda: self.open_form(None))

    def selected(self) -> TemplateRow | None:
        return self.model.row_for(self.table.currentIndex())

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected()
        self.edit_button.setEnabled(row is not None)
        self.deactivate_button.setEnabled(row is not None and row.active)
        self.generate_button.setEnabled(any(r.active for r in self.model.rows()))

    def reload(self) -> None:
        ctx, choice = self.ctx, self._choice
        professional = choice.professional_id
        if professional is None:
            return

        def work() -> list[TemplateRow]:
            with ctx.db.read_only() as session:
                return list_templates(session, ctx.actor, choice.unit_cnes, professional)

        ctx.ops.run(work, self._show, parent=self)

    def _show(self, rows: list[TemplateRow]) -> None:
        current = self.selected()
        self.model.set_rows(rows)
        ids = [r.id for r in rows]
        if rows:
            self.table.selectRow(ids.index(current.id) if current and current.id in ids else 0)
        if not rows:
            self.message.setText(self.tr("Nenhum modelo: Ctrl+N cria o primeiro."))

    def open_form(self, row: TemplateRow | None) -> None:
        dialog = TemplateFormDialog(self.ctx, self._choice, row, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _id: self._changed(self.tr("Modelo de agenda salvo.")))
        dialog.open()

    def _changed(self, text: str) -> None:
        self.message.setText(text)
        self.reload()

    def deactivate_selected(self) -> None:
        row = self.selected()
        if row is None or not row.active:
            return
        ctx = self.ctx

        def work() -> uuid.UUID:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return agendas.deactivate_template(session, ctx.actor, row.id)

        def done(_id: uuid.UUID) -> None:
            ctx.bus.changed.emit("agenda")
            self._changed(self.tr("Modelo desativado: as vagas já geradas continuam na agenda."))

        ctx.ops.run(work, done, parent=self)

    def open_generation(self) -> None:
        dialog = GenerateSlotsDialog(self.ctx, self._choice, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.generated.connect(lambda result: self.message.setText(generation_text(result)))
        dialog.open()


# --- blocks ---------------------------------------------------------------------------------------


class BlocksDialog(_FormDialog):
    """Block a period of a professional or of the whole unit ("Bloquear agenda"); lists the
    blocks from today on and removes the one selected."""

    def __init__(self, ctx: AppContext, choice: AgendaChoice, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("blocks_dialog")
        self.setWindowTitle(self.tr("Bloquear agenda"))
        self._choice = choice
        self.model = BlockModel(parent=self)
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_list(), 1)
        layout.addWidget(self._build_new_block())
        self.message = _message("blocks_message")
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons(self.tr("&Bloquear")))
        self.resize(780, 600)
        _load_professionals(ctx, choice.unit_cnes, self._show_professionals, self)
        self.reload()
        self.professional.setFocus()

    def _build_list(self) -> QGroupBox:
        box = QGroupBox(self.tr("Bloqueios a partir de hoje"))
        column = QVBoxLayout(box)
        self.table = rows_table(self.model)
        self.table.setObjectName("blocks")
        self.remove_button = _button(self.tr("&Remover bloqueio"), "remove_block")
        self.remove_button.clicked.connect(self.remove_selected)
        self.model.modelReset.connect(
            lambda: self.remove_button.setEnabled(self.model.rowCount() > 0)
        )
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.remove_button)
        column.addWidget(self.table, 1)
        column.addLayout(row)
        return box

    def _build_new_block(self) -> QGroupBox:
        box = QGroupBox(self.tr("Novo bloqueio"))
        box.setLayout(self.form)
        self.professional = QComboBox()
        self.professional.addItem(self.tr("Toda a unidade"), "")
        self.reason = QComboBox()
        for reason in BlockReason:
            self.reason.addItem(reason.label, reason.value)
        self.reason.setCurrentIndex(self.reason.findData(BlockReason.VACATION.value))
        self.first, self.last = DateField("first"), DateField("last")
        self.first.set_value(self._choice.today)
        self.last.set_value(self._choice.today)
        self.form.add_field("professional_id", self.tr("&Profissional:"), self.professional)
        self.form.add_field("reason", self.tr("&Motivo:"), self.reason)
        self.form.add_field("first", self.tr("&De:"), self.first)
        self.form.add_field("last", self.tr("A&té:"), self.last)
        self.form.add_field("whole_day", self.tr("Período:"), *self._build_times())
        self.note = QLineEdit()
        self.note.setMaxLength(200)
        self.note.setPlaceholderText(self.tr("Ex.: férias regulamentares, reunião de equipe"))
        self.form.add_field("note", self.tr("&Observação:"), self.note)
        self._last_field(self.note)
        return box

    def _build_times(self) -> tuple[QWidget, QWidget]:
        """The "dia inteiro" box and, when unticked, the start time of the first day and the end
        time of the last."""
        self.whole_day = QCheckBox(self.tr("Dias &inteiros"))
        self.whole_day.setChecked(True)
        self.start, self.end = TimeField("start"), TimeField("end")
        self.start.set_value(time(8, 0))
        self.end.set_value(time(12, 0))
        row_widget = QWidget()
        row = QHBoxLayout(row_widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.whole_day)
        row.addSpacing(12)
        for text, field in ((self.tr("da&s"), self.start), (self.tr("à&s"), self.end)):
            label = QLabel(text)
            label.setBuddy(field)
            row.addWidget(label)
            row.addWidget(field)
            self.form.advance_on_enter(field)
        row.addStretch(1)
        self.whole_day.toggled.connect(self._toggle_times)
        self._toggle_times(True)
        return self.whole_day, row_widget

    def _toggle_times(self, whole: bool) -> None:
        self.start.setEnabled(not whole)
        self.end.setEnabled(not whole)

    def _show_professionals(self, people: list[ProfessionalRow]) -> None:
        for person in people:
            title = f" – {person.cbo_title}" if person.cbo_title else ""
            self.professional.addItem(f"{person.name}{title}", str(person.id))
        chosen = self.professional.findData(str(self._choice.professional_id))
        self.professional.setCurrentIndex(max(chosen, 0))

    def reload(self) -> None:
        ctx, choice = self.ctx, self._choice

        def work() -> list[BlockRow]:
            with ctx.db.read_only() as session:
                return list_blocks(session, ctx.actor, choice.unit_cnes, choice.today)

        ctx.ops.run(work, self.model.set_rows, parent=self)

    def _period(self) -> tuple[datetime, datetime] | dict[str, str]:
        """The local period typed, or the errors of its fields."""
        first, last = self.first.value(), self.last.value()
        errors = {n: self.tr("Informe a data (dd/mm/aaaa).")
                  for n, v in (("first", first), ("last", last)) if v is None}  # fmt: skip
        whole = self.whole_day.isChecked()
        start, end = (time(0), time(0)) if whole else (self.start.value(), self.end.value())
        if start is None or end is None:
            errors["whole_day"] = self.tr("Informe os horários (HH:MM).")
        if errors or first is None or last is None or start is None or end is None:
            return errors
        tz = zone(self.ctx.installation.timezone)
        ends_on = last + timedelta(days=1) if whole else last
        begin = datetime.combine(first, start, tzinfo=tz)
        return begin, datetime.combine(ends_on, end, tzinfo=tz)

    def save(self) -> None:
        period = self._period()
        if isinstance(period, dict):
            self.show_errors(period)
            return
        data = agendas.BlockInput(
            self._choice.unit_cnes, period[0], period[1], BlockReason(self.reason.currentData()),
            str(self.professional.currentData() or ""), self.note.text(),
        )  # fmt: skip
        ctx = self.ctx

        def work() -> agendas.BlockResult:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return agendas.block_period(session, ctx.actor, data)

        self._run(work, self._blocked)

    def show_errors(self, errors: dict[str, str]) -> None:
        # The service speaks of the block's end; the clerk typed it in "Até".
        if "ends_at" in errors:
            errors = {("last" if k == "ends_at" else k): v for k, v in errors.items()}
        super().show_errors(errors)

    def _blocked(self, result: agendas.BlockResult) -> None:
        self.ctx.bus.changed.emit("agenda")
        text = self.tr("Bloqueio registrado: {count} vaga(s) bloqueada(s).")
        text = text.format(count=result.slots_blocked)
        if result.affected:
            people = "; ".join(
                f"{b.citizen_name} ({self._local(b.starts_at):%d/%m %H:%M})"
                for b in result.affected
            )
            text += " " + self.tr(
                "Agendamentos nesse período continuam marcados — avise e remarque: {people}."
            ).format(people=people)
        self.message.setText(text)
        self.note.clear()
        self.reload()

    def _local(self, instant: datetime) -> datetime:
        return local_time(instant, self.ctx.installation.timezone)

    def remove_selected(self) -> None:
        row = self.model.row_for(self.table.currentIndex())
        if row is None:
            self.message.setText(self.tr("Selecione na lista o bloqueio a remover."))
            return
        ctx = self.ctx

        def work() -> int:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return agendas.remove_block(session, ctx.actor, row.id)

        def done(opened: int) -> None:
            ctx.bus.changed.emit("agenda")
            text = self.tr("Bloqueio removido: {count} vaga(s) liberada(s).")
            self.message.setText(text.format(count=opened))
            self.reload()

        ctx.ops.run(work, done, parent=self)


# --- holidays -------------------------------------------------------------------------------------


class HolidaysDialog(_FormDialog):
    """The year's holidays: national ones (read-only, from the law) and the municipality's, which
    can be added and removed ("Feriados municipais")."""

    def __init__(self, ctx: AppContext, today: date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("holidays_dialog")
        self.setWindowTitle(self.tr("Feriados municipais"))
        self.model = HolidayModel(parent=self)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_year(today.year))
        self.table = rows_table(self.model)
        self.table.setObjectName("holidays")
        layout.addWidget(self.table, 1)
        layout.addWidget(self._build_new_holiday(today))
        self.message = _message("holidays_message")
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons(self.tr("&Incluir feriado")))
        self.resize(640, 600)
        self.reload()
        self.day.setFocus()

    def _build_year(self, year: int) -> QHBoxLayout:
        row = QHBoxLayout()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(year)
        self.year.valueChanged.connect(lambda _y: self.reload())
        label = QLabel(self.tr("&Ano:"))
        label.setBuddy(self.year)
        self.remove_button = _button(self.tr("&Remover feriado municipal"), "remove_holiday")
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(label)
        row.addWidget(self.year)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        return row

    def _build_new_holiday(self, today: date) -> QGroupBox:
        box = QGroupBox(self.tr("Novo feriado municipal"))
        column = QVBoxLayout(box)
        column.addWidget(self.form_error)
        column.addLayout(self.form)
        self.day = DateField("day")
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.name.setPlaceholderText(self.tr("Ex.: Aniversário do município"))
        self.form.add_field("day", self.tr("&Data:"), self.day)
        self.form.add_field("name", self.tr("&Nome:"), self.name)
        self._last_field(self.name)
        note = QLabel(self.tr("Novas vagas não são geradas no feriado. Vagas já geradas nesse dia "
                              "continuam: use “Bloquear agenda” para fechá-las."))  # fmt: skip
        note.setWordWrap(True)
        note.setEnabled(False)
        column.addWidget(note)
        return box

    def reload(self) -> None:
        ctx, year = self.ctx, self.year.value()

        def work() -> list[HolidayRow]:
            with ctx.db.read_only() as session:
                return list_holidays(session, ctx.actor, year)

        ctx.ops.run(work, self.model.set_rows, parent=self)

    def save(self) -> None:
        day, name = self.day.value(), self.name.text()
        if day is None:
            self.show_errors({"day": self.tr("Informe a data (dd/mm/aaaa).")})
            return
        ctx = self.ctx

        def work() -> uuid.UUID:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return agendas.add_municipal_holiday(session, ctx.actor, day, name)

        def done(_id: uuid.UUID) -> None:
            ctx.bus.changed.emit("agenda")
            text = self.tr("Feriado municipal de {day} incluído.").format(day=f"{day:%d/%m/%Y}")
            self.message.setText(text)
            self.day.set_value(None)
            self.name.clear()
            self.day.setFocus()
            if day.year != self.year.value():
                self.year.setValue(day.year)  # reloads
            else:
                self.reload()

        self._run(work, done)

    def remove_selected(self) -> None:
        row = self.model.row_for(self.table.currentIndex())
        if row is None or row.national or row.id is None:
            text = self.tr("Selecione um feriado municipal: os nacionais não podem ser removidos.")
            self.message.setText(text)
            return
        ctx, holiday_id = self.ctx, row.id

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                agendas.remove_municipal_holiday(session, ctx.actor, holiday_id)

        def done(_none: None) -> None:
            ctx.bus.changed.emit("agenda")
            self.message.setText(self.tr("Feriado “{name}” removido.").format(name=row.name))
            self.reload()

        ctx.ops.run(work, done, parent=self)


# --- waiting list ---------------------------------------------------------------------------------


class WaitingEntryDialog(_FormDialog):
    """Put a chosen citizen on the unit's waiting list ("Incluir na lista de espera").

    Signals:
        saved(object): the entry's id.
    """

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        choice: AgendaChoice,
        citizen: CitizenRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("waiting_entry_dialog")
        self.setWindowTitle(self.tr("Incluir na lista de espera"))
        self._choice, self._citizen = choice, citizen
        layout = QVBoxLayout(self)
        layout.addWidget(self.form_error)
        layout.addLayout(self._build_form())
        layout.addLayout(self._build_buttons(self.tr("&Incluir")))
        self.resize(700, self.sizeHint().height())
        _load_professionals(ctx, choice.unit_cnes, self._show_professionals, self)
        self.professional.setFocus()

    def _build_form(self) -> FormLayout:
        who = QLabel(f"<b>{self._citizen.name}</b>")
        who.setObjectName("citizen")
        self.form.addRow(self.tr("Cidadão:"), who)
        self.professional = QComboBox()
        self.professional.addItem(self.tr("Qualquer profissional da ocupação"), "")
        self.occupation = QComboBox()
        self.occupation.addItem(self.tr("Selecione…"), "")
        self.priority = QComboBox()
        for priority in sorted(WaitingPriority, key=lambda p: p.rank):
            self.priority.addItem(priority.label, priority.value)
        self.priority.setCurrentIndex(self.priority.findData(WaitingPriority.NORMAL.value))
        self.note = QLineEdit()
        self.note.setMaxLength(200)
        self.note.setPlaceholderText(self.tr("Ex.: prefere o período da manhã"))
        self.form.add_field("professional_id", self.tr("&Profissional:"), self.professional)
        self.form.add_field("cbo", self.tr("&Ocupação (CBO):"), self.occupation)
        self.form.add_field("priority", self.tr("P&rioridade:"), self.priority)
        self.form.add_field("note", self.tr("Ob&servação:"), self.note)
        self._last_field(self.note)
        self.professional.currentIndexChanged.connect(self._follow_professional)
        return self.form

    def _show_professionals(self, people: list[ProfessionalRow]) -> None:
        self._cbo_of = {str(p.id): p.cbo for p in people}
        for cbo, title in sorted({(p.cbo, p.cbo_title) for p in people}, key=lambda c: c[1]):
            self.occupation.addItem(f"{title} ({cbo})", cbo)
        for person in people:
            title = f" – {person.cbo_title}" if person.cbo_title else ""
            self.professional.addItem(f"{person.name}{title}", str(person.id))
        chosen = self.professional.findData(str(self._choice.professional_id))
        self.professional.setCurrentIndex(max(chosen, 0))

    def _follow_professional(self, _index: int) -> None:
        """A chosen professional fixes the occupation too (the list matches either)."""
        cbo = getattr(self, "_cbo_of", {}).get(self.professional.currentData() or "")
        if cbo:
            self.occupation.setCurrentIndex(self.occupation.findData(cbo))
        self.occupation.setEnabled(not cbo)

    def save(self) -> None:
        professional = self.professional.currentData() or ""
        data = appointments.WaitingInput(
            self._citizen.id, self._choice.unit_cnes,
            uuid.UUID(professional) if professional else None,
            str(self.occupation.currentData() or ""),
            WaitingPriority(self.priority.currentData()), self.note.text(),
        )  # fmt: skip
        ctx = self.ctx

        def work() -> uuid.UUID:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return appointments.add_to_waiting_list(session, ctx.actor, data)

        self._run(work, self._saved)

    def _saved(self, entry_id: uuid.UUID) -> None:
        self.ctx.bus.changed.emit("waiting")
        self.saved.emit(entry_id)
        self.accept()


def start_waiting_entry(
    ctx: AppContext,
    choice: AgendaChoice,
    parent: QWidget,
    on_saved: Callable[[str], None] | None = None,
) -> CitizenSearchDialog:
    """Find the citizen (the booking search), then ask for whom and with which priority."""
    search = CitizenSearchDialog(ctx, parent)
    search.setObjectName("waiting_search_dialog")
    search.configure(
        search.tr("Incluir na lista de espera – cidadão"),
        search.tr("Quem vai aguardar uma vaga na unidade?"),
        search.tr("&Escolher"),
        search.tr("escolhe"),
    )
    search.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen(citizen: CitizenRow) -> None:
        dialog = WaitingEntryDialog(ctx, choice, citizen, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_saved is not None:
            dialog.saved.connect(lambda _id: on_saved(citizen.name))
        dialog.open()

    search.chosen.connect(chosen)
    search.open()
    search.search_box.setFocus()
    return search


class WaitingQueueDialog(QDialog):
    """The unit's waiting list, in calling order, with "Incluir…" ("Lista de espera")."""

    def __init__(self, ctx: AppContext, choice: AgendaChoice, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("waiting_queue_dialog")
        self.setWindowTitle(self.tr("Lista de espera"))
        self.ctx, self._choice = ctx, choice
        self._titles: dict[str, str] = {}
        self.model = WaitingListModel(self._to_local, self._titles.get, self)
        layout = QVBoxLayout(self)
        text = self.tr(
            "Quem aguarda vaga nesta unidade, na ordem de chamada (prioridade, depois tempo de "
            "espera). Ao cancelar um agendamento, a vaga é oferecida a eles."
        )
        intro = QLabel(text)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = rows_table(self.model)
        self.table.setObjectName("waiting_list")
        layout.addWidget(self.table, 1)
        self.message = _message("waiting_message")
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons())
        ctx.bus.changed.connect(self._on_changed)
        self.resize(820, 420)
        _load_professionals(ctx, choice.unit_cnes, self._remember_titles, self)
        self.reload()

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.add_button = _button(self.tr("&Incluir…"), "add_waiting", self.tr("Ctrl+N"))
        self.add_button.clicked.connect(self.add)
        self.add_button.setVisible(self.ctx.actor.can(agendas.SCHEDULE))
        close = _button(self.tr("Fechar"), "close")
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+N"), self, self.add)
        row.addWidget(self.add_button)
        row.addStretch(1)
        row.addWidget(close)
        return row

    def _remember_titles(self, people: list[ProfessionalRow]) -> None:
        self._titles.update({p.cbo: p.cbo_title for p in people})
        self.model.set_rows(self.model.rows())

    def _to_local(self, instant: datetime) -> datetime:
        return self.ctx.local(instant)

    def _on_changed(self, kind: str) -> None:
        if kind in ("waiting", "appointment") and shiboken6.isValid(self):
            self.reload()

    def reload(self) -> None:
        ctx, cnes = self.ctx, self._choice.unit_cnes

        def work() -> list[WaitingRow]:
            with ctx.db.read_only() as session:
                return waiting_list(session, ctx.actor, cnes)

        ctx.ops.run(work, self.model.set_rows, parent=self)

    def add(self) -> None:
        if not self.ctx.actor.can(agendas.SCHEDULE):
            return

        def saved(name: str) -> None:
            self.message.setText(
                self.tr("{name} incluído(a) na lista de espera.").format(name=name)
            )

        start_waiting_entry(self.ctx, self._choice, self, saved)


# --- the page's menu ------------------------------------------------------------------------------


def admin_menu(ctx: AppContext, choice: Callable[[], AgendaChoice], parent: QWidget) -> QMenu:
    """The Agenda page's "Administrar agenda" menu; each entry opens its dialog with the page's
    current choice."""
    menu = QMenu(parent)
    menu.setObjectName("agenda_admin_menu")
    may_schedule = ctx.actor.can(agendas.SCHEDULE)

    def opener(factory: Callable[[AgendaChoice], QDialog]) -> Callable[[], None]:
        def open_dialog() -> None:
            dialog = factory(choice())
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

        return open_dialog

    entries: list[tuple[str, str, Callable[[], None], bool]] = [
        (menu.tr("&Modelos de agenda…"), "templates",
         opener(lambda c: TemplatesDialog(ctx, c, parent)), may_schedule),
        (menu.tr("&Bloquear agenda…"), "blocks",
         opener(lambda c: BlocksDialog(ctx, c, parent)), may_schedule),
        (menu.tr("&Feriados municipais…"), "holidays",
         opener(lambda c: HolidaysDialog(ctx, c.today, parent)), may_schedule),
        (menu.tr("&Lista de espera…"), "waiting_list",
         opener(lambda c: WaitingQueueDialog(ctx, c, parent)), True),
        (menu.tr("&Incluir na lista de espera…"), "add_waiting",
         lambda: _start_from_menu(ctx, choice(), parent), may_schedule),
    ]  # fmt: skip
    for text, name, slot, visible in entries:
        action = menu.addAction(text)
        action.setObjectName(name)
        action.setVisible(visible)
        action.triggered.connect(slot)
    return menu


def _start_from_menu(ctx: AppContext, choice: AgendaChoice, parent: QWidget) -> None:
    def saved(name: str) -> None:
        text = parent.tr("{name} incluído(a) na lista de espera.").format(name=name)
        message = parent.findChild(QLabel, "agenda_message")
        if message is not None:
            message.setText(text)

    start_waiting_entry(ctx, choice, parent, saved)


__all__ = [
    "AgendaChoice",
    "BlocksDialog",
    "GenerateSlotsDialog",
    "HolidaysDialog",
    "TemplateFormDialog",
    "TemplatesDialog",
    "WaitingEntryDialog",
    "WaitingQueueDialog",
    "admin_menu",
]
