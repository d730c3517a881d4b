"""Rows only go where their scope allows, in the databases and inside the batch files themselves.

A field laptop never receives citizens (not even encrypted inside a batch addressed to it); a
unit's agenda and waiting list reach that unit and the hub but not the other unit; and nothing a
node received from the hub travels back to the hub.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.care.agenda_rules import WaitingPriority, WaitingStatus
from app.care.models import AgendaTemplate, MunicipalHoliday, WaitingListEntry
from app.db.session import Database
from app.installation.models import NodeKind
from app.registry.models import Citizen, Professional
from app.sync import batchfile
from app.sync.node import node_keys
from tests.integration.sync.network import UNIT_A, UNIT_B, Network, add_citizen, make_network

VISA = "7654356"  # the health-surveillance unit the field team belongs to


def _scene(tmp_path: Path) -> tuple[Network, Database, Database, Database]:
    net = make_network(tmp_path)
    a = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    b = net.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
    field = net.add("Fiscal Vigilância 1", NodeKind.FIELD, VISA)
    with net.hub.unit_of_work("admin") as session:
        session.add(MunicipalHoliday(day=date(2026, 5, 20), name="Aniversário do município"))
        doctor = Professional(name="Dra. Ana Lima", name_key="ANA LIMA", cns="898001160660761")
        session.add(doctor)
        session.flush()
        session.add(
            AgendaTemplate(
                professional_id=doctor.id,
                weekday=0,
                start_minute=8 * 60,
                end_minute=12 * 60,
                unit_cnes=UNIT_A,
            )
        )
    citizen = add_citizen(a, "Maria da Silva")
    add_citizen(b, "Joana de Souza", unit=UNIT_B)
    with a.unit_of_work("admin") as session:
        session.add(
            WaitingListEntry(
                citizen_id=uuid.UUID(citizen),
                requested_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
                priority=WaitingPriority.HIGH,
                status=WaitingStatus.WAITING,
                unit_cnes=UNIT_A,
            )
        )
    net.round()
    return net, a, b, field


def _count(db: Database, cls: type[Any]) -> int:
    with db.read_only() as session:
        return len(session.scalars(select(cls)).all())


def _batch_changes(share: Path, sender: Database, recipient: Database) -> list[dict[str, Any]]:
    """Every change inside the batch files `sender` wrote to `recipient`, decrypted."""
    keys = node_keys(recipient)
    changes: list[dict[str, Any]] = []
    for path in sorted(share.rglob("*.smlote")):
        manifest, _ = batchfile.read_manifest(path)
        if manifest["recipient"] == recipient.node_id and manifest["origin"] == sender.node_id:
            changes.extend(batchfile.iter_changes(path, manifest, keys))
    return changes


def test_citizens_never_reach_the_field_laptop(tmp_path: Path) -> None:
    net, a, _b, field = _scene(tmp_path)
    assert _count(field, Citizen) == 0
    assert _count(field, WaitingListEntry) == 0
    assert _count(field, AgendaTemplate) == 0
    assert _count(field, MunicipalHoliday) == 1
    sent = _batch_changes(net.share, net.hub, field)
    tables = {change["table_name"] for change in sent}
    assert "municipal_holiday" in tables
    assert tables.isdisjoint({"citizen", "waiting_list_entry", "agenda_template"})
    assert _count(a, Citizen) == _count(net.hub, Citizen) == 2


def test_unit_rows_reach_their_unit_and_not_the_other(tmp_path: Path) -> None:
    net, a, b, _field = _scene(tmp_path)
    for db in (net.hub, a):
        assert _count(db, AgendaTemplate) == 1
        assert _count(db, WaitingListEntry) == 1
    assert _count(b, AgendaTemplate) == 0
    assert _count(b, WaitingListEntry) == 0
    # the shared rows do reach unit B: holidays, professionals and the citizen register
    assert _count(b, MunicipalHoliday) == 1
    assert _count(b, Professional) == 1
    assert _count(b, Citizen) == 2
    to_b = _batch_changes(net.share, net.hub, b)
    unit_rows = [change for change in to_b if change["scope"] == "unit"]
    assert to_b and all(change["unit_cnes"] in (None, UNIT_B) for change in unit_rows)
    assert not [c for c in to_b if c["table_name"] in ("agenda_template", "waiting_list_entry")]


def test_nothing_received_from_the_hub_is_sent_back_to_it(tmp_path: Path) -> None:
    net, a, b, field = _scene(tmp_path)
    for node in (a, b, field):
        received = {c["change_id"] for c in _batch_changes(net.share, net.hub, node)}
        returned = _batch_changes(net.share, node, net.hub)
        assert received
        assert {c["change_id"] for c in returned}.isdisjoint(received)
        assert all(c["origin_node"] == node.node_id for c in returned)
