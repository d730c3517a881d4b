"""Issuing a numbered legal document of Vigilância Sanitária: validate, number (last) and save.

Each document is signed by the inspector whose account is the actor
(`SanitaryInspector.username`), keeps a copy of what it says (facts, items, deadline, fine range:
`document_drafts`) and gets its legal number last, inside the caller's transaction: a refused
document draws no number, a saved one never loses it. A termo de interdição interdicts the
establishment; an auto de infração opens the processo administrativo sanitário
(`process_opening`) in the same transaction, except on a field laptop (which never receives
processes: the office opens it when the auto arrives).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.names import tidy_name
from app.db.base import new_id
from app.db.session import clock_of
from app.errors import ValidationError
from app.sanitary import numbers
from app.sanitary.document_drafts import Draft, draft_document
from app.sanitary.document_queries import document_title
from app.sanitary.documents import PERMISSION, DocumentInput, Witness
from app.sanitary.enums import Answer, DocumentKind, EstablishmentStatus, InspectionStatus
from app.sanitary.models import (
    ChecklistItem,
    Establishment,
    Inspection,
    InspectionAnswer,
    SanitaryDocument,
    SanitaryInspector,
)
from app.sanitary.process_opening import ProcessOpened, open_process
from app.security import audit
from app.security.actor import Actor
from app.sync.node import identity

NEEDS_INSPECTION = frozenset({DocumentKind.INSPECTION_REPORT, DocumentKind.SUMMONS})
ONE_PER_INSPECTION = frozenset(
    {
        DocumentKind.INSPECTION_REPORT,
        DocumentKind.SUMMONS,
        DocumentKind.INFRACTION,
        DocumentKind.INTERDICTION,
    }
)

NOT_INSPECTOR = (
    "Sua conta não está vinculada a uma autoridade sanitária ativa: somente o fiscal cadastrado "
    "pode lavrar termos e autos. Peça à coordenação da VISA para vincular seu usuário."
)


@dataclass(frozen=True)
class IssuedDocumentResult:
    """The document just issued (and the process it opened, for an auto de infração)."""

    document_id: uuid.UUID
    kind: DocumentKind
    number_label: str
    title: str
    process_id: uuid.UUID | None = None
    process_label: str = ""


# --- shared look-ups ------------------------------------------------------------------------------


def signing_inspector(session: Session, actor: Actor) -> SanitaryInspector:
    """The active inspector whose account is `actor`, or a clear refusal."""
    query = select(SanitaryInspector).where(
        SanitaryInspector.username == actor.username,
        SanitaryInspector.active.is_(True),
        SanitaryInspector.deleted_at.is_(None),
    )
    inspector = session.scalars(query.limit(1)).first()
    if not actor.username or inspector is None:
        raise ValidationError({"": NOT_INSPECTOR})
    return inspector


# --- validation -----------------------------------------------------------------------------------


def _inspection_and_establishment(
    session: Session, data: DocumentInput
) -> tuple[Inspection | None, Establishment]:
    inspection = session.get(Inspection, data.inspection_id) if data.inspection_id else None
    if data.inspection_id and (inspection is None or inspection.deleted_at is not None):
        raise ValidationError({"inspection_id": "Inspeção não encontrada."})
    if inspection is None and data.kind in NEEDS_INSPECTION:
        raise ValidationError(
            {"inspection_id": f"O {data.kind.label} é lavrado a partir de uma inspeção: escolha-a."}
        )
    establishment_id = inspection.establishment_id if inspection else data.establishment_id
    establishment = session.get(Establishment, establishment_id) if establishment_id else None
    if establishment is None or establishment.deleted_at is not None:
        raise ValidationError({"establishment_id": "Escolha o estabelecimento."})
    if inspection is not None:
        _check_inspection(inspection, data.kind)
    return inspection, establishment


def _check_inspection(inspection: Inspection, kind: DocumentKind) -> None:
    if inspection.status is InspectionStatus.CANCELLED:
        raise ValidationError({"inspection_id": "Esta inspeção foi cancelada."})
    if kind in NEEDS_INSPECTION and inspection.status is not InspectionStatus.DONE:
        raise ValidationError(
            {"inspection_id": f"Conclua a inspeção antes de lavrar o {kind.label}."}
        )


def _check_not_repeated(session: Session, kind: DocumentKind, inspection: Inspection) -> None:
    """A second TI/TN/AI/TD of the same inspection is refused while the first is valid."""
    if kind not in ONE_PER_INSPECTION:
        return
    query = select(SanitaryDocument).where(
        SanitaryDocument.inspection_id == inspection.id,
        SanitaryDocument.kind == kind,
        SanitaryDocument.cancelled_at.is_(None),
        SanitaryDocument.deleted_at.is_(None),
    )
    existing = session.scalars(query.limit(1)).first()
    if existing is not None:
        label = numbers.label(existing.number, existing.year)
        raise ValidationError(
            {
                "": f"Esta inspeção já tem o {kind.label} nº {label}. Para outra via, use "
                "“Imprimir / 2ª via”; para corrigi-lo, cancele-o e lavre um novo."
            }
        )


def _signature_errors(data: DocumentInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.refused_to_sign:
        if not data.receiver_name.strip():
            errors["receiver_name"] = "Informe o nome de quem recebe o documento."
        if not data.receiver_document.strip():
            errors["receiver_document"] = "Informe o documento (CPF ou RG) de quem recebe."
        return errors
    witnesses = list(data.witnesses) + [Witness("", "")] * 2
    for index, witness in enumerate(witnesses[:2], start=1):
        if not witness.name.strip():
            errors[f"witness{index}_name"] = f"Informe o nome da {index}ª testemunha."
        if not witness.document.strip():
            errors[f"witness{index}_document"] = f"Informe o CPF ou RG da {index}ª testemunha."
    if len([w for w in data.witnesses if w.name.strip()]) < 2:
        errors.setdefault("witnesses", "Recusa de assinatura exige duas testemunhas identificadas.")
    elif data.witnesses[0].document.strip() == data.witnesses[1].document.strip():
        errors["witness2_document"] = "As duas testemunhas devem ser pessoas diferentes."
    return errors


def _nonconformities(
    session: Session, inspection: Inspection | None
) -> dict[uuid.UUID, tuple[ChecklistItem, InspectionAnswer]]:
    if inspection is None:
        return {}
    query = (
        select(ChecklistItem, InspectionAnswer)
        .join(InspectionAnswer, InspectionAnswer.item_id == ChecklistItem.id)
        .where(
            InspectionAnswer.inspection_id == inspection.id,
            InspectionAnswer.answer == Answer.NON_COMPLIANT,
            InspectionAnswer.deleted_at.is_(None),
        )
        .order_by(ChecklistItem.position)
    )
    return {item.id: (item, answer) for item, answer in session.execute(query)}


def _item_copy(item: ChecklistItem, answer: InspectionAnswer) -> dict[str, Any]:
    return {
        "item_id": str(item.id),
        "code": item.code,
        "section": item.section,
        "text": item.text,
        "classification": item.classification.value,
        "legal_reference": item.legal_reference,
        "observation": answer.observation,
    }


def _chosen_items(
    session: Session, data: DocumentInput, inspection: Inspection | None
) -> list[dict[str, Any]]:
    found = _nonconformities(session, inspection)
    if data.kind is DocumentKind.INSPECTION_REPORT:
        return [_item_copy(item, answer) for item, answer in found.values()]
    unknown = [item_id for item_id in data.item_ids if item_id not in found]
    if unknown:
        raise ValidationError(
            {"items": "Escolha apenas itens marcados como não conformes nesta inspeção."}
        )
    chosen = [found[item_id] for item_id in found if item_id in set(data.item_ids)]
    if data.kind is DocumentKind.SUMMONS and not chosen:
        raise ValidationError({"items": "Marque ao menos um item a corrigir."})
    return [_item_copy(item, answer) for item, answer in chosen]


# --- issue ----------------------------------------------------------------------------------------


def _validated(
    session: Session, actor: Actor, data: DocumentInput
) -> tuple[SanitaryInspector, Inspection | None, Establishment, list[dict[str, Any]], Draft]:
    inspector = signing_inspector(session, actor)
    inspection, establishment = _inspection_and_establishment(session, data)
    if inspection is not None:
        _check_not_repeated(session, data.kind, inspection)
    errors = _signature_errors(data)
    try:
        draft = draft_document(session, data, inspection, inspector.name)
        items = _chosen_items(session, data, inspection)
    except ValidationError as exc:
        raise ValidationError({**exc.errors, **errors}) from exc
    if errors:
        raise ValidationError(errors)
    return inspector, inspection, establishment, items, draft


def _new_document(
    session: Session,
    data: DocumentInput,
    parts: tuple[SanitaryInspector, Inspection | None, Establishment, list[dict[str, Any]], Draft],
) -> SanitaryDocument:
    inspector, inspection, establishment, items, draft = parts
    now = clock_of(session).now()
    witnesses = [
        {"name": tidy_name(w.name), "document": w.document.strip()} for w in data.witnesses[:2]
    ]
    return SanitaryDocument(
        id=new_id(), kind=data.kind, series=data.kind.value, year=now.year, number=0,
        establishment_id=establishment.id, inspection_id=inspection.id if inspection else None,
        issued_on=now.date(), issued_at=now, inspector_id=inspector.id,
        inspector_name=inspector.name, facts=draft.facts, legal_basis=draft.legal_basis,
        items=items, deadline_days=draft.deadline.days if draft.deadline else None,
        deadline_business=draft.deadline.business if draft.deadline else False,
        deadline_on=draft.deadline.ends_on if draft.deadline else None, gravity=draft.gravity,
        fine_min=draft.fine[0], fine_max=draft.fine[1], details=draft.details,
        receiver_name=tidy_name(data.receiver_name),
        receiver_document=data.receiver_document.strip(),
        refused_to_sign=data.refused_to_sign,
        witnesses=witnesses if data.refused_to_sign else [], team=establishment.team,
    )  # fmt: skip


def issue_document(session: Session, actor: Actor, data: DocumentInput) -> IssuedDocumentResult:
    """Validate, number (last) and save one document; an AI opens its process, a TD interdicts."""
    actor.require(PERMISSION)
    parts = _validated(session, actor, data)
    document = _new_document(session, data, parts)
    drawn = numbers.next_number(
        session, data.kind.value, document.year, document_id=str(document.id)
    )
    document.number, document.legal_number_id = drawn.number, drawn.id
    session.add(document)
    session.flush()
    if data.kind is DocumentKind.INTERDICTION:
        parts[2].status = EstablishmentStatus.INTERDICTED
    audit.record(
        session, actor, audit.CREATE, entity="sanitary_document", entity_id=str(document.id),
        detail={"kind": data.kind.value, "number": document.number, "year": document.year,
                "inspection_id": str(document.inspection_id or "")},
    )  # fmt: skip
    opened = _open_if_office(session, actor, document)
    return IssuedDocumentResult(
        document.id, data.kind, numbers.label(document.number, document.year),
        document_title(data.kind, document.number, document.year),
        opened.process_id if opened else None, opened.number_label if opened else "",
    )  # fmt: skip


def _open_if_office(
    session: Session, actor: Actor, document: SanitaryDocument
) -> ProcessOpened | None:
    if document.kind is not DocumentKind.INFRACTION or identity(session).kind == "field":
        return None
    return open_process(session, actor, document.id)
