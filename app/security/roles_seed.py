"""The standard roles every installation starts with, and the idempotent step that creates them.

First-run setup and the demo data call `ensure_default_roles`; it creates only the roles that are
missing (matched by name) and never changes a role that exists, since the administrator may have
adjusted it on purpose. "Administrador" receives every permission of the catalogue as it is when
the role is created; permissions added by later versions are granted by editing the role.

A standard role has the same id on every installation (`standard_role_id`, a UUIDv5 of its
name): the hub's roles package (`app.sync.role_package`) then finds the node's own copy by id,
even after the central office renames it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.security.accounts import RoleInput, create_role
from app.security.actor import SYSTEM
from app.security.models import Role
from app.security.permissions import PERMISSIONS

ADMINISTRATOR = "Administrador"
# The namespace of the standard roles' fixed ids (any constant UUID; never change it).
ROLE_NAMESPACE = uuid.UUID("5c1d3e0a-7f38-4d5e-9a61-0b6e2f4c8d17")

DEFAULT_ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        ADMINISTRATOR,
        "Acesso completo, inclusive contas de usuário, perfis e configurações",
        tuple(PERMISSIONS),
    ),
    (
        "Recepção",
        "Cadastro e atendimento ao público: consulta, inclui, altera e imprime cadastros; "
        "agenda, confirma e cancela atendimentos; digita a produção",
        (
            "registry.read",
            "registry.write",
            "registry.print",
            "care.read",
            "care.schedule",
            "care.attend",
            "sync.run",
        ),
    ),
    (
        "Faturamento",
        "Produção da unidade: digita e corrige atendimentos, fecha a competência e gera os "
        "arquivos BPA e e-SUS",
        ("registry.read", "care.read", "care.attend", "care.production"),
    ),
    ("Consulta", "Somente consulta aos cadastros", ("registry.read",)),
    (
        "Auditor",
        "Consulta a trilha de auditoria e os cadastros e verifica documentos impressos",
        ("admin.audit", "registry.read", "documents.verify"),
    ),
    (
        "Fiscal sanitário",
        "Autoridade sanitária: inspeciona no notebook de campo, preenche roteiros e emite termos "
        "e autos; cadastra estabelecimentos",
        (
            "sanitary.read",
            "sanitary.write",
            "sanitary.inspect",
            "documents.verify",
            "sync.run",
        ),
    ),
    (
        "Coordenação da VISA",
        "Coordena a Vigilância Sanitária: planeja e distribui inspeções, mantém roteiros e a "
        "tabela de risco, conduz processos, emite licenças e responde denúncias",
        (
            "sanitary.read",
            "sanitary.write",
            "sanitary.inspect",
            "sanitary.manage",
            "sanitary.process",
            "documents.verify",
            "sync.run",
        ),
    ),
)


def ensure_default_roles(session: Session) -> dict[str, uuid.UUID]:
    """Create the standard roles that are missing; returns every standard role's id by name."""
    existing = {name: role_id for name, role_id in session.execute(select(Role.name, Role.id))}
    ids: dict[str, uuid.UUID] = {}
    for name, description, permissions in DEFAULT_ROLES:
        if name in existing:
            ids[name] = existing[name]
            continue
        data = RoleInput(name=name, description=description, permissions=permissions)
        ids[name] = create_role(session, SYSTEM, data, standard_role_id(name))
    return ids


def standard_role_id(name: str) -> uuid.UUID:
    """The fixed id of the standard role `name`, the same on every installation."""
    return uuid.uuid5(ROLE_NAMESPACE, name)
