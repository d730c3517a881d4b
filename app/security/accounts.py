"""Administration of accounts and roles: create, change, reset passwords, list.

Every service here needs `admin.accounts`, validates before writing anything (messages keyed by
form field, in Portuguese), and records what it did in the audit trail with field names only —
never a password or its hash. Roles may hold only permissions from the catalogue in
`app.security.permissions`. The last active account able to manage accounts cannot be deactivated
or stripped of that permission, so the municipality can never lock itself out of administration.
Lists return plain frozen rows for the administration screens.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.brazil.identifiers import cnes_error
from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.security import audit
from app.security.actor import Actor
from app.security.models import Account, Role, account_role
from app.security.passwords import hash_password, password_error
from app.security.permissions import is_known
from app.sync.models import SyncPeer

ADMIN_PERMISSION = "admin.accounts"
USERNAME_PATTERN = re.compile(r"[a-z0-9._-]{3,40}")
LAST_ADMIN = (
    "É preciso manter ao menos uma conta ativa com permissão para gerenciar contas e perfis."
)
HUB_ROLE = (
    "Este perfil é definido pela central ({hub}) e chega a este computador pela sincronização: "
    "altere-o na central. Para permissões próprias desta unidade, crie um novo perfil."
)


@dataclass(frozen=True)
class RoleInput:
    """What the role form collects."""

    name: str
    description: str = ""
    permissions: Sequence[str] = ()


@dataclass(frozen=True)
class AccountInput:
    """What the new-account form collects (the password is the initial one)."""

    username: str
    full_name: str
    password: str
    role_ids: Sequence[uuid.UUID] = ()
    unit_restriction: Sequence[str] = ()
    # True for accounts an administrator creates; first-run setup passes False for itself.
    must_change_password: bool = True


@dataclass(frozen=True)
class AccountUpdate:
    """What the edit-account form may change (username and password are not among them)."""

    full_name: str
    role_ids: Sequence[uuid.UUID] = ()
    unit_restriction: Sequence[str] = ()
    active: bool = True


@dataclass(frozen=True)
class Changes:
    """What an update changed: the record's id and the names of the fields that differ."""

    id: uuid.UUID
    fields: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RoleRow:
    """A role as the roles list shows it."""

    id: uuid.UUID
    name: str
    description: str
    permissions: tuple[str, ...]
    account_count: int
    defined_by: str = ""  # the hub's name when the hub defines it (not editable here)


@dataclass(frozen=True)
class AccountRow:
    """An account as the accounts list shows it (locked state computed with the clock)."""

    id: uuid.UUID
    username: str
    full_name: str
    active: bool
    role_names: tuple[str, ...]
    units: tuple[str, ...]
    must_change_password: bool
    locked: bool
    locked_until: datetime | None
    last_login_at: datetime | None


# --- roles ---------------------------------------------------------------------------------------


def create_role(
    session: Session, actor: Actor, data: RoleInput, role_id: uuid.UUID | None = None
) -> uuid.UUID:
    """Create a role; returns its id (`role_id` when given: the standard roles' fixed ids)."""
    actor.require(ADMIN_PERMISSION)
    name, permissions = _validate_role(session, data, None)
    role = Role(name=name, description=data.description.strip(), permissions=permissions)
    if role_id is not None:
        role.id = role_id
    session.add(role)
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="role", entity_id=str(role.id),
                 detail={"fields": ["name", "description", "permissions"]})  # fmt: skip
    return role.id


def update_role(session: Session, actor: Actor, role_id: uuid.UUID, data: RoleInput) -> Changes:
    """Change a role's name, description or permissions; only differing fields are written."""
    actor.require(ADMIN_PERMISSION)
    role = _get_role(session, role_id)
    hub = _defining_hub(session, role)
    if hub:
        raise ValidationError({"": HUB_ROLE.format(hub=hub)})
    name, permissions = _validate_role(session, data, role.id)
    if ADMIN_PERMISSION in role.permissions and ADMIN_PERMISSION not in permissions:
        if not _admin_ids(session, role_override=(role.id, frozenset(permissions))):
            raise ValidationError({"permissions": LAST_ADMIN})
    new = {"name": name, "description": data.description.strip(), "permissions": permissions}
    fields = [key for key, value in new.items() if getattr(role, key) != value]
    for key in fields:
        setattr(role, key, new[key])
    if fields:
        session.flush()
        audit.record(session, actor, audit.UPDATE, entity="role", entity_id=str(role.id),
                     detail={"fields": fields})  # fmt: skip
    return Changes(role.id, tuple(fields))


