"""The "Alterar situação" dialog of the "Estabelecimentos" page: new status and its reason.

The reason is required by the service and kept in the audit trail; on success the dialog
announces the change (`ctx.bus.changed` "establishment") and closes, on a validation error it
shows the message under the fields.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.sanitary.enums import EstablishmentStatus
from app.sanitary.establishment_queries import EstablishmentRow
from app.sanitary.establishments import change_status
from ui.context import AppContext
from ui.ops import show_error
from ui.sanitary.establishment_list import display_name
from ui.widgets.fields import ErrorLabel


class StatusDialog(QDialog):
    """ "Alterar situação": the new status and the reason (kept in the audit trail)."""

    def __init__(self, ctx: AppContext, row: EstablishmentRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("status_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Alterar situação"))
        self._ctx, self._row = ctx, row
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(display_name(row)))
        form = QFormLayout()
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("new_status")
        for status in EstablishmentStatus:
            if status is not row.status:
                self.status_combo.addItem(status.label, status.value)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("status_reason")
        self.reason_edit.setPlaceholderText(self.tr("Ex.: Termo de interdição TD 0003/2026"))
        self.reason_edit.setMinimumWidth(360)
        form.addRow(self.tr("Nova situação"), self.status_combo)
        form.addRow(self.tr("Motivo"), self.reason_edit)
        layout.addLayout(form)
        self.error_label = ErrorLabel("status")
        layout.addWidget(self.error_label)
        buttons = QHBoxLayout()
        self.ok_button = QPushButton(self.tr("Salvar"))
        self.ok_button.setObjectName("save_status")
        self.ok_button.clicked.connect(self.save)
        cancel = QPushButton(self.tr("Cancelar"))
        cancel.clicked.connect(self.reject)
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.save)

    def save(self) -> None:
        status = EstablishmentStatus(self.status_combo.currentData())
        reason, ctx, row_id = self.reason_edit.text(), self._ctx, self._row.id

        def work() -> EstablishmentStatus:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return change_status(session, ctx.actor, row_id, status, reason)

        self.ok_button.setEnabled(False)
        ctx.ops.run(work, self._saved, self._failed, parent=self)

    def _saved(self, _status: EstablishmentStatus) -> None:
        self._ctx.bus.changed.emit("establishment")
        if shiboken6.isValid(self):
            self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.error_label.show_message(" ".join(exc.errors.values()))
        else:
            show_error(self, exc)
