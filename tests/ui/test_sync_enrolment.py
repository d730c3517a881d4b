"""Enrolment through the sync center on real nodes: request, enrol, join, revoke, numbering."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import func, select

from app.db.session import Database
from app.installation.models import NodeKind
from app.installation.service import installation_info
from app.security.auth import login
from app.sync.errors import MESSAGES
from app.sync.models import SyncPeer
from app.sync.node import enrol_node, write_request
from tests.integration.sync.network import UNIT_A, Network, make_network, make_node
from ui import state
from ui.context import AppContext, Bus
from ui.ops import OpRunner
from ui.sync.enrolment import RangeDialog
from ui.sync.view import SyncPage


def _context(db: Database) -> AppContext:
    with db.unit_of_work("admin") as session:
        result = login(session, "admin", "senha-forte-2026")
        info = installation_info(session)
    assert result.actor is not None and info is not None
    return AppContext(db=db, actor=result.actor, installation=info, ops=OpRunner(), bus=Bus())


@pytest.fixture
def net(tmp_path: Path) -> Iterator[Network]:
    state.use_file(tmp_path / "janelas.ini")
    yield make_network(tmp_path)
    state.use_file(None)


@pytest.fixture
def open_page(qtbot) -> Iterator:
    pages: list[SyncPage] = []

    def open_(db: Database) -> SyncPage:
        page = SyncPage(_context(db))
        qtbot.addWidget(page)
        page.resize(1100, 720)
        page.show()
        qtbot.waitUntil(page._ctx.ops.is_idle)
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page._ctx.ops.wait_for_done()


def _press(qtbot, page: SyncPage, button: QPushButton) -> str:
    """Click an enrolment button; wait for its message and for the page to show fresh data."""
    with qtbot.waitSignal(page.enrolment.done, timeout=20_000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page._ctx.ops.is_idle)
    assert page.summary.text() == blocker.args[0]
    return str(blocker.args[0])


def _peers(page: SyncPage) -> list[tuple[str, str]]:
    return [(row.name, row.state_label) for row in page.peers_model.rows()]


def _unit(net: Network) -> Database:
    return make_node(net.root / "nos", "UBS Centro", NodeKind.UNIT, UNIT_A)


def _select(page: SyncPage, name: str) -> None:
    row = next(i for i, peer in enumerate(page.peers_model.rows()) if peer.name == name)
    page.peers_table.setFocus()
    page.peers_table.setCurrentIndex(page.peers_model.index(row, 0))


def test_a_unit_is_enrolled_through_the_buttons(qtbot, net: Network, open_page) -> None:
    unit_page, hub_page = open_page(_unit(net)), open_page(net.hub)
    assert _peers(unit_page) == [] and _peers(hub_page) == []
    folder = net.root / "pendrive"
    folder.mkdir()
    unit_page.enrolment.save_file = lambda _p, _t, suggested, _f: folder / Path(suggested).stem
    message = _press(qtbot, unit_page, unit_page.enrolment.request_button)
    request = folder / "UBS_Centro.smpedido"
    assert request.exists()
    assert message.startswith(f"Pedido de cadastro gravado em {request}. Leve este arquivo à ")

    teams: list[str] = []

    def team(_parent: object, _title: str, label: str) -> str:
        teams.append(label)
        return ""

    hub_page.enrolment.open_file = lambda *_args: request
    hub_page.enrolment.ask_text = team
    hub_page.enrolment.save_file = lambda _p, _t, suggested, _f: Path(suggested)
    message = _press(qtbot, hub_page, hub_page.enrolment.enrol_button)
    answer = folder / "UBS_Centro.smcadastro"
    assert message.startswith(f"UBS Centro cadastrado. Leve o arquivo {answer} a esse computador")
    assert teams and teams[0].startswith("Equipe do computador (opcional")
    assert _peers(hub_page) == [("UBS Centro", "cadastrado")]

    unit_page.enrolment.open_file = lambda *_args: answer
    message = _press(qtbot, unit_page, unit_page.enrolment.join_button)
    assert message == "Cadastro concluído: este computador sincroniza com Central."
    assert _peers(unit_page) == [("Central", "cadastrado")]
    hub_page.grab().save("/tmp/sync_hub.png")


def test_the_hub_revokes_the_selected_computer_after_confirming(
    qtbot, net: Network, open_page
) -> None:
    net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    page = open_page(net.hub)
    questions: list[str] = []
    answers = [False, True]

    def confirm(_parent: object, _title: str, question: str) -> bool:
        questions.append(question)
        return answers.pop(0)

    page.enrolment.confirm = confirm
    message = _press(qtbot, page, page.enrolment.revoke_button)
    assert message == "Selecione na lista o computador a revogar."

    _select(page, "UBS Centro")
    qtbot.mouseClick(page.enrolment.revoke_button, Qt.MouseButton.LeftButton)  # declined
    assert questions[0].startswith("Revogar o computador UBS Centro? Os lotes dele")
    assert _peers(page) == [("UBS Centro", "cadastrado")]

    _select(page, "UBS Centro")
    message = _press(qtbot, page, page.enrolment.revoke_button)
    assert message.startswith("UBS Centro revogado: os lotes dele serão recusados")
    assert _peers(page) == [("UBS Centro", "revogado")]


def test_the_hub_reserves_numbers_for_the_selected_computer(qtbot, net: Network, open_page) -> None:
    net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    page = open_page(net.hub)
    _select(page, "UBS Centro")
    qtbot.mouseClick(page.enrolment.range_button, Qt.MouseButton.LeftButton)
    dialog: RangeDialog | None = page.enrolment.range_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.year.value() == page._ctx.today().year == 2026

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # no series typed
    series_error = dialog.form.error_labels["series"]
    qtbot.waitUntil(lambda: series_error.isVisible())
    dialog.grab().save("/tmp/range_dialog.png")
    assert series_error.text() == "Informe a série da numeração."

    qtbot.keyClicks(dialog.series, "AI")
    dialog.quantity.setFocus()
    dialog.quantity.selectAll()
    qtbot.keyClicks(dialog.quantity, "50")
    with qtbot.waitSignal(page.enrolment.done, timeout=20_000) as blocker:
        qtbot.keyClick(dialog.quantity, Qt.Key.Key_Return)  # Enter on the last field reserves
    assert str(blocker.args[0]).startswith(
        "Números 1 a 50 da série AI/2026 reservados para UBS Centro."
    )
    assert not dialog.isVisible()
    qtbot.waitUntil(page._ctx.ops.is_idle)
    assert page.summary.text() == blocker.args[0]

    _select(page, "UBS Centro")
    qtbot.mouseClick(page.enrolment.range_button, Qt.MouseButton.LeftButton)
    again = page.enrolment.range_dialog
    assert again is not None and again is not dialog
    qtbot.keyClicks(again.series, "AI")
    with qtbot.waitSignal(page.enrolment.done, timeout=20_000) as blocker:
        qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert str(blocker.args[0]).startswith("Números 51 a 150 da série AI/2026 reservados")


def test_a_forged_enrolment_file_is_refused_and_changes_nothing(
    qtbot, net: Network, open_page
) -> None:
    unit = _unit(net)
    request, answer = net.root / "pedido.smpedido", net.root / "cadastro.smcadastro"
    write_request(unit, request)
    enrol_node(net.hub, request, answer)
    content = answer.read_bytes()
    assert content.count(b'"name":"Central"') == 1
    answer.write_bytes(content.replace(b'"name":"Central"', b'"name":"Centrak"'))

    page = open_page(unit)
    page.enrolment.open_file = lambda *_args: answer
    qtbot.mouseClick(page.enrolment.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.enrolment.error_box is not None)
    box = page.enrolment.error_box
    assert box is not None and box.isVisible()
    assert box.text() == MESSAGES["signature"]
    assert page.enrolment.join_button.isEnabled()
    with unit.read_only() as session:
        assert session.scalar(select(func.count()).select_from(SyncPeer)) == 0
    qtbot.waitUntil(page._ctx.ops.is_idle)
    assert _peers(page) == []


def test_the_actions_follow_the_kind_of_computer_and_the_permission(
    qtbot, net: Network, open_page
) -> None:
    def shown(page: SyncPage) -> list[str]:
        buttons = page.enrolment.findChildren(QPushButton)
        return [b.text() for b in buttons if b.isVisibleTo(page)]

    hub = open_page(net.hub)
    assert shown(hub) == [
        "Cadastrar com&putador…",
        "Re&vogar computador",
        "Reservar &numeração…",
    ]
    unit = open_page(_unit(net))
    assert shown(unit) == ["&Gerar pedido de cadastro…", "Importar ca&dastro da central…"]

    ctx = _context(net.hub)
    ctx.actor = replace(ctx.actor, permissions=frozenset({"sync.run"}))
    clerk = SyncPage(ctx)
    qtbot.addWidget(clerk)
    clerk.show()
    assert shown(clerk) == []
    ctx.ops.wait_for_done()
