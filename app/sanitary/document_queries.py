"""Reading the legal documents of Vigilância Sanitária: the list, one document in full, the
documents of an inspection, and what the issue dialog needs to know before issuing.

Everything returns plain frozen dataclasses (never ORM rows) and needs "sanitary.read". The
detail is also what the PDF builder prints, so a document reads the same on screen and on paper.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.brazil.identifiers import format_cep, format_cnpj, format_cpf
from app.brazil.names import normalize_key
from app.care.models import MunicipalHoliday
from app.db.session import clock_of
from app.errors import NotFound
from app.registry.models import District
from app.sanitary import numbers
from app.sanitary.config import config_values
from app.sanitary.enums import (
    Answer,
    DocumentKind,
    Gravity,
    HolderKind,
    InspectionOutcome,
    InspectionReason,
    ItemClass,
)
from app.sanitary.models import (
    ChecklistItem,
    CnaeRisk,
    CnaeRiskOverride,
    CnaeRiskTable,
    Establishment,
    EstablishmentActivity,
    Inspection,
    InspectionAnswer,
    SanitaryDocument,
    SanitaryInspector,
)
from app.sanitary.rules import Deadline, fine_range_text
from app.security.actor import Actor

READ = "sanitary.read"
VALID = "valido"
CANCELLED = "cancelado"
STATUS_LABELS = {VALID: "Válido", CANCELLED: "Cancelado"}
LIST_LIMIT = 1000
_Rows = Select[SanitaryDocument, str, str]
_NUMBER = re.compile(r"^\s*(\d{1,6})\s*(?:/\s*(\d{4}))?\s*$")


def document_title(kind: DocumentKind, number: int, year: int) -> str:
    """`Auto de Infração Sanitária nº 0001/2026`."""
    return f"{kind.label} nº {numbers.label(number, year)}"


def format_cnae(code: str) -> str:
    """`5611201` → `5611-2/01` (the way CNAE subclasses are written)."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 7:
        return code
    return f"{digits[:4]}-{digits[4]}/{digits[5:]}"


def holder_document(kind: HolderKind, document: str) -> str:
    """`CNPJ 12.345.678/0001-95` or `CPF 123.456.789-09`."""
    if kind is HolderKind.CPF:
        return f"CPF {format_cpf(document)}"
    return f"CNPJ {format_cnpj(document)}"


@dataclass(frozen=True)
class DocumentRow:
    """One line of the documents list."""

    id: uuid.UUID
    kind: DocumentKind
    number_label: str
    year: int
    issued_on: date
    establishment_id: uuid.UUID
    establishment_name: str
    inspector_name: str
    print_count: int
    cancelled: bool

    @property
    def kind_label(self) -> str:
        return self.kind.label

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[CANCELLED if self.cancelled else VALID]


@dataclass(frozen=True)
class DocumentFilter:
    """Filters of the list; `status` is VALID, CANCELLED or None (both)."""

    kind: DocumentKind | None = None
    year: int | None = None
    status: str | None = None
    text: str = ""
    establishment_id: uuid.UUID | None = None


@dataclass(frozen=True)
class EstablishmentBrief:
    """The establishment as a document identifies it."""

    id: uuid.UUID
    legal_name: str
    trade_name: str
    document_label: str
    address: str
    district: str
    cep: str
    main_activity: str
    representative: str
    technical: str
    status_label: str


@dataclass(frozen=True)
class DocumentItem:
    """A roteiro item copied into the document when it was issued."""

    code: str
    section: str
    text: str
    classification: str  # label: Imprescindível / Necessário / Recomendável
    legal_reference: str
    observation: str


@dataclass(frozen=True)
class DocumentDetail:
    """A document as issued, plus its printing, cancellation and (samples) laboratory result."""

    id: uuid.UUID
    kind: DocumentKind
    number: int
    year: int
    number_label: str
    title: str
    issued_on: date
    issued_at: datetime
    establishment: EstablishmentBrief
    inspection_id: uuid.UUID | None
    inspection_date: date | None
    inspection_reason: str
    outcome: str
    inspector_name: str
    inspector_registration: str
    inspector_title: str
    facts: str
    legal_basis: str
    provisions: str
    items: tuple[DocumentItem, ...]
    deadline: Deadline | None
    gravity: Gravity | None
    fine_min: Decimal | None
    fine_max: Decimal | None
    sample: dict[str, Any]
    result: dict[str, Any] | None
    extent: str
    interdicted: str
    receiver_name: str
    receiver_document: str
    refused_to_sign: bool
    witnesses: tuple[tuple[str, str], ...]
    print_count: int
    verification_code: str
    cancelled_at: datetime | None
    cancel_reason: str

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def fine_text(self) -> str:
        """`de R$ 2.000,00 a R$ 75.000,00` (empty when the document has no fine)."""
        if self.fine_min is None or self.fine_max is None:
            return ""
        return fine_range_text(self.fine_min, self.fine_max)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[CANCELLED if self.cancelled else VALID]


