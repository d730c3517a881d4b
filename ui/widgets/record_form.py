"""The frame of a dialog that creates or edits one record (a citizen, an establishment).

What every such form does the same way lives here: a banner at the top for the messages that
belong to no field, the bottom row with the keyboard hint, "Salvar" and "Cancelar", saving in
the worker (the button reads "Salvando…" meanwhile and the form cannot be closed under it), the
change announced on the bus even when the form was closed meanwhile, and the "Descartar
alterações?" question before typed data is thrown away. A subclass builds its fields, says what
is modified (`_snapshot`), checks locally (`_local_errors`), shows errors (`show_errors`) and
starts the save with `_run_save(work)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.errors import ValidationError
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.discard import confirm_discard
from ui.widgets.fields import ErrorLabel

BANNER_STYLE = (
    "QFrame#form_banner { background: #fdecea; border: 1px solid #f2b8b5; border-radius: 4px; }"
)


class RecordFormDialog(QDialog):
    """Create or edit one record; see the module docstring for what a subclass provides.

    Signals:
        saved(object): the service's result, after a successful save, before the form closes.
    """

    saved = Signal(object)
    changed_kind = ""  # what `ctx.bus.changed` announces after a save

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._ctx = ctx
        self._saving = False
        self._discarding = False
        self._initial: object = None

    # --- building ---------------------------------------------------------------------------

    def _build_banner(self, *extra: QWidget) -> QFrame:
        """The (hidden) red banner with `form_error` and any `extra` widgets on its right."""
        self.banner = QFrame()
        self.banner.setObjectName("form_banner")
        self.banner.setStyleSheet(BANNER_STYLE)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.form_error = ErrorLabel("form")
        row.addWidget(self.form_error, 1)
        for widget in extra:
            row.addWidget(widget, 0)
        self.banner.hide()
        return self.banner

    def _build_buttons(self) -> QHBoxLayout:
        """The keyboard hint, "Salvar" (object name "save") and "Cancelar" (both in `_buttons`)."""
        row = QHBoxLayout()
        hint = QLabel(self.tr("Enter: próximo campo · Ctrl+S: salvar · Esc: cancelar"))
        hint.setEnabled(False)
        self.save_button = QPushButton(self.tr("Salvar"))
        self.save_button.setObjectName("save")
        self.save_button.setToolTip(self.tr("Salvar (Ctrl+S)"))
        self.save_button.clicked.connect(lambda: self.save())
        cancel = QPushButton(self.tr("Cancelar"))
        cancel.setToolTip(self.tr("Cancelar (Esc)"))
        cancel.clicked.connect(self.reject)
        for button in (self.save_button, cancel):
            button.setAutoDefault(False)
        row.addWidget(hint, 1)
        row.addWidget(self.save_button)
        row.addWidget(cancel)
        self._buttons = (self.save_button, cancel)
        return row

    # --- what a subclass provides -----------------------------------------------------------

    def save(self) -> None:  # pragma: no cover - every form overrides it
        raise NotImplementedError

    def _snapshot(self) -> object:  # pragma: no cover - every form overrides it
        raise NotImplementedError

    def _local_errors(self) -> dict[str, str]:
        return {}

    def show_errors(self, errors: dict[str, str]) -> None:
        self.form_error.show_message(" ".join(errors.values()))
        self.banner.setVisible(bool(errors))

    # --- modified? --------------------------------------------------------------------------

    def _remember_initial(self) -> None:
        """Call once the form is filled: what `is_modified` compares against."""
        self._initial = self._snapshot()

    def is_modified(self) -> bool:
        return self._snapshot() != self._initial

    # --- saving -----------------------------------------------------------------------------

    def _may_save(self) -> bool:
        """False while a save is on its way, or when local checks failed (errors shown)."""
        if self._saving:
            return False
        local = self._local_errors()
        if local:
            self.show_errors(local)
            return False
        return True

    def _run_save(self, work: Callable[[], Any]) -> None:
        self._set_saving(True)
        self._ctx.ops.run(work, self._saved, self._save_failed, parent=self)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        self.save_button.setText(self.tr("Salvando…") if saving else self.tr("Salvar"))

    def _saved(self, result: object) -> None:
        self._ctx.bus.changed.emit(self.changed_kind)  # even if the form was closed meanwhile
        if not shiboken6.isValid(self):
            return
        self._set_saving(False)
        self.saved.emit(result)
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return  # closed while the worker ran
        self._set_saving(False)
        self._refused(exc)

    def _refused(self, exc: BaseException) -> None:
        """The service said no: errors beside the fields, anything else in a message box."""
        if isinstance(exc, ValidationError):
            self.show_errors(exc.errors)
        else:
            show_error(self, exc)

    # --- closing ----------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc / Cancelar / closing the window: ask before throwing typed data away."""
        if self._saving:
            return  # the save is on its way; its answer decides whether the form closes
        if self._discarding or not self.is_modified():
            super().reject()
            return
        confirm_discard(self, self._discard)

    def _discard(self) -> None:
        self._discarding = True
        self.reject()
