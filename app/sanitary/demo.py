"""Demonstration data of Vigilância Sanitária: an illustrative risk table, inspectors, roteiros,
establishments with their history and the day's planned inspections.

Nothing here pretends to be the official list: the CNAE table is a small illustration (its name
says so), the roteiro items paraphrase the kind of requirement real roteiros carry. The demo and
the tests build on these functions; each takes the session and returns what it created.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from validate_docbr import CNPJ

from app.brazil.names import normalize_key
from app.db.session import clock_of
from app.registry.models import District
from app.sanitary.config import current_config
from app.sanitary.enums import (
    EstablishmentStatus,
    HolderKind,
    InspectionOutcome,
    InspectionReason,
    InspectionStatus,
    ItemClass,
    RiskLevel,
    RiskRule,
)
from app.sanitary.models import (
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    CnaeRisk,
    CnaeRiskOverride,
    CnaeRiskQuestion,
    CnaeRiskTable,
    Establishment,
    EstablishmentActivity,
    Inspection,
    SanitaryInspector,
)
from app.sanitary.risk_table import recompute_for_cnaes
from app.sanitary.rules import add_months

FOOD_TEAM = "Equipe Alimentos"
HEALTH_TEAM = "Equipe Serviços de Saúde"

DEMO_TABLE_NAME = "Tabela ilustrativa de demonstração (não é a lista oficial da IN 66/2020)"

# cnae, description, rule, questions ("depende de informação": any yes → III)
RISK_ROWS: tuple[tuple[str, str, RiskRule, tuple[str, ...]], ...] = (
    ("5611201", "Restaurantes e similares", RiskRule.MEDIUM, ()),
    (
        "5620104",
        "Fornecimento de alimentos preparados preponderantemente para consumo domiciliar",
        RiskRule.DEPENDS,
        (
            "Prepara refeições para hospitais, creches ou instituições de longa permanência?",
            "Produz mais de 500 refeições por dia?",
        ),
    ),
    (
        "1091102",
        "Fabricação de produtos de padaria e confeitaria com predominância de produção própria",
        RiskRule.DEPENDS,
        ("Fabrica produtos com recheio ou cobertura à base de creme ou ovos?",),
    ),
    ("4721102", "Padaria e confeitaria com predominância de revenda", RiskRule.MEDIUM, ()),
    ("4722901", "Comércio varejista de carnes - açougues", RiskRule.MEDIUM, ()),
    (
        "4711302",
        "Comércio varejista de mercadorias em geral, com predominância de produtos alimentícios "
        "- supermercados",
        RiskRule.MEDIUM,
        (),
    ),
    (
        "4771701",
        "Comércio varejista de produtos farmacêuticos, sem manipulação de fórmulas",
        RiskRule.HIGH,
        (),
    ),
    (
        "4771702",
        "Comércio varejista de produtos farmacêuticos, com manipulação de fórmulas",
        RiskRule.HIGH,
        (),
    ),
    ("8630504", "Atividade odontológica", RiskRule.HIGH, ()),
    ("8640202", "Laboratórios clínicos", RiskRule.HIGH, ()),
    ("9602501", "Cabeleireiros, manicure e pedicure", RiskRule.LOW, ()),
    ("9313100", "Atividades de condicionamento físico", RiskRule.LOW, ()),
)

OVERRIDES: tuple[tuple[str, str, RiskLevel, str], ...] = (
    (
        "9602501",
        "Cabeleireiros, manicure e pedicure",
        RiskLevel.MEDIUM,
        "Exemplo de regra municipal: uso de instrumentos perfurocortantes",
    ),
)

# name, registration, team, username
INSPECTORS: tuple[tuple[str, str, str, str], ...] = (
    ("Carla Mendes Oliveira", "VISA-0147", FOOD_TEAM, "fiscal"),
    ("Roberto Lima Santos", "VISA-0152", FOOD_TEAM, ""),
    ("Patrícia Gomes Ferreira", "VISA-0098", HEALTH_TEAM, "visa"),
)

# section, text, class, legal reference
FOOD_ITEMS: tuple[tuple[str, str, ItemClass, str], ...] = (
    (
        "Edificação e instalações",
        "Piso, paredes e teto de material liso, lavável e em bom estado de conservação",
        ItemClass.NECESSARY,
        "RDC Anvisa nº 216/2004, item 4.1.3",
    ),
    (
        "Edificação e instalações",
        "Lavatório exclusivo para higiene das mãos na área de manipulação, com sabonete e papel "
        "toalha",
        ItemClass.ESSENTIAL,
        "RDC Anvisa nº 216/2004, item 4.1.14",
    ),
    (
        "Edificação e instalações",
        "Abastecimento de água potável ligado à rede pública ou com potabilidade atestada",
        ItemClass.ESSENTIAL,
        "RDC Anvisa nº 216/2004, item 4.4.1",
    ),
    (
        "Manipuladores",
        "Manipuladores com uniforme limpo, cabelos protegidos e sem adornos",
        ItemClass.NECESSARY,
        "RDC Anvisa nº 216/2004, item 4.6.5",
    ),
    (
        "Manipuladores",
        "Responsável pelas atividades de manipulação capacitado em boas práticas",
        ItemClass.NECESSARY,
        "RDC Anvisa nº 216/2004, item 4.12.2",
    ),
    (
        "Matérias-primas e armazenamento",
        "Alimentos perecíveis armazenados sob refrigeração na temperatura indicada pelo fabricante",
        ItemClass.ESSENTIAL,
        "RDC Anvisa nº 216/2004, item 4.7.5",
    ),
    (
        "Matérias-primas e armazenamento",
        "Produtos dentro do prazo de validade, identificados e protegidos",
        ItemClass.ESSENTIAL,
        "RDC Anvisa nº 216/2004, item 4.7.3",
    ),
    (
        "Matérias-primas e armazenamento",
        "Alimentos armazenados sobre estrados ou prateleiras, afastados do piso e das paredes",
        ItemClass.RECOMMENDED,
        "RDC Anvisa nº 216/2004, item 4.7.6",
    ),
    (
        "Controle de pragas",
        "Controle integrado de vetores e pragas urbanas com comprovante de execução por "
        "empresa licenciada",
        ItemClass.NECESSARY,
        "RDC Anvisa nº 216/2004, item 4.3.2",
    ),
    (
        "Documentação",
        "Manual de Boas Práticas e Procedimentos Operacionais Padronizados disponíveis",
        ItemClass.NECESSARY,
        "RDC Anvisa nº 216/2004, item 4.11.1",
    ),
)

PHARMACY_ITEMS: tuple[tuple[str, str, ItemClass, str], ...] = (
    (
        "Responsabilidade técnica",
        "Farmacêutico responsável técnico presente durante todo o horário de funcionamento",
        ItemClass.ESSENTIAL,
        "Lei nº 13.021/2014, art. 6º, I",
    ),
    (
        "Medicamentos",
        "Medicamentos sujeitos a controle especial guardados sob chave, com escrituração em dia",
        ItemClass.ESSENTIAL,
        "Portaria SVS/MS nº 344/1998",
    ),
    (
        "Medicamentos",
        "Medicamentos termolábeis em refrigerador exclusivo com registro diário de temperatura",
        ItemClass.ESSENTIAL,
        "RDC Anvisa nº 44/2009, art. 36",
    ),
    (
        "Instalações",
        "Ambiente destinado à prestação de serviços farmacêuticos, quando prestados",
        ItemClass.NECESSARY,
        "RDC Anvisa nº 44/2009, art. 15",
    ),
    (
        "Documentação",
        "Licença sanitária e certidão de regularidade técnica afixadas em local visível",
        ItemClass.RECOMMENDED,
        "RDC Anvisa nº 44/2009, art. 10",
    ),
)

TRADE_WORDS = ("Sabor", "Bom Preço", "Central", "Popular", "Nova Era", "Família", "Do Bairro")
KIND_NAMES = {
    "5611201": "Restaurante",
    "5620104": "Marmitaria",
    "1091102": "Panificadora",
    "4721102": "Padaria",
    "4722901": "Açougue",
    "4711302": "Supermercado",
    "4771701": "Drogaria",
    "4771702": "Farmácia de Manipulação",
    "8630504": "Consultório Odontológico",
    "8640202": "Laboratório",
    "9602501": "Salão de Beleza",
    "9313100": "Academia",
}
HEALTH_CNAES = frozenset({"4771701", "4771702", "8630504", "8640202"})


@dataclass(frozen=True)
class SanitaryDemo:
    """What the seed created, for tests and the demo summary."""

    table_id: uuid.UUID
    inspector_ids: dict[str, uuid.UUID]  # by name
    checklist_ids: dict[str, uuid.UUID]  # by name
    version_ids: dict[str, uuid.UUID]  # published version by checklist name
    establishment_ids: list[uuid.UUID]


def seed_risk_table(session: Session, today: date) -> uuid.UUID:
    """The illustrative CNAE risk table (active) and the example municipal override."""
    table = CnaeRiskTable(name=DEMO_TABLE_NAME, source="Demonstração", imported_on=today)
    table.active = True
    session.add(table)
    session.flush()
    for cnae, description, rule, questions in RISK_ROWS:
        session.add(CnaeRisk(table_id=table.id, cnae=cnae, description=description, rule=rule))
        for position, text in enumerate(questions, start=1):
            session.add(
                CnaeRiskQuestion(table_id=table.id, cnae=cnae, position=position, text=text)
            )
    for cnae, description, level, reason in OVERRIDES:
        session.add(
            CnaeRiskOverride(cnae=cnae, description=description, level=level, reason=reason)
        )
    session.flush()
    return table.id


def seed_inspectors(session: Session) -> dict[str, uuid.UUID]:
    ids: dict[str, uuid.UUID] = {}
    for name, registration, team, username in INSPECTORS:
        row = SanitaryInspector(name=name, registration=registration, team=team, username=username)
        session.add(row)
        session.flush()
        ids[name] = row.id
    return ids


def seed_checklist(
    session: Session,
    name: str,
    prefixes: list[str],
    items: tuple[tuple[str, str, ItemClass, str], ...],
) -> tuple[uuid.UUID, uuid.UUID]:
    """A roteiro with version 1 published; returns (checklist id, version id)."""
    checklist = Checklist(name=name, cnae_prefixes=prefixes, description="Roteiro de demonstração")
    session.add(checklist)
    session.flush()
    version = ChecklistVersion(
        checklist_id=checklist.id, number=1, published_at=clock_of(session).now()
    )
    session.add(version)
    session.flush()
    sections: list[str] = []
    for position, (section, text, kind, reference) in enumerate(items, start=1):
        if section not in sections:
            sections.append(section)
        index = sum(1 for s, *_ in items[:position] if s == section)
        session.add(
            ChecklistItem(
                version_id=version.id,
                section=section,
                position=position,
                code=f"{sections.index(section) + 1}.{index}",
                text=text,
                classification=kind,
                legal_reference=reference,
            )
        )
    session.flush()
    return checklist.id, version.id


def _risk_of(cnae: str) -> RiskLevel:
    override = {row[0]: row[2] for row in OVERRIDES}.get(cnae)
    if override is not None:
        return override
    rule = next(row[2] for row in RISK_ROWS if row[0] == cnae)
    return RiskLevel.MEDIUM if rule is RiskRule.DEPENDS else RiskLevel(rule.value)


def _establishment(
    session: Session, rng: random.Random, cnae: str, district: uuid.UUID | None, today: date
) -> Establishment:
    kind = KIND_NAMES[cnae]
    trade = f"{kind} {rng.choice(TRADE_WORDS)}"
    legal = f"{trade} Ltda"
    risk = _risk_of(cnae)
    last = today - timedelta(days=rng.randint(30, 900))
    months = {RiskLevel.LOW: 36, RiskLevel.MEDIUM: 24, RiskLevel.HIGH: 12}[risk]
    row = Establishment(
        holder_kind=HolderKind.CNPJ,
        document=CNPJ().generate(),
        legal_name=legal,
        trade_name=trade,
        name_key=normalize_key(f"{trade} {legal}"),
        street=rng.choice(("Rua das Flores", "Avenida Brasil", "Rua XV de Novembro")),
        number=str(rng.randint(10, 2000)),
        district_id=district,
        phone=f"4133{rng.randint(100000, 999999)}",
        legal_representative=f"{rng.choice(('Ana', 'João', 'Marcos', 'Lúcia'))} Pereira",
        status=EstablishmentStatus.ACTIVE,
        risk=risk,
        risk_reason=f"CNAE {cnae}: grau de risco {risk.value}",
        last_inspection_on=last,
        next_inspection_on=add_months(last, months),
        team=HEALTH_TEAM if cnae in HEALTH_CNAES else FOOD_TEAM,
    )
    session.add(row)
    session.flush()
    session.add(EstablishmentActivity(establishment_id=row.id, cnae=cnae, main=True, team=row.team))
    return row


def seed_establishments(
    session: Session, rng: random.Random, today: date, count: int
) -> list[Establishment]:
    districts = list(session.scalars(select(District.id).where(District.deleted_at.is_(None))))
    cnaes = sorted(KIND_NAMES)
    made = []
    for index in range(count):
        district = rng.choice(districts) if districts else None
        made.append(_establishment(session, rng, cnaes[index % len(cnaes)], district, today))
    session.flush()
    return made


def _history(session: Session, row: Establishment, inspector: uuid.UUID) -> None:
    assert row.last_inspection_on is not None
    session.add(
        Inspection(
            establishment_id=row.id,
            team=row.team,
            reason=InspectionReason.ROUTINE,
            status=InspectionStatus.DONE,
            due_on=row.last_inspection_on,
            performed_on=row.last_inspection_on,
            inspector_id=inspector,
            outcome=InspectionOutcome.SATISFACTORY,
            findings="Inspeção de rotina sem irregularidades.",
        )
    )


def seed_sanitary(
    session: Session, rng: random.Random, *, establishments: int = 40
) -> SanitaryDemo:
    """Everything the VISA demo needs; the day's inspections are assigned to "fiscal"."""
    today = clock_of(session).now().date()
    current_config(session)
    table_id = seed_risk_table(session, today)
    inspectors = seed_inspectors(session)
    food = seed_checklist(
        session, "Serviços de alimentação", ["5611", "5620", "1091", "4721", "4722", "4711"],
        FOOD_ITEMS,
    )  # fmt: skip
    pharmacy = seed_checklist(session, "Drogarias e farmácias", ["4771"], PHARMACY_ITEMS)
    rows = seed_establishments(session, rng, today, establishments)
    fiscal = inspectors[INSPECTORS[0][0]]
    for row in rows:
        _history(session, row, fiscal)
    food_rows = [r for r in rows if r.team == FOOD_TEAM]
    for row in food_rows[:4]:
        session.add(
            Inspection(
                establishment_id=row.id,
                team=row.team,
                due_on=today,
                inspector_id=fiscal,
                status=InspectionStatus.PLANNED,
            )
        )
    session.flush()
    recompute_for_cnaes(session, None)  # the reasons in the rules' own words
    return SanitaryDemo(
        table_id=table_id,
        inspector_ids=inspectors,
        checklist_ids={"Serviços de alimentação": food[0], "Drogarias e farmácias": pharmacy[0]},
        version_ids={"Serviços de alimentação": food[1], "Drogarias e farmácias": pharmacy[1]},
        establishment_ids=[r.id for r in rows],
    )
