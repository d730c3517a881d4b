"""The folder transport: a network share, a USB stick or a synced folder.

Layout of the folder (every node may use the same one):

    saida/<node id>/   batches and receipts addressed to that node (written by the others)
    entrada/           files put here by hand are read too
    arquivo/           files already applied (kept for the record)
    quarentena/        refused files, each with `<file>.motivo.txt` saying why, in Portuguese

Import reads `saida/<this node>/` and `entrada/`: receipts first, then the hub's reference
packages (whole versions of CID-10, CBO, SIGTAP), then batches in sequence order; a batch that
waits for an earlier one stays where it is and is tried again on the next run.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from app.db.session import Database
from app.errors import UserFacingError
from app.sync import batchfile
from app.sync.errors import BatchError
from app.sync.exporter import BATCH_SUFFIX
from app.sync.importer import (
    RECEIPT_SUFFIX,
    ImportOutcome,
    import_batch,
    import_receipt,
    record_unapplied,
)
from app.sync.reference import PACKAGE_SUFFIX, import_reference

Progress = Callable[[int, int], None]


def inboxes(folder: Path, node_id: str) -> list[Path]:
    return [folder / "saida" / node_id, folder / "entrada"]


def _incoming(folder: Path, node_id: str, suffix: str) -> list[Path]:
    files = [p for box in inboxes(folder, node_id) if box.is_dir() for p in box.glob(f"*{suffix}")]
    return sorted(files, key=_order_key)


def _order_key(path: Path) -> tuple[str, int, int, str]:
    if path.suffix != BATCH_SUFFIX:
        return ("", 0, 0, path.name)
    try:
        manifest, _ = batchfile.read_manifest(path)
        return (
            str(manifest["origin"]),
            int(manifest["epoch"]),
            int(manifest["prev_seq"]),
            path.name,
        )
    except (BatchError, OSError, KeyError, TypeError, ValueError):
        return ("", 0, 0, path.name)


def import_folder(
    db: Database,
    folder: Path,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[ImportOutcome]:
    """Import every receipt and batch addressed to this node; returns one outcome per file."""
    outcomes = [
        _one(db, folder, path, receipt=True)
        for path in _incoming(folder, db.node_id, RECEIPT_SUFFIX)
    ]
    outcomes += [
        _one(db, folder, path, receipt=False)
        for path in _incoming(folder, db.node_id, PACKAGE_SUFFIX)
    ]
    pending = _incoming(folder, db.node_id, BATCH_SUFFIX)
    done = 0
    while pending and not (cancelled and cancelled()):
        parked: list[Path] = []
        progressed = False
        for path in pending:
            if cancelled and cancelled():
                break
            outcome = _one(db, folder, path, receipt=False)
            done += 1
            if progress:
                progress(done, len(pending))
            if outcome.status == "parked":
                parked.append(path)
            else:
                outcomes.append(outcome)
                progressed = progressed or outcome.status == "applied"
        if not progressed:
            outcomes.extend(_one(db, folder, p, receipt=False) for p in parked)
            break
        pending = parked
    return outcomes


def _one(db: Database, folder: Path, path: Path, *, receipt: bool) -> ImportOutcome:
    try:
        if receipt:
            outcome = import_receipt(db, path)
        elif path.suffix == PACKAGE_SUFFIX:
            outcome = import_reference(db, path)
        else:
            outcome = import_batch(db, path, reply_folder=folder)
    except UserFacingError as error:
        code = error.code if isinstance(error, BatchError) else "format"
        refused = ImportOutcome(path, "refused", error.message, code=code)
        record_unapplied(db, refused)
        _quarantine(folder, path, error.message)
        return refused
    except OSError as error:
        return ImportOutcome(path, "refused", f"Não foi possível ler o arquivo: {error.strerror}")
    if outcome.status in ("applied", "duplicate", "receipt", "reference"):
        _archive(folder, path)
    elif outcome.status == "parked":
        record_unapplied(db, outcome)
    return outcome


def _archive(folder: Path, path: Path) -> None:
    target = folder / "arquivo"
    target.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), str(target / path.name))


def _quarantine(folder: Path, path: Path, reason: str) -> None:
    target = folder / "quarentena"
    target.mkdir(parents=True, exist_ok=True)
    destination = target / path.name
    shutil.move(str(path), str(destination))
    note = destination.with_name(destination.name + ".motivo.txt")
    note.write_text(f"Arquivo: {path.name}\nMotivo: {reason}\n", encoding="utf-8")


def quarantined(folder: Path) -> list[tuple[Path, str]]:
    """Refused files and their reasons."""
    box = folder / "quarentena"
    if not box.is_dir():
        return []
    result = []
    for note in sorted(box.glob("*.motivo.txt")):
        file = note.with_name(note.name.removesuffix(".motivo.txt"))
        result.append((file, note.read_text(encoding="utf-8")))
    return result
