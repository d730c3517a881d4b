"""Form fields a clerk types into all day: masked document numbers (CPF, CNS, CEP, telephone, CNES,
IBGE), a masked date, the red label that shows a field's error beside it, and `FormLayout`, which
adds (label, field, error label) rows and maps a service's `ValidationError.errors` onto them.

Fields validate themselves when the clerk leaves them, with the same `app.brazil` functions the
services use, so the message shown on leaving is the message the service would give on saving.
Masks use optional digits ("0" instead of the "9" of `INPUT_MASKS`) because Qt emits
`editingFinished` only for input the mask accepts: with required digits, leaving a half-typed CNS
would say nothing, and the clerk would learn about it only when saving.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.brazil.ibge import municipality_error
from app.brazil.identifiers import (
    INPUT_MASKS,
    cep_error,
    cnes_error,
    cns_error,
    cpf_error,
    only_digits,
    phone_error,
)

ERROR_COLOR = "#b3261e"

_ERROR_FUNCTIONS: dict[str, Callable[[str], str | None]] = {
    "cpf": cpf_error,
    "cns": cns_error,
    "cep": cep_error,
    "phone": phone_error,
    "cnes": cnes_error,
    "ibge": municipality_error,
}

_LANDLINE_FIRST_DIGITS = "2345"


def _optional_mask(kind: str) -> str:
    """The project's mask for `kind` with every required digit made optional (see module doc)."""
    mask, _, blank = INPUT_MASKS[kind].partition(";")
    return mask.replace("9", "0") + ";" + (blank or "_")


class ErrorLabel(QLabel):
    """Small red text under a field; hidden while there is nothing to say."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"error_{field}")
        self.setStyleSheet(f"color: {ERROR_COLOR};")
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))
        self.setFont(font)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, message: str | None) -> None:
        """Show `message`, or hide the label when it is None or empty."""
        self.setText(message or "")
        self.setVisible(bool(message))
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        # Form layouts size a wrapped label for one line and clip the second; asking for the
        # height its current width needs makes the form grow instead.
        needed = self.heightForWidth(self.width()) if self.text() else 0
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)


class CheckedLineEdit(QLineEdit):
    """A line edit that checks itself on leaving and shows the result in its own ErrorLabel."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error_label = ErrorLabel(field)
        self.editingFinished.connect(self.validate)

    def current_error(self) -> str | None:  # pragma: no cover - overridden
        return None

    def validate(self) -> str | None:
        """Check the value now; show and return the message (None when acceptable)."""
        message = self.current_error()
        self.set_error(message)
        return message

    def set_error(self, message: str | None) -> None:
        self.error_label.show_message(message)
        self.setAccessibleDescription(message or "")

    def setText(self, text: str) -> None:
        super().setText(text)
        self._home_if_empty()

    def clear(self) -> None:
        super().clear()
        self._home_if_empty()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        self._home_if_empty()

    def _home_if_empty(self) -> None:
        # In an empty masked field the cursor may sit after the blanks (after setText, or where
        # the mouse clicked), and then typing does nothing: put it at the first position.
        if not only_digits(self.text()):
            self.setCursorPosition(0)


