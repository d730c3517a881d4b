"""The pieces every agenda administration dialog is built from: what the Agenda page has chosen
(`AgendaChoice`), a time field, Enter-to-save on the last field, small widget factories, and
`FormDialog`, the keyboard-first dialog base (Enter moves on and saves on the last field, Ctrl+S
saves, Esc closes, the services' `ValidationError` messages beside their fields, one write at a
time through `ctx.ops`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.brazil.identifiers import only_digits
from app.care.agenda_queries import (
    ProfessionalRow,
    list_professionals,
)
from app.errors import ValidationError
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.fields import CheckedLineEdit, ErrorLabel, FormLayout, OnEnter

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


def action_button(text: str, name: str, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)  # Enter belongs to the fields and lists
    if tip:
        button.setToolTip(tip)
    return button


def spin_box(low: int, high: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance("8888 min") + 40)
    return spin


def message_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def load_professionals(
    ctx: AppContext, cnes: str, done: Callable[[list[ProfessionalRow]], None], parent: QWidget
) -> None:
    def work() -> list[ProfessionalRow]:
        with ctx.db.read_only() as session:
            return list_professionals(session, ctx.actor, cnes)

    ctx.ops.run(work, done, parent=parent)


class FormDialog(QDialog):
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
        self.save_button = action_button(save_text, "save", self.tr("Salvar (Ctrl+S)"))
        self.close_button = action_button(self.tr("Fechar"), "close", self.tr("Fechar (Esc)"))
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        row.addWidget(hint, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.close_button)
        return row

    def _last_field(self, widget: QWidget) -> None:
        self.form.submit_on_enter(widget)
        widget.installEventFilter(OnEnter(self.save, self))

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
