"""Issuing documents and checking them later: every PDF handed out is registered under its code.

`issue` gives a report its page header (from the municipality's profile), a fresh verification
code, builds the PDF through the report's own callback, registers it (`IssuedDocument`: what,
who, when, page count, SHA-256 of the bytes and the parameters — ids and filter values, never
health content) and records the printing in the audit trail. `verify` answers the question of
whoever holds a printed sheet: was this code issued here, for what, when and by whom?
`verify_pdf_bytes` also checks that a saved file is byte for byte the one that was issued.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.base import new_id
from app.db.session import clock_of
from app.errors import ValidationError
from app.installation.models import Municipality
from app.reports import codes, styles
from app.reports.models import IssuedDocument
from app.reports.page import PageInfo, page_count
from app.security import audit
from app.security.actor import Actor

DEFAULT_TIMEZONE = "America/Sao_Paulo"
_CODE_ATTEMPTS = 8

NO_MUNICIPALITY = "Cadastre os dados do município antes de imprimir."
MALFORMED = "Código mal formado: confira os caracteres digitados."
UNKNOWN = "Nenhum documento emitido com este código. O documento pode ser falso."
ALTERED = "O conteúdo do arquivo não confere com o documento emitido."


@dataclass(frozen=True)
class IssuedPdf:
    """A document just issued: its code, its bytes (to preview, print or save) and its row id."""

    code: str
    title: str
    pdf: bytes
    page_count: int
    document_id: uuid.UUID


@dataclass(frozen=True)
class Verification:
    """The answer to "is this document authentic?", with a sentence for the screen.

    `found` says the code was issued here; `authentic` is True only when it was and, if a file was
    checked, the file's bytes are the ones issued.
    """

    found: bool
    message: str
    authentic: bool = False
    code: str = ""
    kind: str = ""
    title: str = ""
    issued_at: datetime | None = None
    issued_by: str = ""
    page_count: int = 0
    sha256: str = ""


def municipality_of(session: Session) -> Municipality:
    """The municipality's profile, or a ValidationError asking to fill it in first."""
    query = select(Municipality).where(Municipality.deleted_at.is_(None)).limit(1)
    municipality = session.scalars(query).first()
    if municipality is None:
        raise ValidationError({"": NO_MUNICIPALITY})
    return municipality


def _unused_code(session: Session) -> str:
    for _ in range(_CODE_ATTEMPTS):
        code = codes.new_code()
        taken = session.scalar(select(IssuedDocument.id).where(IssuedDocument.code == code))
        if taken is None:
            return code
    raise RuntimeError("could not draw an unused verification code")  # 45 random bits: never


def _issuer_name(actor: Actor) -> str:
    return actor.full_name.strip() or actor.username


def page_info(
    municipality: Municipality,
    actor: Actor,
    *,
    title: str,
    department: str,
    code: str,
    issued_at: datetime,
    legal: bool,
) -> PageInfo:
    """The header and footer data of a document about to be issued."""
    return PageInfo(
        municipality_name=municipality.name,
        uf=municipality.uf,
        secretariat=municipality.secretariat_name or "Secretaria Municipal de Saúde",
        department=department,
        title=title,
        issued_by=_issuer_name(actor),
        issued_at=issued_at,
        timezone=municipality.timezone or DEFAULT_TIMEZONE,
        code=code,
        legal=legal,
        brasao_png=municipality.brasao_png,
    )


def issue(  # noqa: PLR0913  (the brief's signature: every argument is part of the record)
    session: Session,
    actor: Actor,
    *,
    kind: str,
    title: str,
    subject_id: str | None,
    department: str,
    build: Callable[[PageInfo], bytes],
    legal: bool = False,
    parameters: Mapping[str, Any] | None = None,
) -> IssuedPdf:
    """Build a document through `build`, register it under a fresh code and audit the printing.

    The caller has already checked the permission that this particular document needs.
    """
    municipality = municipality_of(session)
    now = clock_of(session).now()
    code = _unused_code(session)
    info = page_info(
        municipality, actor, title=title, department=department, code=code, issued_at=now,
        legal=legal,
    )  # fmt: skip
    pdf = build(info)
    document = _register(session, actor, info, kind, subject_id, pdf, parameters)
    audit.record(
        session, actor, audit.PRINT, entity="issued_document", entity_id=str(document.id),
        detail={"kind": kind, "code": code, "pages": document.page_count},
    )  # fmt: skip
    return IssuedPdf(code, title, pdf, document.page_count, document.id)


def _register(
    session: Session,
    actor: Actor,
    info: PageInfo,
    kind: str,
    subject_id: str | None,
    pdf: bytes,
    parameters: Mapping[str, Any] | None,
) -> IssuedDocument:
    document = IssuedDocument(
        id=new_id(),
        code=info.code,
        kind=kind,
        title=info.title,
        subject_id=subject_id,
        issued_at=info.issued_at,
        issued_by_id=actor.account_id,
        issued_by_name=info.issued_by,
        sha256=hashlib.sha256(pdf).hexdigest(),
        page_count=page_count(pdf),
        parameters=dict(parameters or {}),
        created_at=info.issued_at,
        updated_at=info.issued_at,
    )
    session.add(document)
    session.flush()
    return document


# --- verification ---------------------------------------------------------------------------------


def _timezone(session: Session) -> str:
    query = select(Municipality.timezone).where(Municipality.deleted_at.is_(None)).limit(1)
    return session.scalar(query) or DEFAULT_TIMEZONE


def _found(session: Session, document: IssuedDocument) -> Verification:
    when = styles.format_datetime_local(document.issued_at, _timezone(session))
    message = (
        f"Documento autêntico: {document.title}, emitido em {when} por {document.issued_by_name}."
    )
    return Verification(
        found=True, message=message, authentic=True, code=document.code, kind=document.kind,
        title=document.title, issued_at=document.issued_at, issued_by=document.issued_by_name,
        page_count=document.page_count, sha256=document.sha256,
    )  # fmt: skip


def _lookup(session: Session, code_text: str) -> tuple[Verification, IssuedDocument | None]:
    code = codes.canonical(code_text)
    if code is None:
        return Verification(found=False, message=MALFORMED), None
    query = select(IssuedDocument).where(
        IssuedDocument.code == code, IssuedDocument.deleted_at.is_(None)
    )
    document = session.scalars(query).first()
    if document is None:
        return Verification(found=False, message=UNKNOWN, code=code), None
    return _found(session, document), document


def _record_check(
    session: Session,
    actor: Actor,
    result: Verification,
    document: IssuedDocument | None,
    **extra: Any,
) -> None:
    detail = {"code": result.code or None, "found": result.found, **extra}
    entity_id = str(document.id) if document is not None else None
    audit.record(
        session,
        actor,
        audit.VERIFY_DOCUMENT,
        entity="issued_document",
        entity_id=entity_id,
        detail=detail,
    )


def verify(session: Session, actor: Actor, code_text: str) -> Verification:
    """Check a code as typed (dashes, spaces, lower case and O/I/L look-alikes are all accepted)."""
    actor.require("documents.verify")
    result, document = _lookup(session, code_text)
    _record_check(session, actor, result, document)
    return result


def verify_pdf_bytes(session: Session, actor: Actor, code: str, pdf: bytes) -> Verification:
    """Check a code and, when it exists, that `pdf` is exactly the file issued under it."""
    actor.require("documents.verify")
    result, document = _lookup(session, code)
    if document is not None and hashlib.sha256(pdf).hexdigest() != document.sha256:
        result = replace(result, message=ALTERED, authentic=False)
    _record_check(session, actor, result, document, file_matches=result.authentic)
    return result
