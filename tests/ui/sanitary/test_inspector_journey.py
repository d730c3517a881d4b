"""The whole inspector's journey on screen: the work list, the roteiro with an Imprescindível item
"não conforme", the conclusion, then — from the inspection itself — a termo de intimação and an
auto de infração, each printed and read back from the PDF the preview shows.

Demo database, test clock at Monday 02/03/2026, account "fiscal". The first inspection of the
day is a food establishment; the termo gives 30 days (until 01/04/2026) and the auto 15 days of
defence (until 17/03/2026).
"""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QRadioButton

from app.sanitary.enums import InspectionOutcome
from tests.ui.shell_helpers import wait_for_window
from ui.context import AppContext
from ui.sanitary.document_dialogs import IssueDocumentDialog
from ui.sanitary.inspection_conclusion import ConcludeDialog
from ui.sanitary.inspection_form import InspectionForm
from ui.sanitary.work_list import WorkListPage

OBSERVATION = "Lavatorio da cozinha sem sabonete nem papel toalha."  # QTest types ASCII only


def _settle(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    ctx.ops.wait_for_done()
    qtbot.waitUntil(ctx.ops.is_idle)


def _open_first(qtbot, ctx: AppContext) -> tuple[WorkListPage, InspectionForm]:  # type: ignore[no-untyped-def]
    page = WorkListPage(ctx)
    qtbot.addWidget(page)
    page.resize(1160, 660)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    with qtbot.waitSignal(page.form_opened, timeout=10_000) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    form: InspectionForm = opened.args[0]
    qtbot.waitUntil(lambda: form.sheet is not None and form.tree.hasFocus(), timeout=10_000)
    return page, form


def _fill_roteiro(qtbot, form: InspectionForm) -> None:  # type: ignore[no-untyped-def]
    for item in list(form.sheet.items):
        if item.code == "1.2":  # Lavatório exclusivo…: Imprescindível
            qtbot.keyClick(form.tree, Qt.Key.Key_N)
            qtbot.keyClicks(form.observation, OBSERVATION)
            qtbot.keyClick(form.observation, Qt.Key.Key_Return)
        else:
            qtbot.keyClick(form.tree, Qt.Key.Key_C)


def _conclude_with_infraction(qtbot, ctx: AppContext, form: InspectionForm) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(form.tree, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    dialog = wait_for_window(qtbot, ConcludeDialog)
    qtbot.keyClick(dialog, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.outcome() is InspectionOutcome.INFRACTION)
    qtbot.keyClicks(dialog.findings, "Lavatorio sem condicoes de higiene das maos.")
    dialog.received_by.clear()
    qtbot.keyClicks(dialog.received_by, "Ana Pereira")
    with qtbot.waitSignal(form.finished, timeout=10_000):
        qtbot.keyClick(dialog.received_by, Qt.Key.Key_Return)
    qtbot.waitUntil(form.done_banner.isVisible, timeout=10_000)
    _settle(qtbot, ctx)


def _issue_and_print(qtbot, form: InspectionForm, code: str) -> str:  # type: ignore[no-untyped-def]
    """Issue the document `code` from the banner's menu, print it, return the PDF's text."""
    form.issue_menu.findChild(type(form.issue_menu.actions()[0]), f"issue_{code}").trigger()
    dialog: IssueDocumentDialog = form.issue_dialog
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10_000)
    if code == "AI":
        dialog.facts.setPlainText("Lavatório da área de manipulação sem sabonete e papel toalha.")
        dialog.provisions.setPlainText("RDC Anvisa nº 216/2004, item 4.1.14")
        assert dialog.gravity_group.checkedId() == -1  # the inspector must classify it
        dialog.findChild(QRadioButton, "gravity_leve").setChecked(True)
        assert dialog.fine_label.text() == "de R$ 2.000,00 a R$ 75.000,00"
    qtbot.keyClicks(dialog.receiver_name, "Ana Pereira")
    qtbot.keyClicks(dialog.receiver_document, "123.456.789-09")
    with qtbot.waitSignal(dialog.issued, timeout=10_000):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.print_offer is not None, timeout=10_000)
    dialog.print_offer.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: getattr(dialog, "preview", None) is not None, timeout=10_000)
    pdf = bytes(dialog.preview._pdf)
    dialog.preview.close()
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_inspector_issues_and_prints_a_summons_and_an_auto_from_the_inspection(
    qtbot, fiscal_ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    _page, form = _open_first(qtbot, fiscal_ctx)
    establishment = form.title.text()
    _fill_roteiro(qtbot, form)
    _settle(qtbot, fiscal_ctx)
    assert form.progress.text() == "10 de 10 respondidos — 1 imprescindível não conforme"
    _conclude_with_infraction(qtbot, fiscal_ctx, form)
    assert form.issue_button.isVisible()

    summons = _issue_and_print(qtbot, form, "TN")
    assert "TERMO DE INTIMAÇÃO" in summons.upper() and "0001/2026" in summons
    assert "30 (trinta) dias" in summons and "01/04/2026" in summons
    assert "Lei Federal nº 6.437" in summons
    assert establishment.split(" — ")[0] in summons
    assert "1.2" in summons and "Lavatório exclusivo" in summons

    auto = _issue_and_print(qtbot, form, "AI")
    assert "AUTO DE INFRAÇÃO SANITÁRIA" in auto.upper() and "0001/2026" in auto
    assert "de R$ 2.000,00 a R$ 75.000,00" in auto
    assert "15 (quinze) dias" in auto and "17/03/2026" in auto
    assert "art. 2º" in auto and establishment.split(" — ")[0] in auto
