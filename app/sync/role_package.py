"""Roles (perfis de acesso) travel from the hub as one signed, whole package.

Roles are hub-authoritative reference data (SYNC.md): the central office decides what "Recepção"
or "Fiscal sanitário" may do, and every node applies the hub's whole set of roles or nothing.
A role is matched by id first (a role the hub created arrives with the hub's id, and the standard
roles have the same fixed id everywhere, `app.security.roles_seed.standard_role_id`), so a role
the hub renames stays the same row on the node; then by name, for a node's copy made before fixed
ids existed. Accounts stay local and keep pointing at their node's role rows.

On the hub, `ingest` writes a node a package (`perfis_<hash>.smref`, the reference-package kind)
whenever the hub's set of roles differs from the last set that node was sent. On the node, each
role of the package is created or updated by name and marked as the hub's (`origin_node`); a role
the hub had sent before and no longer lists is retired (`deleted_at`), so its permissions stop
counting at the next login. Roles the node created itself are left alone. A role marked as the
hub's cannot be edited on the node (`app.security.accounts.update_role` refuses): the change would
be undone by the next package.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.session import Database, clock_of
from app.security import audit
from app.security.actor import SYSTEM
from app.security.models import Role
from app.sync.errors import BatchError
from app.sync.importer import ImportOutcome
from app.sync.models import SyncBatch, SyncPeer
from app.sync.node import identity, node_keys
from app.sync.signed import canonical_json, write_signed_json

KIND = "perfis"
FORMAT = 1


def _batch_id(sha256: str) -> str:
    return f"perfis-{sha256[:29]}"  # sync_batch.batch_id holds 36 characters


def role_set(session: Session) -> list[dict[str, Any]]:
    """The hub's roles as the package carries them, sorted by name."""
    roles = session.scalars(select(Role).where(Role.deleted_at.is_(None)))
    rows = [
        {
            "id": str(r.id),
            "name": r.name,
            "description": r.description,
            "permissions": sorted(r.permissions),
        }
        for r in roles
    ]
    return sorted(rows, key=lambda row: str(row["name"]).casefold())


def _sha256(roles: list[dict[str, Any]]) -> str:
    return hashlib.sha256(canonical_json({"roles": roles})).hexdigest()


# --- hub side --------------------------------------------------------------------------------


def export_roles(db: Database, peer_id: str, folder: Path, package_kind: str) -> Path | None:
    """Hub: write `peer_id` the current roles if it was not sent this exact set yet."""
    keys = node_keys(db)
    with db.unit_of_work() as session:
        peer = session.get(SyncPeer, peer_id)
        if identity(session).kind != "hub" or peer is None:
            return None
        roles = role_set(session)
        sha256 = _sha256(roles)
        sent = select(SyncBatch.id).where(
            SyncBatch.batch_id == _batch_id(sha256),
            SyncBatch.direction == "out",
            SyncBatch.peer_node == peer_id,
        )
        if session.scalar(sent.limit(1)) is not None:
            return None
        path = folder / "saida" / peer_id / f"perfis_{sha256[:8]}.smref"
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": FORMAT, "reference_kind": KIND, "sha256": sha256, "roles": roles}
        write_signed_json(path, package_kind, payload, keys)
        session.add(_history(session, peer, path, sha256, len(roles), "out"))
    return path


def _history(
    session: Session, peer: SyncPeer, path: Path, sha256: str, count: int, direction: str
) -> SyncBatch:
    return SyncBatch(
        batch_id=_batch_id(sha256),
        direction=direction,
        peer_node=peer.node_id,
        peer_name=peer.name,
        file_name=path.name,
        payload_sha256=sha256,
        status="exported" if direction == "out" else "applied",
        reason=f"Perfis de acesso ({count})",
        change_count=count,
        applied_count=count if direction == "in" else 0,
        at=clock_of(session).now(),
    )


# --- node side -------------------------------------------------------------------------------


