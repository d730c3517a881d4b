"""What can happen to a Vigilância Sanitária document after issue, whose text never changes.

Printing only counts copies (the first print's verification code is kept, reprints say "2ª VIA");
cancelling marks the document and its number cancelled (both stay on record; a cancelled termo de
interdição frees the establishment unless another one holds); the laboratory result of a sample
is a separate, audited addition (`details["result"]`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.errors import ValidationError
from app.reports.issue import IssuedPdf, issue
from app.sanitary import numbers
from app.sanitary.config import config_values
from app.sanitary.document_queries import document_detail
from app.sanitary.document_reports import build_document_pdf, print_title
from app.sanitary.documents import PERMISSION, get_document, today_of
from app.sanitary.enums import DocumentKind, EstablishmentStatus
from app.sanitary.models import Establishment, SanitaryDocument
from app.security import audit
from app.security.actor import Actor
from app.sync.numbering import cancel_number


@dataclass(frozen=True)
class SampleResult:
    """The laboratory's answer about a sample."""

    result_on: date
    satisfactory: bool
    report_number: str
    notes: str = ""
    received_by: str = ""
    received_on: date | None = None


# --- print, cancel, sample result -----------------------------------------------------------------


def print_document(session: Session, actor: Actor, document_id: uuid.UUID) -> IssuedPdf:
    """Print a document: the first print is the original, later ones say "2ª VIA"."""
    actor.require(PERMISSION)
    document = get_document(session, document_id)
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
    document = get_document(session, document_id)
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
    document = get_document(session, document_id)
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
