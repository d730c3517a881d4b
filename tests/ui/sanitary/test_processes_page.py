"""The Processos page as the VISA coordination uses it: overdue flagged in words, only the steps
the stage accepts, a defence recorded through the dialog."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.sanitary import processes as svc
from tests.unit.sanitary.test_processes import open_process
from ui.context import AppContext
from ui.sanitary.processes import ProcessesPage


def wait_idle(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(ctx.ops.is_idle, timeout=10_000)


def visible_steps(page: ProcessesPage) -> list[str]:
    return [b.text().replace("&", "") for b in page.step_buttons.values() if not b.isHidden()]


def test_overdue_flagged_and_a_defence_recorded(qtbot, visa_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    open_process(visa_ctx.db, date(2026, 2, 2))  # defence due 17/02: overdue on 02/03
    process_id = open_process(visa_ctx.db, date(2026, 2, 20))  # due 09/03
    page = ProcessesPage(visa_ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    rows = page.model.rows()
    assert rows[0].deadline_text == "VENCIDO há 13 dias"
    assert page.model.data(page.model.index(0, 5)) == "VENCIDO há 13 dias"
    assert "2 processo(s), 1 vencido(s)" == page.count.text()

    page.overdue.setChecked(True)
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.overdue.setChecked(False)
    page.soon.setChecked(True)
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: [r.id for r in page.model.rows()] == [process_id])
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.row.id == process_id)
    assert visible_steps(page) == ["Registrar defesa…", "Registrar revelia…", "Arquivar…"]
    page.soon.setChecked(False)  # the defence moves the deadline beyond 7 days
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.table.selectRow(1)
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.row.id == process_id)

    dialog = page.open_step(svc.DEFENCE)
    assert dialog is not None
    qtbot.keyClicks(dialog.summary, "Alega que o produto estava dentro da validade.")
    dialog.save_button.click()
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.row.stage_label
                    == "Manifestação do autuante")  # fmt: skip
    assert visible_steps(page) == ["Registrar manifestação…", "Arquivar…"]
    assert [s.kind_label for s in page.steps.rows()][-1] == "Defesa apresentada"
    assert "prazo até 12/03/2026" in page.summary.text()
    page.set_filter(overdue=True)  # as the dashboard opens it
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.rows()[0].overdue and page.overdue.isChecked()


def test_decision_dialog_shows_the_fine_range_and_refuses_outside(  # type: ignore[no-untyped-def]
    qtbot, visa_ctx: AppContext
) -> None:
    process_id = open_process(visa_ctx.db, date(2026, 2, 2))
    with visa_ctx.db.unit_of_work("visa") as s:
        svc.record_no_defence(s, visa_ctx.actor, process_id, date(2026, 2, 18))
    page = ProcessesPage(visa_ctx)
    qtbot.addWidget(page)
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: page.detail is not None)
    assert visible_steps(page) == ["Registrar decisão…", "Arquivar…"]
    dialog = page.open_step(svc.DECISION)
    assert dialog is not None
    assert dialog.fine.placeholderText() == "faixa do auto: de R$ 2.000,00 a R$ 75.000,00"
    qtbot.keyClicks(dialog.decision, "Auto procedente.")
    dialog.set_penalty(svc.FINE)
    qtbot.keyClicks(dialog.fine, "90.000,00")
    dialog.save_button.click()
    wait_idle(qtbot, visa_ctx)
    error = dialog.form.error_labels["fine_amount"]
    qtbot.waitUntil(error.isVisible)
    assert "fora da faixa do auto de infração" in error.text()
    dialog.fine.setText("12.500,00")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.penalty == "Multa")
    assert "Multa (R$ 12.500,00)" in page.summary.text()
    assert isinstance(page.print_button, QPushButton) and page.print_button.isEnabled()


def test_an_auto_received_from_a_field_laptop_gets_its_process_when_the_page_opens(
    qtbot, visa_ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlalchemy import select

    from app.sanitary.enums import DocumentKind, Gravity
    from app.sanitary.models import Establishment, SanitaryDocument

    with visa_ctx.db.unit_of_work("fiscal") as s:  # as the batch from the laptop leaves it
        place = s.scalars(select(Establishment).order_by(Establishment.legal_name)).first()
        assert place is not None
        s.add(
            SanitaryDocument(
                kind=DocumentKind.INFRACTION, series="AI", year=2026, number=901,
                establishment_id=place.id, issued_on=date(2026, 3, 2),
                issued_at=datetime(2026, 3, 2, 13, tzinfo=UTC), gravity=Gravity.LIGHT,
                inspector_name="Carla Mendes Oliveira", facts="Lavatório sem sabonete.",
                deadline_days=15, deadline_on=date(2026, 3, 17), team=place.team,
            )
        )  # fmt: skip
        name = place.trade_name
    page = ProcessesPage(visa_ctx)
    qtbot.addWidget(page)
    page.show()
    wait_idle(qtbot, visa_ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    row = page.model.rows()[0]
    assert name in row.establishment and row.stage is svc.ProcessStage.DEFENCE
    assert row.due_on == date(2026, 3, 17)
