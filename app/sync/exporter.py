"""Export: the changes a peer has not received yet, as batch files in `saida/<peer>/`.

What goes to a peer: change-log entries after its cursor that are in its scope, that it did not
send us and did not originate. Normally the cursor is what was already exported; `resend=True`
starts again from what the peer confirmed (a lost USB stick): the receiver skips what it has.
A long backlog becomes several files of at most `max_changes` changes. Each file is written
atomically before the cursor moves, in the same transaction that records it in the history.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, not_, or_, select, text
from sqlalchemy.orm import Session

from app.db.base import new_id
from app.db.migrate import HEAD_REVISION
from app.db.session import Database, clock_of
from app.errors import ValidationError
from app.security.models import AuditEntry
from app.sync import batchfile
from app.sync.capture import to_json_value
from app.sync.models import ChangeLogEntry, SyncBatch, SyncCheckpoint, SyncPeer
from app.sync.node import NodeIdentity, detect_restore, identity, node_keys, write_marker
from app.sync.scope import in_scope_clause

MAX_CHANGES = 5000
# The oldest schema revision whose batches this version still applies.
OLDEST_READABLE = "0006"
BATCH_SUFFIX = ".smlote"
# Any fixed 64-bit number, the same in every process that imports or exports batches.
LOG_LOCK_KEY = 0x53_4D_53_59_4E_43  # "SMSYNC"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportResult:
    files: list[Path]
    changes: int
    restore_message: str | None = None


def outbox(folder: Path, peer_id: str) -> Path:
    return folder / "saida" / peer_id


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40] or "no"


def export_to(
    db: Database,
    peer_id: str,
    folder: Path,
    *,
    resend: bool = False,
    max_changes: int = MAX_CHANGES,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write every pending change for `peer_id` into batch files under `folder/saida/<peer>/`."""
    restore = detect_restore(db)
    keys = node_keys(db)
    files: list[Path] = []
    total = 0
    while not (cancelled and cancelled()):
        with db.unit_of_work() as session:
            written = _export_one(session, keys, peer_id, folder, resend and not files, max_changes)
        if written is None:
            break
        files.append(written[0])
        total += written[1]
        if progress:
            progress(total, 0)
    write_marker(db)
    return ExportResult(files, total, restore)


def _peer(session: Session, peer_id: str) -> SyncPeer:
    peer = session.get(SyncPeer, peer_id)
    if peer is None or peer.revoked_at is not None:
        raise ValidationError({"": "Destino não cadastrado ou revogado: cadastre-o antes."})
    return peer


