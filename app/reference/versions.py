"""Bookkeeping of reference loads: file digests, finding a version already loaded, the active one.

A load is identified by the SHA-256 of its files, so loading the same files again finds the
version already there instead of making a second copy. Of the CID-10 and CBO versions only the
latest load is active; SIGTAP versions are per competence and stay active side by side.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.reference.models import ReferenceKind, ReferenceVersion

_CHUNK = 1 << 20


def files_digest(paths: Iterable[Path]) -> str:
    """SHA-256 over the names and bytes of `paths`, read in chunks (order matters)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def find_version(session: Session, kind: ReferenceKind, sha256: str) -> ReferenceVersion | None:
    stmt = select(ReferenceVersion).where(
        ReferenceVersion.kind == kind, ReferenceVersion.sha256 == sha256
    )
    return session.scalars(stmt.order_by(ReferenceVersion.id.desc()).limit(1)).first()


def active_version_id(session: Session, kind: ReferenceKind) -> int | None:
    """The version in use for `kind` (the newest active one), None when nothing was loaded."""
    stmt = (
        select(ReferenceVersion.id)
        .where(ReferenceVersion.kind == kind, ReferenceVersion.active.is_(True))
        .order_by(ReferenceVersion.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def activate_only(session: Session, version: ReferenceVersion) -> None:
    """Make `version` the only active one of its kind (CID-10, CBO: one table in use at a time)."""
    session.execute(
        update(ReferenceVersion)
        .where(ReferenceVersion.kind == version.kind, ReferenceVersion.id != version.id)
        .values(active=False)
    )
    version.active = True


def new_version(
    session: Session, kind: ReferenceKind, *, label: str, source: str, sha256: str
) -> ReferenceVersion:
    """Insert the version row (row count filled in by the loader once the rows are in)."""
    version = ReferenceVersion(
        kind=kind,
        label=label,
        loaded_at=clock_of(session).now(),
        source=source[:200],
        sha256=sha256,
        row_count=0,
        active=True,
    )
    session.add(version)
    session.flush()
    return version
