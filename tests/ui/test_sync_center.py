"""The sync center on real nodes: export and import through the buttons, then resolve a conflict."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from app.db.session import Database
from app.installation.models import NodeKind
from app.installation.service import installation_info
from app.registry.models import Citizen
from app.security.auth import login
from app.sync.hub import ingest
from app.sync.models import SyncConflict
from tests.integration.sync.network import (
    UNIT_A,
    UNIT_B,
    Network,
    add_citizen,
    edit_citizen,
    make_network,
)
from ui import state
from ui.context import AppContext, Bus
from ui.ops import OpRunner
from ui.sync.conflict_dialog import ConflictDialog
from ui.sync.view import FOLDER_KEY, SyncPage


def _context(db: Database, username: str = "admin") -> AppContext:
    with db.unit_of_work(username) as session:
        result = login(session, username, "senha-forte-2026")
        info = installation_info(session)
    assert result.actor is not None and info is not None
    return AppContext(db=db, actor=result.actor, installation=info, ops=OpRunner(), bus=Bus())


@pytest.fixture
def net(tmp_path: Path) -> Iterator[Network]:
    state.use_file(tmp_path / "janelas.ini")
    network = make_network(tmp_path)
    network.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    network.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
    yield network
    state.use_file(None)


@pytest.fixture
def page(qtbot, net: Network) -> Iterator[SyncPage]:
    ctx = _context(net.nodes["UBS Centro"])
    chosen: list[str] = []

    def choose(_parent: object, title: str, _start: str) -> Path:
        chosen.append(title)
        return net.share

    widget = SyncPage(ctx, choose_folder=choose)
    qtbot.addWidget(widget)
    widget.resize(1100, 720)
    widget.show()
    qtbot.waitUntil(lambda: widget.peers_model.rowCount() == 1)
    yield widget
    ctx.ops.wait_for_done()


def _click_and_wait(qtbot, page: SyncPage, button) -> str:
    with qtbot.waitSignal(page.finished, timeout=20_000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.export_button.isEnabled())
    return str(blocker.args[0])


def _cell(model, row: int, column: int) -> str:
    return str(model.data(model.index(row, column)))


def test_export_and_import_through_the_buttons(qtbot, net: Network, page: SyncPage) -> None:
    unit = net.nodes["UBS Centro"]
    add_citizen(unit, "Maria da Silva")
    with qtbot.waitSignal(page.loaded):
        page.reload()
    assert page.pending_box.title() == "Alterações pendentes (1)"
    assert (_cell(page.pending_model, 0, 0), _cell(page.pending_model, 0, 1)) == ("Cidadãos", "1")
    assert page.node_label.text() == "Este computador: UBS Centro · Unidade de saúde (CNES " \
        f"{UNIT_A}) · época 1"  # fmt: skip

    summary = _click_and_wait(qtbot, page, page.export_button)
    assert summary.startswith("Exportado para Central: ") and "1 arquivo(s)" in summary
    assert page.summary.text() == summary and state.load_text(FOLDER_KEY) == str(net.share)
    ingest(net.hub, net.share)
    summary = _click_and_wait(qtbot, page, page.import_button)
    # the receipt, and the hub's roles (its first package to this unit)
    assert summary == (
        "1 recibo(s) de confirmação, 1 pacote(s) da central (tabelas de referência, perfis)."
    )
    qtbot.waitUntil(lambda: page.pending_box.title().startswith("Alterações pendentes (0)"))
    history = {
        _cell(page.history_model, row, 8): _cell(page.history_model, row, 3)
        for row in range(page.history_model.rowCount())
    }
    [batch] = [name for name in history if name.endswith(".smlote")]
    [roles] = [name for name in history if name.startswith("perfis_")]
    assert (history[batch], history[roles]) == ("confirmado", "aplicado")
    assert _cell(page.peers_model, 0, 4) == "02/03/2026 09:00"  # the receipt counts as news
    page.tabs.setCurrentIndex(1)
    page.grab().save("/tmp/sync_history.png")


def test_a_refused_file_is_named_with_its_reason_and_shown_in_quarantine(
    qtbot, net: Network, page: SyncPage
) -> None:
    bad = net.share / "entrada" / "lote_estragado.smlote"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"isto nao e um lote")
    summary = _click_and_wait(qtbot, page, page.import_button)
    assert "1 recusado(s)" in summary
    assert "• lote_estragado.smlote: O arquivo não é um lote do Saúde Municipal" in summary
    qtbot.waitUntil(lambda: page.quarantine_model.rowCount() == 1)
    assert _cell(page.quarantine_model, 0, 0) == "lote_estragado.smlote"
    assert page.tabs.tabText(2) == "Quarentena (1)"


def _make_conflict(qtbot, net: Network, page: SyncPage) -> str:
    a, b = net.nodes["UBS Centro"], net.nodes["UBS Vila Nova"]
    citizen = add_citizen(a, "Maria da Silva")
    net.round()
    edit_citizen(a, citizen, phone="41999990000")
    b.clock.advance(timedelta(seconds=5))
    edit_citizen(b, citizen, phone="41988880000")
    net.send("UBS Vila Nova")
    _click_and_wait(qtbot, page, page.export_button)
    ingest(net.hub, net.share)
    summary = _click_and_wait(qtbot, page, page.import_button)
    assert "1 conflito(s) para revisar na aba Conflitos" in summary
    return citizen


def test_a_conflict_is_compared_side_by_side_and_resolved(
    qtbot, net: Network, page: SyncPage
) -> None:
    citizen = _make_conflict(qtbot, net, page)
    qtbot.waitUntil(lambda: page.conflicts_model.rowCount() == 1)
    assert page.tabs.tabText(0) == "Conflitos (1)"
    assert _cell(page.conflicts_model, 0, 1) == "Cidadão: Maria da Silva"
    assert _cell(page.conflicts_model, 0, 2) == "Telefone"

    page.conflicts_table.setFocus()
    page.conflicts_table.setCurrentIndex(page.conflicts_model.index(0, 0))
    qtbot.keyClick(page.conflicts_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible())
    dialog: ConflictDialog = page.dialog
    mine = dialog.radios[("phone", "local")]
    theirs = dialog.radios[("phone", "remote")]
    assert (mine.text(), theirs.text()) == ("41999990000", "41988880000")
    assert theirs.isChecked()  # the provisional winner, the later edit
    sex = next(f for f in dialog.detail.fields if f.name == "sex")
    assert sex.local == "Feminino"
    dialog.grab().save("/tmp/conflict_dialog.png")
    page.grab().save("/tmp/sync_center.png")

    qtbot.mouseClick(dialog.all_local, Qt.MouseButton.LeftButton)
    assert dialog.choices() == {"phone": "local"}
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert page.conflicts_model.rowCount() == 0
    assert page.summary.text().startswith("Conflito resolvido (resolvido: Telefone: esta versão")
    with net.nodes["UBS Centro"].read_only() as session:
        phone = session.get(Citizen, uuid.UUID(citizen)).phone
        conflict = session.scalars(select(SyncConflict)).one()
        assert (phone, conflict.resolved_by) == ("41999990000", "admin")


def test_without_sync_admin_the_resolution_cannot_be_saved(
    qtbot, net: Network, page: SyncPage
) -> None:
    from dataclasses import replace

    _make_conflict(qtbot, net, page)
    qtbot.waitUntil(lambda: page.conflicts_model.rowCount() == 1)
    page._ctx.actor = replace(page._ctx.actor, permissions=frozenset({"sync.run"}))
    page.open_conflict(page.conflicts_model.row_at(0).id)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible())
    assert not page.dialog.save_button.isEnabled()
    assert "sync.admin" in page.dialog.save_button.toolTip()


def test_the_status_bar_follows_an_exchange_made_in_the_sync_center(
    qtbot, net: Network, tmp_path: Path
) -> None:
    from app.settings import Settings
    from ui.main_window import MainWindow

    unit = net.nodes["UBS Centro"]
    add_citizen(unit, "Maria da Silva")
    ctx = _context(unit)
    window = MainWindow(ctx, settings=Settings(tmp_path / "settings.json"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.pending_label.text() == "Alterações pendentes: 1")
    assert window.sync_label.text() == "Última sincronização: nunca"
    page = window.show_page("Sincronização")
    assert isinstance(page, SyncPage)
    page.choose_folder = lambda _parent, _title, _start: net.share
    _click_and_wait(qtbot, page, page.export_button)
    ingest(net.hub, net.share)
    _click_and_wait(qtbot, page, page.import_button)
    qtbot.waitUntil(lambda: window.pending_label.text() == "Alterações pendentes: 0")
    assert window.sync_label.text() == "Última sincronização: 02/03/2026 09:00"
    ctx.ops.wait_for_done()


def test_the_units_roles_page_says_which_roles_the_hub_defines(qtbot, net: Network) -> None:
    """After the hub's roles arrive, "Recepção" is the hub's (not editable here); a role the
    unit creates for itself is its own and stays editable."""
    from app.security.accounts import RoleInput, create_role
    from ui.admin.roles import RolesPage

    net.round()
    unit = net.nodes["UBS Centro"]
    ctx = _context(unit)
    with unit.unit_of_work("admin") as session:
        create_role(session, ctx.actor, RoleInput("Estagiário", "", ("registry.read",)))
    page = RolesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 500)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    names = [_cell(page.model, row, 0) for row in range(page.model.rowCount())]
    reception, own = names.index("Recepção"), names.index("Estagiário")
    assert _cell(page.model, reception, 3) == "Central (Central)"
    assert _cell(page.model, own, 3) == "Este computador"
    page.table.selectRow(reception)
    assert not page.edit_button.isEnabled()
    assert page.edit_button.toolTip().startswith("Perfil definido pela central")
    page.table.selectRow(own)
    assert page.edit_button.isEnabled()
    page.grab().save("/tmp/roles_on_unit.png")
    ctx.ops.wait_for_done()


def test_a_state_conflict_keeps_the_finished_inspection_and_cannot_go_back(
    qtbot, tmp_path: Path
) -> None:
    """At the office: the inspection cancelled here was finished offline on the laptop. The
    dialog says the furthest state stays, offers no way back, and saving closes the conflict."""
    from app.sanitary.enums import InspectionStatus
    from app.sanitary.models import Establishment, Inspection
    from app.sync.conflict_queries import conflict_detail
    from tests.integration.sync.test_visa_scope import _planned_for_food, _scene

    net, food, _health, _unit = _scene(tmp_path / "visa")
    inspection_id = _planned_for_food(food)
    for db, status in ((net.hub, InspectionStatus.CANCELLED), (food, InspectionStatus.DONE)):
        db.clock.advance(timedelta(hours=1))
        with db.unit_of_work("admin") as session:
            session.get(Inspection, inspection_id).status = status
    net.round()
    ctx = _context(net.hub)
    with net.hub.read_only() as session:
        conflict_id = session.scalars(select(SyncConflict.id)).one()
        detail = conflict_detail(session, conflict_id)
    dialog = ConflictDialog(ctx, detail)
    qtbot.addWidget(dialog)
    dialog.show()
    kept, back = dialog.radios[("status", "remote")], dialog.radios[("status", "local")]
    assert (kept.text(), back.text()) == ("Concluída", "Cancelada")
    assert kept.isChecked() and not back.isEnabled()
    assert (
        dialog.findChild(QLabel, "explanation")
        .text()
        .startswith(
            "Situação alterada nos dois computadores (fica a mais adiantada). A situação foi mudada"
        )
    )
    assert dialog.all_local.isHidden() and dialog.all_remote.isHidden()
    assert dialog.windowTitle() == "Conflito: Inspeção prevista para 02/03/2026"
    with net.hub.read_only() as session:  # references read as names, not ids
        inspection = session.get(Inspection, inspection_id)
        place = session.get(Establishment, inspection.establishment_id).trade_name
    shown = {f.name: f.local for f in dialog.detail.fields}
    assert shown["establishment_id"] == place and shown["inspector_id"] == "Carla Mendes Oliveira"
    dialog.grab().save("/tmp/state_conflict_dialog.png")
    with qtbot.waitSignal(dialog.resolved, timeout=20_000) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert str(done.args[0]).startswith("resolvido: ")
    with net.hub.read_only() as session:
        assert session.get(SyncConflict, conflict_id).resolved_at is not None
        assert session.get(Inspection, inspection_id).status is InspectionStatus.DONE
    ctx.ops.wait_for_done()
