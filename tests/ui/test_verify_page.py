"""Checking a printed document's code: typed in lower case it shows in upper case, a real code
is confirmed in green with what the document is, an unknown or mistyped code is refused in red.
"""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import Qt

from app.db.session import Database
from app.registry.queries import CitizenFilter
from app.registry.reports import citizen_list_pdf
from app.reports.codes import new_code
from tests.ui.shell_helpers import context_for, fill_demo
from ui.context import AppContext
from ui.documents.verify import VerifyPage
from ui.ops import OpRunner


@pytest.fixture
def ctx(db: Database) -> AppContext:
    fill_demo(db)
    ops = OpRunner()
    yield context_for(db, "auditor", ops)
    ops.wait_for_done()


@pytest.fixture
def page(qtbot, ctx: AppContext) -> VerifyPage:
    widget = VerifyPage(ctx)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _issued_code(db: Database) -> str:
    admin = context_for(db, "admin").actor
    with db.unit_of_work("admin") as session:
        return citizen_list_pdf(session, admin, CitizenFilter()).code


def _check(qtbot, page: VerifyPage, typed: str):
    page.code.clear()
    qtbot.keyClicks(page.code, typed)
    with qtbot.waitSignal(page.verified, timeout=10_000) as answer:
        qtbot.keyClick(page.code, Qt.Key.Key_Return)
    return answer.args[0]


def test_a_real_code_typed_in_lower_case_is_confirmed_in_green(qtbot, page, ctx):
    code = _issued_code(ctx.db)
    typed = code.lower().replace("-", " ")
    result = _check(qtbot, page, typed)
    assert page.code.text() == typed.upper()
    assert result.authentic
    assert page.result_label.isVisible()
    assert page.result_label.text().startswith("Documento autêntico: Lista de cidadãos")
    assert "#1b6e3a" in page.result_label.styleSheet()


def test_unknown_code_is_refused_in_red(qtbot, page):
    result = _check(qtbot, page, new_code(random.Random(7)))  # well formed, never issued
    assert not result.found
    assert page.result_label.text() == (
        "Nenhum documento emitido com este código. O documento pode ser falso."
    )
    assert "#8c1d18" in page.result_label.styleSheet()


def test_mistyped_code_is_refused_before_the_lookup(qtbot, page, ctx):
    code = _issued_code(ctx.db)
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    _check(qtbot, page, wrong)
    assert page.result_label.text() == "Código mal formado: confira os caracteres digitados."


def test_empty_field_asks_for_the_code(qtbot, page):
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    assert page.result_label.text() == "Digite o código impresso no documento."