def apply_roles(
    session: Session, hub: SyncPeer, path: Path, package: dict[str, Any]
) -> ImportOutcome:
    """Node: apply the hub's roles (the signature was checked by the caller)."""
    roles, sha256 = _checked(package)
    received = select(SyncBatch.id).where(
        SyncBatch.batch_id == _batch_id(sha256), SyncBatch.direction == "in"
    )
    if session.scalar(received.limit(1)) is not None:
        return ImportOutcome(path, "duplicate", "Perfis de acesso já recebidos")
    everyone = list(session.scalars(select(Role)))
    changed = sum(_upsert(session, everyone, hub.node_id, role) for role in roles)
    kept_ids = {uuid.UUID(role["id"]) for role in roles}
    kept_names = {role["name"].casefold() for role in roles}
    retired = [
        role
        for role in everyone
        if role.origin_node == hub.node_id
        and role.deleted_at is None
        and role.id not in kept_ids
        and role.name.casefold() not in kept_names
    ]
    for role in retired:
        role.deleted_at = clock_of(session).now()
        _audit(session, audit.DELETE, role, ["deleted_at"])
    session.add(_history(session, hub, path, sha256, len(roles), "in"))
    count = changed + len(retired)
    message = (
        f"Perfis de acesso atualizados pela central ({count} alterado{'s' if count != 1 else ''})"
        if count
        else "Perfis de acesso conferidos com a central (sem alterações)"
    )
    return ImportOutcome(path, "reference", message, count)


def _checked(package: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    try:
        roles = [
            {
                "id": str(uuid.UUID(str(role["id"]))),
                "name": str(role["name"]),
                "description": str(role["description"]),
                "permissions": sorted(str(p) for p in role["permissions"]),
            }
            for role in package["roles"]
        ]
        sha256 = str(package["sha256"])
    except (KeyError, TypeError, ValueError):
        raise BatchError("format") from None
    if package.get("format") != FORMAT or _sha256(roles) != sha256 or not roles:
        raise BatchError("format")
    return roles, sha256


def _match(everyone: list[Role], data: dict[str, Any]) -> Role | None:
    """The node's row for the hub's role: the same id, else the same name."""
    by_id = [role for role in everyone if str(role.id) == data["id"]]
    by_name = [role for role in everyone if role.name.casefold() == data["name"].casefold()]
    found = by_id or by_name
    return found[0] if found else None


def _free_name(session: Session, everyone: list[Role], role: Role | None, name: str) -> None:
    """A role of the node's own that holds `name` gives it up to the hub's role (renamed)."""
    for other in everyone:
        if other is not role and other.name.casefold() == name.casefold():
            other.name = f"{other.name} (deste computador)"[:60]
            session.flush()
            _audit(session, audit.UPDATE, other, ["name"])


def _upsert(session: Session, everyone: list[Role], hub_id: str, data: dict[str, Any]) -> bool:
    """Create or update one of the hub's roles here; True when something changed."""
    role = _match(everyone, data)
    _free_name(session, everyone, role, data["name"])
    if role is None:
        role = Role(
            id=uuid.UUID(data["id"]),
            name=data["name"],
            description=data["description"],
            permissions=data["permissions"],
            origin_node=hub_id,
        )
        session.add(role)
        session.flush()
        everyone.append(role)
        _audit(session, audit.CREATE, role, ["name", "description", "permissions"])
        return True
    wanted = {
        "name": data["name"],
        "description": data["description"],
        "permissions": data["permissions"],
        "origin_node": hub_id,
        "deleted_at": None,
    }
    fields = [key for key, value in wanted.items() if getattr(role, key) != value]
    for key in fields:
        setattr(role, key, wanted[key])
    if fields:
        session.flush()
        _audit(session, audit.UPDATE, role, fields)
    return bool(set(fields) - {"origin_node"})


def _audit(session: Session, action: str, role: Role, fields: list[str]) -> None:
    audit.record(
        session, SYSTEM, action, entity="role", entity_id=str(role.id),
        detail={"fields": fields, "reason": "perfis da central"},
    )  # fmt: skip
