"""The search field at the top of every list: searches while the clerk types, without a query per
keystroke.

`search_requested(text)` is emitted 250 ms after typing stops (a single-shot QTimer restarted on
each edit, so "joaquina" typed quickly costs one query, not eight) and at once on Enter. The Down
arrow asks the list to take the focus (`move_down_requested`), so the clerk never needs the mouse.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

DEBOUNCE_MS = 250


class SearchBox(QLineEdit):
    """A line edit that emits debounced searches.

    Signals:
        search_requested(str): the text to search for (stripped).
        move_down_requested(): the clerk pressed Down to go to the results.
    """

    search_requested = Signal(str)
    move_down_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("search_box")
        self.setPlaceholderText(self.tr("Buscar por nome, CNS ou CPF…"))
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit_now)
        self.textChanged.connect(lambda _text: self._timer.start())
        self.returnPressed.connect(self._emit_now)

    def _emit_now(self) -> None:
        self._timer.stop()
        text = self.text().strip()
        self.search_requested.emit(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and not event.modifiers():
            self.move_down_requested.emit()
            return
        super().keyPressEvent(event)
