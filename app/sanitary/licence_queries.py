"""Licença sanitária: the lists of the Licenças screen (valid, expiring, expired, revoked) and
the establishment chooser.

Each row carries the licence's status today (`licence_checks.licence_status`): a renewed licence
is left out of every list but that of the revoked ones, and the licence of an interdicted
establishment shows as SUSPENDED.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.sanitary.enums import EstablishmentStatus
from app.sanitary.licence_checks import RENEWED, STATUS_LABELS, VALID, licence_status
from app.sanitary.licences import renewed_ids
from app.sanitary.models import Establishment, SanitaryLicence
from app.sanitary.numbers import label
from app.sanitary.process_queries import establishment_name, holder_document
from app.security.actor import Actor

EXPIRING_DAYS = 30

# The lists of the Licenças screen.
LIST_VALID = "validas"
LIST_EXPIRING = "vencendo"
LIST_EXPIRED = "vencidas"
LIST_REVOKED = "revogadas"


@dataclass(frozen=True)
class LicenceRow:
    """One licence in a list."""

    id: uuid.UUID
    number: str
    establishment_id: uuid.UUID
    establishment: str
    document: str
    risk: str
    provisional: bool
    issued_on: date
    valid_until: date
    status: str
    days_left: int
    print_count: int
    verification_code: str

    @property
    def status_label(self) -> str:
        label_text = STATUS_LABELS.get(self.status, self.status)
        if self.status == VALID and self.days_left <= EXPIRING_DAYS:
            return f"Válida – vence em {self.days_left} dia" + ("s" if self.days_left != 1 else "")
        return label_text

    @property
    def kind_label(self) -> str:
        return "Provisória" if self.provisional else "Definitiva"


@dataclass(frozen=True)
class EstablishmentChoice:
    """An establishment offered in a chooser."""

    id: uuid.UUID
    name: str
    document: str
    risk: str
    status: str

    @property
    def label(self) -> str:
        risk = f" – risco {self.risk}" if self.risk else ""
        return f"{self.name} – {self.document}{risk}"


# --- queries ----------------------------------------------------------------------------------


def _licence_query() -> Select[SanitaryLicence, Establishment]:
    return (
        select(SanitaryLicence, Establishment)
        .join(Establishment, Establishment.id == SanitaryLicence.establishment_id)
        .where(SanitaryLicence.deleted_at.is_(None))
    )


def _rows(
    session: Session, query: Select[SanitaryLicence, Establishment], today: date
) -> list[LicenceRow]:
    pairs = list(session.execute(query.order_by(SanitaryLicence.valid_until)))
    renewed = renewed_ids(session, [licence.id for licence, _ in pairs])
    return [
        LicenceRow(
            id=licence.id,
            number=label(licence.number, licence.year),
            establishment_id=establishment.id,
            establishment=establishment_name(establishment),
            document=holder_document(establishment),
            risk=licence.risk.value if licence.risk else "",
            provisional=licence.provisional,
            issued_on=licence.issued_on,
            valid_until=licence.valid_until,
            status=licence_status(
                licence,
                licence.id in renewed,
                today,
                establishment.status is EstablishmentStatus.INTERDICTED,
            ),
            days_left=(licence.valid_until - today).days,
            print_count=licence.print_count,
            verification_code=licence.verification_code,
        )
        for licence, establishment in pairs
    ]


def list_licences(
    session: Session,
    actor: Actor,
    today: date,
    which: str = LIST_VALID,
    establishment_id: uuid.UUID | None = None,
) -> list[LicenceRow]:
    """Licences of one list: valid, expiring in 30 days, expired (not renewed) or revoked."""
    actor.require("sanitary.read")
    query = _licence_query()
    if establishment_id is not None:
        query = query.where(SanitaryLicence.establishment_id == establishment_id)
    if which == LIST_REVOKED:
        query = query.where(SanitaryLicence.revoked_at.is_not(None))
    else:
        query = query.where(SanitaryLicence.revoked_at.is_(None))
    if which in (LIST_VALID, LIST_EXPIRING):
        query = query.where(SanitaryLicence.valid_until >= today)
    if which == LIST_EXPIRING:
        query = query.where(SanitaryLicence.valid_until <= today + timedelta(days=EXPIRING_DAYS))
    if which == LIST_EXPIRED:
        query = query.where(SanitaryLicence.valid_until < today)
    rows = _rows(session, query, today)
    return [row for row in rows if which == LIST_REVOKED or row.status != RENEWED]


def expiring(
    session: Session, actor: Actor, today: date, days: int = EXPIRING_DAYS
) -> list[LicenceRow]:
    """Valid licences (not yet renewed) that expire within `days` days."""
    rows = list_licences(session, actor, today, LIST_VALID)
    return [row for row in rows if row.days_left <= days]


def expired(session: Session, actor: Actor, today: date) -> list[LicenceRow]:
    """Licences past their validity and not renewed (establishments operating without one)."""
    return list_licences(session, actor, today, LIST_EXPIRED)


def establishment_choices(session: Session, actor: Actor) -> list[EstablishmentChoice]:
    """Live establishments for a chooser, by name."""
    actor.require("sanitary.read")
    query = (
        select(Establishment)
        .where(Establishment.deleted_at.is_(None))
        .order_by(Establishment.name_key)
    )
    return [
        EstablishmentChoice(
            row.id,
            establishment_name(row),
            holder_document(row),
            row.risk.value if row.risk else "",
            row.status.label,
        )
        for row in session.scalars(query)
    ]
