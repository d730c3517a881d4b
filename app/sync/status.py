"""The read side of sync for the sync center and the CLI: plain dataclasses, Portuguese labels.

What is pending here, the peers and the last exchange with each, the history of batch files, how
many conflicts are open, everything the sync center shows at once, and the summaries of an export
or an import. Nothing here writes. The labels live in `app.sync.labels`, the conflicts in
`app.sync.conflict_queries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.sync.conflict_queries import ConflictRow, open_conflicts
from app.sync.labels import table_label
from app.sync.models import ChangeLogEntry, SyncBatch, SyncConflict, SyncPeer
from app.sync.node import identity, state_row
from app.sync.scope import in_scope_clause

KIND_LABELS = {"hub": "Central", "unit": "Unidade de saúde", "field": "Equipe de campo"}
BATCH_STATUS = {
    "exported": "exportado",
    "acknowledged": "confirmado",
    "applied": "aplicado",
    "duplicate": "já importado",
    "parked": "aguardando lote anterior",
    "refused": "recusado",
}


# --- pending and peers ------------------------------------------------------------------------


def _made_here_pending() -> Any:
    return ChangeLogEntry.received_from.is_(None), ChangeLogEntry.acknowledged.is_(False)


def pending_by_table(session: Session) -> list[tuple[str, int]]:
    """Changes made here and not yet confirmed by the hub, per kind of record."""
    query = (
        select(ChangeLogEntry.table_name, func.count())
        .where(*_made_here_pending())
        .group_by(ChangeLogEntry.table_name)
    )
    rows = [(table_label(name), int(count)) for name, count in session.execute(query)]
    return sorted(rows)


@dataclass(frozen=True)
class PeerRow:
    node_id: str
    name: str
    kind: str
    kind_label: str
    cnes: str
    team: str
    enrolled_at: datetime
    revoked_at: datetime | None
    last_export_at: datetime | None
    last_import_at: datetime | None
    sent_seq: int
    acked_seq: int
    pending: int

    @property
    def state_label(self) -> str:
        return "revogado" if self.revoked_at else "cadastrado"


def _pending_for(session: Session, peer: SyncPeer) -> int:
    log = ChangeLogEntry
    query = (
        select(func.count())
        .select_from(log)
        .where(
            log.seq > peer.sent_seq,
            log.origin_node != peer.node_id,
            or_(log.received_from.is_(None), log.received_from != peer.node_id),
            in_scope_clause(peer.kind, peer.unit_cnes, log.scope, log.unit_cnes),
        )
    )
    return int(session.scalar(query) or 0)


def peers(session: Session) -> list[PeerRow]:
    """The hub (on a node) or the enrolled nodes (on the hub), with the last exchange."""
    result = []
    receipts = dict(
        session.execute(
            select(SyncBatch.peer_node, func.max(SyncBatch.receipt_at)).group_by(
                SyncBatch.peer_node
            )
        ).all()
    )
    for peer in session.scalars(select(SyncPeer).order_by(SyncPeer.kind, SyncPeer.name)):
        pending = 0 if peer.revoked_at else _pending_for(session, peer)
        heard = [t for t in (peer.last_import_at, receipts.get(peer.node_id)) if t is not None]
        result.append(
            PeerRow(
                peer.node_id,
                peer.name,
                peer.kind,
                KIND_LABELS.get(peer.kind, peer.kind),
                peer.unit_cnes or "",
                peer.team,
                peer.enrolled_at,
                peer.revoked_at,
                peer.last_export_at,
                max(heard, default=None),
                peer.sent_seq,
                peer.acked_seq,
                pending,
            )
        )
    return result


# --- history ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchRow:
    at: datetime
    direction: str  # "out" | "in"
    direction_label: str
    peer_name: str
    file_name: str
    status: str
    status_label: str
    first_seq: int
    last_seq: int
    changes: int
    applied: int
    conflicts: int
    rejected: int
    receipt_at: datetime | None
    reason: str


def history(session: Session, limit: int = 200) -> list[BatchRow]:
    """Batch files exported and imported here, newest first."""
    query = select(SyncBatch).order_by(SyncBatch.at.desc(), SyncBatch.id.desc()).limit(limit)
    return [
        BatchRow(
            b.at,
            b.direction,
            "enviado" if b.direction == "out" else "recebido",
            b.peer_name,
            b.file_name,
            b.status,
            BATCH_STATUS.get(b.status, b.status),
            b.first_seq,
            b.last_seq,
            b.change_count,
            b.applied_count,
            b.conflict_count,
            len(b.rejected or []),
            b.receipt_at,
            b.reason,
        )
        for b in session.scalars(query)
    ]


def skew_warning(session: Session) -> str:
    """The clock warning raised by an imported batch, or ""."""
    return state_row(session).skew_warning or ""


def open_conflict_count(session: Session) -> int:
    query = select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))
    return int(session.scalar(query) or 0)


# --- what the sync center shows at once, and summaries of an operation -----------------------


@dataclass(frozen=True)
class SyncOverview:
    node_name: str
    kind_label: str
    cnes: str
    epoch: int
    skew: str
    pending: list[tuple[str, int]]
    peers: list[PeerRow]
    history: list[BatchRow]
    conflicts: list[ConflictRow]

    @property
    def pending_total(self) -> int:
        return sum(count for _label, count in self.pending)


def overview(session: Session) -> SyncOverview:
    me = identity(session)
    return SyncOverview(
        me.name,
        KIND_LABELS.get(me.kind, me.kind),
        me.unit_cnes or "",
        me.epoch,
        skew_warning(session),
        pending_by_table(session),
        peers(session),
        history(session),
        open_conflicts(session),
    )


def export_targets(session: Session) -> list[tuple[str, str]]:
    """Where "export" writes: a node to its hub, the hub to every enrolled node (id, name)."""
    me = identity(session)
    query = select(SyncPeer.node_id, SyncPeer.name).where(SyncPeer.revoked_at.is_(None))
    if me.kind != "hub":
        query = query.where(SyncPeer.kind == "hub")
    return [(node_id, name) for node_id, name in session.execute(query.order_by(SyncPeer.name))]


def export_summary(results: list[tuple[str, Any]]) -> str:
    """One line per destination of an export (`results`: name and `ExportResult`)."""
    if not results:
        return "Nenhum destino cadastrado: faça o cadastro com a central primeiro."
    lines = []
    for name, result in results:
        if result.restore_message:
            lines.append(result.restore_message)
        if result.changes:
            lines.append(
                f"Exportado para {name}: {result.changes} alteração(ões) em "
                f"{len(result.files)} arquivo(s)."
            )
        else:
            lines.append(f"Nada a exportar para {name}: tudo já foi enviado.")
    return "\n".join(lines)


def import_summary(outcomes: list[Any]) -> str:
    """Counts per result of an import, then each refused file with its reason."""
    if not outcomes:
        return "Nenhum lote ou recibo para este computador na pasta."
    statuses = (*BATCH_STATUS, "receipt", "reference")
    count = {s: sum(1 for o in outcomes if o.status == s) for s in statuses}
    changes = sum(o.applied for o in outcomes if o.status == "applied")
    conflicts = sum(o.conflicts for o in outcomes)
    parts = [
        f"{n} {label}"
        for n, label in (
            (count["applied"], f"lote(s) aplicado(s) ({changes} alteração(ões))"),
            (count["duplicate"], "já importado(s)"),
            (count["parked"], "aguardando lote anterior"),
            (count["refused"], "recusado(s)"),
            (count["receipt"], "recibo(s) de confirmação"),
            (count["reference"], "pacote(s) da central (tabelas de referência, perfis)"),
        )
        if n
    ]
    lines = [", ".join(parts) + "."]
    if conflicts:
        lines.append(f"{conflicts} conflito(s) para revisar na aba Conflitos.")
    refused = [o for o in outcomes if o.status == "refused"]
    if refused:
        lines.append("Arquivos recusados (movidos para a quarentena):")
        lines += [f"• {o.file.name}: {o.message}" for o in refused]
    return "\n".join(lines)


def last_exchange(session: Session) -> datetime | None:
    """When something last arrived from a peer (a batch or a receipt): the last sync."""
    batch = session.scalar(select(func.max(SyncPeer.last_import_at)))
    receipt = session.scalar(select(func.max(SyncBatch.receipt_at)))
    return max((t for t in (batch, receipt) if t is not None), default=None)
