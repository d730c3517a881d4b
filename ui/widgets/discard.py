"""The "Descartar alterações?" question a form asks before throwing typed data away.

Esc, Cancelar or closing the window on a form with unsaved changes opens this window-modal box;
"Continuar editando" is the default (Enter never loses work), "Descartar" calls the form back.
The box's object name "confirm_discard" is what tests look for.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("discard", text)


def is_yes(box: QMessageBox, button: QAbstractButton) -> bool:
    """Whether `button` is the box's Yes button."""
    return box.standardButton(button) == QMessageBox.StandardButton.Yes


def confirm_discard(parent: QWidget, on_discard: Callable[[], object]) -> QMessageBox:
    """Open the question (non-blocking); `on_discard` runs when the user chooses "Descartar"."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        _tr("Descartar alterações"),
        _tr("Os dados digitados não foram salvos. Descartar as alterações?"),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setObjectName("confirm_discard")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.Yes).setText(_tr("Descartar"))
    box.button(QMessageBox.StandardButton.No).setText(_tr("Continuar editando"))
    box.buttonClicked.connect(lambda button: on_discard() if is_yes(box, button) else None)
    box.open()
    return box
