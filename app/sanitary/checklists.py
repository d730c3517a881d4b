"""Roteiros de inspeção: creating them, editing a draft version, publishing, and reading them.

A roteiro (`Checklist`) lives in numbered versions. The newest version while unpublished is the
draft: items are added, edited, moved and removed there. Publishing freezes a version for good —
inspections keep the version they used (`Inspection.checklist_version_id`), so a published
version's items are never edited nor tombstoned; a change is a "Nova versão" that copies the items
into a new draft. Items have a section, a code ("3.2") and a classification I/N/R. A draft item
with an empty code is numbered automatically (section number, then its place in the section);
publishing writes those numbers into the items so printed documents keep them.

`roteiro_for` chooses the roteiro of an establishment: the latest published version of the active
roteiro whose CNAE prefix is the longest match of any of the establishment's activities.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.brazil.names import normalize_key
from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.sanitary.enums import ItemClass
from app.sanitary.models import (
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    EstablishmentActivity,
)
from app.security import audit
from app.security.actor import Actor

MANAGE = "sanitary.manage"
READ = "sanitary.read"

PUBLISHED_FROZEN = (
    "Esta versão já foi publicada e não pode ser alterada. Use “Nova versão” para mudar o roteiro."
)
EMPTY_VERSION = "Inclua ao menos um item antes de publicar o roteiro."


# --- inputs and rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistInput:
    """What the coordinator types about a roteiro (its items come separately)."""

    name: str
    description: str = ""
    cnae_prefixes: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class ItemInput:
    """One item as typed in the editor; an empty `code` means "number it automatically"."""

    section: str
    text: str
    classification: ItemClass | None
    code: str = ""
    legal_reference: str = ""


@dataclass(frozen=True)
class ChecklistCreated:
    checklist_id: uuid.UUID
    version_id: uuid.UUID


@dataclass(frozen=True)
class ChecklistRow:
    """A roteiro in the list: its current (published) version and its draft, if any."""

    id: uuid.UUID
    name: str
    description: str
    cnae_prefixes: tuple[str, ...]
    active: bool
    published_version_id: uuid.UUID | None
    published_number: int | None
    published_at: datetime | None
    published_items: int
    draft_version_id: uuid.UUID | None
    draft_number: int | None
    draft_items: int

    @property
    def status_label(self) -> str:
        """ "Publicado", "Publicado; rascunho da versão 3", "Em elaboração", "Inativo"."""
        if not self.active:
            return "Inativo"
        if self.published_number is None:
            return "Em elaboração (rascunho)"
        if self.draft_number is not None:
            return f"Publicado; rascunho da versão {self.draft_number}"
        return "Publicado"

    @property
    def shown_version_id(self) -> uuid.UUID | None:
        """The version a list shows first: the draft while there is one, else the published."""
        return self.draft_version_id or self.published_version_id


@dataclass(frozen=True)
class VersionRow:
    id: uuid.UUID
    number: int
    published_at: datetime | None
    item_count: int

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


@dataclass(frozen=True)
class ItemRow:
    """An item as shown and printed; `code` is the typed code or the automatic one."""

    id: uuid.UUID
    section: str
    code: str
    text: str
    classification: ItemClass
    legal_reference: str
    auto_code: bool


@dataclass(frozen=True)
class SectionRows:
    name: str
    items: tuple[ItemRow, ...]


@dataclass(frozen=True)
class VersionView:
    """A version with its items grouped by section, in order."""

    id: uuid.UUID
    checklist_id: uuid.UUID
    checklist_name: str
    number: int
    published_at: datetime | None
    sections: tuple[SectionRows, ...]

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def items(self) -> tuple[ItemRow, ...]:
        return tuple(item for section in self.sections for item in section.items)


# --- reading helpers -----------------------------------------------------------------------------


def _live_items(session: Session, version_id: uuid.UUID) -> list[ChecklistItem]:
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


def _numbered(items: Sequence[ChecklistItem]) -> list[tuple[ChecklistItem, str, bool]]:
    """Each item with the code it shows (typed, or section.position) and whether it is auto."""
    result: list[tuple[ChecklistItem, str, bool]] = []
    for section_number, (_name, members) in enumerate(_grouped(items), start=1):
        for index, item in enumerate(members, start=1):
            typed = item.code.strip()
            result.append((item, typed or f"{section_number}.{index}", not typed))
    return result


def _version(session: Session, version_id: uuid.UUID) -> ChecklistVersion:
    version = session.get(ChecklistVersion, version_id)
    if version is None or version.deleted_at is not None:
        raise NotFound("Versão do roteiro não encontrada.")
    return version


def _checklist(session: Session, checklist_id: uuid.UUID) -> Checklist:
    checklist = session.get(Checklist, checklist_id)
    if checklist is None or checklist.deleted_at is not None:
        raise NotFound("Roteiro não encontrado.")
    return checklist


def _draft(session: Session, version_id: uuid.UUID) -> ChecklistVersion:
    version = _version(session, version_id)
    if version.published_at is not None:
        raise ValidationError({"": PUBLISHED_FROZEN})
    return version


def _item(session: Session, item_id: uuid.UUID) -> ChecklistItem:
    item = session.get(ChecklistItem, item_id)
    if item is None or item.deleted_at is not None:
        raise NotFound("Item do roteiro não encontrado.")
    return item


# --- roteiros ------------------------------------------------------------------------------------


def clean_prefixes(prefixes: Sequence[str]) -> tuple[str, ...]:
    """CNAE prefixes as digits only, without repeats ("56.11-2" → "5611")."""
    seen: list[str] = []
    for prefix in prefixes:
        digits = "".join(ch for ch in prefix if ch.isdigit())
        if digits and digits not in seen:
            seen.append(digits)
    return tuple(seen)


def _checklist_errors(
    session: Session, data: ChecklistInput, checklist_id: uuid.UUID | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = "Informe o nome do roteiro."
    elif len(name) > 150:
        errors["name"] = "O nome pode ter no máximo 150 caracteres."
    elif _name_taken(session, name, checklist_id):
        errors["name"] = "Já existe um roteiro com este nome."
    if len(data.description.strip()) > 500:
        errors["description"] = "A descrição pode ter no máximo 500 caracteres."
    bad = [p for p in data.cnae_prefixes if p.strip() and not clean_prefixes([p])]
    if bad or any(len(p) > 7 for p in clean_prefixes(data.cnae_prefixes)):
        errors["cnae_prefixes"] = "Use códigos CNAE ou o início deles (2 a 7 dígitos)."
    return errors


def _name_taken(session: Session, name: str, checklist_id: uuid.UUID | None) -> bool:
    return find_checklist_by_name(session, name, exclude=checklist_id) is not None


def find_checklist_by_name(
    session: Session, name: str, exclude: uuid.UUID | None = None
) -> uuid.UUID | None:
    """The live roteiro whose name is `name` (ignoring case and accents), if any."""
    key = normalize_key(name)
    query = select(Checklist.id, Checklist.name).where(Checklist.deleted_at.is_(None))
    for checklist_id, other in session.execute(query):
        if checklist_id != exclude and normalize_key(other) == key:
            return checklist_id
    return None


def create_checklist(session: Session, actor: Actor, data: ChecklistInput) -> ChecklistCreated:
    """A new roteiro with an empty draft (versão 1) to be filled in the editor."""
    actor.require(MANAGE)
    errors = _checklist_errors(session, data, None)
    if errors:
        raise ValidationError(errors)
    checklist = Checklist(
        name=data.name.strip(),
        description=data.description.strip(),
        cnae_prefixes=list(clean_prefixes(data.cnae_prefixes)),
        active=data.active,
    )
    session.add(checklist)
    session.flush()
    version = ChecklistVersion(checklist_id=checklist.id, number=1)
    session.add(version)
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="checklist", entity_id=str(checklist.id),
                 detail={"version_id": str(version.id)})  # fmt: skip
    return ChecklistCreated(checklist.id, version.id)


def update_checklist(
    session: Session, actor: Actor, checklist_id: uuid.UUID, data: ChecklistInput
) -> None:
    """Change a roteiro's name, description, CNAE prefixes or whether it is in use."""
    actor.require(MANAGE)
    checklist = _checklist(session, checklist_id)
    errors = _checklist_errors(session, data, checklist_id)
    if errors:
        raise ValidationError(errors)
    values = {
        "name": data.name.strip(),
        "description": data.description.strip(),
        "cnae_prefixes": list(clean_prefixes(data.cnae_prefixes)),
        "active": data.active,
    }
    changed = [key for key, value in values.items() if getattr(checklist, key) != value]
    for key, value in values.items():
        setattr(checklist, key, value)
    session.flush()
    audit.record(session, actor, audit.UPDATE, entity="checklist", entity_id=str(checklist.id),
                 detail={"fields": changed})  # fmt: skip


