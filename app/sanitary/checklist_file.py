"""A roteiro de inspeção as a file (`*.smroteiro`), to pass roteiros between municipalities.

Export writes one published version as UTF-8 JSON: the format's name and version, the roteiro's
name, description and CNAE prefixes, the version number and its items, plus a SHA-256 of the
content so a damaged or hand-altered file is recognised. The file is written atomically
(`app.atomicfile`): a failed write never leaves half a file under the final name.

Import always produces a DRAFT for the coordinator to review and publish — an imported roteiro is
never in use before someone at this secretariat read it:
- when no live roteiro has the file's name (ignoring case and accents), a new roteiro is created
  (name, description and prefixes from the file) with the items in its draft versão 1;
- when one exists, the items become a new draft version of it; its name, description and prefixes
  stay as they are here (the municipality may have adapted them). If it already has a draft, the
  import is refused: that draft must be published first.
A damaged, truncated, foreign or incomplete file is refused with a Portuguese message before
anything is written.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.atomicfile import atomic_writer
from app.errors import ValidationError
from app.sanitary.checklist_items import ItemInput
from app.sanitary.checklist_queries import read_version
from app.sanitary.checklist_versions import copy_items, new_version
from app.sanitary.checklists import (
    MANAGE,
    READ,
    ChecklistInput,
    create_checklist,
    find_checklist_by_name,
)
from app.sanitary.enums import ItemClass
from app.sanitary.models import Checklist
from app.security import audit
from app.security.actor import Actor

FORMAT_NAME = "saude-municipal.roteiro-de-inspecao"
FORMAT_VERSION = 1
SUFFIX = ".smroteiro"
MAX_BYTES = 5 * 1024 * 1024

NOT_PUBLISHED = "Só uma versão publicada pode ser exportada. Publique o rascunho antes."
UNREADABLE = "Não foi possível ler o arquivo: {reason}"
DAMAGED = (
    "O arquivo está danificado ou incompleto (não é um roteiro legível). "
    "Peça uma nova cópia a quem o enviou."
)
FOREIGN = "Este arquivo não é um roteiro de inspeção do Saúde Municipal."
NEWER = (
    "Este roteiro foi exportado por uma versão mais nova do sistema (formato {found}). "
    "Atualize o sistema para importá-lo."
)
ALTERED = (
    "O conteúdo do arquivo não confere com a assinatura gravada nele: "
    "o arquivo foi alterado ou danificado. Peça uma nova cópia a quem o enviou."
)
INCOMPLETE = "O arquivo está incompleto: {what}."
TOO_BIG = "O arquivo é grande demais para ser um roteiro de inspeção."


@dataclass(frozen=True)
class ExportResult:
    path: Path
    item_count: int


@dataclass(frozen=True)
class ImportResult:
    """What an import made: a new roteiro, or a new draft version of an existing one."""

    checklist_id: uuid.UUID
    version_id: uuid.UUID
    version_number: int
    name: str
    created_checklist: bool
    item_count: int


# --- export --------------------------------------------------------------------------------------


def _digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def version_document(session: Session, version_id: uuid.UUID) -> dict[str, Any]:
    """The file's content for a published version (a plain dict ready for JSON)."""
    view = read_version(session, version_id)
    if view.is_draft:
        raise ValidationError({"": NOT_PUBLISHED})
    checklist = session.get_one(Checklist, view.checklist_id)
    content = {
        "roteiro": {
            "name": checklist.name,
            "description": checklist.description,
            "cnae_prefixes": list(checklist.cnae_prefixes or []),
        },
        "version": {
            "number": view.number,
            "published_at": view.published_at.isoformat() if view.published_at else None,
        },
        "items": [
            {
                "section": item.section,
                "code": item.code,
                "text": item.text,
                "classification": item.classification.value,
                "legal_reference": item.legal_reference,
            }
            for item in view.items
        ],
    }
    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, **content,
            "sha256": _digest(content)}  # fmt: skip


def export_version(
    session: Session, actor: Actor, version_id: uuid.UUID, path: Path
) -> ExportResult:
    """Write a published version to `path` (".smroteiro" is added when missing)."""
    actor.require(READ)
    document = version_document(session, version_id)
    target = Path(path)
    if target.suffix.lower() != SUFFIX:
        target = target.with_name(target.name + SUFFIX)
    data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    with atomic_writer(target) as handle:
        handle.write(data)
    audit.record(session, actor, audit.EXPORT, entity="checklist_version",
                 entity_id=str(version_id), detail={"items": len(document["items"])})  # fmt: skip
    return ExportResult(target, len(document["items"]))


