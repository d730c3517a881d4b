"""The VISA parameters page: the visa_ctx types a new defence deadline and saves with Ctrl+S;
a refused value is shown beside its field and nothing is stored; an inspector only reads.

Demo database (clock at 02/03/2026); "visa" is the coordination account, "fiscal" an inspector.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox

from app.db.session import Database
from app.sanitary.config import config_values
from tests.ui.shell_helpers import context_for, install_demo
from ui.context import AppContext
from ui.sanitary.settings import SanitarySettingsPage

SHOTS = Path("/tmp/shots")


def _page(qtbot, ctx: AppContext) -> SanitarySettingsPage:
    page = SanitarySettingsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1180, 680)
    page.show()
    qtbot.waitUntil(lambda: page.stored is not None and ctx.ops.is_idle())
    return page


def _type(qtbot, spin: QSpinBox, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)


def _stored(ctx: AppContext):
    with ctx.db.unit_of_work() as s:
        return config_values(s)


def test_saves_a_new_defence_deadline(qtbot, visa_ctx: AppContext) -> None:
    page = _page(qtbot, visa_ctx)
    defence = page.findChild(QSpinBox, "field_defence_days")
    assert defence.value() == 15
    assert "Lei Federal nº 6.437/1977" in page.findChild(QLabel, "legal_note").text()
    assert page.findChild(QLineEdit, "field_fine_light_max").text() == "75.000,00"
    _type(qtbot, defence, "20")
    with qtbot.waitSignal(page.saved, timeout=10_000):
        qtbot.keyClick(defence, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    stored = _stored(visa_ctx)
    assert stored.defence_days == 20
    assert stored.fine_light_max == Decimal("75000.00") and stored.reply_days == 10
    assert page.message.text() == "Parâmetros salvos."
    SHOTS.mkdir(exist_ok=True)
    page.grab().save(str(SHOTS / "visa_settings_saved.png"))


def test_a_bad_value_is_shown_beside_its_field_and_nothing_saved(
    qtbot, visa_ctx: AppContext
) -> None:
    page = _page(qtbot, visa_ctx)
    _type(qtbot, page.findChild(QSpinBox, "field_reply_days"), "12")
    defence = page.findChild(QSpinBox, "field_defence_days")
    _type(qtbot, defence, "0")
    qtbot.keyClick(defence, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    error = page.findChild(QLabel, "error_defence_days")
    qtbot.waitUntil(lambda: error.isVisible() and visa_ctx.ops.is_idle())
    assert error.text() == "Informe um número entre 1 e 120."
    assert "Nada foi salvo" in page.message.text()
    assert not page.findChild(QLabel, "error_reply_days").isVisible()
    stored = _stored(visa_ctx)
    assert (stored.defence_days, stored.reply_days) == (15, 10)  # the good change waited too
    page.grab().save(str(SHOTS / "visa_settings_error.png"))


def test_a_fine_that_is_not_money(qtbot, visa_ctx: AppContext) -> None:
    page = _page(qtbot, visa_ctx)
    fine = page.findChild(QLineEdit, "field_fine_serious_min")
    fine.selectAll()
    qtbot.keyClicks(fine, "setenta mil")
    qtbot.keyClick(fine, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.findChild(QLabel, "error_fine_serious_min").text() == (
        "Valor inválido: digite como 2.000,00."
    )
    assert _stored(visa_ctx).fine_serious_min == Decimal("75000.00")


def test_an_inspector_only_reads(qtbot, db: Database) -> None:
    install_demo(db, citizens=50, seed=3)
    ctx = context_for(db, "fiscal")
    page = _page(qtbot, ctx)
    assert not page.save_button.isEnabled()
    assert not page.findChild(QSpinBox, "field_defence_days").isEnabled()
    assert "Somente a coordenação da VISA" in page.message.text()
    ctx.ops.wait_for_done()