# --- items of a draft ----------------------------------------------------------------------------


def _item_errors(data: ItemInput) -> dict[str, str]:
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
    errors = _item_errors(data)
    if errors:
        raise ValidationError(errors)
    assert data.classification is not None
    return data.classification


def _renumber(items: Sequence[ChecklistItem]) -> None:
    """Positions 1..n in section order (an item added to a section joins the section's end)."""
    ordered = [item for _name, members in _grouped(items) for item in members]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position


def add_item(session: Session, actor: Actor, version_id: uuid.UUID, data: ItemInput) -> uuid.UUID:
    """Add an item at the end of its section (a new section goes to the end of the roteiro)."""
    actor.require(MANAGE)
    version = _draft(session, version_id)
    kind = _check_item(data)
    items = _live_items(session, version.id)
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
    _renumber([*items, item])
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="checklist_item", entity_id=str(item.id),
                 detail={"version_id": str(version.id)})  # fmt: skip
    return item.id


def update_item(session: Session, actor: Actor, item_id: uuid.UUID, data: ItemInput) -> None:
    """Change an item of a draft (moving it to another section puts it at that section's end)."""
    actor.require(MANAGE)
    item = _item(session, item_id)
    _draft(session, item.version_id)
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
    _renumber(_live_items(session, item.version_id))
    session.flush()
    audit.record(session, actor, audit.UPDATE, entity="checklist_item", entity_id=str(item.id),
                 detail={"fields": changed})  # fmt: skip


