"""CID-10 in Portuguese: loading the DATASUS 2008 files plus the supplement, search and checks.

The DATASUS files are `;`-separated ISO-8859-1 without quoting (descriptions hold literal quotes),
codes without the dot. Subcategories carry `RESTRSEXO` as the letters "M"/"F" (checked in the
2008 files: N40 "Hiperplasia da próstata" is M, the O chapter is F); categories have no such
column, so a category takes the restriction all its subcategories share. `supplement.csv` (UTF-8)
adds codes created after 2008 (U07.1, U07.2). Search reads a code prefix ("A9", "A90", "A90.0") or
words, accents ignored: FTS5 on SQLite, a match on the normalised key elsewhere.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import column, insert, literal_column, select, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from app.brazil.names import normalize_key
from app.db.fts import fts_query
from app.errors import ValidationError
from app.paths import resource_path
from app.reference.models import Icd10Code, ReferenceKind
from app.reference.versions import (
    activate_only,
    active_version_id,
    files_digest,
    find_version,
    new_version,
)

SUBCATEGORIES = "CID-10-SUBCATEGORIAS.CSV"
CATEGORIES = "CID-10-CATEGORIAS.CSV"
SUPPLEMENT = "supplement.csv"
VERSION_LABEL = "2008"
_BATCH = 5000
_CODE = re.compile(r"[A-Z]\d{2}\d?")
_CODE_QUERY = re.compile(r"[A-Z]\d{1,2}\.?\d?")
_SEX_WORD = {"M": "masculino", "F": "feminino"}
_FTS = table("icd10_fts", column("rowid"))
_ROWID: ColumnClause[Any] = literal_column("icd10_code.rowid")


@dataclass(frozen=True)
class Icd10Row:
    """One CID-10 code as screens show it."""

    code: str
    description: str
    sex_restriction: str | None
    is_category: bool
    is_leaf: bool

    @property
    def dotted(self) -> str:
        """The code as printed on forms: "A90", "A92.0"."""
        return f"{self.code[:3]}.{self.code[3:]}" if len(self.code) > 3 else self.code


def normalize_code(code: str) -> str:
    """ "a90.0 " → "A900": upper case, no dot, no spaces."""
    return code.strip().upper().replace(".", "")


def _read_rows(path: Path, encoding: str) -> Iterator[dict[str, str]]:
    if not path.is_file():
        raise ValidationError({"": f"Arquivo da CID-10 não encontrado: {path.name}."})
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";", quoting=csv.QUOTE_NONE)
        for line, row in enumerate(reader, start=2):
            code = (row.get("SUBCAT") or row.get("CAT") or row.get("code") or "").strip()
            if not _CODE.fullmatch(code):
                raise ValidationError({"": f"{path.name}, linha {line}: código inválido “{code}”."})
            yield row


def _record(code: str, description: str, sex: str | None, added: date | None) -> dict[str, Any]:
    description = description.strip()
    return {
        "code": code,
        "description": description,
        "description_key": normalize_key(description),
        "sex_restriction": sex or None,
        "is_category": len(code) == 3,
        "is_leaf": True,
        "added_on": added,
    }


def _collect(folder: Path) -> dict[str, dict[str, Any]]:
    """Every code of the folder's files, keyed by code (subcategories win over categories)."""
    records: dict[str, dict[str, Any]] = {}
    for row in _read_rows(folder / SUBCATEGORIES, "iso-8859-1"):
        code = row["SUBCAT"].strip()
        records[code] = _record(code, row["DESCRICAO"], row["RESTRSEXO"].strip(), None)
    for row in _read_rows(folder / CATEGORIES, "iso-8859-1"):
        code = row["CAT"].strip()
        records.setdefault(code, _record(code, row["DESCRICAO"], None, None))
    for row in _read_rows(folder / SUPPLEMENT, "utf-8"):
        code = row["code"].strip()
        added = date.fromisoformat(row["added_on"].strip())
        records[code] = _record(code, row["description"], row["sex"].strip(), added)
    _derive_categories(records)
    return records


def _derive_categories(records: dict[str, dict[str, Any]]) -> None:
    """Mark categories with subcategories as non-leaf; give them their children's common sex."""
    children: dict[str, set[str | None]] = {}
    for code, record in records.items():
        if len(code) == 4:
            children.setdefault(code[:3], set()).add(record["sex_restriction"])
    for category, sexes in children.items():
        parent = records.get(category)
        if parent is None:
            continue
        parent["is_leaf"] = False
        if parent["sex_restriction"] is None and len(sexes) == 1:
            parent["sex_restriction"] = next(iter(sexes))


