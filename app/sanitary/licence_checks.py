"""Licença sanitária: its status today, and the verification of a printed code.

A licence is valid until `valid_until`, unless revoked or replaced by a renewal; while the
establishment is interdicted (a valid termo de interdição), its licence is reported SUSPENDED:
verification says so and names the termo; cancelling the termo or lifting the interdiction makes
the licence valid again (the licence itself is never rewritten). Anyone with `documents.verify`
can check a code (`verify_licence`, or `cli_verify` from the command line); a reprint's own code
is found through the register of issued documents.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.session import Database
from app.reports import codes
from app.reports.models import IssuedDocument
from app.sanitary.enums import DocumentKind, EstablishmentStatus
from app.sanitary.licence_printing import PRINT_KIND
from app.sanitary.licences import get_establishment, get_licence, renewed_ids, today_of
from app.sanitary.models import Establishment, SanitaryDocument, SanitaryLicence
from app.sanitary.numbers import label
from app.sanitary.process_queries import establishment_name, holder_document
from app.security import audit
from app.security.actor import SYSTEM, Actor

NOT_FOUND = "Código não encontrado: o documento pode ser falso."

VALID = "valida"
EXPIRED = "vencida"
REVOKED = "revogada"
SUSPENDED = "suspensa"
RENEWED = "substituida"
UNKNOWN = "nao_encontrado"

STATUS_LABELS = {
    VALID: "Válida",
    EXPIRED: "Vencida",
    REVOKED: "Revogada",
    SUSPENDED: "Suspensa (estabelecimento interditado)",
    RENEWED: "Substituída (renovada)",
}


@dataclass(frozen=True)
class LicenceCheck:
    """The answer to "is this licence valid?", with a Portuguese sentence for the screen."""

    found: bool
    status: str
    message: str
    number: str = ""
    establishment: str = ""
    document: str = ""
    valid_until: date | None = None

    @property
    def valid(self) -> bool:
        return self.status == VALID


# --- status -----------------------------------------------------------------------------------


def licence_status(
    licence: SanitaryLicence, renewed: bool, today: date, interdicted: bool = False
) -> str:
    if licence.revoked_at is not None:
        return REVOKED
    if renewed:
        return RENEWED
    if licence.valid_until < today:
        return EXPIRED
    return SUSPENDED if interdicted else VALID


def _interdiction(session: Session, establishment_id: uuid.UUID) -> SanitaryDocument | None:
    """The latest valid termo de interdição of an establishment, if any."""
    query = select(SanitaryDocument).where(
        SanitaryDocument.establishment_id == establishment_id,
        SanitaryDocument.kind == DocumentKind.INTERDICTION,
        SanitaryDocument.cancelled_at.is_(None),
        SanitaryDocument.deleted_at.is_(None),
    )
    return session.scalars(query.order_by(SanitaryDocument.issued_at.desc()).limit(1)).first()


# --- verification -----------------------------------------------------------------------------


def _find_by_code(session: Session, code: str) -> SanitaryLicence | None:
    query = select(SanitaryLicence).where(
        SanitaryLicence.verification_code == code, SanitaryLicence.deleted_at.is_(None)
    )
    found = session.scalars(query).first()
    if found is not None:
        return found
    # A reprint carries its own code: the register of issued documents points to the licence.
    subject = session.scalar(
        select(IssuedDocument.subject_id).where(
            IssuedDocument.code == code, IssuedDocument.kind == PRINT_KIND
        )
    )
    return get_licence(session, uuid.UUID(subject)) if subject else None


def _check_message(
    licence: SanitaryLicence, establishment: Establishment, status: str, successor: str
) -> str:
    """The sentence shown on screen and printed by the CLI (SUSPENDED is worded by the caller)."""
    kind = "PROVISÓRIA " if licence.provisional else ""
    head = f"Licença sanitária {kind}nº {label(licence.number, licence.year)}"
    who = f"{establishment_name(establishment)}, {holder_document(establishment)}"
    until = f"{licence.valid_until:%d/%m/%Y}"
    if status == VALID:
        return f"{head}: VÁLIDA até {until}. {who}."
    if status == EXPIRED:
        since = licence.valid_until + timedelta(days=1)
        return f"{head}: VENCIDA desde {since:%d/%m/%Y} (era válida até {until}). {who}."
    if status == REVOKED:
        assert licence.revoked_at is not None
        return (
            f"{head}: REVOGADA em {licence.revoked_at:%d/%m/%Y}. Motivo: {licence.revoke_reason}. "
            f"{who}."
        )
    return f"{head}: SUBSTITUÍDA pela licença nº {successor} (renovação). {who}."


def verify_licence(session: Session, actor: Actor, code: str) -> LicenceCheck:
    """Say whether the licence printed with `code` is valid today, expired, revoked or renewed."""
    actor.require("documents.verify")
    canonical = codes.canonical(code)
    licence = _find_by_code(session, canonical) if canonical else None
    if licence is None:
        result = LicenceCheck(False, UNKNOWN, NOT_FOUND)
    else:
        result = _check(session, licence)
    audit.record(
        session, actor, audit.VERIFY_DOCUMENT, entity="sanitary_licence",
        entity_id=str(licence.id) if licence else None,
        detail={"code": canonical, "found": result.found, "status": result.status},
    )  # fmt: skip
    return result


def _check(session: Session, licence: SanitaryLicence) -> LicenceCheck:
    establishment = get_establishment(session, licence.establishment_id)
    successor_row = renewed_ids(session, [licence.id]).get(licence.id)
    successor = label(successor_row.number, successor_row.year) if successor_row else ""
    interdicted = establishment.status is EstablishmentStatus.INTERDICTED
    status = licence_status(licence, successor_row is not None, today_of(session), interdicted)
    message = _check_message(licence, establishment, status, successor)
    if status == SUSPENDED:
        message = _suspended_message(session, licence, establishment)
    return LicenceCheck(
        found=True,
        status=status,
        message=message,
        number=label(licence.number, licence.year),
        establishment=establishment_name(establishment),
        document=holder_document(establishment),
        valid_until=licence.valid_until,
    )


def _suspended_message(
    session: Session, licence: SanitaryLicence, establishment: Establishment
) -> str:
    kind = "PROVISÓRIA " if licence.provisional else ""
    head = f"Licença sanitária {kind}nº {label(licence.number, licence.year)}"
    who = f"{establishment_name(establishment)}, {holder_document(establishment)}"
    term = _interdiction(session, establishment.id)
    since = (
        f" pelo Termo de Interdição nº {label(term.number, term.year)}, "
        f"de {term.issued_on:%d/%m/%Y}"
        if term is not None
        else ""
    )
    return (
        f"{head}: SUSPENSA — o estabelecimento está interditado{since}. "
        f"Desfeita a interdição, volta a valer até {licence.valid_until:%d/%m/%Y}. {who}."
    )


def cli_verify(db: Database, code: str) -> tuple[int, str]:
    """`saude-municipal-cli visa verificar CODIGO`: exit 0 valid, 1 not valid, 2 not found."""
    with db.unit_of_work("sistema") as session:
        result = verify_licence(session, SYSTEM, code)
    if result.valid:
        return 0, result.message
    return (1 if result.found else 2), result.message