def move_item(session: Session, actor: Actor, item_id: uuid.UUID, offset: int) -> None:
    """Move an item up (-1) or down (+1) inside its section; at the edge nothing happens."""
    actor.require(MANAGE)
    item = _item(session, item_id)
    _draft(session, item.version_id)
    members = [i for i in _live_items(session, item.version_id) if i.section == item.section]
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
    _draft(session, item.version_id)
    item.deleted_at = clock_of(session).now()
    session.flush()
    _renumber(_live_items(session, item.version_id))
    session.flush()
    audit.record(session, actor, audit.DELETE, entity="checklist_item", entity_id=str(item.id),
                 detail={"version_id": str(item.version_id)})  # fmt: skip


# --- versions ------------------------------------------------------------------------------------


def publish_version(session: Session, actor: Actor, version_id: uuid.UUID) -> int:
    """Freeze a draft: it becomes the roteiro's current version. Returns its number."""
    actor.require(MANAGE)
    version = _draft(session, version_id)
    items = _live_items(session, version.id)
    if not items:
        raise ValidationError({"": EMPTY_VERSION})
    problems = [code for item, code, _auto in _numbered(items) if _item_errors(_as_input(item))]
    if problems:
        listed = ", ".join(problems)
        message = f"Corrija os itens {listed} antes de publicar (texto e classificação)."
        raise ValidationError({"": message})
    for item, code, auto in _numbered(items):
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


def _versions(session: Session, checklist_id: uuid.UUID) -> list[ChecklistVersion]:
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
    name = _checklist(session, checklist_id).name
    versions = _versions(session, checklist_id)
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
        items = [_as_input(item) for item in _live_items(session, source.id)]
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
    _renumber(rows)
    rows.sort(key=lambda row: row.position)
    for row, code, _auto in _numbered(rows):
        if row.code == code:
            row.code = ""
    session.add_all(rows)
    session.flush()


# --- which roteiro for an establishment ----------------------------------------------------------


def roteiro_for(session: Session, establishment_id: uuid.UUID) -> uuid.UUID | None:
    """The latest published version of the active roteiro best matching the establishment.

    "Best" is the longest CNAE prefix matching any of its activities (the main activity wins a
    tie); None when no active, published roteiro matches.
    """
    activities = session.execute(
        select(EstablishmentActivity.cnae, EstablishmentActivity.main).where(
            EstablishmentActivity.establishment_id == establishment_id,
            EstablishmentActivity.deleted_at.is_(None),
        )
    ).all()
    if not activities:
        return None
    best: tuple[int, int, int] | None = None
    chosen: uuid.UUID | None = None
    for version_id, prefixes, number in _published_roteiros(session):
        for prefix in prefixes:
            for cnae, main in activities:
                if prefix and cnae.startswith(prefix):
                    score = (len(prefix), int(main), number)
                    if best is None or score > best:
                        best, chosen = score, version_id
    return chosen