def list_roles(session: Session, actor: Actor) -> list[RoleRow]:
    """Every role, by name, with how many active accounts hold it."""
    actor.require(ADMIN_PERMISSION)
    held = (
        select(account_role.c.role_id, func.count())
        .join(Account, Account.id == account_role.c.account_id)
        .where(Account.deleted_at.is_(None), Account.active.is_(True))
        .group_by(account_role.c.role_id)
    )
    counts = {role_id: int(count) for role_id, count in session.execute(held)}
    roles = session.scalars(select(Role).where(Role.deleted_at.is_(None)))
    rows = [
        RoleRow(
            r.id,
            r.name,
            r.description,
            tuple(sorted(r.permissions)),
            counts.get(r.id, 0),
            _defining_hub(session, r),
        )
        for r in roles
    ]
    return sorted(rows, key=lambda row: row.name.casefold())


def _validate_role(
    session: Session, data: RoleInput, role_id: uuid.UUID | None
) -> tuple[str, list[str]]:
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if len(name) < 2:
        errors["name"] = "Informe o nome do perfil."
    elif len(name) > 60:
        errors["name"] = "O nome do perfil pode ter no máximo 60 caracteres."
    elif _role_name_taken(session, name, role_id):
        errors["name"] = "Já existe um perfil com este nome."
    if len(data.description.strip()) > 200:
        errors["description"] = "A descrição pode ter no máximo 200 caracteres."
    unknown = sorted({p for p in data.permissions if not is_known(p)})
    if unknown:
        errors["permissions"] = f"Permissão desconhecida: {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)
    return name, sorted(set(data.permissions))


def _role_name_taken(session: Session, name: str, role_id: uuid.UUID | None) -> bool:
    # Roles are few; comparing in Python folds accents' case too ("RECEPÇÃO" = "Recepção").
    rows = session.execute(select(Role.id, Role.name))
    return any(other != role_id and n.casefold() == name.casefold() for other, n in rows)


def _defining_hub(session: Session, role: Role) -> str:
    """The hub's name when `role` came from this node's hub (`app.sync.role_package`), else ""."""
    if role.origin_node in ("", "local"):
        return ""
    hub = session.get(SyncPeer, role.origin_node)
    return hub.name if hub is not None and hub.kind == "hub" else ""


def _get_role(session: Session, role_id: uuid.UUID) -> Role:
    role = session.get(Role, role_id)
    if role is None or role.deleted_at is not None:
        raise NotFound("Perfil não encontrado (pode ter sido excluído em outro computador).")
    return role


# --- accounts ------------------------------------------------------------------------------------


def create_account(session: Session, actor: Actor, data: AccountInput) -> uuid.UUID:
    """Create an account with its initial password; returns its id."""
    actor.require(ADMIN_PERMISSION)
    username = data.username.strip().lower()
    errors = _username_errors(session, username)
    errors.update(_name_errors(data.full_name))
    password = password_error(data.password, username)
    if password:
        errors["password"] = password
    roles, units = _roles_and_units(session, data.role_ids, data.unit_restriction, errors)
    if errors:
        raise ValidationError(errors)
    account = Account(
        username=username,
        full_name=" ".join(data.full_name.split()),
        password_hash=hash_password(data.password),
        must_change_password=data.must_change_password,
        unit_restriction=units,
        roles=roles,
    )
    session.add(account)
    session.flush()
    fields = ["username", "full_name", "roles", "unit_restriction", "must_change_password"]
    audit.record(session, actor, audit.CREATE, entity="account", entity_id=str(account.id),
                 detail={"fields": fields})  # fmt: skip
    return account.id


def update_account(
    session: Session, actor: Actor, account_id: uuid.UUID, data: AccountUpdate
) -> Changes:
    """Change name, roles, units or the active flag; only differing fields are written."""
    actor.require(ADMIN_PERMISSION)
    account = _get_account(session, account_id)
    errors = _name_errors(data.full_name)
    roles, units = _roles_and_units(session, data.role_ids, data.unit_restriction, errors)
    if errors:
        raise ValidationError(errors)
    _keep_an_administrator(session, account, roles, data.active)
    fields = _apply_account(account, " ".join(data.full_name.split()), roles, units, data.active)
    if fields:
        session.flush()
        audit.record(session, actor, audit.UPDATE, entity="account", entity_id=str(account.id),
                     detail={"fields": fields})  # fmt: skip
    return Changes(account.id, tuple(fields))


def _apply_account(
    account: Account, full_name: str, roles: list[Role], units: list[str], active: bool
) -> list[str]:
    fields: list[str] = []
    if account.full_name != full_name:
        account.full_name = full_name
        fields.append("full_name")
    if {r.id for r in account.roles} != {r.id for r in roles}:
        account.roles = roles
        fields.append("roles")
    if sorted(account.unit_restriction) != units:
        account.unit_restriction = units
        fields.append("unit_restriction")
    if account.active != active:
        account.active = active
        fields.append("active")
    return fields


