"""Weekly templates of a professional at a unit ("Modelos de agenda"): the list, the form to create
or edit one (overlaps refused beside the field), deactivation, and "Gerar vagas" for a period,
which reports the holidays it skipped.
"""

from __future__ import annotations

import uuid
from datetime import time, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.care import agendas
from app.care.agenda_queries import (
    TemplateRow,
    list_templates,
)
from app.care.agenda_rules import WEEKDAYS, TemplateInput
from ui.care.agenda_forms import (
    GENERATION_DAYS,
    AgendaChoice,
    FormDialog,
    TimeField,
    action_button,
    message_label,
    spin_box,
)
from ui.care.agenda_models import TemplateModel
from ui.context import AppContext
from ui.widgets.fields import DateField, FormLayout
from ui.widgets.tables import rows_table

# --- weekly templates -----------------------------------------------------------------------------


class TemplateFormDialog(FormDialog):
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
        self.slot_minutes = spin_box(5, 240, " min")
        self.capacity = spin_box(1, 50)
        self.overbooking = spin_box(0, 20)
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


class GenerateSlotsDialog(FormDialog):
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
        self.message = message_label("templates_message")
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons())
        self._connect()
        self.resize(760, 380)
        self.reload()

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_button = action_button(self.tr("&Novo…"), "new_template", self.tr("Ctrl+N"))
        self.edit_button = action_button(self.tr("&Editar…"), "edit_template", self.tr("Enter"))
        self.deactivate_button = action_button(self.tr("&Desativar"), "deactivate_template")
        self.generate_button = action_button(self.tr("&Gerar vagas…"), "generate_slots")
        self.close_button = action_button(self.tr("Fechar"), "close")
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
