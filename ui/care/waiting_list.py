"""The unit's waiting list: the queue in calling order (priority, then time waited) and adding a
citizen (found through the booking search) for a professional or any professional of an
occupation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.care import agendas, appointments
from app.care.agenda_queries import (
    ProfessionalRow,
    WaitingRow,
    waiting_list,
)
from app.care.agenda_rules import WaitingPriority
from app.registry.queries import CitizenRow
from ui.care.agenda_dialogs import CitizenSearchDialog
from ui.care.agenda_forms import (
    AgendaChoice,
    FormDialog,
    action_button,
    load_professionals,
    message_label,
)
from ui.care.agenda_models import WaitingListModel
from ui.context import AppContext
from ui.widgets.fields import FormLayout
from ui.widgets.tables import rows_table

# --- waiting list ---------------------------------------------------------------------------------


class WaitingEntryDialog(FormDialog):
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
        load_professionals(ctx, choice.unit_cnes, self._show_professionals, self)
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
        self.model = WaitingListModel(self.ctx.local, self._titles.get, self)
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
        self.message = message_label("waiting_message")
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons())
        ctx.bus.changed.connect(self._on_changed)
        self.resize(820, 420)
        load_professionals(ctx, choice.unit_cnes, self._remember_titles, self)
        self.reload()

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.add_button = action_button(self.tr("&Incluir…"), "add_waiting", self.tr("Ctrl+N"))
        self.add_button.clicked.connect(self.add)
        self.add_button.setVisible(self.ctx.actor.can(agendas.SCHEDULE))
        close = action_button(self.tr("Fechar"), "close")
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+N"), self, self.add)
        row.addWidget(self.add_button)
        row.addStretch(1)
        row.addWidget(close)
        return row

    def _remember_titles(self, people: list[ProfessionalRow]) -> None:
        self._titles.update({p.cbo: p.cbo_title for p in people})
        self.model.set_rows(self.model.rows())

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
