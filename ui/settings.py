"""The "Configurações" dialog: the municipality's profile and this computer's session settings.

Tab "Município" edits what every printed page shows — the name, the time zone and the brasão —
through `app.installation.service.update_municipality` (which checks `admin.settings` and records
the change in the audit trail). Tab "Sessão" edits the typed options of `app.settings` kept on this
computer (for now, the minutes of inactivity before the screen locks). Both are saved together by
"Salvar"; the main window re-reads them when the dialog is accepted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.installation.service import MunicipalityProfile, municipality_profile, update_municipality
from app.settings import LOCK_MINUTES, Settings
from ui.context import AppContext
from ui.ops import show_error
from ui.setup_wizard import BrasaoPicker, fill_zone_combo, select_zone
from ui.widgets.fields import ErrorLabel, FormLayout

MUNICIPALITY = "municipality"


class SettingsDialog(QDialog):
    """Two tabs, "Município" and "Sessão"; "Salvar" writes both."""

    def __init__(
        self, ctx: AppContext, settings: Settings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle(self.tr("Configurações"))
        self.ctx = ctx
        self.settings = settings or Settings()
        self._build_ui()
        self._load()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.form_error = ErrorLabel("form")
        layout.addWidget(self.form_error)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_municipality_tab(), self.tr("Município"))
        self.tabs.addTab(self._build_session_tab(), self.tr("Sessão"))
        layout.addWidget(self.tabs)
        layout.addWidget(self._build_buttons())
        self.setMinimumWidth(560)

    def _build_municipality_tab(self) -> QWidget:
        tab = QWidget()
        self.municipality_form = FormLayout(tab)
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.timezone = QComboBox()
        fill_zone_combo(self.timezone)
        self.brasao = BrasaoPicker()
        form = self.municipality_form
        form.add_field("municipality_name", self.tr("&Nome do município:"), self.name)
        form.add_field("timezone", self.tr("&Fuso horário:"), self.timezone)
        form.add_field("brasao", self.tr("&Brasão:"), self.brasao)
        tab.setEnabled(False)  # until the current values arrive
        self.municipality_tab = tab
        return tab

    def _build_session_tab(self) -> QWidget:
        tab = QWidget()
        self.session_form = FormLayout(tab)
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setRange(LOCK_MINUTES.minimum or 1, LOCK_MINUTES.maximum or 240)
        self.lock_minutes.setSuffix(self.tr(" min"))
        self.lock_minutes.setValue(self.settings.get(LOCK_MINUTES))
        self.lock_minutes.setToolTip(LOCK_MINUTES.help)
        self.session_form.add_field(LOCK_MINUTES.key, LOCK_MINUTES.label + ":", self.lock_minutes)
        return tab

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Salvar"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancelar"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        return buttons

    def _load(self) -> None:
        db = self.ctx.db

        def work() -> MunicipalityProfile:
            with db.read_only() as session:
                return municipality_profile(session)

        self.ctx.ops.run(work, self._show_profile, parent=self)

    def _show_profile(self, profile: MunicipalityProfile) -> None:
        self.name.setText(profile.name)
        select_zone(self.timezone, profile.timezone)
        self.brasao.set_png(profile.brasao_png)
        self.municipality_tab.setEnabled(True)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> None:
        try:
            self.settings.set(LOCK_MINUTES, self.lock_minutes.value())
        except ValidationError as exc:
            self.session_form.show_errors(exc.errors)
            self.tabs.setCurrentIndex(1)
            return
        ctx, name = self.ctx, self.name.text()
        zone, png = self.timezone.currentData(), self.brasao.png_bytes()

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                update_municipality(session, ctx.actor, name=name, timezone=zone, brasao_png=png)

        self.save_button.setEnabled(False)
        self.municipality_form.clear_errors()
        ctx.ops.run(work, self._saved, self._refused, self)

    def _saved(self, _result: object) -> None:
        self.settings.save()
        self.ctx.bus.changed.emit(MUNICIPALITY)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(exc, ValidationError):
            show_error(self, exc)
            return
        self.tabs.setCurrentIndex(0)
        rest = self.municipality_form.show_errors(exc.errors)
        self.form_error.show_message(" ".join(rest.values()) or None)
