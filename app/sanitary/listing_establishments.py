"""The printed "Cadastro de estabelecimentos": the establishment register, filtered.

One line per live establishment (name, CNPJ/CPF, address, bairro, main CNAE, risk, situation and
next inspection), filtered by risk (or "not yet classified"), situation, team and bairro, the
filters written under the title, and the total by risk at the end. Issued like every listing of
`app.sanitary.listings`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.registry.models import District
from app.reports import styles
from app.reports.components import chunked_table, column_widths, text
from app.reports.issue import IssuedPdf
from app.sanitary.dashboard import format_holder_document, trade_or_legal
from app.sanitary.enums import EstablishmentStatus, RiskLevel
from app.sanitary.listings import heading, issue_listing
from app.sanitary.models import Establishment, EstablishmentActivity
from app.security.actor import Actor

REGISTER_KIND = "sanitary.establishment_register"
REGISTER_TITLE = "Cadastro de estabelecimentos"
NO_RISK = "-"
REGISTER_HEADER = (
    "Estabelecimento", "CNPJ/CPF", "Endereço", "Bairro", "CNAE principal", "Risco", "Situação",
    "Próxima inspeção",
)  # fmt: skip
REGISTER_WIDTHS = column_widths(19, 17, 17, 13, 10, 5, 10, 9)


@dataclass(frozen=True)
class EstablishmentFilter:
    """Which establishments the register lists ("" = all; risk "-" = not yet classified)."""

    risk: str = ""
    status: str = ""
    team: str = ""
    district_id: uuid.UUID | None = None


def cnae_text(cnae: str | None) -> str:
    """`5611201` → `5611-2/01`."""
    if not cnae or len(cnae) != 7:
        return cnae or ""
    return f"{cnae[:4]}-{cnae[4]}/{cnae[5:]}"


def _register_query(flt: EstablishmentFilter) -> Any:
    main = (
        select(
            EstablishmentActivity.establishment_id,
            func.min(EstablishmentActivity.cnae).label("cnae"),
        )
        .where(EstablishmentActivity.main.is_(True), EstablishmentActivity.deleted_at.is_(None))
        .group_by(EstablishmentActivity.establishment_id)
        .subquery()
    )
    query = (
        select(
            Establishment.trade_name,
            Establishment.legal_name,
            Establishment.holder_kind,
            Establishment.document,
            Establishment.street,
            Establishment.number,
            Establishment.complement,
            District.name,
            main.c.cnae,
            Establishment.risk,
            Establishment.status,
            Establishment.next_inspection_on,
        )
        .outerjoin(District, District.id == Establishment.district_id)
        .outerjoin(main, main.c.establishment_id == Establishment.id)
        .where(Establishment.deleted_at.is_(None))
        .order_by(Establishment.name_key, Establishment.id)
    )
    if flt.risk == NO_RISK:
        query = query.where(Establishment.risk.is_(None))
    elif flt.risk:
        query = query.where(Establishment.risk == RiskLevel(flt.risk))
    if flt.status:
        query = query.where(Establishment.status == EstablishmentStatus(flt.status))
    if flt.team:
        query = query.where(Establishment.team == flt.team)
    if flt.district_id is not None:
        query = query.where(Establishment.district_id == flt.district_id)
    return query


def _address(street: str, number: str, complement: str) -> str:
    place = ", ".join(part for part in (street.strip(), number.strip()) if part)
    return f"{place} – {complement.strip()}" if complement.strip() else place


def _describe_register(session: Session, flt: EstablishmentFilter) -> list[str]:
    parts = []
    if flt.risk:
        parts.append("sem classificação de risco" if flt.risk == NO_RISK else f"risco: {flt.risk}")
    if flt.status:
        parts.append(f"situação: {EstablishmentStatus(flt.status).label}")
    if flt.team:
        parts.append(f"equipe: {flt.team}")
    if flt.district_id is not None:
        name = session.scalar(select(District.name).where(District.id == flt.district_id))
        parts.append(f"bairro: {name or 'não encontrado'}")
    return [
        f"Filtros: {'; '.join(parts)}" if parts else "Filtros: nenhum (todos os estabelecimentos)"
    ]


def establishment_register_pdf(
    session: Session, actor: Actor, flt: EstablishmentFilter
) -> IssuedPdf:
    """Issue the "Cadastro de estabelecimentos" for the chosen filters."""
    actor.require("sanitary.read")
    risks: Counter[str] = Counter()

    def cells() -> Iterator[tuple[str, ...]]:
        for row in session.execute(_register_query(flt)):
            (trade, legal, kind, document, street, number, complement, district, cnae, risk,
             status, next_on) = row  # fmt: skip
            risks[risk.value if risk else NO_RISK] += 1
            yield (
                trade_or_legal(trade, legal), format_holder_document(kind, document),
                _address(street, number, complement), district or "", cnae_text(cnae),
                risk.value if risk else "—", EstablishmentStatus(status).label,
                styles.format_date(next_on),
            )  # fmt: skip

    body = heading(_describe_register(session, flt))
    body.extend(chunked_table(REGISTER_HEADER, cells(), REGISTER_WIDTHS))
    body.append(text(_register_total(risks), styles.TOTAL))
    parameters = {"risk": flt.risk, "status": flt.status, "team": flt.team,
                  "district_id": str(flt.district_id or "")}  # fmt: skip
    return issue_listing(session, actor, REGISTER_KIND, REGISTER_TITLE, body, parameters)


def _register_total(risks: Counter[str]) -> str:
    total = sum(risks.values())
    if not total:
        return "Nenhum estabelecimento encontrado com estes filtros."
    parts = [f"risco {r}: {styles.format_int(risks[r])}" for r in ("III", "II", "I") if risks[r]]
    if risks[NO_RISK]:
        parts.append(f"sem classificação: {styles.format_int(risks[NO_RISK])}")
    counted = styles.plural(total, "estabelecimento", "estabelecimentos")
    return f"Total: {counted} ({'; '.join(parts)})."