class DocumentField(CheckedLineEdit):
    """A masked field for a Brazilian document number: kind "cpf", "cns", "cep", "phone",
    "cnes" or "ibge". `digits()` gives the storage form; leaving the field validates it.
    """

    def __init__(self, kind: str, field: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(field or kind, parent)
        self.kind = kind
        self._check = _ERROR_FUNCTIONS[kind]
        self.setInputMask(_optional_mask(kind))
        self._fit_width()
        if kind == "phone":
            self.textEdited.connect(self._adapt_phone_mask)

    def _fit_width(self) -> None:
        """Exactly wide enough for the whole mask: no digit scrolls out of sight while typing."""
        shown = self.inputMask().split(";")[0].replace("0", "8").replace(">", "")
        margins = self.textMargins().left() + self.textMargins().right()
        # Fixed: a CEP stretched over half the dialog reads as a field for something longer.
        self.setFixedWidth(self.fontMetrics().horizontalAdvance(shown) + margins + 24)

    def digits(self) -> str:
        return only_digits(self.text())

    def set_digits(self, value: str) -> None:
        """Fill the field from stored digits (the mask places the separators)."""
        digits = only_digits(value)
        if self.kind == "phone":
            self._use_phone_mask(digits)
        self.setText(digits)
        self.set_error(None)

    def current_error(self) -> str | None:
        return self._check(self.digits())

    def _use_phone_mask(self, digits: str) -> bool:
        """Landlines (DDD then 2–5) have 8 digits, mobiles 9: pick the mask; True if it changed."""
        kind = "phone_landline" if digits[2:3] in tuple(_LANDLINE_FIRST_DIGITS) else "phone"
        mask = _optional_mask(kind)
        if self.inputMask() == mask:
            return False
        self.setInputMask(mask)
        return True

    def _adapt_phone_mask(self, _text: str) -> None:
        digits = self.digits()
        if self._use_phone_mask(digits):
            self.setText(digits)
            self.setCursorPosition(self._position_after(len(digits)))

    def _position_after(self, count: int) -> int:
        """Cursor position just after the `count`-th digit of the displayed text."""
        seen = 0
        for position, char in enumerate(self.displayText()):
            if seen == count:
                return position
            seen += char.isdigit()
        return len(self.displayText())


class DateField(CheckedLineEdit):
    """A dd/MM/yyyy date typed as eight digits (no spinbox); `value()` is a date or None."""

    def __init__(self, field: str = "date", parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.setInputMask("00/00/0000;_")
        self.setFixedWidth(self.fontMetrics().horizontalAdvance("88/88/8888") + 24)

    def value(self) -> date | None:
        """The typed date, or None when empty, incomplete or impossible (e.g. 31/02)."""
        digits = only_digits(self.text())
        if len(digits) != 8:
            return None
        try:
            return date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
        except ValueError:
            return None

    def set_value(self, value: date | None) -> None:
        self.setText(value.strftime("%d%m%Y") if value else "")
        self.set_error(None)

    def is_empty(self) -> bool:
        return not only_digits(self.text())

    def current_error(self) -> str | None:
        if self.is_empty() or self.value() is not None:
            return None
        return self.tr("Data inválida.")


def is_enter(event: QEvent) -> bool:
    """A plain Enter/Return key press (keypad included, no other modifier)."""
    return (
        event.type() == QEvent.Type.KeyPress
        and isinstance(event, QKeyEvent)
        and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    )


class OnEnter(QObject):
    """Event filter: Enter in the watched widget calls `action` instead of its own handling
    (a form's last field saves; a quantity field opens the next line)."""

    def __init__(self, action: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._action = action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if is_enter(event):
            self._action()
            return True
        return False


class EnterAdvances(QObject):
    """Event filter: Enter/Return in a field moves to the next field instead of pressing the
    dialog's default button (clerks fill forms with Enter, as on the old terminals).
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        # A Tab lets the widget's own focus chain (and its editingFinished) do the work.
        tab = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(watched, tab)
        return True


class FormLayout(QFormLayout):
    """A form whose rows are (label, field, error label under the field).

    `add_field` returns the row's ErrorLabel; `error_labels` maps field name → ErrorLabel so
    `show_errors(ValidationError.errors)` can put each message beside its field.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error_labels: dict[str, ErrorLabel] = {}
        self.fields: dict[str, QWidget] = {}
        self._enter_filter = EnterAdvances(self)
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def add_field(
        self, name: str, label_text: str, widget: QWidget, shown: QWidget | None = None
    ) -> ErrorLabel:
        """Add a row for field `name`; the label's buddy is the widget (Alt+letter focuses it).

        `shown` is what the row displays when the field sits inside a larger widget.
        """
        error = getattr(widget, "error_label", None)
        if not isinstance(error, ErrorLabel):
            error = ErrorLabel(name)
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(shown or widget)
        column.addWidget(error)
        label = QLabel(label_text)
        label.setBuddy(widget)
        widget.setObjectName(widget.objectName() or f"field_{name}")
        widget.installEventFilter(self._enter_filter)
        self.addRow(label, cell)
        self.error_labels[name] = error
        self.fields[name] = widget
        return error

    def advance_on_enter(self, widget: QWidget) -> None:
        """A widget placed by hand inside a row: Enter there moves on like in the form's fields."""
        widget.installEventFilter(self._enter_filter)

    def submit_on_enter(self, widget: QWidget) -> None:
        """The form's last field: Enter there presses the default button instead of moving on."""
        widget.removeEventFilter(self._enter_filter)

    def show_errors(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Show each message beside its field, clear the others; return the unplaced ones."""
        for name, label in self.error_labels.items():
            label.show_message(errors.get(name))
        return {name: text for name, text in errors.items() if name not in self.error_labels}

    def clear_errors(self) -> None:
        for label in self.error_labels.values():
            label.show_message(None)
