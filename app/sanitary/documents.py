"""Issuing, printing and cancelling the numbered legal documents of Vigilância Sanitária.

Five kinds (`DocumentKind`): termo de inspeção (TI), termo de intimação/notificação (TN), auto de
infração (AI), auto de coleta de amostra (AC) and termo de interdição (TD). Each is signed by the
inspector whose account is the actor (`SanitaryInspector.username`), keeps a copy of what it says
(facts, items, deadline, fine range) and gets its legal number last, inside the caller's
transaction: a refused document draws no number, a saved one never loses it. After issue the text
never changes: printing only counts copies (the first print's verification code is kept, reprints
say "2ª VIA"), cancelling marks the document and its number cancelled (both stay on record), and
the laboratory result of a sample is a separate, audited addition (`details["result"]`).

An auto de infração opens the processo administrativo sanitário (`open_process`) in the same
transaction, with the defence deadline as the first due date; on a field laptop (which never
receives processes) the office opens it when the auto arrives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.names import tidy_name
from app.db.base import new_id
from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.reports.issue import IssuedPdf, issue
from app.sanitary import numbers
from app.sanitary.config import ConfigValues, config_values
from app.sanitary.document_queries import document_detail, document_title, municipal_holidays
from app.sanitary.document_reports import build_document_pdf, print_title
from app.sanitary.enums import (
    PROCESS_SERIES,
    Answer,
    DocumentKind,
    EstablishmentStatus,
    Gravity,
    InspectionStatus,
    ProcessStage,
)
from app.sanitary.models import (
    ChecklistItem,
    Establishment,
    Inspection,
    InspectionAnswer,
    ProcessStep,
    SanitaryDocument,
    SanitaryInspector,
    SanitaryProcess,
)
from app.sanitary.rules import Deadline, check_future, deadline
from app.security import audit
from app.security.actor import Actor
from app.sync.node import identity
from app.sync.numbering import cancel_number

PERMISSION = "sanitary.inspect"
# The article of the fine ranges, printed after the configured legal basis on an auto de infração.
NEEDS_INSPECTION = frozenset({DocumentKind.INSPECTION_REPORT, DocumentKind.SUMMONS})
ONE_PER_INSPECTION = frozenset(
    {
        DocumentKind.INSPECTION_REPORT,
        DocumentKind.SUMMONS,
        DocumentKind.INFRACTION,
        DocumentKind.INTERDICTION,
    }
)
EXTENTS = {"total": "Total", "parcial": "Parcial"}
DEFAULT_PORTIONS = ("prova", "contraprova", "testemunho")
PROCESS_STEP_KIND = "autuacao"

NOT_INSPECTOR = (
    "Sua conta não está vinculada a uma autoridade sanitária ativa: somente o fiscal cadastrado "
    "pode lavrar termos e autos. Peça à coordenação da VISA para vincular seu usuário."
)


@dataclass(frozen=True)
class Witness:
    """A witness of a refusal to sign: name and document (CPF or RG)."""

    name: str
    document: str


@dataclass(frozen=True)
class SampleInput:
    """What an auto de coleta de amostra records about the product and its custody."""

    product: str
    brand: str = ""
    lot: str = ""
    manufactured_on: date | None = None
    expires_on: date | None = None
    quantity: str = ""
    unit: str = "unidade(s)"
    units_per_sample: int = 1
    portions: tuple[str, ...] = DEFAULT_PORTIONS
    seals: tuple[str, ...] = ()
    laboratory: str = "LACEN"
    analysis: str = ""
    collected_at: datetime | None = None  # UTC; None = now
    transport: str = ""
    received_by: str = ""
    received_on: date | None = None


@dataclass(frozen=True)
class DocumentInput:
    """Everything the inspector fills in to issue one document (fields unused by a kind ignored).

    `item_ids` are roteiro items answered "não conforme" in the inspection (the items to correct
    of a TN, the irregularities of a TI or AI). A TN's deadline is `deadline_days` counted from
    today, or `deadline_on` when a date is given instead.
    """

    kind: DocumentKind
    inspection_id: uuid.UUID | None = None
    establishment_id: uuid.UUID | None = None
    facts: str = ""
    provisions: str = ""
    item_ids: tuple[uuid.UUID, ...] = ()
    deadline_days: int | None = None
    deadline_on: date | None = None
    gravity: Gravity | None = None
    sample: SampleInput | None = None
    extent: str = ""
    interdicted: str = ""
    receiver_name: str = ""
    receiver_document: str = ""
    refused_to_sign: bool = False
    witnesses: tuple[Witness, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class IssuedDocumentResult:
    """The document just issued (and the process it opened, for an auto de infração)."""

    document_id: uuid.UUID
    kind: DocumentKind
    number_label: str
    title: str
    process_id: uuid.UUID | None = None
    process_label: str = ""


@dataclass(frozen=True)
class ProcessOpened:
    process_id: uuid.UUID
    number_label: str
    due_on: date | None


@dataclass(frozen=True)
class SampleResult:
    """The laboratory's answer about a sample."""

    result_on: date
    satisfactory: bool
    report_number: str
    notes: str = ""
    received_by: str = ""
    received_on: date | None = None


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


