"""This node's sync identity: keys on disk, enrolment with the hub, revocation, restore detection.

Private keys live in a file beside the SQLite database (`<file>.chaves.pem`; for PostgreSQL in the
user data folder, or `SAUDE_MUNICIPAL_KEYS_DIR`), encrypted with a secret kept in the database:
neither a copied database nor a copied key file alone gives the keys away.

Enrolment: the node writes a request with its public keys (`.smpedido`); the hub checks it,
registers the node and answers with an enrolment file signed by the hub (`.smcadastro`) that
carries the hub's public keys; the node imports it. A marker file beside the keys remembers how
far this node's numbering went: a database older than the marker was restored from a backup, and
the node moves to a new epoch so that no sequence number is ever reused under the same identity.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from app.atomicfile import atomic_writer
from app.db.engine import sqlite_path
from app.db.session import Database, clock_of
from app.errors import ValidationError
from app.installation.models import Installation
from app.paths import user_data_dir
from app.sync.errors import BatchError
from app.sync.keys import NodeKeys, generate_keys, key_id_of, load_keys, save_keys
from app.sync.models import ChangeLogEntry, SyncPeer, SyncState
from app.sync.signed import read_signed_json, write_signed_json

KEYS_DIR_ENV = "SAUDE_MUNICIPAL_KEYS_DIR"
REQUEST_KIND = "pedido-cadastro"
ENROLMENT_KIND = "cadastro-no"


@dataclass(frozen=True)
class NodeIdentity:
    """Who this node is, as batches and receipts name it."""

    node_id: str
    name: str
    kind: str
    unit_cnes: str | None
    epoch: int


def keys_path(db: Database) -> Path:
    """Where this node's private-key file lives."""
    folder = os.environ.get(KEYS_DIR_ENV)
    if folder:
        return Path(folder) / f"{db.node_id}.chaves.pem"
    path = sqlite_path(db.url)
    if path is not None:
        return path.with_name(path.name + ".chaves.pem")
    return user_data_dir() / "chaves" / f"{db.node_id}.chaves.pem"


def _marker_path(db: Database) -> Path:
    return keys_path(db).with_suffix(".marca.json")


def state_row(session: Session) -> SyncState:
    """The one-row sync state, created on first use."""
    state = session.get(SyncState, 1)
    if state is None:
        node_id = str(session.info.get("node_id", "local"))
        state = SyncState(id=1, node_id=node_id, epoch=1, next_seq=1, hlc_wall=0, hlc_counter=0)
        session.add(state)
        session.flush()
    return state


def identity(session: Session) -> NodeIdentity:
    node = session.scalar(select(Installation))
    if node is None:
        raise ValidationError({"": "Conclua a configuração inicial antes de sincronizar."})
    return NodeIdentity(
        node.node_id, node.name, node.kind.value, node.unit_cnes, state_row(session).epoch
    )


def node_keys(db: Database) -> NodeKeys:
    """This node's keys, generated (and saved protected) on first use."""
    with db.unit_of_work() as session:
        state = state_row(session)
        if not state.key_secret:
            state.key_secret = secrets.token_hex(32)
        secret = state.key_secret.encode()
    path = keys_path(db)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        save_keys(generate_keys(), path, secret)
    return load_keys(path, secret)


# --- enrolment -------------------------------------------------------------------------------


def _public(keys: NodeKeys) -> dict[str, str]:
    return {
        "sign_public": base64.b64encode(keys.sign_public).decode(),
        "box_public": base64.b64encode(keys.box_public).decode(),
    }


def write_request(db: Database, path: Path) -> None:
    """Node side: the enrolment request the hub will register (public keys only)."""
    keys = node_keys(db)
    with db.read_only() as session:
        me = identity(session)
    payload = {"node_id": me.node_id, "name": me.name, "kind": me.kind, "unit_cnes": me.unit_cnes}
    write_signed_json(path, REQUEST_KIND, {**payload, **_public(keys)}, keys)


def enrol_node(db: Database, request: Path, answer: Path, *, team: str = "") -> str:
    """Hub side: register the node of `request` and write its enrolment file; returns its name."""
    document = read_signed_json(request, REQUEST_KIND)
    node = document.payload
    sign_public = base64.b64decode(node["sign_public"])
    document.require(sign_public)
    keys = node_keys(db)
    with db.unit_of_work() as session:
        hub = identity(session)
        if hub.kind != "hub":
            raise ValidationError({"": "Somente a central cadastra computadores."})
        peer = session.get(SyncPeer, node["node_id"]) or SyncPeer(node_id=node["node_id"])
        peer.name, peer.kind, peer.unit_cnes = node["name"], node["kind"], node["unit_cnes"]
        peer.team, peer.sign_public = team, sign_public
        peer.box_public = base64.b64decode(node["box_public"])
        peer.key_id = key_id_of(sign_public)
        peer.enrolled_at, peer.revoked_at = clock_of(session).now(), None
        peer.sent_seq = peer.sent_seq or 0
        peer.acked_seq = peer.acked_seq or 0
        session.add(peer)
        hub_part = {"node_id": hub.node_id, "name": hub.name, **_public(keys)}
    write_signed_json(answer, ENROLMENT_KIND, {"node": node, "hub": hub_part, "team": team}, keys)
    return str(node["name"])


