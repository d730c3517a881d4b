"""The department's printed listings: what the four of them share, and the report screen's choices.

The listings are the establishment register (`app.sanitary.listing_establishments`), inspections
by period and inspector (`listing_inspections`), legal documents issued by series
(`listing_documents`) and processes by situation (`listing_processes`). Every listing needs
"sanitary.read", is issued through `app.reports.issue` (verification code, register of issued
documents, audit) and writes under its title the filters that produced it, in Portuguese. Long
tables are chunked (`chunked_table`) and read the rows as they come.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.platypus import Flowable
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.registry.models import District
from app.reports import styles
from app.reports.components import spacer, text
from app.reports.issue import IssuedPdf, issue
from app.reports.page import PageInfo, build_pdf
from app.sanitary.config import config_values
from app.sanitary.models import Establishment, SanitaryInspector
from app.security.actor import Actor


@dataclass(frozen=True)
class ReportChoices:
    """What the report screen offers in its filters."""

    inspectors: list[tuple[uuid.UUID, str]]
    teams: list[str]
    districts: list[tuple[uuid.UUID, str]]


def report_choices(session: Session, actor: Actor) -> ReportChoices:
    """Inspectors, teams and bairros to choose from."""
    actor.require("sanitary.read")
    inspectors = select(SanitaryInspector.id, SanitaryInspector.name).where(
        SanitaryInspector.deleted_at.is_(None)
    )
    teams = (
        select(Establishment.team)
        .where(Establishment.deleted_at.is_(None), Establishment.team != "")
        .distinct()
    )
    districts = select(District.id, District.name).where(District.deleted_at.is_(None))
    return ReportChoices(
        inspectors=[
            (i, n) for i, n in session.execute(inspectors.order_by(SanitaryInspector.name))
        ],
        teams=sorted(session.scalars(teams)),
        districts=[(i, n) for i, n in session.execute(districts.order_by(District.name_key))],
    )


def check_period(start: date | None, end: date | None) -> tuple[date, date]:
    errors: dict[str, str] = {}
    if start is None:
        errors["start"] = "Informe a data inicial do período."
    if end is None:
        errors["end"] = "Informe a data final do período."
    if start is not None and end is not None and end < start:
        errors["end"] = "A data final deve ser igual ou posterior à data inicial."
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    return start, end


def period_text(start: date, end: date) -> str:
    return f"Período: {styles.format_date(start)} a {styles.format_date(end)}"


def _department(session: Session) -> str:
    return config_values(session).department_name


def issue_listing(
    session: Session,
    actor: Actor,
    kind: str,
    title: str,
    body: Iterable[Flowable],
    parameters: dict[str, str],
) -> IssuedPdf:
    flowables = list(body)

    def build(info: PageInfo) -> bytes:
        return build_pdf(info, flowables)

    return issue(
        session, actor, kind=kind, title=title, subject_id=None,
        department=_department(session), build=build, parameters=parameters,
    )  # fmt: skip


def heading(lines: Sequence[str]) -> list[Flowable]:
    return [*(text(line, styles.NOTE) for line in lines), spacer(2)]