# --- list -----------------------------------------------------------------------------------------


def _row_query() -> _Rows:
    return (
        select(SanitaryDocument, Establishment.legal_name, Establishment.trade_name)
        .join(Establishment, Establishment.id == SanitaryDocument.establishment_id)
        .where(SanitaryDocument.deleted_at.is_(None))
    )


def _row(document: SanitaryDocument, legal_name: str, trade_name: str) -> DocumentRow:
    name = (
        legal_name if not trade_name or trade_name in legal_name else f"{legal_name} ({trade_name})"
    )
    return DocumentRow(
        id=document.id, kind=document.kind,
        number_label=numbers.label(document.number, document.year), year=document.year,
        issued_on=document.issued_on, establishment_id=document.establishment_id,
        establishment_name=name, inspector_name=document.inspector_name,
        print_count=document.print_count, cancelled=document.cancelled_at is not None,
    )  # fmt: skip


def _text_filter(query: _Rows, text: str) -> _Rows:
    match = _NUMBER.match(text)
    if match:
        query = query.where(SanitaryDocument.number == int(match.group(1)))
        return (
            query.where(SanitaryDocument.year == int(match.group(2))) if match.group(2) else query
        )
    key = normalize_key(text)
    digits = "".join(ch for ch in text if ch.isalnum()).upper()
    conditions = [Establishment.name_key.contains(key)]
    if len(digits) >= 8:
        conditions.append(Establishment.document.contains(digits))
    return query.where(or_(*conditions))


def _filtered(query: _Rows, filters: DocumentFilter) -> _Rows:
    if filters.kind is not None:
        query = query.where(SanitaryDocument.kind == filters.kind)
    if filters.year is not None:
        query = query.where(SanitaryDocument.year == filters.year)
    if filters.status == VALID:
        query = query.where(SanitaryDocument.cancelled_at.is_(None))
    elif filters.status == CANCELLED:
        query = query.where(SanitaryDocument.cancelled_at.is_not(None))
    if filters.establishment_id is not None:
        query = query.where(SanitaryDocument.establishment_id == filters.establishment_id)
    if filters.text.strip():
        query = _text_filter(query, filters.text.strip())
    return query


def list_documents(
    session: Session, actor: Actor, filters: DocumentFilter, limit: int = LIST_LIMIT
) -> list[DocumentRow]:
    """Documents matching `filters`, newest first (series, then number, descending)."""
    actor.require(READ)
    query = _filtered(_row_query(), filters).order_by(
        SanitaryDocument.issued_at.desc(), SanitaryDocument.series, SanitaryDocument.number.desc()
    )
    return [_row(*row) for row in session.execute(query.limit(limit))]


def document_years(session: Session, actor: Actor) -> list[int]:
    """Years that have documents (newest first), for the year filter."""
    actor.require(READ)
    query = select(SanitaryDocument.year).where(SanitaryDocument.deleted_at.is_(None)).distinct()
    return sorted(session.scalars(query), reverse=True)


def documents_of_inspection(
    session: Session, actor: Actor, inspection_id: uuid.UUID
) -> list[DocumentRow]:
    """The documents issued from one inspection, in the order they were issued."""
    actor.require(READ)
    query = _row_query().where(SanitaryDocument.inspection_id == inspection_id)
    query = query.order_by(SanitaryDocument.issued_at, SanitaryDocument.series)
    return [_row(*row) for row in session.execute(query)]


# --- detail ---------------------------------------------------------------------------------------


def _activity_label(session: Session, establishment_id: uuid.UUID) -> str:
    query = select(EstablishmentActivity.cnae).where(
        EstablishmentActivity.establishment_id == establishment_id,
        EstablishmentActivity.deleted_at.is_(None),
    )
    cnae = session.scalars(query.order_by(EstablishmentActivity.main.desc()).limit(1)).first()
    if cnae is None:
        return ""
    return f"{format_cnae(cnae)} – {_cnae_description(session, cnae)}".rstrip(" –")


