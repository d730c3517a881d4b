"""The hub's headless run: ingest everything in the shared folder, answer every enrolled node.

`ingest` is what a scheduler calls (`saude-municipal sync ingest PASTA`): it imports the batches
and receipts addressed to the hub, then exports to each enrolled, non-revoked node what is in that
node's scope and it has not received yet (its own changes are never sent back to it), and the
reference-table versions (CID-10, CBO, SIGTAP) and the set of roles it has not been sent yet, as
whole packages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.db.session import Database
from app.sync.exporter import ExportResult, export_to
from app.sync.folder import import_folder
from app.sync.importer import ImportOutcome
from app.sync.models import SyncPeer
from app.sync.reference import PACKAGE_KIND, export_reference
from app.sync.role_package import export_roles


@dataclass(frozen=True)
class IngestReport:
    imported: list[ImportOutcome]
    exported: dict[str, ExportResult]


def enrolled_nodes(db: Database) -> list[tuple[str, str]]:
    with db.read_only() as session:
        rows = session.execute(
            select(SyncPeer.node_id, SyncPeer.name)
            .where(SyncPeer.revoked_at.is_(None), SyncPeer.kind != "hub")
            .order_by(SyncPeer.name)
        )
        return [(node_id, name) for node_id, name in rows]


def ingest(db: Database, folder: Path) -> IngestReport:
    imported = import_folder(db, folder)
    exported = {}
    for node_id, name in enrolled_nodes(db):
        export_reference(db, node_id, folder)
        export_roles(db, node_id, folder, PACKAGE_KIND)
        exported[name] = export_to(db, node_id, folder)
    return IngestReport(imported, exported)
