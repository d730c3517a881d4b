"""The register of inspectors (fiscais / autoridades sanitárias) and the VISA teams.

An inspector has a name, matrícula, cargo, team and, optionally, the login of the account they use
(`username`): that link is how the app knows which inspector is working on a laptop
(`inspector_for_account`). Inspectors are never deleted — their names are on issued documents —
only deactivated. Teams are free text shared with the establishments (`Establishment.team`), which
is also the sync scope of a field laptop; `list_teams` gathers the names in use.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.brazil.names import normalize_key
from app.errors import NotFound, ValidationError
from app.sanitary.models import Establishment, SanitaryInspector
from app.security import audit
from app.security.actor import Actor
from app.security.models import Account

MANAGE = "sanitary.manage"
READ = "sanitary.read"


@dataclass(frozen=True)
class InspectorInput:
    name: str
    registration: str = ""  # matrícula
    title: str = "Autoridade sanitária"  # cargo
    team: str = ""
    username: str = ""
    active: bool = True


@dataclass(frozen=True)
class InspectorRow:
    id: uuid.UUID
    name: str
    registration: str
    title: str
    team: str
    username: str
    active: bool

    @property
    def label(self) -> str:
        """ "Carla Mendes Oliveira (VISA-0147)" — how lists and combos show an inspector."""
        return f"{self.name} ({self.registration})" if self.registration else self.name


def _row(inspector: SanitaryInspector) -> InspectorRow:
    return InspectorRow(
        inspector.id, inspector.name, inspector.registration, inspector.title, inspector.team,
        inspector.username, inspector.active,
    )  # fmt: skip


def _clean(data: InspectorInput) -> InspectorInput:
    return InspectorInput(
        name=" ".join(data.name.split()),
        registration=data.registration.strip(),
        title=data.title.strip() or "Autoridade sanitária",
        team=" ".join(data.team.split()),
        username=data.username.strip().lower(),
        active=data.active,
    )


def _others(session: Session, inspector_id: uuid.UUID | None) -> list[SanitaryInspector]:
    query = select(SanitaryInspector).where(
        SanitaryInspector.deleted_at.is_(None), SanitaryInspector.active.is_(True)
    )
    return [row for row in session.scalars(query) if row.id != inspector_id]


def _errors(
    session: Session, data: InspectorInput, inspector_id: uuid.UUID | None
) -> dict[str, str]:
    limits = {"name": 120, "registration": 30, "title": 80, "team": 60, "username": 40}
    errors = {
        field: f"No máximo {limit} caracteres."
        for field, limit in limits.items()
        if len(getattr(data, field)) > limit
    }
    if not data.name:
        errors["name"] = "Informe o nome do fiscal."
    if not data.active:
        return errors
    others = _others(session, inspector_id)
    if data.registration and any(
        normalize_key(o.registration) == normalize_key(data.registration) for o in others
    ):
        errors["registration"] = "Outro fiscal ativo já tem esta matrícula."
    if data.username:
        errors.update(_username_errors(session, data.username, others))
    return errors


def _username_errors(
    session: Session, username: str, others: list[SanitaryInspector]
) -> dict[str, str]:
    account = session.scalars(
        select(Account).where(Account.username == username, Account.deleted_at.is_(None))
    ).first()
    if account is None:
        return {"username": f"Não existe conta de usuário “{username}”. Confira o login."}
    if not account.active:
        return {"username": f"A conta “{username}” está desativada."}
    taken = next((o for o in others if o.username == username), None)
    if taken is not None:
        return {"username": f"A conta “{username}” já está ligada ao fiscal {taken.name}."}
    return {}


def _checked(
    session: Session, data: InspectorInput, inspector_id: uuid.UUID | None
) -> InspectorInput:
    clean = _clean(data)
    errors = _errors(session, clean, inspector_id)
    if errors:
        raise ValidationError(errors)
    return clean


def create_inspector(session: Session, actor: Actor, data: InspectorInput) -> uuid.UUID:
    """Register an inspector; the login, when given, must be an existing active account."""
    actor.require(MANAGE)
    clean = _checked(session, data, None)
    row = SanitaryInspector(
        name=clean.name, registration=clean.registration, title=clean.title, team=clean.team,
        username=clean.username, active=clean.active,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="sanitary_inspector", entity_id=str(row.id))
    return row.id


def update_inspector(
    session: Session, actor: Actor, inspector_id: uuid.UUID, data: InspectorInput
) -> None:
    """Change an inspector (deactivating is `active=False`: the row is never deleted)."""
    actor.require(MANAGE)
    row = session.get(SanitaryInspector, inspector_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("Fiscal não encontrado.")
    clean = _checked(session, data, inspector_id)
    names = ("name", "registration", "title", "team", "username", "active")
    changed = [name for name in names if getattr(row, name) != getattr(clean, name)]
    for name in names:
        setattr(row, name, getattr(clean, name))
    session.flush()
    audit.record(session, actor, audit.UPDATE, entity="sanitary_inspector",
                 entity_id=str(row.id), detail={"fields": changed})  # fmt: skip


def list_inspectors(
    session: Session, actor: Actor, *, include_inactive: bool = False
) -> list[InspectorRow]:
    """Inspectors by name (active first when inactive ones are included)."""
    actor.require(READ)
    query = select(SanitaryInspector).where(SanitaryInspector.deleted_at.is_(None))
    if not include_inactive:
        query = query.where(SanitaryInspector.active.is_(True))
    rows = [_row(row) for row in session.scalars(query)]
    return sorted(rows, key=lambda r: (not r.active, normalize_key(r.name)))


def inspector_for_account(session: Session, username: str) -> InspectorRow | None:
    """The active inspector linked to a login, if any (the laptop's "who am I")."""
    if not username.strip():
        return None
    query = select(SanitaryInspector).where(
        SanitaryInspector.username == username.strip().lower(),
        SanitaryInspector.active.is_(True),
        SanitaryInspector.deleted_at.is_(None),
    )
    row = session.scalars(query.order_by(SanitaryInspector.created_at)).first()
    return _row(row) if row is not None else None


def list_teams(session: Session, actor: Actor) -> list[str]:
    """Every team name in use, by inspectors or by establishments, in alphabetical order."""
    actor.require(READ)
    names: set[str] = set()
    for column, table_deleted in (
        (SanitaryInspector.team, SanitaryInspector.deleted_at),
        (Establishment.team, Establishment.deleted_at),
    ):
        query = select(func.distinct(column)).where(table_deleted.is_(None), column != "")
        names.update(name for name in session.scalars(query) if name)
    return sorted(names, key=normalize_key)
