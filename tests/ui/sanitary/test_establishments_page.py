"""The "Estabelecimentos" page driven as the inspector would: register a marmitaria with an
alphanumeric CNPJ and a "depende de informação" CNAE, answer SIM, watch the risk become III with
its reason, save with Ctrl+S and find it in the list; a wrong check digit is refused beside the
field; a status change asks for the reason.

Real demo database, the demo inspector "fiscal" (team "Equipe Alimentos"), the real op runner.
Screenshots at 1366×768 go to /tmp/shots for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QRadioButton, QWidget

from app.sanitary.enums import EstablishmentStatus, RiskLevel
from app.sanitary.establishment_queries import EstablishmentFilter, find_establishments
from tests.ui.shell_helpers import wait_for_window
from ui.context import AppContext
from ui.sanitary.establishment_form import EstablishmentFormDialog
from ui.sanitary.establishment_status import StatusDialog
from ui.sanitary.establishments import EstablishmentsPage

SHOTS = Path("/tmp/shots")
LEGAL_NAME = "Marmitaria Boa Mesa Ltda"


@pytest.fixture
def page(qtbot, fiscal_ctx: AppContext) -> Iterator[EstablishmentsPage]:
    widget = EstablishmentsPage(fiscal_ctx)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0)
    yield widget
    fiscal_ctx.ops.wait_for_done()
    qtbot.waitUntil(fiscal_ctx.ops.is_idle)


def _shot(qtbot, widget: QWidget, name: str) -> None:
    qtbot.wait(100)  # let posted layout requests run before the picture
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _closed(widget: QWidget) -> bool:
    return not shiboken6.isValid(widget) or not widget.isVisible()


def _focused() -> QWidget | None:
    return QApplication.focusWidget()


def _open_form(qtbot, page: EstablishmentsPage) -> EstablishmentFormDialog:
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page.search_box, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = wait_for_window(qtbot, EstablishmentFormDialog)
    qtbot.waitUntil(lambda: _focused() is form.document)
    return form


def test_inspector_registers_a_marmitaria_whose_answer_makes_it_high_risk(
    qtbot, page: EstablishmentsPage, fiscal_ctx: AppContext
) -> None:
    assert page.count_label.text() == "40 estabelecimentos"
    _shot(qtbot, page, "establishments_page")
    form = _open_form(qtbot, page)

    qtbot.keyClicks(form.document, "12ABC34501DE36")  # wrong last check digit
    qtbot.keyClick(form.document, Qt.Key.Key_Tab)
    error = form.findChild(QWidget, "error_document")
    assert error.isVisible()
    assert error.text() == "CNPJ inválido: os dígitos verificadores não conferem."
    form.document.setFocus()
    form.document.selectAll()
    qtbot.keyClicks(form.document, "12ABC34501DE35")
    qtbot.keyClick(form.document, Qt.Key.Key_Return)  # Enter → razão social
    assert not error.isVisible()
    assert form.document.text() == "12.ABC.345/01DE-35"
    assert _focused() is form.fields["legal_name"]
    qtbot.keyClicks(form.fields["legal_name"], LEGAL_NAME)
    qtbot.keyClick(_focused(), Qt.Key.Key_Return)
    qtbot.keyClicks(form.fields["trade_name"], "Boa Mesa")

    entry = form.activities.cnae_edit
    entry.setFocus()
    qtbot.keyClicks(entry, "5620104")
    preview = form.activities.preview.text()
    assert preview == (
        "5620-1/04 — Fornecimento de alimentos preparados preponderantemente para consumo "
        "domiciliar · Depende de informação"
    )
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    editor = form.activities.editor("5620104")
    assert form.activities.risk_label.text() == "Grau de risco: III – alto risco"
    assert "perguntas 1 e 2 sem respostas" in form.activities.reason_label.text()

    qtbot.mouseClick(editor.findChild(QRadioButton, "q2_no"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.findChild(QRadioButton, "q1_no"), Qt.MouseButton.LeftButton)
    assert form.activities.risk_label.text() == "Grau de risco: II – médio risco"
    qtbot.mouseClick(editor.findChild(QRadioButton, "q1_yes"), Qt.MouseButton.LeftButton)
    assert form.activities.risk_label.text() == "Grau de risco: III – alto risco"
    assert form.activities.reason_label.text() == (
        "CNAE 5620-1/04: respondeu SIM a 'Prepara refeições para hospitais, creches ou "
        "instituições de longa permanência?' → risco III (IN 66/2020, Anexo IV)."
    )
    _shot(qtbot, form, "establishment_form")

    form.fields["legal_name"].setFocus()
    qtbot.keyClick(_focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _closed(form), timeout=10_000)
    qtbot.waitUntil(lambda: page.row_by_name(LEGAL_NAME) is not None, timeout=10_000)
    assert page.count_label.text() == "41 estabelecimentos"

    number = page.row_by_name(LEGAL_NAME)
    assert number is not None
    row = page.model.row_at(number)
    assert (row.document_label, row.risk) == ("12.ABC.345/01DE-35", RiskLevel.HIGH)
    assert page.model.index(number, 3).data() == "III – alto risco"
    page.table.selectRow(number)
    qtbot.waitUntil(lambda: page.risk_headline.text() == "Grau de risco: III – alto risco")
    assert page.risk_reason.text().startswith("CNAE 5620-1/04: respondeu SIM a")
    page.tabs.setCurrentIndex(1)
    _shot(qtbot, page, "establishments_page_detail")
    page.tabs.setCurrentIndex(0)
    _shot(qtbot, page, "establishments_page_data")


def test_search_and_filters_narrow_the_list(
    qtbot, page: EstablishmentsPage, fiscal_ctx: AppContext
) -> None:
    page.risk_filter.setCurrentIndex(page.risk_filter.findData(RiskLevel.HIGH.value))
    qtbot.waitUntil(lambda: page.count_label.text() != "40 estabelecimentos")
    assert {r.risk for r in page.model.rows()} == {RiskLevel.HIGH}
    qtbot.keyClicks(page.search_box, "drogaria")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: all("Drogaria" in r.legal_name for r in page.model.rows()))
    with fiscal_ctx.db.read_only() as session:
        expected = find_establishments(
            session, fiscal_ctx.actor, EstablishmentFilter(text="drogaria", risk=RiskLevel.HIGH)
        )
    qtbot.waitUntil(lambda: page.model.rowCount() == len(expected) > 0)


def test_a_status_change_asks_for_the_reason(
    qtbot, page: EstablishmentsPage, fiscal_ctx: AppContext
) -> None:
    page.table.selectRow(0)
    target = page.model.row_at(0)
    qtbot.mouseClick(page.status_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, StatusDialog)
    dialog.status_combo.setCurrentIndex(
        dialog.status_combo.findData(EstablishmentStatus.INTERDICTED.value)
    )
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error_label.isVisible)
    assert dialog.error_label.text() == "Informe o motivo da alteração da situação."
    qtbot.keyClicks(dialog.reason_edit, "Termo de interdicao TD 0003/2026")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _closed(dialog), timeout=10_000)

    def interdicted() -> bool:
        rows = [r for r in page.model.rows() if r.id == target.id]
        return bool(rows) and rows[0].status is EstablishmentStatus.INTERDICTED

    qtbot.waitUntil(interdicted, timeout=10_000)


def test_editing_opens_the_form_filled_and_a_new_answer_changes_the_risk(
    qtbot, page: EstablishmentsPage, fiscal_ctx: AppContext
) -> None:
    number = next(i for i, r in enumerate(page.model.rows()) if r.legal_name.startswith("Marmit"))
    row = page.model.row_at(number)
    page.table.selectRow(number)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    form = wait_for_window(qtbot, EstablishmentFormDialog)
    assert form.windowTitle() == f"Editar estabelecimento — {row.trade_name}"
    assert form.document.text() == row.document_label
    assert form.fields["legal_name"].text() == row.legal_name
    editor = form.activities.editor("5620104")
    assert editor.answers() == {}  # the demo never answered the questions
    assert form.activities.risk_label.text() == "Grau de risco: III – alto risco"
    editor.answer(1, False)
    editor.answer(2, False)
    assert form.activities.risk_label.text() == "Grau de risco: II – médio risco"
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _closed(form), timeout=10_000)

    def saved() -> bool:
        rows = [r for r in page.model.rows() if r.id == row.id]
        return bool(rows) and rows[0].risk is RiskLevel.MEDIUM

    qtbot.waitUntil(saved, timeout=10_000)


def test_a_person_is_registered_with_a_cpf(
    qtbot, page: EstablishmentsPage, fiscal_ctx: AppContext
) -> None:
    form = _open_form(qtbot, page)
    qtbot.mouseClick(form.cpf_radio, Qt.MouseButton.LeftButton)
    form.document.setFocus()
    qtbot.keyClicks(form.document, "11144477735")
    assert form.document.text() == "111.444.777-35"
    qtbot.keyClicks(form.fields["legal_name"], "Maria Aparecida Costa")
    form.activities.cnae_edit.setFocus()
    qtbot.keyClicks(form.activities.cnae_edit, "1234567")
    assert form.activities.preview.text() == "CNAE 1234-5/67 não está na tabela de risco vigente."
    qtbot.keyClick(form.activities.cnae_edit, Qt.Key.Key_Return)
    assert form.activities.error_label.text() == form.activities.preview.text()
    assert form.activities.editors == []
    form.activities.cnae_edit.clear()
    qtbot.keyClicks(form.activities.cnae_edit, "9602501")
    qtbot.mouseClick(form.activities.add_button, Qt.MouseButton.LeftButton)
    # The example municipal rule of the demo raises hairdressers from I to II.
    assert form.activities.risk_label.text() == "Grau de risco: II – médio risco"
    assert form.activities.reason_label.text().startswith(
        "CNAE 9602-5/01: Regra municipal → risco II"
    )
    qtbot.keyClick(form.document, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _closed(form), timeout=10_000)
    qtbot.waitUntil(lambda: page.row_by_name("Maria Aparecida Costa") is not None, timeout=10_000)
    found = page.model.row_at(page.row_by_name("Maria Aparecida Costa") or 0)
    assert (found.document_label, found.risk) == ("111.444.777-35", RiskLevel.MEDIUM)


def test_inspector_lavra_an_interdiction_from_the_list_without_an_inspection(
    qtbot, page: EstablishmentsPage, fiscal_ctx: AppContext
) -> None:
    """A complaint visit: no planned inspection, the inspector interdicts from the register."""
    from PySide6.QtWidgets import QMessageBox

    from ui.sanitary.document_dialogs import IssueDocumentDialog

    menu = page.issue_button.menu()
    assert [a.text() for a in menu.actions()] == [
        "Auto de Infração Sanitária",
        "Auto de Coleta de Amostra",
        "Termo de Interdição",
    ]
    page.table.selectRow(0)
    target = page.model.row_at(0)
    assert page.issue_button.isEnabled()
    menu.findChild(type(menu.actions()[0]), "issue_TD").trigger()
    dialog: IssueDocumentDialog = page.issue_dialog
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10_000)
    assert target.trade_name in dialog.heading.text() or target.legal_name in dialog.heading.text()
    dialog.extent_total.setChecked(True)
    dialog.facts.setPlainText("Esgoto a céu aberto na área de preparo de alimentos.")
    qtbot.keyClicks(dialog.receiver_name, "Rui Lima")
    qtbot.keyClicks(dialog.receiver_document, "123.456.789-09")
    _shot(qtbot, dialog, "visa-establishments-interdiction-dialog")
    with qtbot.waitSignal(dialog.issued, timeout=10_000):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.issued_result.title.startswith("Termo de Interdição nº 0001/2026")
    qtbot.waitUntil(lambda: dialog.print_offer is not None, timeout=10_000)
    dialog.print_offer.button(QMessageBox.StandardButton.No).click()

    def interdicted() -> bool:
        rows = [r for r in page.model.rows() if r.id == target.id]
        return bool(rows) and rows[0].status is EstablishmentStatus.INTERDICTED

    qtbot.waitUntil(interdicted, timeout=10_000)
