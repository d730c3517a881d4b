"""Municipal holidays, listed beside the national ones (read-only, from the `holidays` package):
adding and removing them; agendas skip both when generating slots.
"""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.care import agendas
from app.care.agenda_queries import (
    HolidayRow,
    list_holidays,
)
from ui.care.agenda_forms import (
    FormDialog,
    action_button,
    message_label,
)
from ui.care.agenda_models import HolidayModel
from ui.context import AppContext
from ui.widgets.fields import DateField
from ui.widgets.tables import rows_table

# --- holidays -------------------------------------------------------------------------------------


class HolidaysDialog(FormDialog):
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
        self.message = message_label("holidays_message")
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
        self.remove_button = action_button(self.tr("&Remover feriado municipal"), "remove_holiday")
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
