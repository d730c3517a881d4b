"""Fields that complete codes as the clerk types: `CompletingEdit` (SIGTAP procedures by code or
words, of the attendance's competence; CID-10 by code or words), looked up off the GUI thread after
a short pause, and `ProcedureLine`, one procedure line of the attendance form (code, quantity,
the procedure's name and the error under it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, QTimer
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.care.attendance_rules import (
    MAX_QUANTITY,
)
from app.care.entry_queries import procedure_choices
from app.reference.cid10 import search_icd10
from ui.context import AppContext
from ui.widgets.fields import ErrorLabel

DEBOUNCE_MS = 250
SEPARATOR = " — "
Lookup = Callable[[Session, str], list[tuple[str, str]]]


# --- completing fields ----------------------------------------------------------------------------


class CompletingEdit(QLineEdit):
    """A line edit whose completions come from `lookup(session, text)` → [(code, description)],
    run in the worker 250 ms after the last key. `code()` is what the clerk chose or typed;
    `description` shows what the code means once it is known.
    """

    def __init__(self, ctx: AppContext, lookup: Lookup, field: str, width_chars: int) -> None:
        super().__init__()
        self.setObjectName(f"field_{field}")
        self._ctx, self._lookup, self._generation = ctx, lookup, 0
        self._known: dict[str, str] = {}
        self.error_label = ErrorLabel(field)
        self.description = QLabel()
        self.description.setObjectName(f"description_{field}")
        self.description.setWordWrap(True)
        self.setFixedWidth(self.fontMetrics().horizontalAdvance("8" * width_chars) + 24)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self._choices = QStringListModel(self)
        completer = QCompleter(self._choices, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(10)
        completer.activated[str].connect(self._chosen)
        self.setCompleter(completer)
        self.textEdited.connect(self._edited)
        self.editingFinished.connect(self.search_now)

    def code(self) -> str:
        return self.text().split(SEPARATOR)[0].strip()

    def set_code(self, code: str, description: str = "") -> None:
        self.setText(code)
        self._known[code] = description
        self.description.setText(description)

    def _edited(self, _text: str) -> None:
        self.description.clear()
        self._timer.start()

    def _chosen(self, text: str) -> None:
        code, _, description = text.partition(SEPARATOR)
        self.setText(code.strip())
        self.description.setText(description)

    def search_now(self) -> None:
        """Look the typed text up now (Enter, leaving the field) instead of waiting."""
        self._timer.stop()
        typed = self.code()
        if not typed:
            self.description.clear()
            return
        if typed in self._known:
            self.description.setText(self._known[typed])
            return
        self._generation += 1
        generation, ctx, lookup = self._generation, self._ctx, self._lookup

        def work() -> tuple[int, str, list[tuple[str, str]]]:
            with ctx.db.read_only() as session:
                return generation, typed, lookup(session, typed)

        ctx.ops.run(work, self._show, parent=self)

    def _show(self, result: tuple[int, str, list[tuple[str, str]]]) -> None:
        generation, typed, found = result
        if generation != self._generation:
            return
        exact = {plain_code(code): text for code, text in found}
        match = exact.get(plain_code(typed))
        if match is not None:
            self._known[typed] = match
            if self.code() == typed:
                self.description.setText(match)
            self.completer().popup().hide()
            return
        self._choices.setStringList([f"{code}{SEPARATOR}{text}" for code, text in found])
        if found and self.hasFocus() and self.code() == typed:
            self.completer().complete()


def plain_code(code: str) -> str:
    return code.replace(".", "").replace("-", "").upper()


def procedure_lookup(competence: Callable[[], str]) -> Lookup:
    def lookup(session: Session, text: str) -> list[tuple[str, str]]:
        return [(p.code, p.name) for p in procedure_choices(session, competence(), text)]

    return lookup


def icd10_lookup(session: Session, text: str) -> list[tuple[str, str]]:
    return [(row.dotted, row.description) for row in search_icd10(session, text, 30)]


class ProcedureLine(QWidget):
    """One procedure of the ficha: SIGTAP code (with completion), quantity, name, error."""

    def __init__(self, ctx: AppContext, number: int, competence: Callable[[], str]) -> None:
        super().__init__()
        self.setObjectName(f"procedure_line_{number}")
        self.code_edit = CompletingEdit(ctx, procedure_lookup(competence), f"procedure_{number}",
                                        14)  # fmt: skip
        self.code_edit.setPlaceholderText(self.tr("código ou nome"))
        self.code_edit.error_label.setObjectName(f"error_procedures.{number}")
        self.error_label = self.code_edit.error_label
        self.quantity = QSpinBox()
        self.quantity.setObjectName(f"field_quantity_{number}")
        self.quantity.setRange(1, MAX_QUANTITY)
        self.quantity.setAccessibleName(self.tr("Quantidade"))
        self._build(number)

    def _build(self, number: int) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.number_label = QLabel(f"{number + 1}.")
        self.number_label.setFixedWidth(self.fontMetrics().horizontalAdvance("88.") + 4)
        row.addWidget(self.number_label)
        row.addWidget(self.code_edit)
        caption = QLabel(self.tr("Qtd."))
        caption.setBuddy(self.quantity)
        row.addWidget(caption)
        row.addWidget(self.quantity)
        row.addWidget(self.code_edit.description, 1)
        column.addLayout(row)
        column.addWidget(self.error_label)

    def code(self) -> str:
        return self.code_edit.code()

    def clear(self) -> None:
        self.code_edit.clear()
        self.code_edit.description.clear()
        self.quantity.setValue(1)
        self.error_label.show_message(None)