def _source_files(folder: Path) -> list[Path]:
    return [folder / SUBCATEGORIES, folder / CATEGORIES, folder / SUPPLEMENT]


def load_cid10(session: Session, folder: Path | None = None) -> int:
    """Load the CID-10 files of `folder` as the active version; returns its id.

    Loading files already loaded (same SHA-256) makes no new version: the existing one is
    returned (and made active again if a different load had replaced it).
    """
    folder = folder or resource_path("reference", "cid10")
    files = _source_files(folder)
    missing = [path.name for path in files if not path.is_file()]
    if missing:
        raise ValidationError({"": "Arquivos da CID-10 não encontrados: " + ", ".join(missing)})
    digest = files_digest(files)
    existing = find_version(session, ReferenceKind.CID10, digest)
    if existing is not None:
        activate_only(session, existing)
        return existing.id
    records = _collect(folder)
    source = ", ".join(path.name for path in files)
    version = new_version(
        session, ReferenceKind.CID10, label=VERSION_LABEL, source=source, sha256=digest
    )
    insert_codes(session, version.id, list(records.values()))
    version.row_count = len(records)
    activate_only(session, version)
    session.flush()
    return version.id


def insert_codes(session: Session, version_id: int, records: list[dict[str, Any]]) -> None:
    """Insert CID-10 rows of `version_id` and index their descriptions for search (SQLite)."""
    for start in range(0, len(records), _BATCH):
        batch = [{**rec, "version_id": version_id} for rec in records[start : start + _BATCH]]
        session.execute(insert(Icd10Code), batch)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text(
                "INSERT INTO icd10_fts(rowid, description) "
                "SELECT rowid, description FROM icd10_code WHERE version_id = :version"
            ),
            {"version": version_id},
        )


_ROW_COLUMNS = (
    Icd10Code.code,
    Icd10Code.description,
    Icd10Code.sex_restriction,
    Icd10Code.is_category,
    Icd10Code.is_leaf,
)


def search_icd10(session: Session, text_: str, limit: int = 50) -> list[Icd10Row]:
    """Codes matching a code prefix ("A9", "A90", "A90.0") or words of the description."""
    version_id = active_version_id(session, ReferenceKind.CID10)
    typed = text_.strip().upper()
    if version_id is None or not typed:
        return []
    stmt = select(*_ROW_COLUMNS).where(Icd10Code.version_id == version_id)
    if _CODE_QUERY.fullmatch(typed):
        stmt = stmt.where(Icd10Code.code.startswith(normalize_code(typed), autoescape=True))
    else:
        filtered = _words_filter(session, stmt, typed)
        if filtered is None:
            return []
        stmt = filtered
    rows = session.execute(stmt.order_by(Icd10Code.code).limit(limit))
    return [Icd10Row(*row) for row in rows]


def _words_filter(session: Session, stmt: Any, typed: str) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        query = fts_query(typed)
        if query is None:
            return None
        match = text("icd10_fts MATCH :query").bindparams(query=query)
        return stmt.where(_ROWID.in_(select(_FTS.c.rowid).where(match)))
    words = ["".join(ch for ch in word if ch.isalnum()) for word in normalize_key(typed).split()]
    words = [word for word in words if word]
    if not words:
        return None
    for word in words:
        stmt = stmt.where(Icd10Code.description_key.contains(word, autoescape=True))
    return stmt


def get_icd10(session: Session, code: str) -> Icd10Row | None:
    """The code in the active CID-10 version ("N40", "A92.0" or "A920"), None if unknown."""
    version_id = active_version_id(session, ReferenceKind.CID10)
    if version_id is None:
        return None
    stmt = select(*_ROW_COLUMNS).where(
        Icd10Code.version_id == version_id, Icd10Code.code == normalize_code(code)
    )
    row = session.execute(stmt).first()
    return Icd10Row(*row) if row is not None else None


def icd10_sex_error(session: Session, code: str, sex: str) -> str | None:
    """Why the code cannot be recorded for a person of `sex` ("M"/"F"), or None.

    An unknown code or an unknown sex ("I") gives None: other checks report those.
    """
    row = get_icd10(session, code)
    if row is None or row.sex_restriction is None or sex not in _SEX_WORD:
        return None
    if row.sex_restriction == sex:
        return None
    word = _SEX_WORD.get(row.sex_restriction, row.sex_restriction)
    return f"O CID {row.dotted} ({row.description}) é restrito ao sexo {word}."