def _pending(session: Session, peer: SyncPeer, after: int, limit: int) -> list[ChangeLogEntry]:
    log = ChangeLogEntry
    # Its own changes never go back to the peer, except those of an epoch it has left (it was
    # restored from a backup and may have lost them; it skips the ones it still has).
    epoch = session.scalar(
        select(func.max(SyncCheckpoint.sender_epoch)).where(
            SyncCheckpoint.sender_node == peer.node_id
        )
    )
    from_peer = or_(
        log.origin_node == peer.node_id, func.coalesce(log.received_from, "") == peer.node_id
    )
    lost_by_peer = and_(log.origin_node == peer.node_id, log.origin_epoch < (epoch or 1))
    query = (
        select(log)
        .where(
            log.seq > after,
            or_(not_(from_peer), lost_by_peer),
            in_scope_clause(
                peer.kind, peer.unit_cnes, log.scope, log.unit_cnes, peer.team, log.team
            ),
        )
        .order_by(log.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


def lock_change_log(session: Session) -> None:
    """PostgreSQL: one import or export of batches at a time, until commit or rollback.

    An import numbers the changes it stores in the log before it commits; without this lock an
    export running meanwhile (a second ingest, the sync center) could send a clerk's edit
    numbered after them, move the peer's cursor past it and never send the import's changes.
    SQLite already lets one writer in at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_LOCK_KEY})


def _export_one(
    session: Session, keys: Any, peer_id: str, folder: Path, resend: bool, limit: int
) -> tuple[Path, int] | None:
    lock_change_log(session)
    peer = _peer(session, peer_id)
    me = identity(session)
    cursor = peer.acked_seq if resend else peer.sent_seq
    entries = _pending(session, peer, cursor, limit)
    if not entries:
        return None
    manifest = _manifest(session, me, peer, cursor, entries)
    path = outbox(folder, peer.node_id) / _file_name(me, cursor, entries, manifest["batch_id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    changes = (_as_change(e) for e in entries)
    final = batchfile.write_batch(path, manifest, changes, keys, peer.box_public)
    peer.sent_seq = entries[-1].seq
    peer.last_export_at = clock_of(session).now()
    session.add(_history(session, me, peer, cursor, entries, path, final))
    return path, len(entries)


def _manifest(
    session: Session, me: NodeIdentity, peer: SyncPeer, cursor: int, entries: list[ChangeLogEntry]
) -> dict[str, Any]:
    ack = session.scalar(
        select(SyncCheckpoint.applied_seq)
        .where(SyncCheckpoint.sender_node == peer.node_id)
        .order_by(SyncCheckpoint.sender_epoch.desc())
        .limit(1)
    )
    ack_epoch = session.scalar(
        select(SyncCheckpoint.sender_epoch)
        .where(SyncCheckpoint.sender_node == peer.node_id)
        .order_by(SyncCheckpoint.sender_epoch.desc())
        .limit(1)
    )
    previous = session.scalar(
        select(SyncBatch.payload_sha256)
        .where(SyncBatch.direction == "out", SyncBatch.peer_node == peer.node_id)
        .order_by(SyncBatch.id.desc())
        .limit(1)
    )
    audit_head = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
    return {
        "batch_id": str(new_id()),
        "origin": me.node_id,
        "origin_name": me.name,
        "epoch": me.epoch,
        "recipient": peer.node_id,
        "created_hlc": max(e.hlc for e in entries),
        "created_at": clock_of(session).now().isoformat(),
        "schema_version": HEAD_REVISION,
        "min_reader": OLDEST_READABLE,
        "prev_seq": cursor,
        "last_seq": entries[-1].seq,
        "counts": dict(Counter(e.table_name for e in entries)),
        "prev_batch_sha256": previous or "",
        "ack": {"epoch": ack_epoch or 0, "seq": ack or 0},
        "audit_head": audit_head or "",
    }


def _file_name(me: NodeIdentity, cursor: int, entries: list[ChangeLogEntry], batch_id: str) -> str:
    return (
        f"lote_{slug(me.name)}_e{me.epoch}_{cursor + 1:09d}-{entries[-1].seq:09d}_"
        f"{batch_id[-8:]}{BATCH_SUFFIX}"
    )


_SKIP = {"seq", "acknowledged", "received_from"}


def _as_change(entry: ChangeLogEntry) -> dict[str, Any]:
    change = {
        column.name: to_json_value(getattr(entry, column.key))
        for column in ChangeLogEntry.__table__.columns
        if column.name not in _SKIP
    }
    change["pos"] = entry.seq
    return change


def _history(
    session: Session,
    me: NodeIdentity,
    peer: SyncPeer,
    cursor: int,
    entries: list[ChangeLogEntry],
    path: Path,
    manifest: dict[str, Any],
) -> SyncBatch:
    return SyncBatch(
        batch_id=manifest["batch_id"],
        direction="out",
        peer_node=peer.node_id,
        peer_name=peer.name,
        sender_epoch=me.epoch,
        first_seq=cursor + 1,
        last_seq=entries[-1].seq,
        file_name=path.name,
        payload_sha256=manifest["payload_sha256"],
        status="exported",
        change_count=len(entries),
        at=clock_of(session).now(),
    )
