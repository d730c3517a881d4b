"""Two units and the hub exchange batches through a shared folder: the everyday path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.installation.models import NodeKind
from app.registry.models import Citizen
from app.sync.folder import import_folder
from app.sync.models import ChangeLogEntry, SyncConflict
from tests.integration.sync.network import (
    UNIT_A,
    UNIT_B,
    add_citizen,
    edit_citizen,
    make_network,
    snapshot,
)


def _citizens(db) -> dict[str, str]:
    with db.read_only() as session:
        return {str(c.id): c.name for c in session.scalars(select(Citizen))}


def test_a_citizen_typed_at_one_unit_reaches_the_hub_and_the_other_unit(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    a = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    b = net.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
    citizen = add_citizen(a, "Maria da Silva")
    net.round()
    assert _citizens(net.hub)[citizen] == "Maria da Silva"
    assert _citizens(b)[citizen] == "Maria da Silva"
    # the hub's receipt reached the unit: its change is acknowledged, nothing pending
    with a.read_only() as session:
        pending = session.scalar(
            select(func.count())
            .select_from(ChangeLogEntry)
            .where(ChangeLogEntry.acknowledged.is_(False), ChangeLogEntry.table_name == "citizen")
        )
    assert pending == 0


def test_importing_the_same_batches_again_changes_nothing(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    a = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    add_citizen(a, "Maria da Silva")
    from app.sync.exporter import export_to

    first = export_to(a, net.hub_id(), net.share).files[0]
    copy = first.read_bytes()
    results = import_folder(net.hub, net.share)
    assert [r.status for r in results if r.file.name == first.name] == ["applied"]
    renamed = net.share / "entrada" / "copia-do-lote.smlote"
    renamed.parent.mkdir(parents=True, exist_ok=True)
    renamed.write_bytes(copy)
    again = import_folder(net.hub, net.share)
    assert [(r.status, r.message) for r in again if r.file.name == renamed.name] == [
        ("duplicate", "já importado: nada a fazer")
    ]
    with net.hub.read_only() as session:
        assert session.scalar(select(func.count()).select_from(Citizen)) == 1


def test_same_field_edited_on_two_units_opens_one_conflict_and_converges(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    a = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    b = net.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
    citizen = add_citizen(a, "Maria da Silva")
    net.round()
    edit_citizen(a, citizen, phone="41999990000", street="Rua das Flores")
    b.clock.advance(timedelta(seconds=5))
    edit_citizen(b, citizen, phone="41988880000", number="120")
    net.round()
    states = [snapshot(db, ["citizen"])["citizen"][citizen] for db in (net.hub, a, b)]
    for state in states:
        state.pop("updated_at")
    assert states[0] == states[1] == states[2]
    # different fields merged on every node
    assert states[0]["street"] == "Rua das Flores" and states[0]["number"] == "120"
    for node in (a, b):
        with node.read_only() as session:
            conflicts = list(session.scalars(select(SyncConflict)))
            assert [c.fields for c in conflicts] == [["phone"]]
            versions = {conflicts[0].local_row["phone"], conflicts[0].remote_row["phone"]}
            assert versions == {"41999990000", "41988880000"}
            winner = (
                conflicts[0].remote_row
                if conflicts[0].winner == "remote"
                else conflicts[0].local_row
            )
            # the provisional winner is the later edit (unit B's), on both units
            assert winner["phone"] == states[0]["phone"] == "41988880000"
