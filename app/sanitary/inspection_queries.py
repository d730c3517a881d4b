"""Read side of the inspection on the field laptop: the day's work list, the inspection sheet
(roteiro items by section with the answers so far), attachments, the summary of a finished
inspection that the legal documents print, and a small establishment search for unplanned visits.

Everything returns frozen plain rows; screens never see ORM objects.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.brazil.identifiers import format_cnpj, format_cpf
from app.brazil.names import normalize_key
from app.errors import NotFound
from app.registry.models import District
from app.sanitary.enums import (
    Answer,
    EstablishmentStatus,
    HolderKind,
    InspectionOutcome,
    InspectionReason,
    InspectionStatus,
    ItemClass,
    RiskLevel,
)
from app.sanitary.inspections import acting_inspector, visit_day
from app.sanitary.models import (
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    Establishment,
    Inspection,
    InspectionAnswer,
    InspectionAttachment,
    SanitaryInspector,
)
from app.security.actor import Actor

READ = "sanitary.read"
OPEN_STATUSES = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)


def document_text(kind: HolderKind, document: str) -> str:
    """The establishment's CNPJ or CPF, masked as printed."""
    return format_cpf(document) if kind is HolderKind.CPF else format_cnpj(document)


def address_text(place: Establishment) -> str:
    """`Rua das Flores, 120 – sala 2`."""
    text = place.street
    if place.number:
        text = f"{text}, {place.number}" if text else place.number
    if place.complement:
        text = f"{text} – {place.complement}"
    return text


# --- the work list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """One line of an inspector's work list."""

    inspection_id: uuid.UUID
    establishment_id: uuid.UUID
    trade_name: str
    legal_name: str
    document: str
    address: str
    district: str
    risk: RiskLevel | None
    reason: InspectionReason
    status: InspectionStatus
    due_on: date
    overdue: bool

    @property
    def name(self) -> str:
        return self.trade_name or self.legal_name

    @property
    def risk_text(self) -> str:
        return self.risk.label if self.risk else "Não classificado"

    @property
    def status_text(self) -> str:
        if self.overdue:
            return f"{self.status.label} – atrasada (prevista para {self.due_on:%d/%m/%Y})"
        return self.status.label


def work_list(session: Session, actor: Actor, day: date) -> list[WorkItem]:
    """The acting inspector's inspections of `day`, plus every earlier one not done yet.

    Inspections in progress come first, then the overdue ones, then the day's, by name.
    """
    actor.require(READ)
    inspector = acting_inspector(session, actor)
    query = (
        select(Inspection, Establishment, District.name)
        .join(Establishment, Establishment.id == Inspection.establishment_id)
        .outerjoin(District, District.id == Establishment.district_id)
        .where(
            Inspection.inspector_id == inspector.id,
            Inspection.status.in_(OPEN_STATUSES),
            Inspection.due_on <= day,
            Inspection.deleted_at.is_(None),
        )
    )
    rows = [
        _work_item(row, place, district, day) for row, place, district in session.execute(query)
    ]
    rows.sort(key=lambda r: (r.status is not InspectionStatus.IN_PROGRESS, not r.overdue,
                             normalize_key(r.name)))  # fmt: skip
    return rows


def _work_item(row: Inspection, place: Establishment, district: str | None, day: date) -> WorkItem:
    return WorkItem(
        inspection_id=row.id, establishment_id=place.id, trade_name=place.trade_name,
        legal_name=place.legal_name, document=document_text(place.holder_kind, place.document),
        address=address_text(place), district=district or "", risk=place.risk,
        reason=row.reason, status=row.status, due_on=row.due_on, overdue=row.due_on < day,
    )  # fmt: skip


# --- establishments for an unplanned visit ---------------------------------------------------


@dataclass(frozen=True)
class EstablishmentHit:
    establishment_id: uuid.UUID
    name: str
    legal_name: str
    document: str
    address: str
    district: str
    status: EstablishmentStatus


def find_establishments(
    session: Session, actor: Actor, text: str, limit: int = 50
) -> list[EstablishmentHit]:
    """Establishments whose name contains `text`, or whose CNPJ/CPF starts with its digits."""
    actor.require(READ)
    key = normalize_key(text)
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(key) < 2 and len(compact) < 2:
        return []
    conditions = [Establishment.name_key.contains(key, autoescape=True)] if key else []
    if compact:
        conditions.append(Establishment.document.startswith(compact, autoescape=True))
    query = (
        select(Establishment, District.name)
        .outerjoin(District, District.id == Establishment.district_id)
        .where(or_(*conditions), Establishment.deleted_at.is_(None))
        .order_by(Establishment.name_key)
        .limit(limit)
    )
    return [
        EstablishmentHit(
            place.id,
            place.trade_name or place.legal_name,
            place.legal_name,
            document_text(place.holder_kind, place.document),
            address_text(place),
            district or "",
            place.status,
        )
        for place, district in session.execute(query)
    ]


# --- the inspection sheet --------------------------------------------------------------------


