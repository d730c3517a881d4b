"""The VISA dashboard page as the visa_ctx uses it: the numbers of the demo day, a click on a
number showing the rows behind it, Enter on another tile, and a refresh after a change elsewhere;
and its companion, the reports page: a listing generated into the preview, a reversed period
refused beside its field.

Demo database (clock at 02/03/2026); the demo plans four inspections for today, assigned to the
inspector Carla Mendes Oliveira, and its establishments' next inspections fall due over the year.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from app.sanitary.dashboard_lists import dashboard_list
from tests.ui.shell_helpers import wait_for_window
from ui.context import AppContext
from ui.sanitary.dashboard import SanitaryDashboardPage
from ui.sanitary.reports_view import SanitaryReportsPage
from ui.widgets.pdf_preview import PdfPreviewDialog

SHOTS = Path("/tmp/shots")


def _page(qtbot, ctx: AppContext) -> SanitaryDashboardPage:
    page = SanitaryDashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1180, 680)
    page.show()
    qtbot.waitUntil(lambda: page.board is not None and ctx.ops.is_idle())
    return page


def _cells(page: SanitaryDashboardPage, column: int) -> list[str]:
    model = page.model
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_a_number_opens_the_rows_behind_it(qtbot, qtmodeltester, visa_ctx: AppContext) -> None:
    page = _page(qtbot, visa_ctx)
    tile = page.tiles["planned_today"]
    assert tile.number.text() == "4"
    assert tile.caption.text() == "Inspeções planejadas para hoje"
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4 and visa_ctx.ops.is_idle())
    assert page.list_title.text() == "Inspeções planejadas para hoje: 4"
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
    assert headers == ["Estabelecimento", "CNPJ/CPF", "Risco", "Motivo", "Situação", "Fiscal"]
    assert set(_cells(page, 5)) == {"Carla Mendes Oliveira"}
    assert set(_cells(page, 4)) == {"Planejada"}
    with visa_ctx.db.read_only() as s:
        expected = dashboard_list(s, visa_ctx.actor, "planned_today", visa_ctx.today())
    assert _cells(page, 0) == [row.name for row in expected]
    qtmodeltester.check(page.model)
    SHOTS.mkdir(exist_ok=True)
    page.grab().save(str(SHOTS / "visa_dashboard_planned.png"))


def test_enter_on_a_tile_and_overdue_in_red(qtbot, visa_ctx: AppContext) -> None:
    page = _page(qtbot, visa_ctx)
    overdue = page.tiles["overdue:II"]
    count = overdue.tile.count
    assert count > 0 and overdue.caption.text() == "Inspeções vencidas — risco\u00a0II"
    assert "#b3261e" in overdue.number.styleSheet()
    overdue.setFocus()
    qtbot.keyClick(overdue, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == count and visa_ctx.ops.is_idle())
    assert all(text.startswith("vencida há ") for text in _cells(page, 4))
    assert set(_cells(page, 2)) == {"II"}
    page.grab().save(str(SHOTS / "visa_dashboard_overdue.png"))


def test_refreshes_when_an_inspection_changes(qtbot, visa_ctx: AppContext) -> None:
    from sqlalchemy import select

    from app.sanitary.enums import InspectionStatus
    from app.sanitary.models import Inspection

    page = _page(qtbot, visa_ctx)
    with visa_ctx.db.unit_of_work("visa") as s:
        planned = s.scalars(
            select(Inspection).where(Inspection.status == InspectionStatus.PLANNED)
        ).first()
        assert planned is not None
        planned.status = InspectionStatus.CANCELLED
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        visa_ctx.bus.changed.emit("inspection")
    assert page.tiles["planned_today"].number.text() == "3"


def _reports(qtbot, ctx: AppContext) -> SanitaryReportsPage:
    page = SanitaryReportsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1180, 680)
    with qtbot.waitSignal(page.choices_loaded, timeout=10_000):
        page.show()
    return page


def test_reports_page_generates_the_register(qtbot, visa_ctx: AppContext) -> None:
    page = _reports(qtbot, visa_ctx)
    assert page.team.findText("Equipe Alimentos") > 0
    page.risk.setCurrentIndex(page.risk.findData("II"))
    page.team.setCurrentIndex(page.team.findText("Equipe Alimentos"))
    page.grab().save(str(SHOTS / "visa_reports_page.png"))
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    preview = wait_for_window(qtbot, PdfPreviewDialog)
    assert "Cadastro de estabelecimentos" in preview.windowTitle()
    assert preview.page_count() >= 1
    (SHOTS / "visa_register_demo.pdf").write_bytes(preview._pdf)
    preview.close()


def test_reports_page_refuses_a_reversed_period(qtbot, visa_ctx: AppContext) -> None:
    from PySide6.QtWidgets import QLabel

    page = _reports(qtbot, visa_ctx)
    page.report_list.setCurrentRow(2)
    assert page.current_report() == "documents"
    page.documents_start.set_value(visa_ctx.today())
    page.documents_end.setFocus()
    page.documents_end.selectAll()
    qtbot.keyClicks(page.documents_end, "01022026")
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    error = page.findChild(QLabel, "error_documents_end")
    assert error.isVisible()
    assert error.text() == "A data final deve ser igual ou posterior à data inicial."
    assert visa_ctx.ops.is_idle() and page.generate_button.isEnabled()
    page.grab().save(str(SHOTS / "visa_reports_period_error.png"))