def _published_roteiros(session: Session) -> list[tuple[uuid.UUID, list[str], int]]:
    """(latest published version id, prefixes, version number) of every active roteiro."""
    latest = (
        select(
            ChecklistVersion.checklist_id.label("checklist_id"),
            func.max(ChecklistVersion.number).label("number"),
        )
        .where(ChecklistVersion.published_at.is_not(None), ChecklistVersion.deleted_at.is_(None))
        .group_by(ChecklistVersion.checklist_id)
        .subquery()
    )
    query = (
        select(ChecklistVersion.id, Checklist.cnae_prefixes, ChecklistVersion.number)
        .join(latest, (latest.c.checklist_id == ChecklistVersion.checklist_id)
              & (latest.c.number == ChecklistVersion.number))
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .where(Checklist.active.is_(True), Checklist.deleted_at.is_(None))
    )  # fmt: skip
    return [(row[0], list(row[1] or []), row[2]) for row in session.execute(query)]


# --- queries -------------------------------------------------------------------------------------


def list_checklists(session: Session, actor: Actor) -> list[ChecklistRow]:
    """Every roteiro with its current published version, its draft and their item counts."""
    actor.require(READ)
    counts = dict(
        session.execute(
            select(ChecklistItem.version_id, func.count())
            .where(ChecklistItem.deleted_at.is_(None))
            .group_by(ChecklistItem.version_id)
        ).all()
    )
    versions: dict[uuid.UUID, list[ChecklistVersion]] = {}
    for version in session.scalars(
        select(ChecklistVersion).where(ChecklistVersion.deleted_at.is_(None))
    ):
        versions.setdefault(version.checklist_id, []).append(version)
    query = select(Checklist).where(Checklist.deleted_at.is_(None))
    rows = [_checklist_row(c, versions.get(c.id, []), counts) for c in session.scalars(query)]
    return sorted(rows, key=lambda row: (not row.active, normalize_key(row.name)))


def _checklist_row(
    checklist: Checklist, versions: list[ChecklistVersion], counts: dict[uuid.UUID, int]
) -> ChecklistRow:
    published = [v for v in versions if v.published_at is not None]
    current = max(published, key=lambda v: v.number) if published else None
    draft = next((v for v in versions if v.published_at is None), None)
    return ChecklistRow(
        id=checklist.id,
        name=checklist.name,
        description=checklist.description,
        cnae_prefixes=tuple(checklist.cnae_prefixes or ()),
        active=checklist.active,
        published_version_id=current.id if current else None,
        published_number=current.number if current else None,
        published_at=current.published_at if current else None,
        published_items=counts.get(current.id, 0) if current else 0,
        draft_version_id=draft.id if draft else None,
        draft_number=draft.number if draft else None,
        draft_items=counts.get(draft.id, 0) if draft else 0,
    )


def list_versions(session: Session, actor: Actor, checklist_id: uuid.UUID) -> list[VersionRow]:
    """The versions of a roteiro, newest first."""
    actor.require(READ)
    counts = dict(
        session.execute(
            select(ChecklistItem.version_id, func.count())
            .join(ChecklistVersion, ChecklistVersion.id == ChecklistItem.version_id)
            .where(ChecklistVersion.checklist_id == checklist_id,
                   ChecklistItem.deleted_at.is_(None))
            .group_by(ChecklistItem.version_id)
        ).all()
    )  # fmt: skip
    live = [v for v in _versions(session, checklist_id) if v.deleted_at is None]
    return [VersionRow(v.id, v.number, v.published_at, counts.get(v.id, 0)) for v in reversed(live)]


def version_view(session: Session, actor: Actor, version_id: uuid.UUID) -> VersionView:
    """A version's items grouped by section, each with the code it shows."""
    actor.require(READ)
    return read_version(session, version_id)


def read_version(session: Session, version_id: uuid.UUID) -> VersionView:
    """`version_view` without the permission check (for services that already checked)."""
    version = _version(session, version_id)
    checklist = _checklist(session, version.checklist_id)
    numbered = _numbered(_live_items(session, version.id))
    sections: dict[str, list[ItemRow]] = {}
    for item, code, auto in numbered:
        sections.setdefault(item.section, []).append(
            ItemRow(item.id, item.section, code, item.text, item.classification,
                    item.legal_reference, auto)
        )  # fmt: skip
    return VersionView(
        id=version.id,
        checklist_id=checklist.id,
        checklist_name=checklist.name,
        number=version.number,
        published_at=version.published_at,
        sections=tuple(SectionRows(name, tuple(items)) for name, items in sections.items()),
    )
