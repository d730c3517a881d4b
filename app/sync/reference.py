"""Reference tables travel as whole versions: the hub's signed reference packages.

CID-10, CBO and each SIGTAP competence are hub-authoritative reference data (SYNC.md): a node never
merges them row by row, it applies a whole version or nothing. When the hub ingests, it writes to
each enrolled node's outbox one package per active version that node has not been sent yet
(`referencia_<tipo>_<versão>_<hash>.smref`): a signed JSON document with the version's bookkeeping
and every row of it. The node checks the hub's signature, skips a version it already holds (same
SHA-256 as the hub's load, so the same files loaded by hand also count), and otherwise writes the
version and all its rows in one transaction — a SIGTAP competence loaded before with other files
is replaced — so a half-loaded table can never be seen. The roles package (`role_package`)
arrives the same way and is told apart by its `reference_kind`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, insert, select
from sqlalchemy.orm import Session

from app.db.session import Database, clock_of
from app.reference import cid10
from app.reference.models import (
    Icd10Code,
    Occupation,
    ReferenceKind,
    ReferenceVersion,
    SigtapProcedure,
    SigtapProcedureCbo,
    SigtapProcedureCid,
    SigtapProcedureInstrument,
)
from app.reference.versions import activate_only, find_version
from app.sync import role_package
from app.sync.errors import BatchError
from app.sync.importer import ImportOutcome
from app.sync.models import SyncBatch, SyncPeer
from app.sync.node import identity, node_keys
from app.sync.signed import read_signed_json, write_signed_json

PACKAGE_SUFFIX = ".smref"
PACKAGE_KIND = "pacote-referencia"
FORMAT = 1
_CHUNK = 5000

_TABLES: dict[ReferenceKind, tuple[Any, ...]] = {
    ReferenceKind.CID10: (Icd10Code,),
    ReferenceKind.CBO: (Occupation,),
    ReferenceKind.SIGTAP: (
        SigtapProcedure,
        SigtapProcedureCbo,
        SigtapProcedureCid,
        SigtapProcedureInstrument,
    ),
}
KIND_LABELS = {
    ReferenceKind.CID10: "CID-10",
    ReferenceKind.CBO: "CBO",
    ReferenceKind.SIGTAP: "SIGTAP",
}


def _batch_id(sha256: str) -> str:
    return f"ref-{sha256[:32]}"


def _version_filter(model: Any, version: ReferenceVersion) -> ColumnElement[bool]:
    if version.kind is ReferenceKind.SIGTAP:
        return model.competence == version.label  # type: ignore[no-any-return]
    return model.version_id == version.id  # type: ignore[no-any-return]


def _rows_of(session: Session, version: ReferenceVersion) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for model in _TABLES[version.kind]:
        table: Table = model.__table__
        columns = [c.name for c in table.columns if c.name != "version_id"]
        query = select(*(table.c[name] for name in columns)).where(_version_filter(model, version))
        rows = [[_plain(value) for value in row] for row in session.execute(query)]
        tables[table.name] = {"columns": columns, "rows": rows}
    return tables


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _package(session: Session, version: ReferenceVersion) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "reference_kind": version.kind.value,
        "label": version.label,
        "source": version.source,
        "sha256": version.sha256,
        "row_count": version.row_count,
        "active": version.active,
        "tables": _rows_of(session, version),
    }


# --- hub side --------------------------------------------------------------------------------


def _already_sent(session: Session, peer_id: str, sha256: str) -> bool:
    query = select(SyncBatch.id).where(
        SyncBatch.batch_id == _batch_id(sha256),
        SyncBatch.direction == "out",
        SyncBatch.peer_node == peer_id,
    )
    return session.scalar(query.limit(1)) is not None


def export_reference(db: Database, peer_id: str, folder: Path) -> list[Path]:
    """Hub: write `peer_id` a package of each active reference version it was not sent yet."""
    keys = node_keys(db)
    written: list[Path] = []
    with db.unit_of_work() as session:
        if identity(session).kind != "hub":
            return []
        peer = session.get(SyncPeer, peer_id)
        versions = session.scalars(
            select(ReferenceVersion).where(ReferenceVersion.active.is_(True))
        ).all()
        for version in versions:
            if peer is None or _already_sent(session, peer_id, version.sha256):
                continue
            name = f"referencia_{version.kind.value}_{version.label}_{version.sha256[:8]}"
            path = folder / "saida" / peer_id / f"{name}{PACKAGE_SUFFIX}"
            path.parent.mkdir(parents=True, exist_ok=True)
            write_signed_json(path, PACKAGE_KIND, _package(session, version), keys)
            session.add(_history(session, peer, version, path))
            written.append(path)
    return written


def _history(session: Session, peer: SyncPeer, version: ReferenceVersion, path: Path) -> SyncBatch:
    return SyncBatch(
        batch_id=_batch_id(version.sha256),
        direction="out",
        peer_node=peer.node_id,
        peer_name=peer.name,
        file_name=path.name,
        payload_sha256=version.sha256,
        status="exported",
        reason=f"Tabela {KIND_LABELS[version.kind]} {version.label}",
        change_count=version.row_count,
        at=clock_of(session).now(),
    )


# --- node side -------------------------------------------------------------------------------


def import_reference(db: Database, path: Path) -> ImportOutcome:
    """Apply the hub's package at `path`: the whole version or nothing (BatchError on refusal)."""
    document = read_signed_json(path, PACKAGE_KIND)
    package = document.payload
    with db.unit_of_work() as session:
        hub = session.scalars(select(SyncPeer).where(SyncPeer.kind == "hub")).first()
        if hub is None:
            raise BatchError("unknown_node")
        document.require(hub.sign_public)
        if package.get("reference_kind") == role_package.KIND:
            return role_package.apply_roles(session, hub, path, package)
        kind, label = _checked(package)
        name = f"{KIND_LABELS[kind]} {label}"
        if find_version(session, kind, str(package["sha256"])) is not None:
            return ImportOutcome(path, "duplicate", f"Tabela {name} já carregada")
        rows = _apply(session, kind, label, package)
        session.add(_received(session, hub, path, package, name))
    return ImportOutcome(path, "reference", f"Tabela {name} carregada ({rows} linhas)", rows)


