"""An inspector issues a termo de intimação from a finished inspection through the dialog
(choosing the non-conforming items, the deadline shown as it is typed, who receives it), sees it
listed on the documents page, prints it, prints the 2ª via and cancels it with a reason.

The database is the demo with the test clock at Monday 02/03/2026; the finished inspection (three
non-conforming items of the food roteiro) is made with the ORM by `build_world`, as the inspection
screen would leave it. Screenshots go to /tmp/shots/h4.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.db.session import Database
from app.sanitary.document_issue import issue_document
from app.sanitary.enums import DocumentKind
from tests.ui.shell_helpers import context_for, wait_for_window
from tests.unit.sanitary.test_documents import World, build_world, sample
from ui.context import AppContext
from ui.sanitary.document_dialogs import IssueDocumentDialog, open_issue_dialog
from ui.sanitary.documents import DocumentsPage
from ui.widgets.fields import ErrorLabel
from ui.widgets.pdf_preview import PdfPreviewDialog

SHOTS = Path("/tmp/shots/h4")


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


@pytest.fixture
def fiscal_ctx(db: Database, world: World) -> Iterator[AppContext]:
    ctx = context_for(db, "fiscal")
    yield ctx
    ctx.ops.wait_for_done()


def _shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _open_dialog(qtbot, ctx: AppContext, world: World) -> IssueDocumentDialog:
    dialog = IssueDocumentDialog(ctx, DocumentKind.SUMMONS, world.inspection_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10_000)
    return dialog


def _issue_summons(qtbot, dialog: IssueDocumentDialog) -> None:
    items = dialog.items_list
    assert items.count() == 3  # 1.1, 1.2 and 3.1 were answered "não conforme"
    assert all(items.item(i).checkState() == Qt.CheckState.Checked for i in range(3))
    assert "1.1 – Piso, paredes e teto" in items.item(0).text()
    items.item(0).setCheckState(Qt.CheckState.Unchecked)  # the wall goes to a later visit
    assert dialog.deadline_label.text() == "Prazo: 30 (trinta) dias, até 01/04/2026"
    dialog.days.setValue(10)
    assert dialog.deadline_label.text() == "Prazo: 10 (dez) dias, até 12/03/2026"
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    error = dialog.findChild(ErrorLabel, "error_receiver_name")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=10_000)
    assert error.text() == "Informe o nome de quem recebe o documento."
    qtbot.keyClicks(dialog.receiver_name, "Ana Pereira")
    qtbot.keyClicks(dialog.receiver_document, "123.456.789-09")
    _shot(dialog, "issue_dialog_tn")
    with qtbot.waitSignal(dialog.issued, timeout=10_000):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_a_summons_issued_in_the_dialog_is_listed_printed_and_cancelled(
    qtbot, fiscal_ctx: AppContext, world: World
) -> None:
    page = DocumentsPage(fiscal_ctx)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    dialog = _open_dialog(qtbot, fiscal_ctx, world)
    _issue_summons(qtbot, dialog)
    assert dialog.issued_result is not None and dialog.issued_result.number_label == "0001/2026"
    offer = dialog.print_offer
    assert (
        offer is not None and "Termo de Intimação/Notificação nº 0001/2026 lavrado." in offer.text()
    )
    offer.button(QMessageBox.StandardButton.No).click()

    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    row = page.model.row_at(0)
    assert (row.number_label, row.kind, row.status_label) == (
        "0001/2026",
        DocumentKind.SUMMONS,
        "Válido",
    )
    qtbot.waitUntil(lambda: page.detail is not None, timeout=10_000)
    shown = page.detail_view.toPlainText()
    assert "Prazo: 10 (dez) dias, até 12/03/2026" in shown
    assert "1.2 – Lavatório exclusivo" in shown and "1.1 – Piso" not in shown
    assert page.print_button.text() == "&Imprimir"

    page.print_button.click()
    preview = wait_for_window(qtbot, PdfPreviewDialog, "pdf_preview")
    assert preview.windowTitle().startswith("Termo de Intimação/Notificação nº 0001/2026")
    preview.close()
    qtbot.waitUntil(lambda: page.print_button.text() == "&Imprimir 2ª via", timeout=10_000)
    assert page.model.row_at(0).print_count == 1
    page.print_button.click()
    qtbot.waitUntil(lambda: page.model.row_at(0).print_count == 2, timeout=10_000)
    again = wait_for_window(qtbot, PdfPreviewDialog, "pdf_preview")
    assert "0001/2026 – 2ª VIA" in again.windowTitle()
    again.close()
    _shot(page, "documents_page")

    cancel = page.cancel_selected()
    assert cancel is not None
    cancel.confirm_button.click()
    assert cancel.findChild(ErrorLabel, "error_reason").text() == (
        "Informe o motivo do cancelamento."
    )
    qtbot.keyClicks(cancel.reason, "Prazo errado")
    cancel.confirm_button.click()
    qtbot.waitUntil(lambda: page.model.row_at(0).status_label == "Cancelado", timeout=10_000)
    qtbot.waitUntil(lambda: not page.cancel_button.isEnabled(), timeout=10_000)
    assert "Cancelado – Prazo errado" in page.detail_view.toPlainText()


def test_refusing_to_sign_shows_the_witness_fields_and_their_errors(
    qtbot, fiscal_ctx: AppContext, world: World
) -> None:
    dialog = IssueDocumentDialog(fiscal_ctx, DocumentKind.INFRACTION, world.inspection_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10_000)
    assert not dialog.witness_box.isVisible()
    dialog.refused.setChecked(True)
    assert dialog.witness_box.isVisible()
    dialog.gravity_group.button(1).setChecked(True)  # grave
    assert dialog.fine_label.text() == "de R$ 75.000,00 a R$ 200.000,00"
    assert dialog.defence_label.text() == "15 (quinze) dias, até 17/03/2026"
    qtbot.keyClicks(dialog.provisions, "RDC 216/2004, item 4.1.14")
    qtbot.keyClicks(dialog.witness_fields[0][0], "Marcos Vieira")
    qtbot.keyClicks(dialog.witness_fields[0][1], "987.654.321-00")
    _shot(dialog, "issue_dialog_ai")
    dialog.submit()
    error = dialog.findChild(ErrorLabel, "error_witness2_name")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=10_000)
    assert error.text() == "Informe o nome da 2ª testemunha."
    assert dialog.issued_result is None


def test_other_screens_open_the_dialog_for_an_inspection(
    qtbot, fiscal_ctx: AppContext, world: World
) -> None:
    dialog = open_issue_dialog(
        fiscal_ctx, None, DocumentKind.INSPECTION_REPORT, world.inspection_id
    )
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10_000)
    assert dialog.windowTitle() == "Lavrar Termo de Inspeção"
    assert "Autoridade sanitária: Carla Mendes Oliveira" in dialog.heading.text()
    assert (
        dialog.facts.toPlainText() == "Constatadas falhas graves de higiene na área de manipulação."
    )
    dialog.close()


def test_the_laboratory_result_of_a_sample_is_recorded_from_the_page(
    qtbot, fiscal_ctx: AppContext, world: World
) -> None:
    with fiscal_ctx.db.unit_of_work("fiscal") as session:
        issue_document(session, fiscal_ctx.actor, sample(world))
    page = DocumentsPage(fiscal_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.detail is not None, timeout=10_000)
    assert "aguardando o laboratório" in page.detail_view.toPlainText()
    assert page.result_button.isVisible() and page.result_button.isEnabled()
    dialog = page.record_result()
    assert dialog is not None
    dialog.save_button.click()
    assert dialog.findChild(ErrorLabel, "error_satisfactory").text() == "Escolha o resultado."
    dialog.unsatisfactory.setChecked(True)
    qtbot.keyClicks(dialog.report_number, "LACEN 4471/2026")
    _shot(dialog, "sample_result_dialog")
    with qtbot.waitSignal(dialog.recorded, timeout=10_000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: "Insatisfatório" in page.detail_view.toPlainText(), timeout=10_000)
    assert "laudo LACEN 4471/2026 de 02/03/2026" in page.detail_view.toPlainText()
    assert not page.result_button.isEnabled()
