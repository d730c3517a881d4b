"""The numbered legal documents of Vigilância Sanitária: what the inspector fills in to issue
one, and the look-ups every document action shares.

Five kinds (`DocumentKind`): termo de inspeção (TI), termo de intimação/notificação (TN), auto de
infração (AI), auto de coleta de amostra (AC) and termo de interdição (TD). Issuing lives in
`document_issue` (what each kind adds in `document_drafts`); printing, cancelling and the
laboratory result of a sample in `document_actions`; the processo administrativo sanitário that
an auto de infração opens in `process_opening`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.errors import NotFound
from app.sanitary.enums import DocumentKind, Gravity
from app.sanitary.models import SanitaryDocument

PERMISSION = "sanitary.inspect"
DEFAULT_PORTIONS = ("prova", "contraprova", "testemunho")


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


# --- shared look-ups ------------------------------------------------------------------------------


def today_of(session: Session) -> date:
    return clock_of(session).now().date()


def get_document(session: Session, document_id: uuid.UUID) -> SanitaryDocument:
    row = session.get(SanitaryDocument, document_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("Documento não encontrado.")
    return row
