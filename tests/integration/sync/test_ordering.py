"""Batches arriving out of order, lost and re-sent, overlapping; concurrent edits and deletes.

All on real nodes (own SQLite files, real keys) exchanging real batch files; batches are imported
one at a time with `import_batch` where the order matters, through the folder transport otherwise.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.session import Database
from app.installation.models import NodeKind
from app.sync.exporter import export_to
from app.sync.folder import import_folder
from app.sync.hub import ingest
from app.sync.importer import ImportOutcome, import_batch
from app.sync.models import ChangeLogEntry, SyncBatch, SyncConflict
from tests.integration.sync.network import (
    UNIT_A,
    UNIT_B,
    Network,
    add_citizen,
    edit_citizen,
    make_network,
    snapshot,
)

UNIT_C = "7654364"
CPF = "52998224725"


def _unit_with_backlog(tmp_path: Path) -> tuple[Network, Database]:
    """A hub and a unit holding ten changes: six new citizens and four edits."""
    net = make_network(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    ids = [add_citizen(unit, f"Cidadã {n}") for n in range(6)]
    for n, citizen in enumerate(ids[:4]):
        edit_citizen(unit, citizen, phone=f"4199999000{n}")
    return net, unit


def _export(net: Network, unit: Database, folder: Path, *, resend: bool = False) -> list[Path]:
    files = export_to(unit, net.hub_id(), folder, resend=resend, max_changes=2).files
    assert len(files) == 5 or resend
    return files


def _citizens(db: Database) -> dict[str, Any]:
    return snapshot(db, ["citizen"]).get("citizen", {})


def _deliver(db: Database, files: list[Path], reply: Path | None = None) -> list[ImportOutcome]:
    """Import each file once in the given order; parked ones are retried after each success."""
    outcomes: list[ImportOutcome] = []
    parked: list[Path] = []
    for path in files:
        outcome = import_batch(db, path, reply)
        outcomes.append(outcome)
        if outcome.status == "parked":
            parked.append(path)
            continue
        progressed = outcome.status == "applied"
        while progressed:
            progressed = False
            for waiting in list(parked):
                retry = import_batch(db, waiting, reply)
                if retry.status != "parked":
                    outcomes.append(retry)
                    parked.remove(waiting)
                    progressed = True
    assert parked == []
    return outcomes


def _log_count(db: Database, origin: str) -> int:
    with db.read_only() as session:
        query = select(func.count()).select_from(ChangeLogEntry)
        return session.scalar(query.where(ChangeLogEntry.origin_node == origin)) or 0


def _conflicts(db: Database, kind: str | None = None) -> list[SyncConflict]:
    with db.read_only() as session:
        query = select(SyncConflict)
        if kind is not None:
            query = query.where(SyncConflict.kind == kind)
        found = list(session.scalars(query))
        session.expunge_all()
        return found


def test_batches_in_random_order_are_parked_then_applied_like_in_order(tmp_path: Path) -> None:
    net, unit = _unit_with_backlog(tmp_path)
    files = _export(net, unit, tmp_path / "lotes")
    shuffled = files[:]
    random.Random(11).shuffle(shuffled)
    assert shuffled[0] != files[0]
    outcomes = _deliver(net.hub, shuffled)
    parked = [o for o in outcomes if o.status == "parked"]
    assert parked and all("aguardando lote anterior de UBS Centro" in o.message for o in parked)
    applied = [o.file for o in outcomes if o.status == "applied"]
    assert sorted(applied) == sorted(files) and len(applied) == 5
    # the same final state as the unit itself (what in-order delivery gives)
    assert _citizens(net.hub) == _citizens(unit)
    assert _log_count(net.hub, unit.node_id) == 10


def test_a_lost_batch_resent_later_releases_the_parked_ones(tmp_path: Path) -> None:
    net, unit = _unit_with_backlog(tmp_path)
    files = _export(net, unit, tmp_path / "lotes")
    files[1].unlink()  # the USB stick lost the second batch
    first = _deliver(net.hub, [files[0]], reply=net.share)
    assert [o.status for o in first] == ["applied"]
    later = [import_batch(net.hub, path) for path in files[2:]]
    assert [o.status for o in later] == ["parked"] * 3
    assert len(_citizens(net.hub)) == 2
    # the hub's receipt tells the unit what arrived; the clerk re-sends the rest
    import_folder(unit, net.share)
    resent = _export(net, unit, tmp_path / "reenvio", resend=True)
    outcomes = _deliver(net.hub, [resent[0], *files[2:], *resent[1:]])
    statuses = [(o.file in resent, o.status) for o in outcomes]
    assert statuses[0] == (True, "applied")
    assert sorted(o.file for o in outcomes if o.status == "applied") == sorted(
        [resent[0], *files[2:]]
    )
    assert all(o.status == "duplicate" for o in outcomes if o.file in resent[1:])
    assert _citizens(net.hub) == _citizens(unit)
    assert _log_count(net.hub, unit.node_id) == 10


def test_overlapping_resend_and_original_give_no_duplicates(tmp_path: Path) -> None:
    net, unit = _unit_with_backlog(tmp_path)
    original = _export(net, unit, tmp_path / "lotes")
    resent = _export(net, unit, tmp_path / "reenvio", resend=True)
    assert len(resent) == 5
    o1, o2, o3, o4, o5 = original
    r1, r2, r3, r4, r5 = resent
    order = [o1, o2, r1, r2, r3, o3, o4, r4, r5, o5]
    outcomes = [import_batch(net.hub, path) for path in order]
    assert [o.status for o in outcomes] == [
        "applied",
        "applied",
        "duplicate",
        "duplicate",
        "applied",
        "duplicate",
        "applied",
        "duplicate",
        "applied",
        "duplicate",
    ]
    assert all(o.message == "já importado: nada a fazer" for o in outcomes if o.status != "applied")
    assert _citizens(net.hub) == _citizens(unit)
    assert _log_count(net.hub, unit.node_id) == 10
    with net.hub.read_only() as session:
        applied = session.scalar(
            select(func.count()).select_from(SyncBatch).where(SyncBatch.status == "applied")
        )
    assert applied == 5


def _two_units(tmp_path: Path) -> tuple[Network, Database, Database]:
    net = make_network(tmp_path)
    a = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    b = net.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
    return net, a, b


@pytest.mark.parametrize("delete_is_later", [False, True], ids=["edit-later", "delete-later"])
def test_delete_against_edit_is_a_conflict_and_loses_nothing(
    tmp_path: Path, delete_is_later: bool
) -> None:
    net, a, b = _two_units(tmp_path)
    citizen = add_citizen(a, "Maria da Silva")
    net.round()
    (a if delete_is_later else b).clock.advance(timedelta(seconds=5))
    edit_citizen(a, citizen, deleted_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    edit_citizen(b, citizen, phone="41988880000", street="Rua Nova")
    net.round()
    states = []
    for node in (net.hub, a, b):
        row = _citizens(node)[citizen]
        deletes = [c for c in _conflicts(node, "delete") if c.row_id == citizen]
        assert deletes, "every node that saw both the delete and the edit shows a conflict"
        versions = [row] + [c.local_row for c in deletes] + [c.remote_row for c in deletes]
        assert any(v.get("phone") == "41988880000" for v in versions)
        assert any(v.get("street") == "Rua Nova" for v in versions)
        assert any(v.get("deleted_at") for v in versions)
        row.pop("updated_at")
        states.append(row)
    assert states[0] == states[1] == states[2]


def test_the_same_field_edited_on_three_units_converges_with_conflicts(tmp_path: Path) -> None:
    net, a, b = _two_units(tmp_path)
    c = net.add("UBS Jardim", NodeKind.UNIT, UNIT_C)
    citizen = add_citizen(a, "Maria da Silva")
    net.round()
    phones = {}
    for step, node in enumerate((a, b, c)):
        node.clock.advance(timedelta(seconds=5 * (step + 1)))
        phones[node.node_id] = f"4198888000{step}"
        edit_citizen(node, citizen, phone=phones[node.node_id])
    net.round()
    finals = {_citizens(node)[citizen]["phone"] for node in (net.hub, a, b, c)}
    assert finals == {"41988880002"}  # the latest edit wins everywhere, provisionally
    for node in (net.hub, a, b, c):
        conflicts = [x for x in _conflicts(node, "fields") if x.row_id == citizen]
        assert conflicts and all(x.fields == ["phone"] for x in conflicts)
        seen = {x.local_row.get("phone") for x in conflicts} | {
            x.remote_row.get("phone") for x in conflicts
        }
        assert "41988880002" in seen and len(seen & set(phones.values())) >= 2


def test_different_fields_on_two_units_merge_without_conflict(tmp_path: Path) -> None:
    net, a, b = _two_units(tmp_path)
    citizen = add_citizen(a, "Maria da Silva")
    net.round()
    edit_citizen(a, citizen, phone="41999990000")
    b.clock.advance(timedelta(seconds=5))
    edit_citizen(b, citizen, street="Rua das Flores", number="120")
    net.round()
    for node in (net.hub, a, b):
        row = _citizens(node)[citizen]
        assert (row["phone"], row["street"], row["number"]) == (
            "41999990000",
            "Rua das Flores",
            "120",
        )
        assert _conflicts(node) == []


def test_the_same_cpf_registered_on_two_units_offline_is_rejected_as_duplicate(
    tmp_path: Path,
) -> None:
    net, a, b = _two_units(tmp_path)
    first = add_citizen(a, "Maria da Silva", cpf=CPF)
    b.clock.advance(timedelta(seconds=5))
    second = add_citizen(b, "Maria Silva", cpf=CPF, unit=UNIT_B)
    net.send("UBS Centro")
    export_to(b, net.hub_id(), net.share)
    report = ingest(net.hub, net.share)
    from_b = [o for o in report.imported if o.sender == "UBS Vila Nova"]
    assert [o.status for o in from_b] == ["applied"]
    assert [r["reason"] for r in from_b[0].rejected] == [
        "já existe outro registro com o mesmo CPF; mantido na fila de conflitos"
    ]
    hub_rows = _citizens(net.hub)
    assert first in hub_rows and second not in hub_rows
    duplicates = _conflicts(net.hub, "duplicate")
    assert [(d.row_id, d.remote_row["name"]) for d in duplicates] == [(second, "Maria Silva")]
    net.receive("UBS Vila Nova")
    with b.read_only() as session:
        sent = session.scalars(select(SyncBatch).where(SyncBatch.direction == "out")).all()
        reported = [r for batch in sent for r in batch.rejected]
    assert [(r["table"], r["change_id"] != "") for r in reported] == [("citizen", True)]
    # after a full exchange every node holds one of the two records and the other in its
    # conflict queue: nothing is lost, and no node silently holds two people with one CPF
    net.round()
    for node, kept, queued in ((net.hub, first, second), (a, first, second), (b, second, first)):
        rows = _citizens(node)
        assert kept in rows and queued not in rows
        assert [(d.kind, d.row_id) for d in _conflicts(node)] == [("duplicate", queued)]
