"""Roteiros de inspeção: creating them and changing what they are (name, CNAE prefixes, in use).

A roteiro (`Checklist`) lives in numbered versions. The newest version while unpublished is the
draft: its items are edited in `app.sanitary.checklist_items`; publishing and new versions are in
`app.sanitary.checklist_versions`, and reading roteiros (the list, a version's items, the roteiro
of an establishment) in `app.sanitary.checklist_queries`. Here: a new roteiro with its empty draft
(versão 1), the changes to a roteiro's own data, and loading a roteiro, a version or a draft.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.names import normalize_key
from app.errors import NotFound, ValidationError
from app.sanitary.models import Checklist, ChecklistVersion
from app.security import audit
from app.security.actor import Actor

MANAGE = "sanitary.manage"
READ = "sanitary.read"

PUBLISHED_FROZEN = (
    "Esta versão já foi publicada e não pode ser alterada. Use “Nova versão” para mudar o roteiro."
)


@dataclass(frozen=True)
class ChecklistInput:
    """What the coordinator types about a roteiro (its items come separately)."""

    name: str
    description: str = ""
    cnae_prefixes: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class ChecklistCreated:
    checklist_id: uuid.UUID
    version_id: uuid.UUID


def load_version(session: Session, version_id: uuid.UUID) -> ChecklistVersion:
    version = session.get(ChecklistVersion, version_id)
    if version is None or version.deleted_at is not None:
        raise NotFound("Versão do roteiro não encontrada.")
    return version


def load_checklist(session: Session, checklist_id: uuid.UUID) -> Checklist:
    checklist = session.get(Checklist, checklist_id)
    if checklist is None or checklist.deleted_at is not None:
        raise NotFound("Roteiro não encontrado.")
    return checklist


def load_draft(session: Session, version_id: uuid.UUID) -> ChecklistVersion:
    version = load_version(session, version_id)
    if version.published_at is not None:
        raise ValidationError({"": PUBLISHED_FROZEN})
    return version


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
    checklist = load_checklist(session, checklist_id)
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