@dataclass(frozen=True)
class SheetItem:
    item_id: uuid.UUID
    section: str
    code: str
    text: str
    classification: ItemClass
    legal_reference: str
    answer: Answer | None
    observation: str
    attachments: int

    @property
    def classification_label(self) -> str:
        return self.classification.label

    @property
    def essential_failure(self) -> bool:
        return self.classification is ItemClass.ESSENTIAL and self.answer is Answer.NON_COMPLIANT


@dataclass(frozen=True)
class SheetSection:
    name: str
    items: tuple[SheetItem, ...]


@dataclass(frozen=True)
class EstablishmentInfo:
    establishment_id: uuid.UUID
    name: str
    legal_name: str
    document: str
    address: str
    district: str
    risk: RiskLevel | None
    status: EstablishmentStatus
    legal_representative: str
    technical_name: str

    @property
    def risk_text(self) -> str:
        return self.risk.label if self.risk else "Não classificado"


@dataclass(frozen=True)
class InspectionSheet:
    """Everything the fill-in screen shows."""

    inspection_id: uuid.UUID
    status: InspectionStatus
    reason: InspectionReason
    due_on: date
    started_at: datetime | None
    visit_on: date  # the day the visit started (today while planned): deadlines count from it
    performed_on: date | None
    outcome: InspectionOutcome | None
    findings: str
    correction_due_on: date | None
    received_by: str
    roteiro: str  # "Serviços de alimentação – versão 1"
    establishment: EstablishmentInfo
    sections: tuple[SheetSection, ...]
    general_attachments: int  # attachments about the whole visit (no item)

    @property
    def items(self) -> list[SheetItem]:
        return [item for section in self.sections for item in section.items]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.answer is not None)

    @property
    def essential_failures(self) -> int:
        return sum(1 for item in self.items if item.essential_failure)

    @property
    def unanswered_codes(self) -> list[str]:
        return [item.code for item in self.items if item.answer is None]

    def progress_text(self) -> str:
        """`12 de 15 respondidos — 1 imprescindível não conforme`."""
        if not self.total:
            return "Sem roteiro: as constatações são registradas ao concluir"
        text = f"{self.answered} de {self.total} respondidos"
        failures = self.essential_failures
        if failures == 1:
            return f"{text} — 1 imprescindível não conforme"
        if failures:
            return f"{text} — {failures} imprescindíveis não conformes"
        return f"{text} — nenhum imprescindível não conforme"


def inspection_sheet(session: Session, actor: Actor, inspection_id: uuid.UUID) -> InspectionSheet:
    """The inspection with its establishment and its roteiro's items and answers, by section."""
    actor.require(READ)
    row = _inspection(session, inspection_id)
    place = _establishment_info(session, row.establishment_id)
    return InspectionSheet(
        inspection_id=row.id, status=row.status, reason=row.reason, due_on=row.due_on,
        started_at=row.started_at, visit_on=visit_day(session, row),
        performed_on=row.performed_on, outcome=row.outcome,
        findings=row.findings, correction_due_on=row.correction_due_on,
        received_by=row.received_by, roteiro=_roteiro_label(session, row.checklist_version_id),
        establishment=place, sections=_sections(session, row),
        general_attachments=_attachment_counts(session, row.id).get(None, 0),
    )  # fmt: skip