def _checked(package: dict[str, Any]) -> tuple[ReferenceKind, str]:
    try:
        kind = ReferenceKind(package["reference_kind"])
        label = str(package["label"])
        tables = package["tables"]
        expected = {model.__table__.name for model in _TABLES[kind]}
        if package.get("format") != FORMAT or set(tables) != expected:
            raise ValueError
    except (KeyError, ValueError, TypeError):
        raise BatchError("format") from None
    return kind, label


def _apply(session: Session, kind: ReferenceKind, label: str, package: dict[str, Any]) -> int:
    if kind is ReferenceKind.SIGTAP:
        _drop_competence(session, label)
    version = ReferenceVersion(
        kind=kind,
        label=label,
        loaded_at=clock_of(session).now(),
        source=str(package.get("source", ""))[:200],
        sha256=str(package["sha256"]),
        row_count=int(package.get("row_count", 0)),
        active=bool(package.get("active", True)),
    )
    session.add(version)
    session.flush()
    total = 0
    for model in _TABLES[kind]:
        total += _insert_rows(session, model, version, package["tables"][model.__table__.name])
    if kind is not ReferenceKind.SIGTAP and version.active:
        activate_only(session, version)
    return total


def _insert_rows(
    session: Session, model: Any, version: ReferenceVersion, data: dict[str, Any]
) -> int:
    columns, rows = list(data["columns"]), data["rows"]
    if model is Icd10Code:  # the CID loader also fills the search index
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        for record in records:
            if record.get("added_on"):
                record["added_on"] = date.fromisoformat(record["added_on"])
        cid10.insert_codes(session, version.id, records)
        return len(records)
    extra = {"version_id": version.id} if "version_id" in model.__table__.c else {}
    for start in range(0, len(rows), _CHUNK):
        chunk = [
            dict(zip(columns, row, strict=True)) | extra for row in rows[start : start + _CHUNK]
        ]
        if chunk:
            session.execute(insert(model), chunk)
    return len(rows)


def _drop_competence(session: Session, competence: str) -> None:
    """A SIGTAP competence loaded from other files is replaced by the hub's."""
    for model in (SigtapProcedureCbo, SigtapProcedureCid, SigtapProcedureInstrument):
        session.execute(delete(model).where(model.competence == competence))
    session.execute(delete(SigtapProcedure).where(SigtapProcedure.competence == competence))
    session.execute(
        delete(ReferenceVersion).where(
            ReferenceVersion.kind == ReferenceKind.SIGTAP, ReferenceVersion.label == competence
        )
    )


def _received(
    session: Session, hub: SyncPeer, path: Path, package: dict[str, Any], name: str
) -> SyncBatch:
    return SyncBatch(
        batch_id=_batch_id(str(package["sha256"])),
        direction="in",
        peer_node=hub.node_id,
        peer_name=hub.name,
        file_name=path.name,
        payload_sha256=str(package["sha256"]),
        status="applied",
        reason=f"Tabela {name}",
        change_count=int(package.get("row_count", 0)),
        applied_count=int(package.get("row_count", 0)),
        at=clock_of(session).now(),
    )