def today_of(session: Session) -> date:
    return clock_of(session).now().date()


def preview_deadline(session: Session, days: int, start: date | None = None) -> Deadline:
    """The deadline `days` would give if issued today (for the dialog's live sentence)."""
    config = config_values(session)
    return deadline(
        start or today_of(session),
        days,
        business=config.business_days,
        municipal=municipal_holidays(session),
    )


def _document(session: Session, document_id: uuid.UUID) -> SanitaryDocument:
    row = session.get(SanitaryDocument, document_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("Documento não encontrado.")
    return row


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


# --- per kind -------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """What a kind adds to the document before it is saved."""

    facts: str = ""
    legal_basis: str = ""
    deadline: Deadline | None = None
    gravity: Gravity | None = None
    fine: tuple[Any, Any] = (None, None)
    details: dict[str, Any] = field(default_factory=dict)


def _summons_deadline(session: Session, data: DocumentInput, today: date) -> Deadline:
    if data.deadline_on is not None:
        check_future(data.deadline_on, today, "deadline_days")
        days = (data.deadline_on - today).days
        if days < 1:
            raise ValidationError({"deadline_days": "O prazo deve terminar depois de hoje."})
        return Deadline(days, False, data.deadline_on)
    if data.deadline_days is None:
        raise ValidationError({"deadline_days": "Informe o prazo, em dias, para as correções."})
    if data.deadline_days > 365:
        raise ValidationError({"deadline_days": "O prazo não pode passar de 365 dias."})
    result = preview_deadline(session, data.deadline_days, today)
    check_future(result.ends_on, today, "deadline_days")
    return result


def _inspection_facts(inspection: Inspection | None) -> str:
    return inspection.findings.strip() if inspection is not None else ""


def _draft_report(inspection: Inspection | None, data: DocumentInput, cfg: ConfigValues) -> _Draft:
    assert inspection is not None  # NEEDS_INSPECTION
    facts = data.facts.strip() or _inspection_facts(inspection)
    outcome = inspection.outcome.value if inspection.outcome is not None else ""
    details = {
        "outcome": outcome,
        "reason": inspection.reason.value,
        "performed_on": (inspection.performed_on or inspection.due_on).isoformat(),
    }
    return _Draft(facts=facts, legal_basis=cfg.legal_basis, details=details)


def _draft_summons(
    session: Session, inspection: Inspection | None, data: DocumentInput, cfg: ConfigValues
) -> _Draft:
    draft = _draft_report(inspection, data, cfg)
    draft.deadline = _summons_deadline(session, data, today_of(session))
    return draft


def _draft_infraction(session: Session, data: DocumentInput, cfg: ConfigValues) -> _Draft:
    errors: dict[str, str] = {}
    if not data.facts.strip():
        errors["facts"] = "Descreva os fatos que constituem a infração."
    if not data.provisions.strip():
        errors["provisions"] = "Informe os dispositivos legais infringidos."
    if data.gravity is None:
        errors["gravity"] = "Classifique a infração: leve, grave ou gravíssima."
    if errors:
        raise ValidationError(errors)
    assert data.gravity is not None
    return _Draft(
        facts=data.facts.strip(),
        legal_basis=f"{cfg.legal_basis}, {cfg.fine_basis}",
        deadline=preview_deadline(session, cfg.defence_days),
        gravity=data.gravity,
        fine=cfg.fine_range(data.gravity),
        details={"provisions": data.provisions.strip()},
    )


def _sample_errors(sample: SampleInput | None) -> dict[str, str]:
    if sample is None:
        return {"product": "Informe o produto coletado."}
    errors: dict[str, str] = {}
    required = {
        "product": (sample.product, "Informe o produto coletado."),
        "quantity": (sample.quantity, "Informe a quantidade coletada."),
        "laboratory": (sample.laboratory, "Informe o laboratório de destino."),
        "analysis": (sample.analysis, "Informe a análise solicitada."),
        "transport": (sample.transport, "Informe as condições de transporte da amostra."),
    }
    for name, (value, message) in required.items():
        if not value.strip():
            errors[name] = message
    if not [seal for seal in sample.seals if seal.strip()]:
        errors["seals"] = "Informe o número de ao menos um lacre."
    if not 1 <= sample.units_per_sample <= 999:
        errors["units_per_sample"] = "Informe quantas unidades compõem cada amostra."
    if not [portion for portion in sample.portions if portion.strip()]:
        errors["portions"] = "Informe as partes da amostra (prova, contraprova, testemunho)."
    dates = (sample.manufactured_on, sample.expires_on)
    if dates[0] and dates[1] and dates[1] < dates[0]:
        errors["expires_on"] = "A validade não pode ser anterior à fabricação."
    return errors


def _sample_details(sample: SampleInput, collected_at: datetime, collector: str) -> dict[str, Any]:
    def day(value: date | None) -> str:
        return value.isoformat() if value else ""

    return {
        "product": sample.product.strip(),
        "brand": sample.brand.strip(),
        "lot": sample.lot.strip(),
        "manufactured_on": day(sample.manufactured_on),
        "expires_on": day(sample.expires_on),
        "quantity": sample.quantity.strip(),
        "unit": sample.unit.strip(),
        "units_per_sample": sample.units_per_sample,
        "portions": [p.strip() for p in sample.portions if p.strip()],
        "seals": [s.strip() for s in sample.seals if s.strip()],
        "laboratory": sample.laboratory.strip(),
        "analysis": sample.analysis.strip(),
        "collected_by": collector,
        "collected_at": collected_at.isoformat(),
        "transport": sample.transport.strip(),
        "received_by": sample.received_by.strip(),
        "received_on": day(sample.received_on),
    }


def _draft_sample(
    session: Session, data: DocumentInput, cfg: ConfigValues, collector: str
) -> _Draft:
    errors = _sample_errors(data.sample)
    if errors:
        raise ValidationError(errors)
    assert data.sample is not None
    collected_at = data.sample.collected_at or clock_of(session).now()
    return _Draft(
        facts=data.facts.strip(),
        legal_basis=cfg.legal_basis,
        details={"sample": _sample_details(data.sample, collected_at, collector)},
    )


def _draft_interdiction(data: DocumentInput, cfg: ConfigValues) -> _Draft:
    errors: dict[str, str] = {}
    if data.extent not in EXTENTS:
        errors["extent"] = "Escolha se a interdição é total ou parcial."
    if data.extent == "parcial" and not data.interdicted.strip():
        errors["interdicted"] = "Descreva o que fica interditado (setor, equipamento, produto)."
    if not data.facts.strip():
        errors["facts"] = "Informe o motivo da interdição."
    if errors:
        raise ValidationError(errors)
    interdicted = data.interdicted.strip() or "Todo o estabelecimento"
    return _Draft(
        facts=data.facts.strip(),
        legal_basis=cfg.legal_basis,
        details={"extent": data.extent, "interdicted": interdicted},
    )


def _draft(
    session: Session, data: DocumentInput, inspection: Inspection | None, collector: str
) -> _Draft:
    cfg = config_values(session)
    kind = data.kind
    if kind is DocumentKind.INSPECTION_REPORT:
        return _draft_report(inspection, data, cfg)
    if kind is DocumentKind.SUMMONS:
        return _draft_summons(session, inspection, data, cfg)
    if kind is DocumentKind.INFRACTION:
        return _draft_infraction(session, data, cfg)
    if kind is DocumentKind.SAMPLE:
        return _draft_sample(session, data, cfg, collector)
    return _draft_interdiction(data, cfg)


# --- issue ----------------------------------------------------------------------------------------


def _validated(
    session: Session, actor: Actor, data: DocumentInput
) -> tuple[SanitaryInspector, Inspection | None, Establishment, list[dict[str, Any]], _Draft]:
    inspector = signing_inspector(session, actor)
    inspection, establishment = _inspection_and_establishment(session, data)
    if inspection is not None:
        _check_not_repeated(session, data.kind, inspection)
    errors = _signature_errors(data)
    try:
        draft = _draft(session, data, inspection, inspector.name)
        items = _chosen_items(session, data, inspection)
    except ValidationError as exc:
        raise ValidationError({**exc.errors, **errors}) from exc
    if errors:
        raise ValidationError(errors)
    return inspector, inspection, establishment, items, draft


def _new_document(
    session: Session,
    data: DocumentInput,
    parts: tuple[SanitaryInspector, Inspection | None, Establishment, list[dict[str, Any]], _Draft],
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


# --- process --------------------------------------------------------------------------------------


def open_process(session: Session, actor: Actor, infraction_id: uuid.UUID) -> ProcessOpened:
    """Open the processo administrativo sanitário of an auto de infração (defence stage)."""
    actor.require(PERMISSION)
    document = _document(session, infraction_id)
    if document.kind is not DocumentKind.INFRACTION or document.cancelled_at is not None:
        raise ValidationError({"": "Só um auto de infração válido abre processo."})
    query = select(SanitaryProcess.id).where(SanitaryProcess.infraction_id == document.id)
    if session.scalar(query) is not None:
        raise ValidationError({"": "Este auto de infração já tem processo aberto."})
    process = SanitaryProcess(
        id=new_id(), year=document.issued_on.year, number=0,
        establishment_id=document.establishment_id, infraction_id=document.id,
        opened_on=document.issued_on, stage=ProcessStage.DEFENCE, due_on=document.deadline_on,
    )  # fmt: skip
    drawn = numbers.next_number(session, PROCESS_SERIES, process.year, document_id=str(process.id))
    process.number = drawn.number
    session.add(process)
    session.flush()
    session.add(_first_step(process, document, actor))
    session.flush()
    audit.record(
        session, actor, audit.CREATE, entity="sanitary_process", entity_id=str(process.id),
        detail={"infraction_id": str(document.id), "number": process.number},
    )  # fmt: skip
    return ProcessOpened(process.id, numbers.label(process.number, process.year), process.due_on)


def open_pending_processes(session: Session, actor: Actor) -> list[ProcessOpened]:
    """At the office: open the process of every valid auto de infração that has none yet (autos
    issued on a field laptop arrive through sync without one). Returns what was opened."""
    actor.require(PERMISSION)
    if identity(session).kind == "field":
        return []
    with_process = select(SanitaryProcess.infraction_id)
    query = select(SanitaryDocument.id).where(
        SanitaryDocument.kind == DocumentKind.INFRACTION,
        SanitaryDocument.cancelled_at.is_(None),
        SanitaryDocument.deleted_at.is_(None),
        SanitaryDocument.id.not_in(with_process),
    )
    pending = list(session.scalars(query.order_by(SanitaryDocument.issued_at)))
    return [open_process(session, actor, document_id) for document_id in pending]


def _first_step(process: SanitaryProcess, document: SanitaryDocument, actor: Actor) -> ProcessStep:
    label = numbers.label(document.number, document.year)
    summary = f"Auto de Infração Sanitária nº {label} lavrado e notificado ao autuado."
    if document.deadline_on is not None and document.deadline_days:
        words = Deadline(document.deadline_days, document.deadline_business, document.deadline_on)
        summary += f" Prazo de defesa: {words.sentence()}."
    return ProcessStep(
        process_id=process.id, kind=PROCESS_STEP_KIND, happened_on=document.issued_on,
        stage_after=ProcessStage.DEFENCE, due_on=document.deadline_on, summary=summary,
        recorded_by=actor.full_name or actor.username,
    )  # fmt: skip


# --- print, cancel, sample result -----------------------------------------------------------------


def print_document(session: Session, actor: Actor, document_id: uuid.UUID) -> IssuedPdf:
    """Print a document: the first print is the original, later ones say "2ª VIA"."""
    actor.require(PERMISSION)
    document = _document(session, document_id)
    detail = document_detail(session, actor, document_id)
    copy = document.print_count + 1
    title = print_title(detail, reprint=copy > 1)
    issued = issue(
        session, actor, kind=f"sanitary.document.{document.kind.value}", title=title,
        subject_id=str(document.id), department=config_values(session).department_name,
        build=lambda info: build_document_pdf(info, detail, reprint=copy > 1), legal=True,
        parameters={"document_id": str(document.id), "series": document.series,
                    "year": document.year, "number": document.number, "copy": copy,
                    "cancelled": document.cancelled_at is not None},
    )  # fmt: skip
    if not document.verification_code:
        document.verification_code = issued.code
    document.print_count = copy
    session.flush()
    audit.record(
        session, actor, audit.PRINT, entity="sanitary_document", entity_id=str(document.id),
        detail={"copy": copy, "code": issued.code},
    )  # fmt: skip
    return issued


def cancel_document(session: Session, actor: Actor, document_id: uuid.UUID, reason: str) -> None:
    """Cancel a document and its number (both stay listed; the number is never reused)."""
    actor.require(PERMISSION)
    document = _document(session, document_id)
    if not reason.strip():
        raise ValidationError({"reason": "Informe o motivo do cancelamento."})
    if document.cancelled_at is not None:
        label = numbers.label(document.number, document.year)
        raise ValidationError({"": f"O documento nº {label} já está cancelado."})
    if document.legal_number_id is not None:
        cancel_number(session, document.legal_number_id, reason)
    document.cancelled_at = clock_of(session).now()
    document.cancel_reason = reason.strip()[:300]
    if document.kind is DocumentKind.INTERDICTION:
        _lift_if_last(session, document)
    session.flush()
    audit.record(
        session, actor, audit.UPDATE, entity="sanitary_document", entity_id=str(document.id),
        detail={"fields": ["cancelled_at", "cancel_reason"], "kind": document.kind.value,
                "number": document.number, "year": document.year},
    )  # fmt: skip


def _lift_if_last(session: Session, document: SanitaryDocument) -> None:
    """A cancelled interdiction frees the establishment (unless another interdiction holds)."""
    query = select(SanitaryDocument.id).where(
        SanitaryDocument.establishment_id == document.establishment_id,
        SanitaryDocument.kind == DocumentKind.INTERDICTION,
        SanitaryDocument.cancelled_at.is_(None),
        SanitaryDocument.id != document.id,
    )
    establishment = session.get(Establishment, document.establishment_id)
    if establishment is None or session.scalar(query.limit(1)) is not None:
        return
    if establishment.status is EstablishmentStatus.INTERDICTED:
        establishment.status = EstablishmentStatus.ACTIVE


def record_sample_result(
    session: Session, actor: Actor, document_id: uuid.UUID, result: SampleResult
) -> None:
    """Link the laboratory result to an auto de coleta (the issued text itself never changes)."""
    actor.require(PERMISSION)
    document = _document(session, document_id)
    if document.kind is not DocumentKind.SAMPLE or document.cancelled_at is not None:
        raise ValidationError({"": "Só um auto de coleta de amostra válido recebe resultado."})
    if "result" in document.details:
        raise ValidationError({"": "O resultado desta amostra já foi registrado."})
    errors: dict[str, str] = {}
    if not result.report_number.strip():
        errors["report_number"] = "Informe o número do laudo."
    if result.result_on < document.issued_on or result.result_on > today_of(session):
        errors["result_on"] = "A data do laudo deve estar entre a coleta e hoje."
    if errors:
        raise ValidationError(errors)
    document.details = {**document.details, "result": _result_copy(result)}
    session.flush()
    audit.record(
        session, actor, audit.UPDATE, entity="sanitary_document", entity_id=str(document.id),
        detail={"fields": ["details.result"], "satisfactory": result.satisfactory},
    )  # fmt: skip


def _result_copy(result: SampleResult) -> dict[str, Any]:
    return {
        "result_on": result.result_on.isoformat(),
        "satisfactory": result.satisfactory,
        "report_number": result.report_number.strip(),
        "notes": result.notes.strip(),
        "received_by": result.received_by.strip(),
        "received_on": result.received_on.isoformat() if result.received_on else "",
    }