def _inspection(session: Session, inspection_id: uuid.UUID) -> Inspection:
    row = session.get(Inspection, inspection_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("Inspeção não encontrada (pode ter sido cancelada em outro computador).")
    return row


def _establishment_info(session: Session, establishment_id: uuid.UUID) -> EstablishmentInfo:
    place = session.get(Establishment, establishment_id)
    if place is None:
        raise NotFound("Estabelecimento não encontrado.")
    district = session.get(District, place.district_id) if place.district_id else None
    return EstablishmentInfo(
        establishment_id=place.id, name=place.trade_name or place.legal_name,
        legal_name=place.legal_name, document=document_text(place.holder_kind, place.document),
        address=address_text(place), district=district.name if district else "",
        risk=place.risk, status=place.status, legal_representative=place.legal_representative,
        technical_name=place.technical_name,
    )  # fmt: skip


def _roteiro_label(session: Session, version_id: uuid.UUID | None) -> str:
    if version_id is None:
        return ""
    query = (
        select(Checklist.name, ChecklistVersion.number)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .where(ChecklistVersion.id == version_id)
    )
    found = session.execute(query).first()
    return f"{found[0]} – versão {found[1]}" if found else ""


def _attachment_counts(session: Session, inspection_id: uuid.UUID) -> dict[uuid.UUID | None, int]:
    query = (
        select(InspectionAttachment.item_id, func.count(InspectionAttachment.id))
        .where(
            InspectionAttachment.inspection_id == inspection_id,
            InspectionAttachment.deleted_at.is_(None),
        )
        .group_by(InspectionAttachment.item_id)
    )
    return {item_id: int(count) for item_id, count in session.execute(query)}


def _sections(session: Session, row: Inspection) -> tuple[SheetSection, ...]:
    if row.checklist_version_id is None:
        return ()
    answers = {
        answer.item_id: answer
        for answer in session.scalars(
            select(InspectionAnswer).where(
                InspectionAnswer.inspection_id == row.id, InspectionAnswer.deleted_at.is_(None)
            )
        )
    }
    counts = _attachment_counts(session, row.id)
    query = select(ChecklistItem).where(
        ChecklistItem.version_id == row.checklist_version_id, ChecklistItem.deleted_at.is_(None)
    )
    grouped: dict[str, list[SheetItem]] = {}
    for item in session.scalars(query.order_by(ChecklistItem.position)):
        saved = answers.get(item.id)
        grouped.setdefault(item.section, []).append(
            SheetItem(
                item.id,
                item.section,
                item.code,
                item.text,
                item.classification,
                item.legal_reference,
                saved.answer if saved else None,
                saved.observation if saved else "",
                counts.get(item.id, 0),
            )
        )
    return tuple(SheetSection(name, tuple(items)) for name, items in grouped.items())


# --- attachments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentRow:
    attachment_id: uuid.UUID
    item_id: uuid.UUID | None
    item_code: str
    file_name: str
    media_type: str
    size: int
    caption: str
    sha256: str
    created_at: datetime | None

    @property
    def size_text(self) -> str:
        if self.size < 1024 * 1024:
            return f"{max(1, round(self.size / 1024))} KB"
        return f"{self.size / 1024 / 1024:.1f} MB".replace(".", ",")

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


def attachments(session: Session, inspection_id: uuid.UUID) -> list[AttachmentRow]:
    """The photos and files of an inspection (without their content), oldest first."""
    query = (
        select(
            InspectionAttachment.id,
            InspectionAttachment.item_id,
            ChecklistItem.code,
            InspectionAttachment.file_name,
            InspectionAttachment.media_type,
            func.length(InspectionAttachment.content),
            InspectionAttachment.caption,
            InspectionAttachment.sha256,
            InspectionAttachment.created_at,
        )
        .outerjoin(ChecklistItem, ChecklistItem.id == InspectionAttachment.item_id)
        .where(
            InspectionAttachment.inspection_id == inspection_id,
            InspectionAttachment.deleted_at.is_(None),
        )
        .order_by(InspectionAttachment.created_at, InspectionAttachment.id)
    )
    return [
        AttachmentRow(a_id, item_id, code or "", name, media, int(size or 0), caption, digest, at)
        for a_id, item_id, code, name, media, size, caption, digest, at in session.execute(query)
    ]


def attachment_content(session: Session, attachment_id: uuid.UUID) -> bytes:
    """The stored bytes of one attachment (to show a photo or save a file)."""
    content = session.scalar(
        select(InspectionAttachment.content).where(InspectionAttachment.id == attachment_id)
    )
    if content is None:
        raise NotFound("Anexo não encontrado.")
    return bytes(content)


# --- for the legal documents -----------------------------------------------------------------


@dataclass(frozen=True)
class NonConformity:
    item_id: uuid.UUID
    section: str
    code: str
    text: str
    classification: ItemClass
    legal_reference: str
    observation: str

    @property
    def classification_label(self) -> str:
        return self.classification.label


@dataclass(frozen=True)
class FinishedSummary:
    """A finished inspection as the termos and autos print it."""

    inspection_id: uuid.UUID
    establishment: EstablishmentInfo
    team: str
    reason: InspectionReason
    performed_on: date
    outcome: InspectionOutcome
    findings: str
    correction_days: int | None
    correction_due_on: date | None
    received_by: str
    inspector_id: uuid.UUID | None
    inspector_name: str
    inspector_registration: str
    roteiro: str
    answered: int
    non_conformities: tuple[NonConformity, ...]


def finished_summary(session: Session, actor: Actor, inspection_id: uuid.UUID) -> FinishedSummary:
    """The outcome and the non-conformities (in roteiro order) of a finished inspection."""
    actor.require(READ)
    row = _inspection(session, inspection_id)
    if row.status is not InspectionStatus.DONE or row.outcome is None or not row.performed_on:
        raise NotFound("Esta inspeção ainda não foi concluída.")
    inspector = session.get(SanitaryInspector, row.inspector_id) if row.inspector_id else None
    sheet_items = [item for section in _sections(session, row) for item in section.items]
    failures = tuple(
        NonConformity(
            i.item_id, i.section, i.code, i.text, i.classification, i.legal_reference, i.observation
        )
        for i in sheet_items
        if i.answer is Answer.NON_COMPLIANT
    )
    return FinishedSummary(
        inspection_id=row.id, establishment=_establishment_info(session, row.establishment_id),
        team=row.team, reason=row.reason, performed_on=row.performed_on, outcome=row.outcome,
        findings=row.findings, correction_days=row.correction_days,
        correction_due_on=row.correction_due_on, received_by=row.received_by,
        inspector_id=row.inspector_id, inspector_name=inspector.name if inspector else "",
        inspector_registration=inspector.registration if inspector else "",
        roteiro=_roteiro_label(session, row.checklist_version_id),
        answered=sum(1 for i in sheet_items if i.answer is not None), non_conformities=failures,
    )  # fmt: skip
