"""Import one batch file (SYNC.md "Applying a batch") and answer it with a signed receipt.

Order of checks, all before any row changes: addressed to this node, sender enrolled and not
revoked, signature and payload hash (`batchfile.verify_batch`), schema window, already imported,
next in the sender's sequence (otherwise parked). Then one transaction applies the changes in
bulk together with the checkpoint and the history row; the receipt is written after the commit
(a crash in between is harmless: importing the batch again rewrites the receipt).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.migrate import HEAD_REVISION
from app.db.session import Database, clock_of
from app.sync import batchfile, hlc
from app.sync.apply import ApplyStats, apply_changes
from app.sync.capture import allocate, lock_sync_state
from app.sync.errors import BatchError
from app.sync.exporter import OLDEST_READABLE, lock_change_log, outbox, slug
from app.sync.keys import NodeKeys
from app.sync.models import ChangeLogEntry, SyncBatch, SyncCheckpoint, SyncPeer, SyncState
from app.sync.node import identity, node_keys
from app.sync.signed import read_signed_json, write_signed_json

RECEIPT_KIND = "recibo-lote"
RECEIPT_SUFFIX = ".smrecibo"


@dataclass
class ImportOutcome:
    """What happened to one file, for the sync center and the CLI."""

    file: Path
    status: str  # applied | duplicate | parked | refused | receipt | reference (a hub package)
    message: str
    applied: int = 0
    conflicts: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    code: str = ""
    sender: str = ""


def import_batch(db: Database, path: Path, reply_folder: Path | None = None) -> ImportOutcome:
    """Verify and apply one batch; a refusal raises `BatchError` and changes nothing."""
    keys = node_keys(db)
    manifest, peer = _checked(db, path)
    status = _position(db, manifest, path)
    if status is not None:
        if status.status == "duplicate" and reply_folder is not None:
            _write_receipt(db, keys, manifest, reply_folder, ApplyStats())
        return status
    stats = _apply(db, path, manifest, keys, peer)
    if reply_folder is not None:
        _write_receipt(db, keys, manifest, reply_folder, stats)
    message = f"{stats.applied} alterações aplicadas de {manifest.get('origin_name', '')}"
    if stats.conflicts:
        message += f"; {stats.conflicts} conflito(s) para revisar"
    return ImportOutcome(
        path, "applied", message, stats.applied, stats.conflicts, stats.rejected, sender=peer.name
    )


# --- checks ----------------------------------------------------------------------------------


def _checked(db: Database, path: Path) -> tuple[dict[str, Any], SyncPeer]:
    manifest, _signature = batchfile.read_manifest(path)
    with db.read_only() as session:
        me = identity(session)
        peer = session.get(SyncPeer, str(manifest.get("origin", "")))
        if manifest.get("recipient") != me.node_id:
            raise BatchError(
                "recipient",
                "Este lote foi gerado para outro computador e não pode ser importado aqui.",
            )
        if peer is None:
            raise BatchError("unknown_node")
        if peer.revoked_at is not None:
            raise BatchError("revoked")
        session.expunge(peer)
    batchfile.verify_batch(path, peer.sign_public)
    _check_schema(manifest)
    return manifest, peer


def _check_schema(manifest: dict[str, Any]) -> None:
    if int(manifest.get("min_reader", "0")) > int(HEAD_REVISION):
        raise BatchError("too_new")
    if int(manifest.get("schema_version", "0")) < int(OLDEST_READABLE):
        raise BatchError("too_old")


def _position(db: Database, manifest: dict[str, Any], path: Path) -> ImportOutcome | None:
    """Already imported, or waiting for an earlier batch? None when it is next in line."""
    with db.read_only() as session:
        seen = session.scalar(
            select(SyncBatch).where(
                SyncBatch.batch_id == manifest["batch_id"],
                SyncBatch.direction == "in",
                SyncBatch.status == "applied",
            )
        )
        if seen is not None and seen.payload_sha256 != manifest["payload_sha256"]:
            raise BatchError("integrity")
        applied = _applied_seq(session, manifest["origin"], manifest["epoch"])
    if seen is not None or manifest["last_seq"] <= applied:
        return ImportOutcome(path, "duplicate", "já importado: nada a fazer")
    if manifest["prev_seq"] > applied:
        return ImportOutcome(
            path,
            "parked",
            f"aguardando lote anterior de {manifest.get('origin_name', '')} "
            f"(posições {applied + 1} a {manifest['prev_seq']}); importe-o e este será aplicado",
        )
    return None


def _applied_seq(session: Session, sender: str, epoch: int) -> int:
    point = session.get(SyncCheckpoint, (sender, epoch))
    return point.applied_seq if point else 0


# --- applying --------------------------------------------------------------------------------


def _apply(
    db: Database, path: Path, manifest: dict[str, Any], keys: NodeKeys, peer: SyncPeer
) -> ApplyStats:
    try:
        with db.unit_of_work() as session:
            lock_change_log(session)
            lock_sync_state(session.connection())
            conn = session.connection()
            if db.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            now = clock_of(session).now()
            changes = batchfile.iter_changes(path, manifest, keys)
            stats = apply_changes(conn, changes, peer.node_id, now)
            _bookkeeping(session, manifest, peer, stats, path)
            return stats
    except IntegrityError as error:
        raise BatchError(
            "integrity", BatchError("integrity").message + f" (detalhe técnico: {error.orig})"
        ) from error


def _bookkeeping(
    session: Session, manifest: dict[str, Any], peer: SyncPeer, stats: ApplyStats, path: Path
) -> None:
    now = clock_of(session).now()
    sender, epoch = manifest["origin"], manifest["epoch"]
    point = session.get(SyncCheckpoint, (sender, epoch))
    if point is None:
        point = SyncCheckpoint(
            sender_node=sender, sender_epoch=epoch, applied_seq=0, updated_at=now
        )
        session.add(point)
        _new_epoch_of_peer(session, manifest)
    point.applied_seq = max(point.applied_seq, manifest["last_seq"])
    point.updated_at = now
    _acknowledge(session, peer.node_id, manifest["ack"], peer.kind == "hub")
    local = session.get(SyncPeer, peer.node_id)
    if local is not None:
        local.last_import_at = now
    _observe_clock(session, stats.max_hlc, now)
    session.add(
        SyncBatch(
            batch_id=manifest["batch_id"],
            direction="in",
            peer_node=sender,
            peer_name=manifest.get("origin_name", ""),
            sender_epoch=epoch,
            first_seq=manifest["prev_seq"] + 1,
            last_seq=manifest["last_seq"],
            file_name=path.name,
            payload_sha256=manifest["payload_sha256"],
            status="applied",
            change_count=stats.received,
            applied_count=stats.applied,
            conflict_count=stats.conflicts,
            rejected=stats.rejected,
            at=now,
        )
    )


def _new_epoch_of_peer(session: Session, manifest: dict[str, Any]) -> None:
    """A sender in a new epoch (restored or reinstalled): resend it what it says it has."""
    peer = session.get(SyncPeer, manifest["origin"])
    if peer is not None and manifest["epoch"] > 1:
        peer.sent_seq = min(peer.sent_seq, int(manifest["ack"].get("seq", 0)))
        peer.acked_seq = min(peer.acked_seq, peer.sent_seq)


def _acknowledge(session: Session, peer_id: str, ack: dict[str, Any], from_hub: bool) -> None:
    """The peer says it applied our feed up to `ack["seq"]` (in our epoch `ack["epoch"]`)."""
    state = session.get(SyncState, 1)
    if state is None or int(ack.get("epoch", 0)) != state.epoch:
        return
    peer = session.get(SyncPeer, peer_id)
    seq = int(ack.get("seq", 0))
    if peer is None or seq <= peer.acked_seq:
        return
    peer.acked_seq = seq
    session.execute(
        update(SyncBatch)
        .where(
            SyncBatch.direction == "out",
            SyncBatch.peer_node == peer_id,
            SyncBatch.last_seq <= seq,
            SyncBatch.status == "exported",
        )
        .values(status="acknowledged", receipt_at=clock_of(session).now())
    )
    if not from_hub:  # on the hub, a change is confirmed once every active node has it
        seq = min(
            session.scalars(select(SyncPeer.acked_seq).where(SyncPeer.revoked_at.is_(None))),
            default=seq,
        )
    session.execute(
        update(ChangeLogEntry)
        .where(
            ChangeLogEntry.seq <= seq,
            ChangeLogEntry.received_from.is_(None),
            ChangeLogEntry.acknowledged.is_(False),
        )
        .values(acknowledged=True)
    )


def record_unapplied(db: Database, outcome: ImportOutcome) -> None:
    """Put a refused or waiting batch in the history (once per batch and status)."""
    try:
        manifest, _signature = batchfile.read_manifest(outcome.file)
    except (BatchError, OSError):
        manifest = {}
    batch_id = str(manifest.get("batch_id", ""))[:36] or outcome.file.name[:36]
    with db.unit_of_work() as session:
        known = session.scalar(
            select(SyncBatch.id).where(
                SyncBatch.batch_id == batch_id,
                SyncBatch.direction == "in",
                SyncBatch.status == outcome.status,
            )
        )
        if known is not None:
            return
        session.add(
            SyncBatch(
                batch_id=batch_id,
                direction="in",
                peer_node=str(manifest.get("origin", ""))[:36],
                peer_name=str(manifest.get("origin_name", ""))[:80],
                sender_epoch=_int(manifest.get("epoch")),
                first_seq=_int(manifest.get("prev_seq")) + 1,
                last_seq=_int(manifest.get("last_seq")),
                file_name=outcome.file.name[:200],
                status=outcome.status,
                reason=outcome.message,
                at=clock_of(session).now(),
            )
        )


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _observe_clock(session: Session, max_hlc: str, now: Any) -> None:
    if not max_hlc:
        return
    state = session.get(SyncState, 1)
    if state is None:
        allocate(session.connection(), session.info, 0)
        state = session.get(SyncState, 1)
        assert state is not None
    remote = hlc.parse_hlc(max_hlc)
    physical = hlc.millis(now)
    state.hlc_wall, state.hlc_counter = hlc.observe(
        state.hlc_wall, state.hlc_counter, remote, physical
    )
    ahead = hlc.skew_of(remote[0], physical)
    if ahead > hlc.SKEW_WARNING_MS:
        minutes = ahead // 60000
        state.skew_warning = (
            f"Um lote recebido tem horário {minutes} minutos à frente deste computador: "
            "confira a data e a hora do computador de origem e deste."
        )


# --- receipts --------------------------------------------------------------------------------


def _write_receipt(
    db: Database, keys: NodeKeys, manifest: dict[str, Any], folder: Path, stats: ApplyStats
) -> Path:
    with db.read_only() as session:
        me = identity(session)
        applied = _applied_seq(session, manifest["origin"], manifest["epoch"])
    payload = {
        "batch_id": manifest["batch_id"],
        "receiver": me.node_id,
        "receiver_name": me.name,
        "sender": manifest["origin"],
        "sender_epoch": manifest["epoch"],
        "applied_seq": applied,
        "applied": stats.applied,
        "conflicts": stats.conflicts,
        "rejected": stats.rejected,
    }
    target = outbox(folder, manifest["origin"])
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"recibo_{slug(me.name)}_{manifest['batch_id'][-8:]}{RECEIPT_SUFFIX}"
    write_signed_json(path, RECEIPT_KIND, payload, keys)
    return path


def import_receipt(db: Database, path: Path) -> ImportOutcome:
    """A peer's signed receipt: our changes up to its `applied_seq` are acknowledged."""
    document = read_signed_json(path, RECEIPT_KIND)
    receipt = document.payload
    with db.unit_of_work() as session:
        peer = session.get(SyncPeer, str(receipt.get("receiver", "")))
        if peer is None:
            raise BatchError("unknown_node")
        document.require(peer.sign_public)
        ack = {"epoch": receipt["sender_epoch"], "seq": receipt["applied_seq"]}
        _acknowledge(session, peer.node_id, ack, peer.kind == "hub")
        session.execute(
            update(SyncBatch)
            .where(SyncBatch.batch_id == receipt["batch_id"], SyncBatch.direction == "out")
            .values(
                rejected=receipt.get("rejected", []),
                conflict_count=int(receipt.get("conflicts", 0)),
            )
        )
    return ImportOutcome(
        path, "receipt", f"recibo de {receipt.get('receiver_name', '')}: lote confirmado"
    )
