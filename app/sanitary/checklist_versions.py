"""The versions of a roteiro: publishing a draft, and a new draft from the published version.

Publishing freezes a version for good — inspections keep the version they used
(`Inspection.checklist_version_id`), so a published version's items are never edited nor
tombstoned; a change is a "Nova versão" that copies the items into a new draft (or holds the items
of an imported file). Publishing writes the automatic item numbers into the items so printed
documents keep them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.errors import ValidationError
from app.sanitary.checklist_items import (
    ItemInput,
    item_errors,
    live_items,
    numbered_items,
    renumber,
)
from app.sanitary.checklists import MANAGE, load_checklist, load_draft
from app.sanitary.enums import ItemClass
from app.sanitary.models import ChecklistItem, ChecklistVersion
from app.security import audit
from app.security.actor import Actor

EMPTY_VERSION = "Inclua ao menos um item antes de publicar o roteiro."


def publish_version(session: Session, actor: Actor, version_id: uuid.UUID) -> int:
    """Freeze a draft: it becomes the roteiro's current version. Returns its number."""
    actor.require(MANAGE)
    version = load_draft(session, version_id)
    items = live_items(session, version.id)
    if not items:
        raise ValidationError({"": EMPTY_VERSION})
    problems = [code for item, code, _auto in numbered_items(items) if item_errors(_as_input(item))]
    if problems:
        listed = ", ".join(problems)
        message = f"Corrija os itens {listed} antes de publicar (texto e classificação)."
        raise ValidationError({"": message})
    for item, code, auto in numbered_items(items):
        if auto:
            item.code = code
    version.published_at = clock_of(session).now()
    session.flush()
    detail = {"published": True, "checklist_id": str(version.checklist_id), "items": len(items)}
    audit.record(session, actor, audit.UPDATE, entity="checklist_version",
                 entity_id=str(version.id), detail=detail)  # fmt: skip
    return version.number


def _as_input(item: ChecklistItem) -> ItemInput:
    return ItemInput(item.section, item.text, item.classification, item.code, item.legal_reference)


def versions_of(session: Session, checklist_id: uuid.UUID) -> list[ChecklistVersion]:
    query = (
        select(ChecklistVersion)
        .where(ChecklistVersion.checklist_id == checklist_id)
        .order_by(ChecklistVersion.number)
    )
    return list(session.scalars(query))


def new_version(
    session: Session,
    actor: Actor,
    checklist_id: uuid.UUID,
    items: Sequence[ItemInput] | None = None,
) -> uuid.UUID:
    """A new draft copying the items of the latest published version (that one is untouched),
    or holding `items` instead (an imported file)."""
    actor.require(MANAGE)
    name = load_checklist(session, checklist_id).name
    versions = versions_of(session, checklist_id)
    live = [v for v in versions if v.deleted_at is None]
    draft = next((v for v in live if v.published_at is None), None)
    if draft is not None:
        raise ValidationError(
            {"": f"O roteiro “{name}” já tem um rascunho (versão {draft.number}): "
                 "edite-o ou publique-o antes de criar outra versão."}
        )  # fmt: skip
    published = [v for v in live if v.published_at is not None]
    if not published:
        raise ValidationError({"": f"O roteiro “{name}” ainda não tem versão publicada."})
    source = max(published, key=lambda v: v.number)
    version = ChecklistVersion(
        checklist_id=checklist_id, number=max(v.number for v in versions) + 1
    )
    session.add(version)
    session.flush()
    if items is None:
        items = [_as_input(item) for item in live_items(session, source.id)]
    copy_items(session, version.id, items)
    audit.record(session, actor, audit.CREATE, entity="checklist_version",
                 entity_id=str(version.id), detail={"from_version_id": str(source.id)})  # fmt: skip
    return version.id


def copy_items(session: Session, version_id: uuid.UUID, items: Sequence[ItemInput]) -> None:
    """Write `items` into a (new, empty) draft; codes equal to their automatic number go back to
    automatic, so inserting or moving items in the draft renumbers them."""
    rows = [
        ChecklistItem(
            version_id=version_id, section=data.section.strip(), position=position,
            code=data.code.strip(), text=data.text.strip(),
            classification=data.classification or ItemClass.NECESSARY,
            legal_reference=data.legal_reference.strip(),
        )
        for position, data in enumerate(items, start=1)
    ]  # fmt: skip
    renumber(rows)
    rows.sort(key=lambda row: row.position)
    for row, code, _auto in numbered_items(rows):
        if row.code == code:
            row.code = ""
    session.add_all(rows)
    session.flush()
