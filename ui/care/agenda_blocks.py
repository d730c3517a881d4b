"""Blocks of an agenda (vacations, meetings, the whole unit): the list from today on, a new block
(which names the bookings it hits, so the clerk can warn those citizens) and removing one.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.care import agendas
from app.care.agenda_queries import (
    BlockRow,
    ProfessionalRow,
    list_blocks,
)
from app.care.agenda_rules import BlockReason
from app.reports.styles import local_time, zone
from ui.care.agenda_forms import (
    AgendaChoice,
    FormDialog,
    TimeField,
    action_button,
    load_professionals,
    message_label,
)
from ui.care.agenda_models import BlockModel
from ui.context import AppContext
from ui.widgets.fields import DateField
from ui.widgets.tables import rows_table

# --- blocks ---------------------------------------------------------------------------------------


class BlocksDialog(FormDialog):
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
        self.message = message_label("blocks_message")
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons(self.tr("&Bloquear")))
        self.resize(780, 600)
        load_professionals(ctx, choice.unit_cnes, self._show_professionals, self)
        self.reload()
        self.professional.setFocus()

    def _build_list(self) -> QGroupBox:
        box = QGroupBox(self.tr("Bloqueios a partir de hoje"))
        column = QVBoxLayout(box)
        self.table = rows_table(self.model)
        self.table.setObjectName("blocks")
        self.remove_button = action_button(self.tr("&Remover bloqueio"), "remove_block")
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
