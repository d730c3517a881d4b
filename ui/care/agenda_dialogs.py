"""Dialogs of the agenda page: find a citizen (to book, or for the waiting list), give the reason
of a cancellation, and offer a freed slot to the waiting list.

Each is keyboard-first. Booking: type a name, CNS or CPF (the list follows as with the citizen
page), Down to the results, Enter books the highlighted citizen. Cancelling: type or pick the
reason, Enter. Waiting list: the candidates come in the order they should be called; Enter books
the highlighted one into the freed slot, Esc leaves the slot free. The dialogs only choose: the
page runs the service calls, so each dialog emits what was chosen and closes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.care.agenda_queries import WaitingCandidate
from app.registry.queries import CitizenFilter, CitizenRow, find_citizens
from ui.care.agenda_models import CitizenPickModel, WaitingModel
from ui.context import AppContext
from ui.widgets.search_box import SearchBox
from ui.widgets.tables import rows_table

SEARCH_LIMIT = 50
CANCEL_REASONS = (
    "Pedido do cidadão",
    "Profissional ausente",
    "Agendamento em duplicidade",
    "Cidadão internado ou em outro serviço",
)


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)  # Enter belongs to the list and the fields, not to a button
    return button


class CitizenSearchDialog(QDialog):
    """Find a citizen (for booking, for the waiting list, …): `configure` sets the texts.

    Signals:
        chosen(object): the `CitizenRow` picked (Enter on the list or the action button).
    """

    chosen = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("citizen_search_dialog")
        self._ctx = ctx
        self._generation = 0
        self._action = ""
        self.model = CitizenPickModel(parent=self)
        self._build_ui()
        self._connect()
        self.resize(720, 420)

    def configure(self, title: str, heading: str, button: str, action: str) -> None:
        """Window title, the line above the search, the button's text and the verb of the hint
        ("agenda", "escolhe")."""
        self.setWindowTitle(title)
        self.heading.setText(heading)
        self.book_button.setText(button)
        self._action = action
        hint = self.tr("Digite o nome, o CNS ou o CPF; ↓ vai à lista; Enter {action}.")
        self.hint.setText(hint.format(action=action))

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        layout.addWidget(self.heading)
        self.search_box = SearchBox()
        layout.addWidget(self.search_box)
        self.table = rows_table(self.model)
        self.table.setObjectName("citizen_results")
        layout.addWidget(self.table, 1)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        layout.addWidget(self.hint)
        layout.addLayout(self._build_buttons())

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.book_button = _button(self.tr("&Escolher"), "book")
        self.close_button = _button(self.tr("Fechar"), "close")
        row.addStretch(1)
        row.addWidget(self.book_button)
        row.addWidget(self.close_button)
        return row

    def _connect(self) -> None:
        self.search_box.search_requested.connect(self.search)
        self.search_box.move_down_requested.connect(self._focus_list)
        self.table.activated.connect(lambda _index: self._choose())
        self.book_button.clicked.connect(self._choose)
        self.close_button.clicked.connect(self.reject)

    def search(self, text: str) -> None:
        self._generation += 1
        generation, ctx = self._generation, self._ctx
        if not text:
            self.model.set_rows([])
            return

        def work() -> tuple[int, list[CitizenRow]]:
            with ctx.db.read_only() as session:
                rows = find_citizens(
                    session, ctx.actor, CitizenFilter(text=text), limit=SEARCH_LIMIT
                )
            return generation, rows

        ctx.ops.run(work, self._show, parent=self)

    def _show(self, result: tuple[int, list[CitizenRow]]) -> None:
        generation, rows = result
        if generation != self._generation:
            return  # an older search answered after a newer one started
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        self.hint.setText(
            self.tr("{count} encontrado(s). ↓ vai à lista; Enter {action}.").format(
                count=len(rows), action=self._action
            )
            if rows
            else self.tr("Nenhum cidadão encontrado.")
        )

    def _focus_list(self) -> None:
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectRow(0)

    def _choose(self) -> None:
        row = self.model.row_for(self.table.currentIndex())
        if row is None:
            self.search_box.setFocus()
            return
        self.chosen.emit(row)
        self.accept()


class BookingDialog(CitizenSearchDialog):
    """Find the citizen to book into a slot (`chosen` gives the `CitizenRow`)."""

    def __init__(self, ctx: AppContext, slot_text: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("booking_dialog")
        self.configure(
            self.tr("Agendar – {slot}").format(slot=slot_text),
            self.tr("Horário: {slot}").format(slot=slot_text),
            self.tr("&Agendar"),
            self.tr("agenda"),
        )


class CancelDialog(QDialog):
    """Ask the reason of a cancellation.

    Signals:
        confirmed(str): the reason typed or picked.
    """

    confirmed = Signal(str)

    def __init__(self, citizen: str, slot_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cancel_dialog")
        self.setWindowTitle(self.tr("Cancelar agendamento"))
        layout = QVBoxLayout(self)
        question = self.tr("Cancelar o agendamento de {citizen} ({slot})?")
        layout.addWidget(QLabel(question.format(citizen=citizen, slot=slot_text)))
        layout.addWidget(QLabel(self.tr("&Motivo do cancelamento:")))
        layout.addWidget(self._build_reason())
        self.error = QLabel()
        self.error.setObjectName("error_reason")
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout.addWidget(self.error)
        layout.addLayout(self._build_buttons())
        self.reason.setFocus()

    def _build_reason(self) -> QComboBox:
        self.reason = QComboBox()
        self.reason.setObjectName("reason")
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason.addItems(list(CANCEL_REASONS))
        self.reason.setCurrentIndex(-1)
        self.reason.setEditText("")
        line = self.reason.lineEdit()
        line.setPlaceholderText(self.tr("Digite ou escolha (↓) o motivo"))
        line.returnPressed.connect(self._confirm)
        return self.reason

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.ok_button = _button(self.tr("Cancelar &agendamento"), "confirm_cancel")
        self.back_button = _button(self.tr("&Voltar"), "back")
        self.ok_button.clicked.connect(self._confirm)
        self.back_button.clicked.connect(self.reject)
        row.addStretch(1)
        row.addWidget(self.ok_button)
        row.addWidget(self.back_button)
        return row

    def _confirm(self) -> None:
        reason = " ".join(self.reason.currentText().split())
        if len(reason) < 3:
            self.error.setText(self.tr("Informe o motivo do cancelamento."))
            self.error.show()
            self.reason.setFocus()
            return
        self.confirmed.emit(reason)
        self.accept()


class WaitingListDialog(QDialog):
    """Offer a freed slot to the waiting list.

    Signals:
        chosen(object): the `WaitingCandidate` to book into the slot.
    """

    chosen = Signal(object)

    def __init__(
        self,
        candidates: list[WaitingCandidate],
        slot_text: str,
        to_local: Callable[[datetime], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("waiting_list_dialog")
        self.setWindowTitle(self.tr("Vaga liberada – lista de espera"))
        self.model = WaitingModel(to_local, self)
        self.model.set_rows(candidates)
        layout = QVBoxLayout(self)
        text = self.tr(
            "O horário {slot} ficou livre. Ofereça-o a quem está na lista de espera, na ordem "
            "abaixo (prioridade, depois tempo de espera). Enter agenda o cidadão selecionado."
        )
        label = QLabel(text.format(slot=slot_text))
        label.setWordWrap(True)
        layout.addWidget(label)
        self.table = rows_table(self.model)
        self.table.setObjectName("waiting_candidates")
        layout.addWidget(self.table, 1)
        layout.addLayout(self._build_buttons())
        self.table.activated.connect(lambda _index: self._choose())
        self.table.setFocus()
        self.table.selectRow(0)
        self.resize(720, 320)

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.book_button = _button(self.tr("&Agendar selecionado"), "book_candidate")
        self.leave_button = _button(self.tr("&Deixar livre"), "leave_free")
        self.book_button.clicked.connect(self._choose)
        self.leave_button.clicked.connect(self.reject)
        row.addStretch(1)
        row.addWidget(self.book_button)
        row.addWidget(self.leave_button)
        return row

    def _choose(self) -> None:
        row = self.model.row_for(self.table.currentIndex())
        if row is not None:
            self.chosen.emit(row)
            self.accept()
