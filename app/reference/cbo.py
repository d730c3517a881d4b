"""CBO 2002 occupations the units use: loading the bundled list and looking a title up.

The list is small and hand-kept (`resources/reference/cbo/occupations.csv`, UTF-8, `;`); its
README cites where each title comes from. Like the other reference tables, a load is a version
identified by the file's SHA-256: loading the same file again changes nothing.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.paths import resource_path
from app.reference.models import Occupation, ReferenceKind
from app.reference.versions import (
    activate_only,
    active_version_id,
    files_digest,
    find_version,
    new_version,
)

_CBO = re.compile(r"\d{6}")


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ValidationError({"": f"Arquivo de ocupações (CBO) não encontrado: {path.name}."})
    rows: list[dict[str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            code, title = (row.get("cbo") or "").strip(), (row.get("titulo") or "").strip()
            if not _CBO.fullmatch(code) or not title:
                raise ValidationError({"": f"{path.name}, linha {line}: CBO ou título inválido."})
            rows.append({"code": code, "title": title})
    return rows


def load_occupations(session: Session, path: Path | None = None) -> int:
    """Load the occupation list as the active CBO version; returns its id (idempotent)."""
    path = path or resource_path("reference", "cbo", "occupations.csv")
    digest = files_digest([path]) if path.is_file() else ""
    existing = find_version(session, ReferenceKind.CBO, digest) if digest else None
    if existing is not None:
        activate_only(session, existing)
        return existing.id
    rows = _read(path)
    version = new_version(
        session, ReferenceKind.CBO, label="CBO 2002", source=path.name, sha256=digest
    )
    session.execute(insert(Occupation), [{**row, "version_id": version.id} for row in rows])
    version.row_count = len(rows)
    activate_only(session, version)
    session.flush()
    return version.id


def occupation_title(session: Session, cbo: str) -> str | None:
    """The title of the occupation in the active CBO list, None when it is not listed."""
    version_id = active_version_id(session, ReferenceKind.CBO)
    if version_id is None:
        return None
    found = session.get(Occupation, (version_id, cbo.strip()))
    return found.title if found is not None else None
