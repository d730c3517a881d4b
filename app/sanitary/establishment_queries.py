"""Read side of establishments: the filtered, paged list and the detail with its history.

Search text is read as words of the legal or trade name (accents ignored, through `name_key`) or
as the beginning of a CNPJ/CPF (mask characters ignored). Filters: risk, status, team, bairro.
Everything returned is a plain frozen dataclass; reads need `sanitary.read`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.brazil.identifiers import clean_cnpj
from app.brazil.names import normalize_key
from app.errors import NotFound
from app.registry.models import District
from app.sanitary.enums import (
    DocumentKind,
    EstablishmentStatus,
    HolderKind,
    InspectionOutcome,
    InspectionReason,
    InspectionStatus,
    RiskLevel,
    RiskRule,
)
from app.sanitary.establishments import format_document
from app.sanitary.models import (
    Establishment,
    EstablishmentActivity,
    Inspection,
    SanitaryDocument,
    SanitaryInspector,
    SanitaryLicence,
)
from app.sanitary.numbers import label as number_label
from app.sanitary.risk import activity_risk, answer_of, format_cnae
from app.sanitary.risk_table import lookup_many
from app.security.actor import Actor

READ = "sanitary.read"
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class EstablishmentFilter:
    text: str = ""
    risk: RiskLevel | None = None
    status: EstablishmentStatus | None = None
    team: str | None = None  # None: every team; "" only establishments without a team
    district_id: str = ""


@dataclass(frozen=True)
class EstablishmentRow:
    id: uuid.UUID
    legal_name: str
    trade_name: str
    holder_kind: HolderKind
    document: str
    document_label: str  # masked
    district: str
    risk: RiskLevel | None
    status: EstablishmentStatus
    next_inspection_on: date | None
    team: str


@dataclass(frozen=True)
class QuestionAnswer:
    position: int
    text: str
    answer: bool | None


@dataclass(frozen=True)
class ActivityRow:
    cnae: str
    cnae_label: str
    description: str
    main: bool
    rule: RiskRule | None  # None: the CNAE is no longer in the table
    overridden: bool
    level: RiskLevel | None
    reason: str
    questions: tuple[QuestionAnswer, ...]


@dataclass(frozen=True)
class InspectionRow:
    id: uuid.UUID
    day: date  # performed on, or due on while not performed
    reason: InspectionReason
    status: InspectionStatus
    outcome: InspectionOutcome | None
    inspector: str


@dataclass(frozen=True)
class DocumentRow:
    id: uuid.UUID
    kind: DocumentKind
    kind_label: str
    number_label: str
    issued_on: date
    cancelled: bool


@dataclass(frozen=True)
class LicenceRow:
    id: uuid.UUID
    number_label: str
    issued_on: date
    valid_until: date
    provisional: bool
    revoked: bool


@dataclass(frozen=True)
class EstablishmentDetail:
    id: uuid.UUID
    holder_kind: HolderKind
    document: str
    document_label: str
    legal_name: str
    trade_name: str
    cep: str
    street: str
    number: str
    complement: str
    district_id: str
    district: str
    phone: str
    email: str
    legal_representative: str
    technical_name: str
    technical_council: str
    notes: str
    team: str
    status: EstablishmentStatus
    risk: RiskLevel | None
    risk_reason: str
    last_inspection_on: date | None
    next_inspection_on: date | None
    activities: tuple[ActivityRow, ...]
    inspections: tuple[InspectionRow, ...]
    documents: tuple[DocumentRow, ...]
    licences: tuple[LicenceRow, ...]

    @property
    def address(self) -> str:
        parts = [", ".join(p for p in (self.street, self.number) if p), self.complement]
        text = " – ".join(p for p in parts if p)
        return ", ".join(p for p in (text, self.district) if p)


# --- list ------------------------------------------------------------------------------------


def _text_clause(text: str) -> ColumnElement[bool] | None:
    words = normalize_key(text).split()
    if not words:
        return None
    by_name = and_(*(Establishment.name_key.contains(word, autoescape=True) for word in words))
    document = clean_cnpj(text)
    if len(document) >= 3 and any(ch.isdigit() for ch in document) and " " not in text.strip():
        return or_(by_name, Establishment.document.startswith(document, autoescape=True))
    return by_name


def _filtered(query: AnySelect, flt: EstablishmentFilter) -> AnySelect:
    query = query.where(Establishment.deleted_at.is_(None))
    clause = _text_clause(flt.text)
    if clause is not None:
        query = query.where(clause)
    if flt.risk is not None:
        query = query.where(Establishment.risk == flt.risk)
    if flt.status is not None:
        query = query.where(Establishment.status == flt.status)
    if flt.team is not None:
        query = query.where(Establishment.team == flt.team)
    if flt.district_id:
        query = query.where(Establishment.district_id == uuid.UUID(flt.district_id))
    return query


def find_establishments(
    session: Session,
    actor: Actor,
    flt: EstablishmentFilter,
    *,
    offset: int = 0,
    limit: int = 200,
) -> list[EstablishmentRow]:
    """One page of the list, by name (trade name first, as the name key is built)."""
    actor.require(READ)
    query = _filtered(
        select(Establishment, District.name).outerjoin(
            District, District.id == Establishment.district_id
        ),
        flt,
    )
    query = query.order_by(Establishment.name_key, Establishment.id).offset(offset).limit(limit)
    return [_row(e, district or "") for e, district in session.execute(query)]


def _row(e: Establishment, district: str) -> EstablishmentRow:
    return EstablishmentRow(
        e.id, e.legal_name, e.trade_name, e.holder_kind, e.document,
        format_document(e.holder_kind, e.document), district, e.risk, e.status,
        e.next_inspection_on, e.team,
    )  # fmt: skip


def count_establishments(session: Session, actor: Actor, flt: EstablishmentFilter) -> int:
    actor.require(READ)
    query = _filtered(select(func.count(Establishment.id)), flt)
    return int(session.scalar(query) or 0)


def list_teams(session: Session) -> list[str]:
    """VISA teams known here (of inspectors and establishments), for combos and filters."""
    inspectors = select(SanitaryInspector.team).where(SanitaryInspector.deleted_at.is_(None))
    establishments = select(Establishment.team).distinct()
    teams = set(session.scalars(inspectors)) | set(session.scalars(establishments))
    return sorted(team for team in teams if team)


# --- detail ----------------------------------------------------------------------------------


def establishment_detail(
    session: Session, actor: Actor, establishment_id: uuid.UUID
) -> EstablishmentDetail:
    actor.require(READ)
    e = session.get(Establishment, establishment_id)
    if e is None or e.deleted_at is not None:
        raise NotFound(
            "Estabelecimento não encontrado (pode ter sido excluído em outro computador)."
        )
    district = session.get(District, e.district_id) if e.district_id else None
    return EstablishmentDetail(
        e.id, e.holder_kind, e.document, format_document(e.holder_kind, e.document),
        e.legal_name, e.trade_name, e.cep, e.street, e.number, e.complement,
        str(e.district_id or ""), district.name if district else "", e.phone, e.email,
        e.legal_representative, e.technical_name, e.technical_council, e.notes, e.team,
        e.status, e.risk, e.risk_reason, e.last_inspection_on, e.next_inspection_on,
        _activities(session, e.id), _inspections(session, e.id), _documents(session, e.id),
        _licences(session, e.id),
    )  # fmt: skip


def _activities(session: Session, establishment_id: uuid.UUID) -> tuple[ActivityRow, ...]:
    query = (
        select(EstablishmentActivity)
        .where(
            EstablishmentActivity.establishment_id == establishment_id,
            EstablishmentActivity.deleted_at.is_(None),
        )
        .order_by(EstablishmentActivity.main.desc(), EstablishmentActivity.created_at)
    )
    activities = list(session.scalars(query))
    infos = lookup_many(session, [a.cnae for a in activities])
    rows = []
    for activity in activities:
        info, answers = infos.get(activity.cnae), dict(activity.answers or {})
        if info is None:
            rows.append(ActivityRow(activity.cnae, format_cnae(activity.cnae),
                                    "(não consta da tabela de risco vigente)", activity.main,
                                    None, False, None, "", ()))  # fmt: skip
            continue
        risk = activity_risk(info, answers)
        questions = tuple(
            QuestionAnswer(n, text, answer_of(answers, n))
            for n, text in enumerate(info.questions, start=1)
        )
        rows.append(ActivityRow(activity.cnae, info.label, info.description, activity.main,
                                info.rule, info.overridden, risk.level, risk.reason,
                                questions if not info.overridden else ()))  # fmt: skip
    return tuple(rows)


def _inspections(session: Session, establishment_id: uuid.UUID) -> tuple[InspectionRow, ...]:
    day = func.coalesce(Inspection.performed_on, Inspection.due_on)
    query = (
        select(Inspection, SanitaryInspector.name)
        .outerjoin(SanitaryInspector, SanitaryInspector.id == Inspection.inspector_id)
        .where(Inspection.establishment_id == establishment_id, Inspection.deleted_at.is_(None))
        .order_by(day.desc())
    )
    return tuple(
        InspectionRow(i.id, i.performed_on or i.due_on, i.reason, i.status, i.outcome, name or "")
        for i, name in session.execute(query)
    )


def _documents(session: Session, establishment_id: uuid.UUID) -> tuple[DocumentRow, ...]:
    query = (
        select(SanitaryDocument)
        .where(
            SanitaryDocument.establishment_id == establishment_id,
            SanitaryDocument.deleted_at.is_(None),
        )
        .order_by(SanitaryDocument.issued_at.desc())
    )
    return tuple(
        DocumentRow(
            d.id,
            d.kind,
            d.kind.label,
            f"{d.series} {number_label(d.number, d.year)}",
            d.issued_on,
            d.cancelled_at is not None,
        )
        for d in session.scalars(query)
    )


def _licences(session: Session, establishment_id: uuid.UUID) -> tuple[LicenceRow, ...]:
    query = (
        select(SanitaryLicence)
        .where(
            SanitaryLicence.establishment_id == establishment_id,
            SanitaryLicence.deleted_at.is_(None),
        )
        .order_by(SanitaryLicence.issued_on.desc())
    )
    return tuple(
        LicenceRow(
            x.id,
            number_label(x.number, x.year),
            x.issued_on,
            x.valid_until,
            x.provisional,
            x.revoked_at is not None,
        )
        for x in session.scalars(query)
    )
