"""A person resolves a sync conflict on one unit; the decision reaches every node."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied
from app.installation.models import NodeKind
from app.security.actor import SYSTEM, Actor
from app.security.models import AuditEntry
from app.sync.conflict_queries import conflict_detail, open_conflicts
from app.sync.conflicts import resolve_conflict
from app.sync.models import SyncConflict
from tests.integration.sync.network import (
    UNIT_A,
    UNIT_B,
    Network,
    add_citizen,
    edit_citizen,
    make_network,
    snapshot,
)

ADMIN = Actor(uuid.uuid4(), "gestora", "Gestora", frozenset({"sync.admin", "sync.run"}))


def _phone_conflict(tmp_path: Path) -> tuple[Network, str]:
    net = make_network(tmp_path)
    a = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    b = net.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
    citizen = add_citizen(a, "Maria da Silva")
    net.round()
    edit_citizen(a, citizen, phone="41999990000")
    b.clock.advance(timedelta(seconds=5))
    edit_citizen(b, citizen, phone="41988880000")
    net.round()
    return net, citizen


def _open(db) -> list[SyncConflict]:
    with db.read_only() as session:
        found = list(
            session.scalars(select(SyncConflict).where(SyncConflict.resolved_at.is_(None)))
        )
        session.expunge_all()
        return found


def test_choosing_the_losing_value_on_one_unit_reaches_every_node(tmp_path: Path) -> None:
    net, citizen = _phone_conflict(tmp_path)
    a, b = net.nodes["UBS Centro"], net.nodes["UBS Vila Nova"]
    conflict = _open(a)[0]
    with a.read_only() as session:
        detail = conflict_detail(session, conflict.id)
        rows = open_conflicts(session)
    assert [r.record_label for r in rows] == ["Maria da Silva"]
    phone = next(f for f in detail.fields if f.name == "phone")
    assert phone.label == "Telefone" and phone.differs and phone.in_conflict
    assert {phone.local, phone.remote} == {"41999990000", "41988880000"}
    assert phone.current == "41988880000"  # the later edit wins provisionally
    losing_side = "local" if phone.local == "41999990000" else "remote"

    with a.unit_of_work(ADMIN.username) as session:
        note = resolve_conflict(session, ADMIN, conflict.id, {"phone": losing_side})
    assert "Telefone" in note
    net.round()

    for node in (net.hub, a, b):
        assert snapshot(node, ["citizen"])["citizen"][citizen]["phone"] == "41999990000"
    assert _open(a) == [] and _open(b) == []
    with b.read_only() as session:
        closed = session.scalars(select(SyncConflict.resolution)).one()
    assert closed == "resolvido em outro computador"
    with a.read_only() as session:
        mine = session.scalar(
            select(SyncConflict.resolved_by).where(SyncConflict.id == conflict.id)
        )
        trail = session.scalars(
            select(AuditEntry.entity_id).where(AuditEntry.entity == "sync_conflict")
        ).all()
    assert mine == "gestora"
    assert list(trail) == [str(conflict.id)]


def test_keeping_the_provisional_winner_still_closes_the_other_units_conflict(
    tmp_path: Path,
) -> None:
    net, citizen = _phone_conflict(tmp_path)
    a, b = net.nodes["UBS Centro"], net.nodes["UBS Vila Nova"]
    conflict = _open(b)[0]
    with b.unit_of_work(ADMIN.username) as session:
        resolve_conflict(session, ADMIN, conflict.id, {"phone": conflict.winner})
    net.round()
    for node in (net.hub, a, b):
        assert snapshot(node, ["citizen"])["citizen"][citizen]["phone"] == "41988880000"
    assert _open(a) == [] and _open(b) == []


def test_resolving_needs_the_sync_admin_permission(tmp_path: Path) -> None:
    net, _citizen = _phone_conflict(tmp_path)
    a = net.nodes["UBS Centro"]
    clerk = Actor(uuid.uuid4(), "recepcao", "Recepção", frozenset({"sync.run"}))
    conflict = _open(a)[0]
    with pytest.raises(PermissionDenied, match="resolver conflitos"):
        with a.unit_of_work(clerk.username) as session:
            resolve_conflict(session, clerk, conflict.id, {"phone": "local"})
    assert len(_open(a)) == 1


def test_delete_against_edit_can_bring_the_record_back(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    a = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    b = net.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
    citizen = add_citizen(a, "João Pereira")
    net.round()
    edit_citizen(a, citizen, phone="41977770000")
    b.clock.advance(timedelta(seconds=5))
    edit_citizen(b, citizen, deleted_at=b.clock.now())
    net.round()
    conflict = _open(a)[0]
    assert conflict.kind == "delete"
    edited_side = "local" if not conflict.local_row.get("deleted_at") else "remote"
    with a.unit_of_work(SYSTEM.username) as session:
        resolve_conflict(session, SYSTEM, conflict.id, {"deleted_at": edited_side})
    net.round()
    for node in (net.hub, a, b):
        row = snapshot(node, ["citizen"])["citizen"][citizen]
        assert row["deleted_at"] is None and row["phone"] == "41977770000"
    assert _open(a) == [] and _open(b) == []


def test_a_received_duplicate_shows_the_existing_record_and_is_closed_keeping_it(
    tmp_path: Path,
) -> None:
    net = make_network(tmp_path)
    a = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    b = net.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
    add_citizen(a, "Maria da Silva", cpf="52998224725")
    b.clock.advance(timedelta(seconds=5))
    add_citizen(b, "Maria Silva", cpf="52998224725", unit=UNIT_B)
    net.round()
    duplicates = [c for c in _open(net.hub) if c.kind == "duplicate"]
    assert len(duplicates) == 1
    with net.hub.read_only() as session:
        detail = conflict_detail(session, duplicates[0].id)
    names = next(f for f in detail.fields if f.name == "name")
    assert (names.local, names.remote) == ("Maria da Silva", "Maria Silva")
    assert detail.choosable == [] and "não foi criado" in detail.explanation
    with net.hub.unit_of_work(ADMIN.username) as session:
        note = resolve_conflict(session, ADMIN, duplicates[0].id, {})
    assert "Maria Silva (recebido de outro computador) não foi criado" in note
    assert [c for c in _open(net.hub) if c.kind == "duplicate"] == []