# --- reading a file ------------------------------------------------------------------------------


def _refuse(message: str) -> ValidationError:
    return ValidationError({"": message})


def _load(path: Path) -> dict[str, Any]:
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            raise _refuse(TOO_BIG)
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise _refuse(UNREADABLE.format(reason=exc.strerror or str(exc))) from exc
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(DAMAGED) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise _refuse(FOREIGN)
    found = document.get("format_version")
    if not isinstance(found, int):
        raise _refuse(DAMAGED)
    if found > FORMAT_VERSION:
        raise _refuse(NEWER.format(found=found))
    return document


def _text(value: Any, limit: int) -> str | None:
    return value.strip() if isinstance(value, str) and len(value.strip()) <= limit else None


def _roteiro(document: dict[str, Any]) -> ChecklistInput:
    roteiro = document.get("roteiro")
    if not isinstance(roteiro, dict):
        raise _refuse(INCOMPLETE.format(what="faltam os dados do roteiro"))
    name = _text(roteiro.get("name"), 150)
    if not name:
        raise _refuse(INCOMPLETE.format(what="falta o nome do roteiro"))
    prefixes = roteiro.get("cnae_prefixes", [])
    if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
        raise _refuse(INCOMPLETE.format(what="os prefixos CNAE estão ilegíveis"))
    description = _text(roteiro.get("description", ""), 500) or ""
    return ChecklistInput(name, description, tuple(prefixes))


def _item(raw: Any, number: int) -> ItemInput:
    where = f"o item nº {number}"
    if not isinstance(raw, dict):
        raise _refuse(INCOMPLETE.format(what=f"{where} está ilegível"))
    section, text = _text(raw.get("section"), 150), _text(raw.get("text"), 600)
    if not section or not text:
        raise _refuse(INCOMPLETE.format(what=f"{where} não tem seção ou texto"))
    try:
        kind = ItemClass(str(raw.get("classification")))
    except ValueError as exc:
        what = f"{where} não tem classificação (Imprescindível, Necessário ou Recomendável)"
        raise _refuse(INCOMPLETE.format(what=what)) from exc
    code = _text(raw.get("code", ""), 20)
    reference = _text(raw.get("legal_reference", ""), 200)
    if code is None or reference is None:
        raise _refuse(INCOMPLETE.format(what=f"{where} tem código ou referência legal ilegível"))
    return ItemInput(section, text, kind, code, reference)


def read_file(path: Path) -> tuple[ChecklistInput, list[ItemInput]]:
    """The roteiro and items of a file, or a ValidationError saying what is wrong with it."""
    document = _load(path)
    content = {key: document.get(key) for key in ("roteiro", "version", "items")}
    if document.get("sha256") != _digest(content):
        raise _refuse(ALTERED)
    roteiro = _roteiro(document)
    raw_items = document.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise _refuse(INCOMPLETE.format(what="o roteiro não tem itens"))
    return roteiro, [_item(raw, number) for number, raw in enumerate(raw_items, start=1)]


# --- import --------------------------------------------------------------------------------------


def import_file(session: Session, actor: Actor, path: Path) -> ImportResult:
    """Import a `.smroteiro` file as a draft (see the module docstring for where it goes)."""
    actor.require(MANAGE)
    roteiro, items = read_file(path)
    existing = find_checklist_by_name(session, roteiro.name)
    if existing is None:
        created = create_checklist(session, actor, roteiro)
        checklist_id, version_id = created.checklist_id, created.version_id
        copy_items(session, version_id, items)
    else:
        checklist_id = existing
        version_id = new_version(session, actor, existing, items)
    audit.record(session, actor, audit.IMPORT, entity="checklist_version",
                 entity_id=str(version_id),
                 detail={"items": len(items), "new_checklist": existing is None})  # fmt: skip
    view = read_version(session, version_id)
    return ImportResult(checklist_id, version_id, view.number, view.checklist_name,
                        existing is None, len(items))  # fmt: skip