def _cnae_description(session: Session, cnae: str) -> str:
    override = session.scalar(
        select(CnaeRiskOverride.description).where(
            CnaeRiskOverride.cnae == cnae, CnaeRiskOverride.deleted_at.is_(None)
        )
    )
    if override:
        return override
    query = (
        select(CnaeRisk.description)
        .join(CnaeRiskTable, CnaeRiskTable.id == CnaeRisk.table_id)
        .where(CnaeRisk.cnae == cnae, CnaeRiskTable.active.is_(True))
    )
    return session.scalars(query.limit(1)).first() or ""


def establishment_brief(session: Session, establishment_id: uuid.UUID) -> EstablishmentBrief:
    row = session.get(Establishment, establishment_id)
    if row is None:
        raise NotFound("Estabelecimento não encontrado.")
    district = session.get(District, row.district_id) if row.district_id else None
    street = ", ".join(part for part in (row.street, row.number) if part)
    address = " – ".join(part for part in (street, row.complement) if part)
    technical = " – ".join(part for part in (row.technical_name, row.technical_council) if part)
    return EstablishmentBrief(
        id=row.id, legal_name=row.legal_name, trade_name=row.trade_name,
        document_label=holder_document(row.holder_kind, row.document), address=address,
        district=district.name if district else "", cep=format_cep(row.cep) if row.cep else "",
        main_activity=_activity_label(session, row.id), representative=row.legal_representative,
        technical=technical, status_label=row.status.label,
    )  # fmt: skip


def _enum_label(enum: Any, value: object) -> str:
    """The label of `value` in a labelled StrEnum, or "" for an unknown value."""
    try:
        return str(enum(value).label)
    except ValueError:
        return ""


def _item(data: dict[str, Any]) -> DocumentItem:
    classification = data.get("classification", "")
    label = _enum_label(ItemClass, classification) or classification
    return DocumentItem(
        code=str(data.get("code", "")), section=str(data.get("section", "")),
        text=str(data.get("text", "")), classification=label,
        legal_reference=str(data.get("legal_reference", "")),
        observation=str(data.get("observation", "")),
    )  # fmt: skip


def _inspection_facts(session: Session, document: SanitaryDocument) -> tuple[date | None, str]:
    inspection = session.get(Inspection, document.inspection_id) if document.inspection_id else None
    if inspection is None:
        return None, ""
    return inspection.performed_on or inspection.due_on, inspection.reason.label


def _inspector(session: Session, document: SanitaryDocument) -> tuple[str, str]:
    row = session.get(SanitaryInspector, document.inspector_id) if document.inspector_id else None
    return (row.registration, row.title) if row else ("", "Autoridade sanitária")


def _deadline(document: SanitaryDocument) -> Deadline | None:
    if document.deadline_on is None or not document.deadline_days:
        return None
    return Deadline(document.deadline_days, document.deadline_business, document.deadline_on)


def _outcome(details: dict[str, Any]) -> str:
    value = details.get("outcome", "")
    return _enum_label(InspectionOutcome, value)


def _reason(details: dict[str, Any], fallback: str) -> str:
    value = details.get("reason", "")
    return _enum_label(InspectionReason, value) or fallback


def document_detail(session: Session, actor: Actor, document_id: uuid.UUID) -> DocumentDetail:
    """One document in full, as it was issued."""
    actor.require(READ)
    document = session.get(SanitaryDocument, document_id)
    if document is None or document.deleted_at is not None:
        raise NotFound("Documento não encontrado.")
    details = dict(document.details or {})
    inspection_date, reason = _inspection_facts(session, document)
    registration, title = _inspector(session, document)
    return DocumentDetail(
        id=document.id, kind=document.kind, number=document.number, year=document.year,
        number_label=numbers.label(document.number, document.year),
        title=document_title(document.kind, document.number, document.year),
        issued_on=document.issued_on, issued_at=document.issued_at,
        establishment=establishment_brief(session, document.establishment_id),
        inspection_id=document.inspection_id, inspection_date=inspection_date,
        inspection_reason=_reason(details, reason), outcome=_outcome(details),
        inspector_name=document.inspector_name, inspector_registration=registration,
        inspector_title=title, facts=document.facts, legal_basis=document.legal_basis,
        provisions=str(details.get("provisions", "")),
        items=tuple(_item(item) for item in document.items or []),
        deadline=_deadline(document), gravity=document.gravity, fine_min=document.fine_min,
        fine_max=document.fine_max, sample=dict(details.get("sample") or {}),
        result=details.get("result"), extent=str(details.get("extent", "")),
        interdicted=str(details.get("interdicted", "")), receiver_name=document.receiver_name,
        receiver_document=document.receiver_document, refused_to_sign=document.refused_to_sign,
        witnesses=tuple((w.get("name", ""), w.get("document", "")) for w in document.witnesses),
        print_count=document.print_count, verification_code=document.verification_code,
        cancelled_at=document.cancelled_at, cancel_reason=document.cancel_reason,
    )  # fmt: skip


