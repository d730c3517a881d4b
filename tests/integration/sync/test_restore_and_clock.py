"""A unit restored from an old backup, and nodes whose clocks are a year ahead or behind.

Restore: the unit's SQLite file is copied (backup API, so the WAL is included), the unit goes on
working and syncing, then the old copy is put back. The next export detects it, moves the unit to
a new epoch and nothing is lost: what reached the hub before the restore stays there (and comes
back to the unit), what is typed after the restore reaches the hub, and no batch is refused.

Clock: a change stamped a year in the future is flagged at the hub (in Portuguese) and does not
freeze the record: a later edit on a node with a correct clock, or with a clock a year behind,
that had seen it is still ordered after it and wins everywhere.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.clock import FixedClock
from app.db.engine import sqlite_path
from app.db.session import Database
from app.installation.models import NodeKind
from app.sync.exporter import export_to
from app.sync.folder import quarantined
from app.sync.hub import ingest
from app.sync.models import ChangeLogEntry, SyncConflict, SyncState
from tests.integration.sync.network import (
    UNIT_A,
    UNIT_B,
    Network,
    add_citizen,
    edit_citizen,
    make_network,
    snapshot,
)

YEAR = timedelta(days=365)


def _file(db: Database) -> Path:
    path = sqlite_path(db.url)
    assert path is not None
    return path


def _backup(db: Database, target: Path) -> None:
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    source = sqlite3.connect(_file(db))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()


def _put_back(db: Database, backup: Path) -> None:
    """Close the database and replace its file (and WAL) with the old copy, as a user would."""
    db.dispose()
    path = _file(db)
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    path.write_bytes(backup.read_bytes())


def _citizens(db: Database) -> dict[str, dict[str, Any]]:
    rows = snapshot(db, ["citizen"]).get("citizen", {})
    for row in rows.values():
        row.pop("updated_at")
    return rows


def _state(db: Database) -> tuple[int, str]:
    """This node's epoch and clock warning."""
    with db.read_only() as session:
        state = session.get(SyncState, 1)
        assert state is not None
        return state.epoch, state.skew_warning


def _outcomes_of_a_round(net: Network) -> list[Any]:
    outcomes: list[Any] = []
    for _ in range(2):
        for name in net.nodes:
            export_to(net.nodes[name], net.hub_id(), net.share)
        outcomes += ingest(net.hub, net.share).imported
        for name in net.nodes:
            outcomes += net.receive(name)
    return outcomes


def test_a_unit_restored_from_an_old_backup_loses_nothing(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    other = net.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
    maria = add_citizen(unit, "Maria da Silva")
    net.round()
    backup = tmp_path / "copia-de-seguranca.sqlite3"
    _backup(unit, backup)

    # after the backup: a new citizen and an edit, both synced to the hub
    joana = add_citizen(unit, "Joana Pereira")
    edit_citizen(unit, maria, phone="41999990000")
    net.round()
    assert _citizens(net.hub)[maria]["phone"] == "41999990000"

    _put_back(unit, backup)
    assert joana not in _citizens(unit)
    # typed after the restore, before the next exchange
    unit.clock.advance(timedelta(minutes=5))
    rosa = add_citizen(unit, "Rosa Lima")
    edit_citizen(unit, maria, street="Rua das Flores")
    result = export_to(unit, net.hub_id(), net.share)
    assert result.restore_message is not None
    assert "restaurado de uma cópia" in result.restore_message
    assert _state(unit)[0] == 2

    outcomes = _outcomes_of_a_round(net)
    assert [
        (o.file.parent.name[-6:], o.file.name, o.message) for o in outcomes if o.status == "refused"
    ] == []
    assert quarantined(net.share) == []
    hub = _citizens(net.hub)
    assert set(hub) == {maria, joana, rosa}
    assert (hub[maria]["phone"], hub[maria]["street"]) == ("41999990000", "Rua das Flores")
    # what the restore took from the unit comes back to it; everyone agrees
    assert _citizens(unit) == _citizens(other) == hub
    # a second export in the new epoch is an ordinary one
    assert export_to(unit, net.hub_id(), net.share).restore_message is None


def _hlc_of_own_edit(db: Database, citizen: str, field: str) -> str:
    """The timestamp of this node's latest edit of `field` of the citizen."""
    with db.read_only() as session:
        entries = session.scalars(
            select(ChangeLogEntry).where(
                ChangeLogEntry.row_id == citizen, ChangeLogEntry.origin_node == db.node_id
            )
        )
        return max(e.hlc for e in entries if field in e.changed_fields)


def _conflicts(db: Database) -> int:
    with db.read_only() as session:
        return len(list(session.scalars(select(SyncConflict))))


def test_a_clock_a_year_ahead_is_flagged_and_does_not_freeze_the_record(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    ahead = net.add("UBS Adiantada", NodeKind.UNIT, UNIT_A, clock=FixedClock())
    right = net.add("UBS Certa", NodeKind.UNIT, UNIT_A)
    behind = net.add("UBS Atrasada", NodeKind.UNIT, UNIT_A, clock=FixedClock())
    ahead.clock.advance(YEAR)  # type: ignore[attr-defined]
    behind.clock.advance(-YEAR)  # type: ignore[attr-defined]
    maria = add_citizen(right, "Maria da Silva")
    net.round()
    assert _state(net.hub)[1] == ""

    edit_citizen(ahead, maria, phone="41911110000")
    net.send("UBS Adiantada")
    warning = _state(net.hub)[1]
    assert warning.startswith("Um lote recebido tem horário 525600 minutos à frente")
    assert "confira a data e a hora" in warning

    # the correct-clock unit saw the future edit, then edits: its edit is ordered after it
    net.round()
    right.clock.advance(timedelta(minutes=1))
    edit_citizen(right, maria, phone="41922220000")
    net.round()
    first = _hlc_of_own_edit(ahead, maria, "phone")
    second = _hlc_of_own_edit(right, maria, "phone")
    assert second > first
    assert {_citizens(db)[maria]["phone"] for db in (net.hub, ahead, right, behind)} == {
        "41922220000"
    }

    # a unit a year behind that has seen both edits still writes after them
    edit_citizen(behind, maria, phone="41933330000", name="Maria da Silva Souza")
    net.round()
    assert _hlc_of_own_edit(behind, maria, "phone") > second
    states = [_citizens(db)[maria] for db in (net.hub, ahead, right, behind)]
    assert states[0] == states[1] == states[2] == states[3]
    assert (states[0]["phone"], states[0]["name"]) == ("41933330000", "Maria da Silva Souza")
    # every edit had seen the previous one: no conflict anywhere
    assert [_conflicts(db) for db in (net.hub, ahead, right, behind)] == [0, 0, 0, 0]