def reset_password(
    session: Session, actor: Actor, account_id: uuid.UUID, new_password: str
) -> None:
    """An administrator sets a new password: it must be changed at next login; lockout ends."""
    actor.require(ADMIN_PERMISSION)
    account = _get_account(session, account_id)
    problem = password_error(new_password, account.username)
    if problem:
        raise ValidationError({"password": problem})
    account.password_hash = hash_password(new_password)
    account.must_change_password = True
    account.failed_attempts = 0
    account.locked_until = None
    session.flush()
    audit.record(session, actor, audit.PASSWORD_RESET, entity="account", entity_id=str(account.id))


def list_accounts(session: Session, actor: Actor) -> list[AccountRow]:
    """Every account, by username, with role names and whether it is locked right now."""
    actor.require(ADMIN_PERMISSION)
    now = clock_of(session).now()
    query = select(Account).where(Account.deleted_at.is_(None)).order_by(Account.username)
    return [_account_row(account, now) for account in session.scalars(query)]


def _account_row(account: Account, now: datetime) -> AccountRow:
    locked = account.locked_until is not None and account.locked_until > now
    roles = sorted((r.name for r in account.roles if r.deleted_at is None), key=str.casefold)
    return AccountRow(
        id=account.id,
        username=account.username,
        full_name=account.full_name,
        active=account.active,
        role_names=tuple(roles),
        units=tuple(account.unit_restriction),
        must_change_password=account.must_change_password,
        locked=locked,
        locked_until=account.locked_until if locked else None,
        last_login_at=account.last_login_at,
    )


def _get_account(session: Session, account_id: uuid.UUID) -> Account:
    account = session.get(Account, account_id)
    if account is None or account.deleted_at is not None:
        raise NotFound("Conta não encontrada (pode ter sido excluída em outro computador).")
    return account


def _username_errors(session: Session, username: str) -> dict[str, str]:
    if not USERNAME_PATTERN.fullmatch(username):
        return {
            "username": "Use de 3 a 40 caracteres: letras minúsculas sem acento, números, "
            "ponto, hífen ou sublinhado."
        }
    # Deleted accounts keep their username: it identifies them in the audit trail.
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        return {"username": "Este nome de usuário já está em uso."}
    return {}


def _name_errors(full_name: str) -> dict[str, str]:
    name = " ".join(full_name.split())
    if not name:
        return {"full_name": "Informe o nome completo."}
    if len(name) > 120:
        return {"full_name": "O nome completo pode ter no máximo 120 caracteres."}
    return {}


def _roles_and_units(
    session: Session,
    role_ids: Sequence[uuid.UUID],
    unit_restriction: Sequence[str],
    errors: dict[str, str],
) -> tuple[list[Role], list[str]]:
    """The roles and CNES list the form chose; problems are added to `errors`."""
    roles = [session.get(Role, role_id) for role_id in dict.fromkeys(role_ids)]
    found = [r for r in roles if r is not None and r.deleted_at is None]
    if not role_ids:
        errors["role_ids"] = "Escolha ao menos um perfil."
    elif len(found) != len(roles):
        errors["role_ids"] = "Perfil não encontrado (pode ter sido excluído em outro computador)."
    return found, _units(unit_restriction, errors)


def _units(unit_restriction: Sequence[str], errors: dict[str, str]) -> list[str]:
    """The CNES codes, deduplicated and sorted; blank entries are dropped."""
    units = sorted({unit.strip() for unit in unit_restriction if unit.strip()})
    for unit in units:
        problem = cnes_error(unit)
        if problem:
            errors["unit_restriction"] = f"{problem} ({unit})"
            break
    return units


# --- the last administrator ----------------------------------------------------------------------


def _keep_an_administrator(
    session: Session, account: Account, roles: Iterable[Role], active: bool
) -> None:
    """Refuse a change that would leave no active account able to manage accounts."""
    admins = _admin_ids(session)
    if account.id not in admins or admins - {account.id}:
        return
    if not (active and any(ADMIN_PERMISSION in r.permissions for r in roles)):
        raise ValidationError({"": LAST_ADMIN})


def _admin_ids(
    session: Session, role_override: tuple[uuid.UUID, frozenset[str]] | None = None
) -> set[uuid.UUID]:
    """Active accounts holding admin.accounts (with one role's permissions replaced, if given)."""
    query = select(Account).where(Account.deleted_at.is_(None), Account.active.is_(True))
    admins: set[uuid.UUID] = set()
    for account in session.scalars(query):
        for role in account.roles:
            perms = role.permissions
            if role_override is not None and role.id == role_override[0]:
                perms = list(role_override[1])
            if role.deleted_at is None and ADMIN_PERMISSION in perms:
                admins.add(account.id)
    return admins
