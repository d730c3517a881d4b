"""The printed "Inspeções por período e fiscal": inspections performed, with their totals.

The inspections done in a period (by one inspector or all), one line each (date, establishment,
reason, outcome, inspector), then the totals by outcome and by inspector. Issued like every
listing of `app.sanitary.listings`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab.platypus import Flowable
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.reports import styles
from app.reports.components import chunked_table, column_widths, section_title, text
from app.reports.issue import IssuedPdf
from app.reports.page import CONTENT_WIDTH
from app.sanitary.dashboard import trade_or_legal
from app.sanitary.enums import InspectionOutcome, InspectionReason, InspectionStatus
from app.sanitary.listings import check_period, heading, issue_listing, period_text
from app.sanitary.models import Establishment, Inspection, SanitaryInspector
from app.security.actor import Actor

INSPECTIONS_KIND = "sanitary.inspections_by_period"
INSPECTIONS_TITLE = "Inspeções por período e fiscal"
NO_INSPECTOR = "(sem fiscal designado)"
INSPECTION_HEADER = ("Data", "Estabelecimento", "Motivo", "Resultado", "Fiscal")
INSPECTION_WIDTHS = column_widths(10, 30, 17, 21, 22)
OUTCOME_WIDTHS = column_widths(75, 25, total=CONTENT_WIDTH * 0.6)


@dataclass(frozen=True)
class InspectionFilter:
    """Inspections performed from `start` to `end` (inclusive), by one inspector or all."""

    start: date | None
    end: date | None
    inspector_id: uuid.UUID | None = None


@dataclass
class _InspectionTotals:
    by_outcome: Counter[str] = field(default_factory=Counter)
    by_inspector: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, inspector: str, outcome: str) -> None:
        self.by_outcome[outcome] += 1
        self.by_inspector.setdefault(inspector, Counter())[outcome] += 1


def _inspections_query(start: date, end: date, inspector_id: uuid.UUID | None) -> Any:
    query = (
        select(
            Inspection.performed_on,
            Establishment.trade_name,
            Establishment.legal_name,
            Inspection.reason,
            Inspection.outcome,
            SanitaryInspector.name,
        )
        .join(Establishment, Establishment.id == Inspection.establishment_id)
        .outerjoin(SanitaryInspector, SanitaryInspector.id == Inspection.inspector_id)
        .where(
            Inspection.performed_on.between(start, end),
            Inspection.status == InspectionStatus.DONE,
            Inspection.deleted_at.is_(None),
        )
        .order_by(Inspection.performed_on, Establishment.name_key, Inspection.id)
    )
    return query if inspector_id is None else query.where(Inspection.inspector_id == inspector_id)


def _outcome_label(outcome: str | None) -> str:
    return InspectionOutcome(outcome).label if outcome else "Sem resultado registrado"


def inspections_report_pdf(session: Session, actor: Actor, flt: InspectionFilter) -> IssuedPdf:
    """Issue "Inspeções por período e fiscal", with totals by outcome and by inspector."""
    actor.require("sanitary.read")
    start, end = check_period(flt.start, flt.end)
    who = "todos os fiscais"
    if flt.inspector_id is not None:
        name = session.scalar(
            select(SanitaryInspector.name).where(SanitaryInspector.id == flt.inspector_id)
        )
        who = f"fiscal {name or 'não encontrado'}"
    totals = _InspectionTotals()

    def cells() -> Iterator[tuple[str, ...]]:
        for performed, trade, legal, reason, outcome, inspector in session.execute(
            _inspections_query(start, end, flt.inspector_id)
        ):
            outcome_text = _outcome_label(outcome)
            totals.add(inspector or NO_INSPECTOR, outcome_text)
            yield (
                styles.format_date(performed), trade_or_legal(trade, legal),
                InspectionReason(reason).label, outcome_text, inspector or NO_INSPECTOR,
            )  # fmt: skip

    body = heading([period_text(start, end) + f" — {who}"])
    body.extend(chunked_table(INSPECTION_HEADER, cells(), INSPECTION_WIDTHS))
    body.extend(_inspection_totals(totals))
    parameters = {"start": start.isoformat(), "end": end.isoformat(),
                  "inspector_id": str(flt.inspector_id or "")}  # fmt: skip
    return issue_listing(session, actor, INSPECTIONS_KIND, INSPECTIONS_TITLE, body, parameters)


def _outcome_order() -> list[str]:
    return [o.label for o in InspectionOutcome] + [_outcome_label(None)]


def _inspection_totals(totals: _InspectionTotals) -> list[Flowable]:
    count = sum(totals.by_outcome.values())
    if not count:
        return [text("Nenhuma inspeção realizada no período.", styles.TOTAL)]
    labels = [label for label in _outcome_order() if totals.by_outcome[label]]
    outcome_rows = [(label, styles.format_int(totals.by_outcome[label])) for label in labels]
    outcome_rows.append(("Total", styles.format_int(count)))
    inspector_rows = [
        (name, styles.format_int(sum(c.values())), *(styles.format_int(c[lb]) for lb in labels))
        for name, c in sorted(totals.by_inspector.items())
    ]
    return [
        text(f"Total: {styles.plural(count, 'inspeção realizada', 'inspeções realizadas')}.",
             styles.TOTAL),
        section_title("Totais por resultado"),
        *chunked_table(("Resultado", "Inspeções"), outcome_rows, OUTCOME_WIDTHS,
                       align=("LEFT", "RIGHT")),
        section_title("Totais por fiscal"),
        *chunked_table(("Fiscal", "Total", *labels), inspector_rows,
                       column_widths(34, 10, *([56 / len(labels)] * len(labels))),
                       align=("LEFT", *(["RIGHT"] * (len(labels) + 1)))),
    ]  # fmt: skip
