"""Reading roteiros de inspeção: the list, the versions of one, a version's items, and the
roteiro of an establishment.

Everything returns plain frozen rows: a roteiro with its current (published) version and its
draft, a version with its items grouped by section, each with the code it shows (typed, or the
automatic section.position). `roteiro_for` chooses the roteiro of an establishment (planning
and the start of an inspection): the latest published version of the active roteiro whose CNAE
prefix is the longest match of any of the establishment's activities, else a general roteiro.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.brazil.names import normalize_key
from app.sanitary.checklist_items import live_items, numbered_items
from app.sanitary.checklist_versions import versions_of
from app.sanitary.checklists import READ, load_checklist, load_version
from app.sanitary.enums import ItemClass
from app.sanitary.models import (
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    EstablishmentActivity,
)
from app.security.actor import Actor


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


# --- which roteiro for an establishment ----------------------------------------------------------


def roteiro_for(session: Session, establishment_id: uuid.UUID) -> uuid.UUID | None:
    """The latest published version of the active roteiro best matching the establishment.

    "Best" is the longest CNAE prefix matching any of its activities (the main activity wins a
    tie); with no match, a general roteiro (one without CNAE prefixes, the first by name); None
    when there is neither.
    """
    activities = session.execute(
        select(EstablishmentActivity.cnae, EstablishmentActivity.main).where(
            EstablishmentActivity.establishment_id == establishment_id,
            EstablishmentActivity.deleted_at.is_(None),
        )
    ).all()
    best: tuple[int, int, int] | None = None
    chosen: uuid.UUID | None = None
    general: uuid.UUID | None = None
    for version_id, prefixes, number in _published_roteiros(session):
        if not prefixes:
            general = general or version_id
        for prefix in prefixes:
            for cnae, main in activities:
                if prefix and cnae.startswith(prefix):
                    score = (len(prefix), int(main), number)
                    if best is None or score > best:
                        best, chosen = score, version_id
    return chosen or general


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
        .order_by(Checklist.name)
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
    live = [v for v in versions_of(session, checklist_id) if v.deleted_at is None]
    return [VersionRow(v.id, v.number, v.published_at, counts.get(v.id, 0)) for v in reversed(live)]


def version_view(session: Session, actor: Actor, version_id: uuid.UUID) -> VersionView:
    """A version's items grouped by section, each with the code it shows."""
    actor.require(READ)
    return read_version(session, version_id)


def read_version(session: Session, version_id: uuid.UUID) -> VersionView:
    """`version_view` without the permission check (for services that already checked)."""
    version = load_version(session, version_id)
    checklist = load_checklist(session, version.checklist_id)
    numbered = numbered_items(live_items(session, version.id))
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
