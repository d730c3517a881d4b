"""The Licenças page: a printed licence's code checked on screen, a licence issued by dialog."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt

from app.sanitary import licence_printing as printing
from app.sanitary import licences as svc
from app.sanitary.enums import RiskLevel
from tests.unit.sanitary.test_licences import make_establishment
from ui.context import AppContext
from ui.sanitary.licences import LicencesPage


@dataclass(frozen=True)
class Printed:
    number: str
    code: str


@pytest.fixture
def printed(visa_ctx: AppContext) -> Printed:
    """A full licence issued and printed for a restaurant inspected 10 days ago."""
    db = visa_ctx.db
    place = make_establishment(db, "Restaurante Sabor", "5611201", RiskLevel.MEDIUM, 10)
    with db.unit_of_work("visa") as s:
        issued = svc.issue_licence(s, visa_ctx.actor, place, None, False)
        pdf = printing.print_licence(s, visa_ctx.actor, issued.id)
    return Printed(issued.number, pdf.code)


def wait_idle(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(ctx.ops.is_idle, timeout=10_000)


def test_verify_tab_says_a_printed_licence_is_valid(  # type: ignore[no-untyped-def]
    qtbot, visa_ctx: AppContext, printed: Printed
) -> None:
    page = LicencesPage(visa_ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.rows()[0].number == printed.number

    page.tabs.setCurrentIndex(1)
    qtbot.keyClicks(page.code, printed.code.replace("-", "").lower())
    qtbot.keyClick(page.code, Qt.Key.Key_Return)
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(page.answer.isVisible)
    assert page.answer.text().startswith(
        f"Licença sanitária nº {printed.number}: VÁLIDA até 02/03/2027."
    )
    assert "Restaurante Sabor" in page.answer.text()
    assert page.answer.property("ok") is True

    page.code.setText(printed.code[:-1] + ("7" if printed.code[-1] != "7" else "8"))
    page.verify_button.click()
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: page.answer.property("ok") is False)
    assert page.answer.text() == "Código não encontrado: o documento pode ser falso."


def test_issue_a_provisional_licence_through_the_dialog(  # type: ignore[no-untyped-def]
    qtbot, visa_ctx: AppContext
) -> None:
    make_establishment(visa_ctx.db, "Padaria Nova Era", "4721102", RiskLevel.MEDIUM)
    page = LicencesPage(visa_ctx)
    qtbot.addWidget(page)
    wait_idle(qtbot, visa_ctx)
    dialog = page.open_issue(None)
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: dialog.establishment.count() > 0)
    dialog.establishment.choose(
        next(dialog.establishment.itemData(n) for n in range(dialog.establishment.count())
             if dialog.establishment.itemText(n).startswith("Padaria Nova Era"))
    )  # fmt: skip
    wait_idle(qtbot, visa_ctx)
    assert dialog.inspection.currentText() == "Nenhuma inspeção satisfatória recente"
    dialog.save_button.click()  # a full licence without inspection is refused
    wait_idle(qtbot, visa_ctx)
    error = dialog.form.error_labels["inspection_id"]
    qtbot.waitUntil(error.isVisible)
    assert "últimos 90 dias" in error.text()
    dialog.provisional.setChecked(True)
    dialog.save_button.click()
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: "emitida" in page.message.text())
    assert "válida até 02/09/2026" in page.message.text()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.rows()[0].kind_label == "Provisória"
