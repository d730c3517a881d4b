"""A reception clerk's day with the citizen page, driven from the keyboard as a clerk would.

Each test opens a real demo database (300 citizens), logs in as the demo "recepcao" account and
works the real page, form, detail and PDF preview through key presses and clicks, with the real
op runner (worker thread). Message boxes open non-modally, so they are found among the top-level
windows and answered by clicking their buttons.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.brazil.identifiers import cns_error, format_cns, generate_cns
from app.db.session import Database
from app.installation.demo import create_demo
from app.installation.service import installation_info
from app.registry.queries import count_citizens
from app.security.auth import login
from tests.ui.shell_helpers import wait_for_window
from ui.context import AppContext, Bus
from ui.ops import OpRunner
from ui.registry.detail import CitizenDetailDialog
from ui.registry.forms import CitizenFormDialog
from ui.registry.view import CitizenPage
from ui.widgets.fields import DateField, DocumentField
from ui.widgets.pdf_preview import PdfPreviewDialog

NEW_NAME = "Joaquina Conceição Araújo"


@pytest.fixture
def page(qtbot, ctx: AppContext) -> Iterator[CitizenPage]:
    widget = CitizenPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0)
    yield widget
    ctx.ops.wait_for_done()
    qtbot.waitUntil(ctx.ops.is_idle)  # deliver late results while the page still exists


def _closed(widget: QWidget) -> bool:
    return not shiboken6.isValid(widget) or not widget.isVisible()


def _count(ctx: AppContext) -> int:
    with ctx.db.read_only() as session:
        return count_citizens(session, ctx.actor)


def _open_new_form(qtbot, page: CitizenPage) -> CitizenFormDialog:
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page.search_box, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    return wait_for_window(qtbot, CitizenFormDialog)


def _type(qtbot, widget: QWidget, text: str) -> None:
    """Type like a keyboard: QTest handles only ASCII (it asserts on "ç"), so accented letters
    arrive as a key event carrying the text, as an ABNT2 keyboard or a dead key delivers them.
    """
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def _focused() -> QWidget | None:
    return QApplication.focusWidget()


def _type_identity(qtbot, form: CitizenFormDialog, name: str, cns: str) -> None:
    """Name, Enter to the next fields, CNS, then birth date and sex; leaves the focus on Sexo."""
    _type(qtbot, form.fields["name"], name)
    qtbot.keyClick(_focused(), Qt.Key.Key_Return)  # → Nome social
    qtbot.keyClick(_focused(), Qt.Key.Key_Return)  # → CNS
    assert _focused() is form.fields["cns"]
    qtbot.keyClicks(form.fields["cns"], cns)
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)  # → CPF
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)  # → Data de nascimento
    qtbot.keyClicks(form.fields["birth_date"], "04071980")
    qtbot.keyClick(_focused(), Qt.Key.Key_Return)  # → Sexo
    assert _focused() is form.fields["sex"]
    qtbot.keyClicks(form.fields["sex"], "F")


def _find_row(page: CitizenPage, name: str) -> int | None:
    for row in range(page.model.rowCount()):
        if page.model.row_at(page.model.index(row, 0)).name == name:
            return row
    return None


def test_clerk_registers_finds_opens_and_prints_a_citizen(
    qtbot, page: CitizenPage, ctx: AppContext, tmp_path: Path
) -> None:
    assert page.count_label.text() == "300 cidadãos cadastrados"
    form = _open_new_form(qtbot, page)
    assert _focused() is form.fields["name"]

    invalid_cns = "123456789012345"
    _type_identity(qtbot, form, NEW_NAME, invalid_cns)
    cns_label = form.findChild(QWidget, "error_cns")
    assert cns_label.isVisible() and cns_label.text() == cns_error(invalid_cns)

    valid_cns = generate_cns(random.Random(5))
    cns = form.fields["cns"]
    assert isinstance(cns, DocumentField)
    cns.setFocus()
    qtbot.keyClick(cns, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(cns, valid_cns)
    qtbot.keyClick(cns, Qt.Key.Key_Tab)
    assert not cns_label.isVisible() and cns.digits() == valid_cns

    qtbot.keyClick(_focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _closed(form) and ctx.ops.is_idle())
    assert _count(ctx) == 301
    qtbot.waitUntil(lambda: page.count_label.text() == "301 cidadãos cadastrados")

    qtbot.keyClicks(page.search_box, "araujo")
    qtbot.waitUntil(lambda: page.current_filter().text == "araujo" and ctx.ops.is_idle())
    assert _find_row(page, NEW_NAME) is not None
    assert page.count_label.text().endswith("resultados")
    every_name = [page.model.index(r, 0).data() for r in range(page.model.rowCount())]
    assert all("Araújo" in name for name in every_name)

    page.table.setFocus()
    page.table.selectRow(_find_row(page, NEW_NAME))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    detail = wait_for_window(qtbot, CitizenDetailDialog)
    assert detail.findChild(QWidget, "value_cns").text() == format_cns(valid_cns)
    assert detail.findChild(QWidget, "value_birth_date").text().startswith("04/07/1980")
    qtbot.waitUntil(lambda: detail.history.rowCount() >= 2)  # created, then opened
    actions = {detail.history.item(r, 2).text() for r in range(detail.history.rowCount())}
    assert len(actions) >= 2

    qtbot.mouseClick(detail.print_button, Qt.MouseButton.LeftButton)
    preview = wait_for_window(qtbot, PdfPreviewDialog)
    assert preview.page_count() >= 1
    assert "Código de verificação" in preview.windowTitle()
    preview.save_to(tmp_path / "ficha.pdf")
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "ficha.pdf").pages)
    assert NEW_NAME in text or NEW_NAME.upper() in text
    assert not list(tmp_path.glob(".tmp-*"))  # the temporary file was renamed, not left behind


def test_duplicate_cns_is_shown_beside_the_field_with_the_owner(
    qtbot, page: CitizenPage, ctx: AppContext
) -> None:
    existing = page.model.row_at(page.model.index(0, 0))
    assert existing.cns
    form = _open_new_form(qtbot, page)
    _type_identity(qtbot, form, "Benedita Rocha Nunes", existing.cns)
    qtbot.keyClick(_focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    cns_label = form.findChild(QWidget, "error_cns")
    qtbot.waitUntil(lambda: cns_label.isVisible() and ctx.ops.is_idle())
    assert existing.name in cns_label.text()
    assert form.isVisible() and _count(ctx) == 300
    assert _focused() is form.fields["cns"]

    qtbot.mouseClick(form.open_existing_button, Qt.MouseButton.LeftButton)
    detail = wait_for_window(qtbot, CitizenDetailDialog)
    assert detail.findChild(QWidget, "value_name").text() == existing.name


def test_probable_duplicate_asks_and_saves_when_confirmed(
    qtbot, page: CitizenPage, ctx: AppContext
) -> None:
    # The demo data has no mothers' names on some rows; take one that has.
    existing = next(
        page.model.row_at(page.model.index(r, 0))
        for r in range(page.model.rowCount())
        if page.model.row_at(page.model.index(r, 0)).mother_name
    )
    form = _open_new_form(qtbot, page)
    _type(qtbot, form.fields["name"], existing.name)
    birth = form.fields["birth_date"]
    assert isinstance(birth, DateField)
    birth.set_value(existing.birth_date)
    form.fields["sex"].setFocus()
    qtbot.keyClicks(form.fields["sex"], existing.sex.label[0])
    _type(qtbot, form.fields["mother_name"], existing.mother_name)
    qtbot.keyClick(_focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    box = wait_for_window(qtbot, QMessageBox, "possible_duplicate")
    assert "Salvar mesmo assim?" in box.text()
    assert _count(ctx) == 300
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _closed(form) and ctx.ops.is_idle())
    assert _count(ctx) == 301


def test_escape_asks_before_discarding_typed_data(
    qtbot, page: CitizenPage, ctx: AppContext
) -> None:
    form = _open_new_form(qtbot, page)
    qtbot.keyClick(form.fields["name"], Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: _closed(form))  # nothing typed: closes at once

    form = _open_new_form(qtbot, page)
    qtbot.keyClicks(form.fields["name"], "Maria")
    qtbot.keyClick(form.fields["name"], Qt.Key.Key_Escape)
    box = wait_for_window(qtbot, QMessageBox, "confirm_discard")
    assert form.isVisible()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _closed(form))
    assert _count(ctx) == 300


def test_server_errors_land_beside_their_fields(qtbot, page: CitizenPage) -> None:
    form = _open_new_form(qtbot, page)
    qtbot.keyClick(form.fields["name"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    name_label = form.findChild(QWidget, "error_name")
    qtbot.waitUntil(name_label.isVisible)
    assert name_label.text() == "Informe o nome completo."
    assert form.findChild(QWidget, "error_birth_date").text() == "Informe a data de nascimento."
    assert form.findChild(QWidget, "error_sex").text() == "Informe o sexo."
    assert _focused() is form.fields["name"]


def test_etnia_opens_only_for_indigenous_race_and_its_error_shows_beside_it(
    qtbot, page: CitizenPage
) -> None:
    form = _open_new_form(qtbot, page)
    race, ethnicity = form.fields["race"], form.fields["ethnicity"]
    assert not ethnicity.isEnabled()
    race.setCurrentIndex(race.findText("Indígena"))  # as picked from the list
    assert ethnicity.isEnabled()
    qtbot.keyClick(form.fields["name"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    error = form.findChild(QWidget, "error_ethnicity")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "Para raça/cor indígena, informe a etnia (código de 4 dígitos)."
    qtbot.keyClicks(ethnicity, "0123")
    race.setCurrentIndex(race.findText("Branca"))  # another race: the code is dropped
    assert not ethnicity.isEnabled() and ethnicity.text() == ""


def test_print_list_previews_the_current_search(qtbot, page: CitizenPage, ctx: AppContext) -> None:
    qtbot.keyClicks(page.search_box, "silva")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.current_filter().text == "silva" and ctx.ops.is_idle())
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    preview = wait_for_window(qtbot, PdfPreviewDialog)
    assert preview.page_count() >= 1
    assert preview.windowTitle().startswith("Lista de cidadãos")


def test_read_only_account_sees_no_write_or_print_buttons(qtbot, db: Database) -> None:
    create_demo(db, citizens=10, seed=2)
    with db.unit_of_work("consulta") as session:
        actor = login(session, "consulta", "consulta2026").actor
        info = installation_info(session)
    assert actor is not None and info is not None
    ctx = AppContext(db=db, actor=actor, installation=info, ops=OpRunner(), bus=Bus())
    page = CitizenPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 10)
    assert page.new_button.isHidden() and page.print_button.isHidden()
    assert page.open_button.isVisible()
    assert page.count_label.text() == "10 cidadãos cadastrados"


def test_clerk_edits_a_phone_from_the_detail_and_sees_it_in_the_history(
    qtbot, page: CitizenPage, ctx: AppContext
) -> None:
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    detail = wait_for_window(qtbot, CitizenDetailDialog)
    qtbot.keyClick(detail, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)  # &Editar
    form = wait_for_window(qtbot, CitizenFormDialog)
    assert form.windowTitle().startswith("Editar cidadão")
    phone = form.fields["phone"]
    assert isinstance(phone, DocumentField)
    phone.setFocus()
    qtbot.keyClick(phone, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(phone, "43988887777")
    qtbot.keyClick(phone, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _closed(form))
    value = detail.findChild(QWidget, "value_phone")
    qtbot.waitUntil(lambda: value.text() == "(43) 98888-7777")
    qtbot.waitUntil(lambda: detail.history.rowCount() >= 3 and ctx.ops.is_idle())
    changes = [detail.history.item(r, 3).text() for r in range(detail.history.rowCount())]
    assert "telefone" in changes
    assert _count(ctx) == 300