# --- what the issue dialog needs ------------------------------------------------------------------


@dataclass(frozen=True)
class Nonconformity:
    """An item answered "não conforme" in an inspection (a candidate item to correct)."""

    item_id: uuid.UUID
    code: str
    section: str
    text: str
    classification: ItemClass
    legal_reference: str
    observation: str


@dataclass(frozen=True)
class IssueContext:
    """Everything the issue dialog shows before the inspector fills anything in."""

    today: date
    establishment_id: uuid.UUID | None
    establishment_name: str
    establishment_document: str
    inspection_id: uuid.UUID | None
    inspection_date: date | None
    findings: str
    nonconformities: tuple[Nonconformity, ...]
    existing: tuple[DocumentRow, ...]
    defence_days: int
    business_days: bool
    fine_ranges: dict[Gravity, str]
    holidays: dict[date, str]
    inspector_name: str  # "" when the account signs for no inspector


def nonconformities(session: Session, inspection_id: uuid.UUID) -> list[Nonconformity]:
    query = (
        select(ChecklistItem, InspectionAnswer.observation)
        .join(InspectionAnswer, InspectionAnswer.item_id == ChecklistItem.id)
        .where(
            InspectionAnswer.inspection_id == inspection_id,
            InspectionAnswer.answer == Answer.NON_COMPLIANT,
            InspectionAnswer.deleted_at.is_(None),
        )
        .order_by(ChecklistItem.position)
    )
    return [
        Nonconformity(
            item.id,
            item.code,
            item.section,
            item.text,
            item.classification,
            item.legal_reference,
            observation,
        )
        for item, observation in session.execute(query)
    ]


def _inspector_name(session: Session, actor: Actor) -> str:
    query = select(SanitaryInspector.name).where(
        SanitaryInspector.username == actor.username,
        SanitaryInspector.active.is_(True),
        SanitaryInspector.deleted_at.is_(None),
    )
    if not actor.username:
        return ""
    return session.scalars(query.limit(1)).first() or ""


def municipal_holidays(session: Session) -> dict[date, str]:
    """The municipality's holidays (day → name) that deadlines skip."""
    query = select(MunicipalHoliday.day, MunicipalHoliday.name).where(
        MunicipalHoliday.deleted_at.is_(None)
    )
    return {day: name for day, name in session.execute(query)}


def issue_context(
    session: Session,
    actor: Actor,
    inspection_id: uuid.UUID | None = None,
    establishment_id: uuid.UUID | None = None,
) -> IssueContext:
    """The establishment, the inspection's non-conformities, parameters and documents already
    issued, for the dialog that issues a new document."""
    actor.require(READ)
    inspection = session.get(Inspection, inspection_id) if inspection_id else None
    if inspection_id and inspection is None:
        raise NotFound("Inspeção não encontrada.")
    target = inspection.establishment_id if inspection else establishment_id
    brief = establishment_brief(session, target) if target else None
    cfg = config_values(session)
    existing = documents_of_inspection(session, actor, inspection.id) if inspection else []
    return IssueContext(
        today=clock_of(session).now().date(), establishment_id=target,
        establishment_name=brief.legal_name if brief else "",
        establishment_document=brief.document_label if brief else "",
        inspection_id=inspection.id if inspection else None,
        inspection_date=(inspection.performed_on or inspection.due_on) if inspection else None,
        findings=inspection.findings if inspection else "",
        nonconformities=tuple(nonconformities(session, inspection.id)) if inspection else (),
        existing=tuple(existing), defence_days=cfg.defence_days, business_days=cfg.business_days,
        fine_ranges={g: fine_range_text(*cfg.fine_range(g)) for g in Gravity},
        holidays=municipal_holidays(session), inspector_name=_inspector_name(session, actor),
    )  # fmt: skip


def count_documents(session: Session, actor: Actor, filters: DocumentFilter) -> int:
    """How many documents match `filters` (the list shows at most LIST_LIMIT)."""
    actor.require(READ)
    query = _filtered(_row_query(), filters).subquery()
    return int(session.scalar(select(func.count()).select_from(query)) or 0)
