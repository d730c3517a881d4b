"""Printing a licença sanitária: what the paper says, issued as a legal document.

`app.sanitary.licence_report` lays the page out; here the data are gathered (the licence's copy
of the activities and risk, the establishment's address) and the PDF goes through
`app.reports.issue` as a legal document (QR and verification code). The first print's code is
kept on the licence, and reprints say "2ª VIA"; a revoked licence is not printed.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.identifiers import format_cep
from app.errors import ValidationError
from app.installation.models import Municipality
from app.registry.models import District
from app.reports.issue import IssuedPdf, issue
from app.reports.page import PageInfo
from app.sanitary.config import config_values
from app.sanitary.licence_report import LicencePrint, build_licence_pdf, licence_title
from app.sanitary.licences import get_establishment, get_licence
from app.sanitary.models import Establishment, SanitaryLicence
from app.sanitary.numbers import label
from app.sanitary.process_queries import holder_document
from app.security.actor import Actor

PRINT_KIND = "sanitary.licence"


def _address(session: Session, establishment: Establishment) -> str:
    """ "Rua das Flores, 120, sala 2 – Centro – Santa Lúcia/PR – CEP 85000-000"."""
    parts = [establishment.street, establishment.number, establishment.complement]
    line = ", ".join(part for part in parts if part.strip())
    if establishment.district_id is not None:
        district = session.get(District, establishment.district_id)
        line += f" – {district.name}" if district is not None else ""
    place = session.scalars(select(Municipality).where(Municipality.deleted_at.is_(None))).first()
    if place is not None:
        line += f" – {place.name}/{place.uf}"
    if establishment.cep:
        line += f" – CEP {format_cep(establishment.cep)}"
    return line


def _print_data(session: Session, licence: SanitaryLicence, copy: int) -> LicencePrint:
    establishment = get_establishment(session, licence.establishment_id)
    config = config_values(session)
    return LicencePrint(
        number=label(licence.number, licence.year),
        provisional=licence.provisional,
        copy=copy,
        legal_name=establishment.legal_name,
        trade_name=establishment.trade_name,
        document=holder_document(establishment),
        address=_address(session, establishment),
        activities=licence.activities,
        risk=licence.risk.label if licence.risk else "",
        issued_on=licence.issued_on,
        valid_until=licence.valid_until,
        technical=establishment.technical_name,
        department=config.department_name,
        legal_basis=config.legal_basis,
    )


def print_licence(session: Session, actor: Actor, licence_id: uuid.UUID) -> IssuedPdf:
    """Print (or reprint, as "2ª VIA") a licence; the first print's code stays on the licence."""
    actor.require("sanitary.process")
    licence = get_licence(session, licence_id)
    if licence.revoked_at is not None:
        raise ValidationError({"": "Licença revogada: não pode ser impressa."})
    data = _print_data(session, licence, licence.print_count + 1)
    config = config_values(session)

    def build(info: PageInfo) -> bytes:
        return build_licence_pdf(info, data)

    issued = issue(
        session, actor, kind=PRINT_KIND, title=licence_title(data), subject_id=str(licence.id),
        department=config.department_name, build=build, legal=True,
        parameters={"licence_id": str(licence.id), "copy": data.copy},
    )  # fmt: skip
    if not licence.verification_code:
        licence.verification_code = issued.code
    licence.print_count += 1
    session.flush()
    return issued
