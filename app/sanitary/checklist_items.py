"""The items of a roteiro's draft: adding, editing, moving and removing them, and their numbers.

Items have a section, a code ("3.2") and a classification I/N/R, and are only edited in the draft
(a published version is frozen: `app.sanitary.checklists.load_draft` refuses it). A draft item
with an empty code is numbered automatically (section number, then its place in the section);
publishing (`app.sanitary.checklist_versions`) writes those numbers into the items so printed
documents keep them. A removed item is a tombstone: the row stays, marked deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.sanitary.checklists import MANAGE, load_draft
from app.sanitary.enums import ItemClass
from app.sanitary.models import ChecklistItem
from app.security import audit
from app.security.actor import Actor


@dataclass(frozen=True)
class ItemInput:
    """One item as typed in the editor; an empty `code` means "number it automatically"."""

    section: str
    text: str
    classification: ItemClass | None
    code: str = ""
    legal_reference: str = ""


def live_items(session: Session, version_id: uuid.UUID) -> list[ChecklistItem]:
    query = (
        select(ChecklistItem)
        .where(ChecklistItem.version_id == version_id, ChecklistItem.deleted_at.is_(None))
        .order_by(ChecklistItem.position, ChecklistItem.created_at)
    )
    return list(session.scalars(query))


def _grouped(items: Sequence[ChecklistItem]) -> list[tuple[str, list[ChecklistItem]]]:
    """Items by section, sections in the order of their first item, items in their order."""
    groups: dict[str, list[ChecklistItem]] = {}
    for item in items:
        groups.setdefault(item.section, []).append(item)
    return list(groups.items())


def numbered_items(items: Sequence[ChecklistItem]) -> list[tuple[ChecklistItem, str, bool]]:
    """Each item with the code it shows (typed, or section.position) and whether it is auto."""
    result: list[tuple[ChecklistItem, str, bool]] = []
    for section_number, (_name, members) in enumerate(_grouped(items), start=1):
        for index, item in enumerate(members, start=1):
            typed = item.code.strip()
            result.append((item, typed or f"{section_number}.{index}", not typed))
    return result


def _item(session: Session, item_id: uuid.UUID) -> ChecklistItem:
    item = session.get(ChecklistItem, item_id)
    if item is None or item.deleted_at is not None:
        raise NotFound("Item do roteiro não encontrado.")
    return item


def item_errors(data: ItemInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.section.strip():
        errors["section"] = "Informe a seção do item (ex.: Edificação e instalações)."
    elif len(data.section.strip()) > 150:
        errors["section"] = "A seção pode ter no máximo 150 caracteres."
    if not data.text.strip():
        errors["text"] = "Escreva o texto do item: o que o fiscal deve verificar."
    elif len(data.text.strip()) > 600:
        errors["text"] = "O texto pode ter no máximo 600 caracteres."
    if data.classification is None:
        errors["classification"] = (
            "Escolha a classificação: Imprescindível, Necessário ou Recomendável."
        )
    if len(data.code.strip()) > 20:
        errors["code"] = "O código pode ter no máximo 20 caracteres."
    if len(data.legal_reference.strip()) > 200:
        errors["legal_reference"] = "A referência legal pode ter no máximo 200 caracteres."
    return errors


def _check_item(data: ItemInput) -> ItemClass:
    errors = item_errors(data)
    if errors:
        raise ValidationError(errors)
    assert data.classification is not None
    return data.classification


def renumber(items: Sequence[ChecklistItem]) -> None:
    """Positions 1..n in section order (an item added to a section joins the section's end)."""
    ordered = [item for _name, members in _grouped(items) for item in members]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position


def add_item(session: Session, actor: Actor, version_id: uuid.UUID, data: ItemInput) -> uuid.UUID:
    """Add an item at the end of its section (a new section goes to the end of the roteiro)."""
    actor.require(MANAGE)
    version = load_draft(session, version_id)
    kind = _check_item(data)
    items = live_items(session, version.id)
    item = ChecklistItem(
        version_id=version.id,
        section=data.section.strip(),
        position=len(items) + 1,
        code=data.code.strip(),
        text=data.text.strip(),
        classification=kind,
        legal_reference=data.legal_reference.strip(),
    )
    session.add(item)
    renumber([*items, item])
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="checklist_item", entity_id=str(item.id),
                 detail={"version_id": str(version.id)})  # fmt: skip
    return item.id


def update_item(session: Session, actor: Actor, item_id: uuid.UUID, data: ItemInput) -> None:
    """Change an item of a draft (moving it to another section puts it at that section's end)."""
    actor.require(MANAGE)
    item = _item(session, item_id)
    load_draft(session, item.version_id)
    kind = _check_item(data)
    values = {
        "section": data.section.strip(),
        "code": data.code.strip(),
        "text": data.text.strip(),
        "classification": kind,
        "legal_reference": data.legal_reference.strip(),
    }
    changed = [key for key, value in values.items() if getattr(item, key) != value]
    if "section" in changed:
        item.position = 10**6  # joins the end of its new section when renumbered
    for key, value in values.items():
        setattr(item, key, value)
    session.flush()
    renumber(live_items(session, item.version_id))
    session.flush()
    audit.record(session, actor, audit.UPDATE, entity="checklist_item", entity_id=str(item.id),
                 detail={"fields": changed})  # fmt: skip


def move_item(session: Session, actor: Actor, item_id: uuid.UUID, offset: int) -> None:
    """Move an item up (-1) or down (+1) inside its section; at the edge nothing happens."""
    actor.require(MANAGE)
    item = _item(session, item_id)
    load_draft(session, item.version_id)
    members = [i for i in live_items(session, item.version_id) if i.section == item.section]
    index = members.index(item)
    target = index + (1 if offset > 0 else -1)
    if offset == 0 or not 0 <= target < len(members):
        return
    other = members[target]
    item.position, other.position = other.position, item.position
    session.flush()
    audit.record(session, actor, audit.UPDATE, entity="checklist_item", entity_id=str(item.id),
                 detail={"fields": ["position"]})  # fmt: skip


def remove_item(session: Session, actor: Actor, item_id: uuid.UUID) -> None:
    """Remove an item from a draft (a tombstone: the row stays, marked deleted)."""
    actor.require(MANAGE)
    item = _item(session, item_id)
    load_draft(session, item.version_id)
    item.deleted_at = clock_of(session).now()
    session.flush()
    renumber(live_items(session, item.version_id))
    session.flush()
    audit.record(session, actor, audit.DELETE, entity="checklist_item", entity_id=str(item.id),
                 detail={"version_id": str(item.version_id)})  # fmt: skip