def join_hub(db: Database, enrolment: Path) -> str:
    """Node side: import the hub's enrolment file; returns the hub's name."""
    document = read_signed_json(enrolment, ENROLMENT_KIND)
    hub = document.payload["hub"]
    hub_sign = base64.b64decode(hub["sign_public"])
    document.require(hub_sign)
    keys = node_keys(db)
    mine = document.payload["node"]
    with db.unit_of_work() as session:
        me = identity(session)
        if mine["node_id"] != me.node_id or mine["sign_public"] != _public(keys)["sign_public"]:
            raise BatchError(
                "recipient",
                "Este arquivo de cadastro foi gerado para outro computador. Peça à central o "
                "cadastro deste computador.",
            )
        peer = session.get(SyncPeer, hub["node_id"]) or SyncPeer(node_id=hub["node_id"])
        peer.name, peer.kind, peer.team = hub["name"], "hub", document.payload.get("team", "")
        peer.sign_public, peer.box_public = hub_sign, base64.b64decode(hub["box_public"])
        peer.key_id = key_id_of(hub_sign)
        peer.enrolled_at, peer.revoked_at = clock_of(session).now(), None
        peer.sent_seq = peer.sent_seq or 0
        peer.acked_seq = peer.acked_seq or 0
        session.add(peer)
    return str(hub["name"])


def revoke_node(session: Session, node_id: str) -> None:
    """Hub side: batches from this node are refused from now on and nothing is sent to it."""
    peer = session.get(SyncPeer, node_id)
    if peer is None:
        raise ValidationError({"": "Computador não cadastrado."})
    peer.revoked_at = clock_of(session).now()


# --- restore from backup ---------------------------------------------------------------------


def write_marker(db: Database) -> None:
    """Remember (outside the database) how far this node's numbering has gone."""
    with db.read_only() as session:
        state = state_row(session)
        mark = {"node_id": state.node_id, "epoch": state.epoch, "next_seq": state.next_seq}
        mark["last_change"] = _own_change_id(session, state.epoch, state.next_seq - 1)
    with atomic_writer(_marker_path(db)) as stream:
        stream.write(json.dumps(mark).encode())


def _own_change_id(session: Session, epoch: int, seq: int) -> str:
    """The change this node numbered `seq` in `epoch` ("" if there is none)."""
    state = state_row(session)
    found = session.scalar(
        select(ChangeLogEntry.change_id).where(
            ChangeLogEntry.origin_node == state.node_id,
            ChangeLogEntry.origin_epoch == epoch,
            ChangeLogEntry.origin_seq == seq,
        )
    )
    return found or ""


def _diverged(session: Session, mark: dict[str, Any], next_seq: int) -> bool:
    """Numbering behind the marker, or caught up with different changes (work after a restore)."""
    marked = int(mark.get("next_seq", 0))
    if marked > next_seq:
        return True
    last = mark.get("last_change")
    return bool(last) and _own_change_id(session, int(mark["epoch"]), marked - 1) != last


def _renumber_unconfirmed(session: Session, node_id: str, epoch: int) -> int:
    """Move this node's unconfirmed changes into the new epoch; returns how many there were.

    Changes typed after the restore, before it was detected, reused numbers of changes the hub
    already has: numbered again in the new epoch they are accepted, and the hub skips (by change
    id) any of them it had already received.
    """
    table: Table = ChangeLogEntry.__table__  # type: ignore[assignment]
    seqs = session.scalars(
        select(table.c.seq)
        .where(
            table.c.origin_node == node_id,
            table.c.received_from.is_(None),
            table.c.acknowledged.is_(False),
        )
        .order_by(table.c.seq)
    ).all()
    if seqs:
        session.execute(
            update(table)
            .where(table.c.seq == bindparam("b_seq"))
            .values(origin_epoch=epoch, origin_seq=bindparam("b_origin_seq")),
            [{"b_seq": seq, "b_origin_seq": n} for n, seq in enumerate(seqs, start=1)],
        )
    return len(seqs)


def detect_restore(db: Database) -> str | None:
    """If the database is older than the marker, start a new epoch; returns a message if so."""
    path = _marker_path(db)
    if not path.exists():
        return None
    try:
        mark: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    with db.unit_of_work() as session:
        state = state_row(session)
        behind = mark.get("epoch", 0) > state.epoch or (
            mark.get("epoch") == state.epoch and _diverged(session, mark, state.next_seq)
        )
        if mark.get("node_id") != state.node_id or not behind:
            return None
        state.epoch = max(int(mark["epoch"]), state.epoch) + 1
        state.next_seq = _renumber_unconfirmed(session, state.node_id, state.epoch) + 1
        session.execute(update(SyncPeer).values(sent_seq=0, acked_seq=0))
        session.execute(update(Installation).values(epoch=state.epoch))
        epoch = state.epoch
    write_marker(db)
    return (
        "Este banco de dados foi restaurado de uma cópia mais antiga que a última sincronização. "
        f"O computador passou para a época {epoch}: nada será numerado em dobro e todas as "
        "alterações serão reenviadas."
    )
