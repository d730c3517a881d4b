"""First-run setup and the installation's identity: is this database configured, who are we.

On an empty database the setup wizard collects the municipality, this installation and the first
administrator, and `complete_setup` writes them in one transaction. `installation_info` is what
the shell shows in its status bar; `municipality_profile` is what reports print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.brazil.ibge import municipality_error
from app.brazil.identifiers import cnes_error, only_digits
from app.db.base import new_id
from app.db.session import clock_of
from app.errors import ValidationError
from app.installation.models import Installation, Municipality, NodeKind
from app.security import audit
from app.security.accounts import AccountInput, create_account
from app.security.actor import SYSTEM, Actor
from app.security.roles_seed import ensure_default_roles
from app.sync.models import ChangeLogEntry

BRAZIL_TIMEZONES = (
    "America/Sao_Paulo",
    "America/Bahia",
    "America/Fortaleza",
    "America/Recife",
    "America/Belem",
    "America/Maceio",
    "America/Araguaina",
    "America/Manaus",
    "America/Cuiaba",
    "America/Campo_Grande",
    "America/Porto_Velho",
    "America/Boa_Vista",
    "America/Rio_Branco",
    "America/Eirunepe",
    "America/Noronha",
)


@dataclass(frozen=True)
class SetupInput:
    """What the setup wizard collects."""

    municipality_name: str
    uf: str
    ibge_code: str
    timezone: str
    installation_name: str
    kind: NodeKind
    unit_cnes: str
    admin_username: str
    admin_full_name: str
    admin_password: str
    brasao_png: bytes | None = None


@dataclass(frozen=True)
class InstallationInfo:
    """This node as the shell shows it."""

    node_id: str
    name: str
    kind: NodeKind
    unit_cnes: str
    municipality: str
    uf: str
    timezone: str
    last_sync_at: datetime | None


@dataclass(frozen=True)
class MunicipalityProfile:
    """The municipality's printed identity, as plain values."""

    name: str
    uf: str
    ibge_code: str
    timezone: str
    secretariat_name: str
    brasao_png: bytes | None


def municipality_profile(session: Session) -> MunicipalityProfile:
    """The profile screens edit and reports print; ValidationError before setup."""
    town = session.scalar(select(Municipality).where(Municipality.deleted_at.is_(None)))
    if town is None:
        raise ValidationError({"": "Município ainda não cadastrado."})
    return MunicipalityProfile(
        town.name, town.uf, town.ibge_code, town.timezone, town.secretariat_name, town.brasao_png
    )


def is_configured(session: Session) -> bool:
    """True once setup (or demo creation) has written the installation row."""
    return session.scalar(select(func.count()).select_from(Installation)) == 1


def _setup_errors(data: SetupInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(data.municipality_name.strip()) < 2:
        errors["municipality_name"] = "Informe o nome do município."
    ibge = municipality_error(only_digits(data.ibge_code), data.uf)
    if ibge:
        errors["ibge_code"] = ibge
    if data.timezone not in available_timezones():
        errors["timezone"] = "Fuso horário desconhecido."
    if len(data.installation_name.strip()) < 2:
        errors["installation_name"] = "Dê um nome a esta instalação (ex.: UBS Centro)."
    if data.kind is not NodeKind.HUB or data.unit_cnes:
        cnes = cnes_error(only_digits(data.unit_cnes)) or (
            None if data.unit_cnes or data.kind is NodeKind.HUB else "Informe o CNES da unidade."
        )
        if cnes:
            errors["unit_cnes"] = cnes
    return errors


def complete_setup(session: Session, data: SetupInput, brasao_error: str | None = None) -> str:
    """Write municipality, installation, default roles and the administrator; returns node id."""
    if is_configured(session):
        raise ValidationError({"": "Este banco de dados já está configurado."})
    errors = _setup_errors(data)
    if brasao_error:
        errors["brasao"] = brasao_error
    if errors:
        raise ValidationError(errors)
    node_id = str(new_id())
    session.info["node_id"] = node_id
    _write_profile(session, data, node_id)
    roles = ensure_default_roles(session)
    create_account(
        session,
        SYSTEM,
        AccountInput(
            username=data.admin_username,
            full_name=data.admin_full_name,
            password=data.admin_password,
            role_ids=[roles["Administrador"]],
            unit_restriction=[],
            must_change_password=False,
        ),
    )
    audit.record(session, SYSTEM, audit.CREATE, entity="installation", entity_id=node_id)
    return node_id


def _write_profile(session: Session, data: SetupInput, node_id: str) -> None:
    session.add(
        Municipality(
            name=data.municipality_name.strip(),
            uf=data.uf,
            ibge_code=only_digits(data.ibge_code),
            timezone=data.timezone,
            brasao_png=data.brasao_png,
        )
    )
    session.add(
        Installation(
            node_id=node_id,
            name=data.installation_name.strip(),
            kind=data.kind,
            unit_cnes=only_digits(data.unit_cnes) or None,
            created_at=clock_of(session).now(),
        )
    )


def installation_info(session: Session) -> InstallationInfo | None:
    """This node and its municipality, or None before setup."""
    node = session.scalar(select(Installation))
    town = session.scalar(select(Municipality).where(Municipality.deleted_at.is_(None)))
    if node is None or town is None:
        return None
    return InstallationInfo(
        node_id=node.node_id,
        name=node.name,
        kind=node.kind,
        unit_cnes=node.unit_cnes or "",
        municipality=town.name,
        uf=town.uf,
        timezone=town.timezone,
        last_sync_at=node.last_sync_at,
    )


def pending_changes(session: Session) -> int:
    """Changes made here and not yet acknowledged by the hub (shown in the status bar)."""
    query = (
        select(func.count())
        .select_from(ChangeLogEntry)
        .where(ChangeLogEntry.received_from.is_(None), ChangeLogEntry.acknowledged.is_(False))
    )
    return int(session.scalar(query) or 0)


def local_zone(info: InstallationInfo | None) -> ZoneInfo:
    return ZoneInfo(info.timezone if info else "America/Sao_Paulo")


def update_municipality(
    session: Session, actor: Actor, *, name: str, timezone: str, brasao_png: bytes | None
) -> None:
    """Settings: change the municipality's printed name, time zone and brasão."""
    actor.require("admin.settings")
    town = session.scalar(select(Municipality))
    if town is None:
        raise ValidationError({"": "Município ainda não cadastrado."})
    if timezone not in available_timezones():
        raise ValidationError({"timezone": "Fuso horário desconhecido."})
    if len(name.strip()) < 2:
        raise ValidationError({"municipality_name": "Informe o nome do município."})
    town.name, town.timezone, town.brasao_png = name.strip(), timezone, brasao_png
    audit.record(session, actor, audit.UPDATE, entity="municipality", entity_id=str(town.id))
