"""Vigilância Sanitária over sync: each field laptop gets its team's work and nothing else, and an
inspection's status never moves backwards when the office and the laptop both touched it.

The hub holds the demo VISA data (two teams). The food team's laptop must receive the food
establishments, their inspections and the shared reference tables (roteiros, risk table), but
neither the other team's establishments nor complaints (the complainant's identity stays at the
office) — checked in the decrypted batch files, not only in the database. A health unit receives
none of the department's establishments.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.db.session import Database
from app.errors import ValidationError
from app.installation.models import NodeKind
from app.sanitary.demo import FOOD_TEAM, HEALTH_TEAM, seed_sanitary
from app.sanitary.enums import InspectionOutcome, InspectionStatus
from app.sanitary.models import (
    Checklist,
    CnaeRisk,
    Complaint,
    Establishment,
    Inspection,
    SanitaryInspector,
)
from app.security.actor import Actor
from app.security.auth import login
from app.sync import batchfile
from app.sync.conflicts import resolve_conflict
from app.sync.models import SyncConflict
from app.sync.node import node_keys
from tests.integration.sync.network import UNIT_A, Network, make_network

VISA = "7654372"


def _scene(tmp_path: Path) -> tuple[Network, Database, Database, Database]:
    net = make_network(tmp_path)
    food = net.add("Notebook Alimentos", NodeKind.FIELD, VISA, team=FOOD_TEAM)
    health = net.add("Notebook Serviços de Saúde", NodeKind.FIELD, VISA, team=HEALTH_TEAM)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    with net.hub.unit_of_work("admin") as session:
        demo = seed_sanitary(session, random.Random(5), establishments=12)
        session.add(
            Complaint(
                year=2026,
                number=1,
                received_on=date(2026, 3, 2),
                complainant_name="Vizinha Preocupada",
                complainant_contact="41 99999-0000",
                establishment_id=demo.establishment_ids[0],
                description="Lixo acumulado nos fundos do restaurante.",
                due_on=date(2026, 4, 1),
            )
        )
    net.round()
    return net, food, health, unit


def _hub_admin(net: Network) -> Actor:
    with net.hub.unit_of_work("admin") as session:
        actor = login(session, "admin", "senha-forte-2026").actor
    assert actor is not None
    return actor


def _teams(db: Database) -> set[str]:
    with db.read_only() as session:
        return set(session.scalars(select(Establishment.team)))


def _count(db: Database, cls: type[Any]) -> int:
    with db.read_only() as session:
        return len(session.scalars(select(cls.id)).all())


def _received(share: Path, hub: Database, recipient: Database) -> list[dict[str, Any]]:
    keys = node_keys(recipient)
    changes: list[dict[str, Any]] = []
    for path in sorted(share.rglob("*.smlote")):
        manifest, _ = batchfile.read_manifest(path)
        if manifest["recipient"] == recipient.node_id and manifest["origin"] == hub.node_id:
            changes.extend(batchfile.iter_changes(path, manifest, keys))
    return changes


def test_each_laptop_receives_only_its_teams_establishments(tmp_path: Path) -> None:
    net, food, health, _unit = _scene(tmp_path)
    assert _teams(net.hub) == {FOOD_TEAM, HEALTH_TEAM}
    assert _teams(food) == {FOOD_TEAM}
    assert _teams(health) == {HEALTH_TEAM}
    with net.hub.read_only() as session:
        food_inspections = session.scalars(
            select(Inspection.id).where(Inspection.team == FOOD_TEAM)
        ).all()
    assert _count(food, Inspection) == len(food_inspections)
    sent = _received(net.share, net.hub, food)
    team_rows = [c for c in sent if c["scope"] == "team"]
    assert team_rows and all(c["row"]["team"] == FOOD_TEAM for c in team_rows)


def test_reference_tables_reach_every_laptop_but_complaints_stay_at_the_office(
    tmp_path: Path,
) -> None:
    net, food, health, unit = _scene(tmp_path)
    for node in (food, health, unit):
        assert _count(node, Checklist) == 2
        assert _count(node, CnaeRisk) == _count(net.hub, CnaeRisk) > 0
        assert _count(node, SanitaryInspector) == 3
        assert _count(node, Complaint) == 0
    sent = _received(net.share, net.hub, food)
    assert not [c for c in sent if c["table_name"] == "sanitary_complaint"]
    assert all("Vizinha" not in str(c["row"]) for c in sent)


def test_a_health_unit_receives_no_establishment(tmp_path: Path) -> None:
    net, _food, _health, unit = _scene(tmp_path)
    assert _count(unit, Establishment) == 0
    assert _count(unit, Inspection) == 0
    assert not [c for c in _received(net.share, net.hub, unit) if c["scope"] == "team"]


def _planned_for_food(db: Database) -> uuid.UUID:
    with db.read_only() as session:
        query = select(Inspection.id).where(
            Inspection.team == FOOD_TEAM, Inspection.status == InspectionStatus.PLANNED
        )
        return session.scalars(query.order_by(Inspection.id)).first()  # type: ignore[return-value]


def test_an_inspection_finished_offline_stays_finished_after_the_office_cancels_it(
    tmp_path: Path,
) -> None:
    net, food, _health, _unit = _scene(tmp_path)
    inspection_id = _planned_for_food(food)
    with net.hub.unit_of_work("visa") as session:  # the office cancels and reschedules it…
        row = session.get(Inspection, inspection_id)
        assert row is not None
        row.status = InspectionStatus.CANCELLED
        row.cancel_reason = "Fiscal em férias"
    food.clock.advance(timedelta(hours=3))  # …while the inspector, offline, performs it
    with food.unit_of_work("fiscal") as session:
        row = session.get(Inspection, inspection_id)
        assert row is not None
        row.status = InspectionStatus.DONE
        row.outcome = InspectionOutcome.SATISFACTORY
        row.performed_on = date(2026, 3, 2)
    net.round()
    for node in (net.hub, food):
        with node.read_only() as session:
            row = session.get(Inspection, inspection_id)
            assert row is not None
            assert row.status is InspectionStatus.DONE
            assert row.outcome is InspectionOutcome.SATISFACTORY
            assert row.cancel_reason == "Fiscal em férias"  # the other field still merges
    # the coordinator sees that the cancel was overtaken: a "state" conflict, finished wins
    admin = _hub_admin(net)
    with net.hub.read_only() as session:
        [conflict] = session.scalars(select(SyncConflict)).all()
        assert (conflict.kind, conflict.fields) == ("state", ["status"])
        assert conflict.winner == "remote" and conflict.remote_row["status"] == "concluida"
        conflict_id = conflict.id
    with net.hub.unit_of_work("admin") as session, pytest.raises(ValidationError) as refused:
        resolve_conflict(session, admin, conflict_id, {"status": "local"})
    assert refused.value.errors["status"].startswith(
        "A situação não volta de “concluida” para “cancelada”"
    )
    with net.hub.unit_of_work("admin") as session:
        resolve_conflict(session, admin, conflict_id, {"status": "remote"})
    net.round()
    with food.read_only() as session:  # the laptop's side of the conflict closes by itself
        assert all(c.resolved_at is not None for c in session.scalars(select(SyncConflict)))
    with net.hub.read_only() as session:
        assert session.get(Inspection, inspection_id).status is InspectionStatus.DONE


def test_an_older_status_arriving_late_does_not_reopen_a_finished_inspection(
    tmp_path: Path,
) -> None:
    net, food, _health, _unit = _scene(tmp_path)
    inspection_id = _planned_for_food(food)
    with food.unit_of_work("fiscal") as session:
        row = session.get(Inspection, inspection_id)
        assert row is not None
        row.status = InspectionStatus.DONE
    net.hub.clock.advance(timedelta(days=1))  # the office's clock is ahead, its edit "newer"
    with net.hub.unit_of_work("visa") as session:
        row = session.get(Inspection, inspection_id)
        assert row is not None
        row.status = InspectionStatus.IN_PROGRESS
    net.round()
    for node in (net.hub, food):
        with node.read_only() as session:
            row = session.get(Inspection, inspection_id)
            assert row is not None and row.status is InspectionStatus.DONE
