"""The Denúncias page: an anonymous complaint registered through the dialog, then routed to an
inspection and answered."""

from __future__ import annotations

from sqlalchemy import select

from app.sanitary.enums import InspectionReason
from app.sanitary.models import Complaint, Inspection
from ui.context import AppContext
from ui.sanitary.complaints import ComplaintsPage


def wait_idle(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(ctx.ops.is_idle, timeout=10_000)


def test_anonymous_complaint_through_the_dialog_is_listed(  # type: ignore[no-untyped-def]
    qtbot, fiscal_ctx: AppContext
) -> None:
    page = ComplaintsPage(fiscal_ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    wait_idle(qtbot, fiscal_ctx)
    assert page.model.rowCount() == 0

    dialog = page.open_new()
    wait_idle(qtbot, fiscal_ctx)
    qtbot.waitUntil(lambda: dialog.establishment.count() > 1)
    dialog.anonymous.setChecked(True)
    assert dialog.name.isHidden() or not dialog.name.parentWidget().isVisible()
    dialog.channel.setCurrentIndex(dialog.channel.findData("telefone"))
    target = dialog.establishment.itemText(1)
    dialog.establishment.setCurrentIndex(1)
    # (QTest aborts on typed non-ASCII keys here, so accented text is set, not typed)
    dialog.description.setPlainText("Funcionários sem touca manipulando alimentos.")
    dialog.save_button.click()
    wait_idle(qtbot, fiscal_ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    row = page.model.rows()[0]
    assert row.protocol == "0001/2026"
    assert row.target == target.split(" – ")[0]
    assert page.model.data(page.model.index(0, 2)) == "01/04/2026"
    assert page.message.text() == "Denúncia nº 0001/2026 registrada; prazo até 01/04/2026."
    qtbot.waitUntil(lambda: "Denúncia anônima" in page.detail.text())
    with fiscal_ctx.db.read_only() as s:
        stored = s.scalars(select(Complaint)).one()
        assert stored.anonymous and stored.complainant_name == ""

    route = page.open_route()
    assert route is not None
    wait_idle(qtbot, fiscal_ctx)
    route.save_button.click()
    wait_idle(qtbot, fiscal_ctx)
    routed = "Encaminhada para inspeção"
    qtbot.waitUntil(lambda: [r.status_label for r in page.model.rows()] == [routed])
    with fiscal_ctx.db.read_only() as s:
        inspection = s.scalars(select(Inspection).where(Inspection.complaint_id.is_not(None))).one()
        assert inspection.reason is InspectionReason.COMPLAINT

    answer = page.open_answer(archive=False)
    assert answer is not None
    answer.text.setPlainText("Inspeção realizada em 02/03/2026; estabelecimento intimado.")
    answer.save_button.click()
    wait_idle(qtbot, fiscal_ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)  # answered: no longer waiting


def test_identified_complaint_requires_a_name(  # type: ignore[no-untyped-def]
    qtbot, fiscal_ctx: AppContext
) -> None:
    page = ComplaintsPage(fiscal_ctx)
    qtbot.addWidget(page)
    dialog = page.open_new()
    wait_idle(qtbot, fiscal_ctx)
    dialog.description.setPlainText("Esgoto a céu aberto.")
    dialog.save_button.click()
    wait_idle(qtbot, fiscal_ctx)
    errors = dialog.form.error_labels
    qtbot.waitUntil(lambda: errors["complainant_name"].text() != "")
    assert errors["complainant_name"].text() == "Informe o nome do denunciante ou marque “anônima”."
    assert errors["place"].text() == "Escolha o estabelecimento ou descreva o local."
