"""The demo: a fictional secretariat with synthetic but valid data and one account per role.

`saude-municipal --demo` (and `make run`) call `create_demo` on an empty database. Every person is
invented; identifiers pass the official check-digit routines but belong to nobody. The
municipality code is the real IBGE code of Santa Lúcia/PR so addresses validate; the secretariat,
its units, professionals and citizens are fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.db.session import Database
from app.installation.models import NodeKind
from app.installation.service import SetupInput, complete_setup
from app.installation.synthetic import UniqueDraw, citizen_rows, person_name
from app.registry.enums import Sex, UnitKind
from app.registry.models import Citizen
from app.registry.units import create_district, create_professional, create_unit
from app.security.accounts import AccountInput, create_account
from app.security.actor import SYSTEM
from app.security.roles_seed import ensure_default_roles

DEMO_IBGE = "4123824"
DEMO_UNIT = "7654321"

# (username, password, role, what it shows) — listed in the README.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("admin", "admin2026", "Administrador", "tudo, inclusive contas, perfis e auditoria"),
    ("recepcao", "recepcao2026", "Recepção", "cadastro de cidadãos e impressão de fichas"),
    ("consulta", "consulta2026", "Consulta", "somente consulta ao cadastro"),
    ("auditor", "auditor2026", "Auditor", "trilha de auditoria e verificação de documentos"),
)

DISTRICTS = (
    "Centro",
    "Vila Nova",
    "Jardim das Acácias",
    "São Cristóvão",
    "Alto da Colina",
    "Parque Industrial",
    "Vila Rural Esperança",
    "Conjunto Habitacional Sol Nascente",
)

UNITS = (
    (DEMO_UNIT, "UBS Centro", UnitKind.UBS),
    ("7654348", "UBS Vila Nova", UnitKind.UBS),
    ("7654356", "UBS Jardim das Acácias", UnitKind.UBS),
    ("7654364", "Centro de Especialidades Municipal", UnitKind.SPECIALTY),
    ("7654372", "Vigilância em Saúde", UnitKind.SURVEILLANCE),
)

OCCUPATIONS = (
    ("225142", "Médico da estratégia de saúde da família"),
    ("223565", "Enfermeiro da estratégia de saúde da família"),
    ("322245", "Técnico de enfermagem da estratégia de saúde da família"),
    ("223208", "Cirurgião dentista - clínico geral"),
    ("515105", "Agente comunitário de saúde"),
)


@dataclass(frozen=True)
class DemoSummary:
    node_id: str
    citizens: int
    units: int
    professionals: int


def create_demo(db: Database, *, citizens: int = 3000, seed: int = 2026) -> DemoSummary:
    """Fill an empty database with the demo secretariat (one transaction)."""
    rng = random.Random(seed)
    with db.unit_of_work("sistema") as session:
        node_id = complete_setup(session, _setup_input())
        db.node_id = node_id
        roles = ensure_default_roles(session)
        for username, password, role, _ in DEMO_ACCOUNTS[1:]:
            create_account(
                session,
                SYSTEM,
                AccountInput(
                    username=username,
                    full_name=f"Conta de demonstração ({role})",
                    password=password,
                    role_ids=[roles[role]],
                    unit_restriction=[],
                    must_change_password=False,
                ),
            )
        districts = [create_district(session, SYSTEM, name) for name in DISTRICTS]
        for cnes, name, kind in UNITS:
            create_unit(session, SYSTEM, cnes=cnes, name=name, kind=kind)
        professionals = _professionals(session, rng)
        rows = citizen_rows(
            rng,
            citizens,
            today=db.clock.now().date(),
            district_ids=districts,
            unit_cnes=[cnes for cnes, _, kind in UNITS if kind is UnitKind.UBS],
            municipality_ibge=DEMO_IBGE,
            node_id=node_id,
        )
        batch = list(rows)
        if batch:  # an empty executemany would insert one row of defaults
            session.execute(insert(Citizen), batch)
    return DemoSummary(node_id, citizens, len(UNITS), professionals)


def _setup_input() -> SetupInput:
    admin = DEMO_ACCOUNTS[0]
    return SetupInput(
        municipality_name="Santa Lúcia (demonstração)",
        uf="PR",
        ibge_code=DEMO_IBGE,
        timezone="America/Sao_Paulo",
        installation_name="Secretaria — sede (demonstração)",
        kind=NodeKind.HUB,
        unit_cnes="",
        admin_username=admin[0],
        admin_full_name="Administradora de Demonstração",
        admin_password=admin[1],
    )


def _professionals(session: Session, rng: random.Random) -> int:
    draw = UniqueDraw(rng)
    count = 0
    for cnes, _name, kind in UNITS:
        if kind is not UnitKind.UBS:
            continue
        for cbo, title in OCCUPATIONS:
            sex = Sex.FEMALE if rng.random() < 0.6 else Sex.MALE
            create_professional(
                session,
                SYSTEM,
                name=person_name(rng, sex),
                cns=draw.cns(),
                bonds=[(cnes, cbo, title)],
            )
            count += 1
    return count
