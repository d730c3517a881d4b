"""Roles are defined at the central office and reach every node whole (SYNC.md "reference").

The hub removes "Recepção"'s right to record attendances and creates "Digitação BPA"; after one
exchange a unit holds the same roles with the same permissions, its clerk loses the right at the
next login, and the unit cannot edit a role the hub defines (it may still create its own). A role
the hub retires stops counting on the node; a package altered on the way changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.session import Database
from app.errors import ValidationError
from app.installation.models import NodeKind
from app.security.accounts import (
    AccountInput,
    RoleInput,
    create_account,
    create_role,
    list_roles,
    update_role,
)
from app.security.actor import Actor
from app.security.auth import login
from app.security.models import Account, Role
from app.sync.folder import quarantined
from app.sync.models import SyncBatch
from app.sync.role_package import role_set
from tests.integration.sync.network import UNIT_A, Network, make_network

PASSWORD = "senha-forte-2026"


def _admin(db: Database) -> Actor:
    with db.unit_of_work("admin") as session:
        actor = login(session, "admin", PASSWORD).actor
    assert actor is not None
    return actor


def _role_id(db: Database, name: str) -> object:
    with db.read_only() as session:
        return session.scalars(select(Role.id).where(Role.name == name)).one()


def _hub_edits_roles(net: Network) -> None:
    admin = _admin(net.hub)
    reception = _role_id(net.hub, "Recepção")
    with net.hub.unit_of_work("admin") as session:
        current = next(r for r in list_roles(session, admin) if r.name == "Recepção")
        kept = tuple(p for p in current.permissions if p != "care.attend")
        update_role(session, admin, reception, RoleInput("Recepção", current.description, kept))
        create_role(
            session, admin, RoleInput("Digitação BPA", "Digita a produção", ("care.production",))
        )


def _roles(db: Database) -> list[dict[str, object]]:
    with db.read_only() as session:
        return role_set(session)


def _clerk(db: Database) -> None:
    admin = _admin(db)
    with db.unit_of_work("admin") as session:
        reception = session.scalars(select(Role.id).where(Role.name == "Recepção")).one()
        create_account(
            session, admin,
            AccountInput("joana", "Joana Lima", "Joana-Recepcao-2026", role_ids=(reception,)),
        )  # fmt: skip


def _clerk_can(db: Database, permission: str) -> bool:
    with db.unit_of_work("joana") as session:
        actor = login(session, "joana", "Joana-Recepcao-2026").actor
    assert actor is not None
    return actor.can(permission)


def test_the_units_roles_follow_the_hub_and_its_clerk_loses_the_right(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    _clerk(unit)
    assert _clerk_can(unit, "care.attend")
    _hub_edits_roles(net)
    net.round()

    assert _roles(unit) == _roles(net.hub)
    assert "Digitação BPA" in [role["name"] for role in _roles(unit)]
    assert not _clerk_can(unit, "care.attend")  # the hub's change counts at the next login
    assert _clerk_can(unit, "registry.write")

    # a role the hub defines is not edited here; a role of the unit's own still is
    admin = _admin(unit)
    with unit.unit_of_work("admin") as session, pytest.raises(ValidationError) as refused:
        update_role(
            session, admin, _role_id(unit, "Recepção"), RoleInput("Recepção", "", ("care.attend",))
        )
    assert refused.value.errors[""].startswith("Este perfil é definido pela central (Central)")
    with unit.unit_of_work("admin") as session:
        own = create_role(session, admin, RoleInput("Estagiário", "", ("registry.read",)))
        update_role(session, admin, own, RoleInput("Estagiário", "Só consulta", ("registry.read",)))

    # the same set is not sent again
    net.round()
    with unit.read_only() as session:
        received = session.scalars(
            select(SyncBatch.file_name).where(SyncBatch.direction == "in")
        ).all()
    assert len([name for name in received if name.startswith("perfis_")]) == 1


def test_a_role_the_hub_retires_stops_counting_on_the_node(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    _hub_edits_roles(net)
    net.round()
    with net.hub.unit_of_work("admin") as session:
        role = session.scalars(select(Role).where(Role.name == "Digitação BPA")).one()
        role.deleted_at = role.updated_at
    net.round()
    with unit.read_only() as session:
        retired = session.scalars(select(Role).where(Role.name == "Digitação BPA")).one()
        assert retired.deleted_at is not None
    assert "Digitação BPA" not in [role["name"] for role in _roles(unit)]
    assert _roles(unit) == _roles(net.hub)


def test_an_altered_roles_package_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    before = _roles(unit)
    _hub_edits_roles(net)
    net.send("UBS Centro")  # the hub's ingest writes the unit its packages
    [package] = (net.share / "saida" / unit.node_id).glob("perfis_*.smref")
    document = json.loads(package.read_text("utf-8"))
    document["payload"]["roles"][0]["permissions"].append("users.admin")
    package.write_text(json.dumps(document), "utf-8")
    net.receive("UBS Centro")
    assert _roles(unit) == before
    [(file, reason)] = [q for q in quarantined(net.share) if q[0].name.startswith("perfis_")]
    assert file.name == package.name
    assert "assinatura" in reason.lower()


def test_a_role_the_hub_renames_keeps_the_units_accounts(tmp_path: Path) -> None:
    """The standard roles have the same id everywhere, so a rename at the central office renames
    the unit's row: its clerk keeps the role and its rights. A role of the unit's own that had
    the new name gives it up, marked as this computer's."""
    net = make_network(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    _clerk(unit)
    assert _role_id(unit, "Recepção") == _role_id(net.hub, "Recepção")
    admin = _admin(unit)
    with unit.unit_of_work("admin") as session:
        create_role(session, admin, RoleInput("Atendimento", "", ("registry.read",)))
    hub_admin = _admin(net.hub)
    with net.hub.unit_of_work("admin") as session:
        current = next(r for r in list_roles(session, hub_admin) if r.name == "Recepção")
        data = RoleInput("Atendimento", current.description, current.permissions)
        update_role(session, hub_admin, current.id, data)
    net.round()

    assert _roles(unit) == [
        *[r for r in _roles(net.hub) if r["name"] < "Atendimento ("],
        *[r for r in _roles(unit) if r["name"] == "Atendimento (deste computador)"],
        *[r for r in _roles(net.hub) if r["name"] > "Atendimento ("],
    ]
    assert _clerk_can(unit, "care.attend")  # the renamed role is still hers
    with unit.read_only() as session:
        names = {a.username: [r.name for r in a.roles] for a in session.scalars(select(Account))}
    assert names["joana"] == ["Atendimento"]
