"""The printed "Documentos emitidos por série": every number of each series, gaps included.

The documents listing is the one an auditor reads: it prints one line per number of each series,
from the first to the last number listed in each numbering range (the paper booklet a node drew
from), so a cancelled number appears as "CANCELADO" with its reason and a number nobody can
account for appears as a line of its own ("SEM REGISTRO"): a gap cannot be hidden by omission.
Issued like every listing of `app.sanitary.listings`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from reportlab.platypus import Flowable
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.reports import styles
from app.reports.components import chunked_table, column_widths, section_title, text
from app.reports.issue import IssuedPdf
from app.sanitary.dashboard import trade_or_legal
from app.sanitary.enums import DocumentKind
from app.sanitary.listings import check_period, heading, issue_listing, period_text
from app.sanitary.models import Establishment, SanitaryDocument
from app.sanitary.numbers import label as number_label
from app.security.actor import Actor
from app.sync.models import LegalNumber, NumberingRange

DOCUMENTS_KIND = "sanitary.documents_by_series"
DOCUMENTS_TITLE = "Documentos emitidos por série"
CANCELLED = "CANCELADO"
MISSING = "SEM REGISTRO"
MISSING_TEXT = "— número sem documento registrado: verificar —"
DOCUMENT_HEADER = ("Número", "Data", "Estabelecimento", "Fiscal", "Situação")
DOCUMENT_WIDTHS = column_widths(10, 10, 30, 22, 28)


@dataclass(frozen=True)
class DocumentFilter:
    """Documents issued from `start` to `end`, of one series (a DocumentKind value) or all."""

    start: date | None
    end: date | None
    series: str = ""


@dataclass(frozen=True)
class _Numbered:
    """One number of a series as the listing prints it."""

    number: int
    year: int
    issued_on: date | None
    establishment: str
    inspector: str
    cancelled: bool
    reason: str


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(0), tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC),
    )


def _documents(
    session: Session, series: str, start: date, end: date
) -> dict[tuple[int, int], _Numbered]:
    query = (
        select(
            SanitaryDocument.year,
            SanitaryDocument.number,
            SanitaryDocument.issued_on,
            SanitaryDocument.kind,
            Establishment.trade_name,
            Establishment.legal_name,
            SanitaryDocument.inspector_name,
            SanitaryDocument.cancelled_at,
            SanitaryDocument.cancel_reason,
            LegalNumber.cancelled_at,
            LegalNumber.cancel_reason,
        )
        .join(Establishment, Establishment.id == SanitaryDocument.establishment_id)
        .outerjoin(LegalNumber, LegalNumber.id == SanitaryDocument.legal_number_id)
        .where(
            SanitaryDocument.kind == DocumentKind(series),
            SanitaryDocument.issued_on.between(start, end),
            SanitaryDocument.deleted_at.is_(None),
        )
    )
    found = {}
    for (year, number, issued, _kind, trade, legal, inspector, cancelled, reason,
         number_cancelled, number_reason) in session.execute(query):  # fmt: skip
        found[(year, number)] = _Numbered(
            number, year, issued, trade_or_legal(trade, legal), inspector or "",
            cancelled is not None or number_cancelled is not None, reason or number_reason or "",
        )  # fmt: skip
    return found


def _loose_numbers(
    session: Session, series: str, start: date, end: date, known: set[tuple[int, int]]
) -> dict[tuple[int, int], _Numbered]:
    """Numbers drawn in the period that no document carries (a spoiled form, a lost sheet).

    The drawing instant is compared with the period in UTC; a number whose document exists (in
    this period or not) is the document's line, never a loose one.
    """
    low, high = _utc_bounds(start, end)
    documented = exists().where(
        SanitaryDocument.series == LegalNumber.series,
        SanitaryDocument.year == LegalNumber.year,
        SanitaryDocument.number == LegalNumber.number,
    )
    query = select(
        LegalNumber.year, LegalNumber.number, LegalNumber.created_at, LegalNumber.cancelled_at,
        LegalNumber.cancel_reason,
    ).where(
        LegalNumber.series == series,
        LegalNumber.created_at >= low,
        LegalNumber.created_at < high,
        LegalNumber.deleted_at.is_(None),
        ~documented,
    )  # fmt: skip
    loose = {}
    for year, number, drawn, cancelled, reason in session.execute(query):
        if (year, number) in known:
            continue
        loose[(year, number)] = _Numbered(
            number, year, drawn.date(), "", "",
            cancelled is not None, reason or ("" if cancelled else "número sem documento"),
        )  # fmt: skip
    return loose


def _range_of(ranges: list[tuple[int, int, int]], year: int, number: int) -> tuple[int, int]:
    for r_year, first, last in ranges:
        if r_year == year and first <= number <= last:
            return first, last
    return 0, 0  # numbers outside every known range form one run of their own per year


def _with_gaps(
    numbered: dict[tuple[int, int], _Numbered], ranges: list[tuple[int, int, int]]
) -> Iterator[_Numbered | tuple[int, int]]:
    """Every listed number in order, and (year, number) for each gap inside a range's run."""
    runs: dict[tuple[int, int, int], list[int]] = {}
    for year, number in numbered:
        first, last = _range_of(ranges, year, number)
        runs.setdefault((year, first, last), []).append(number)
    for year, _first, _last in sorted(runs):
        numbers = runs[(year, _first, _last)]
        for number in range(min(numbers), max(numbers) + 1):
            yield numbered.get((year, number)) or (year, number)


def _situation(item: _Numbered) -> str:
    if not item.cancelled:
        return "Válido" if item.establishment else "Número sem documento"
    return f"{CANCELLED} — {item.reason}" if item.reason else CANCELLED


def _series_section(
    session: Session, series: str, start: date, end: date
) -> tuple[list[Flowable], Counter[str]]:
    numbered = _documents(session, series, start, end)
    numbered.update(_loose_numbers(session, series, start, end, set(numbered)))
    query = select(NumberingRange.year, NumberingRange.first_number, NumberingRange.last_number)
    ranges = [tuple(r) for r in session.execute(query.where(
        NumberingRange.series == series, NumberingRange.deleted_at.is_(None)))]  # fmt: skip
    counts: Counter[str] = Counter()

    def cells() -> Iterator[tuple[str, ...]]:
        for item in _with_gaps(numbered, ranges):  # type: ignore[arg-type]
            if isinstance(item, tuple):
                counts["missing"] += 1
                yield (number_label(item[1], item[0]), "", MISSING_TEXT, "", MISSING)
                continue
            counts["cancelled" if item.cancelled else "valid"] += 1
            yield (number_label(item.number, item.year), styles.format_date(item.issued_on),
                   item.establishment, item.inspector, _situation(item))  # fmt: skip

    title = f"Série {series} — {DocumentKind(series).label}"
    table = chunked_table(DOCUMENT_HEADER, cells(), DOCUMENT_WIDTHS)
    if not numbered:
        return [
            section_title(title),
            text("Nenhum número desta série no período.", styles.NOTE),
        ], counts
    return [section_title(title), *table, text(_series_total(counts), styles.TOTAL)], counts


def _series_total(counts: Counter[str]) -> str:
    total = sum(counts.values())
    parts = [styles.plural(counts["valid"], "válido", "válidos"),
             styles.plural(counts["cancelled"], "cancelado", "cancelados")]  # fmt: skip
    if counts["missing"]:
        parts.append(styles.plural(counts["missing"], "sem registro", "sem registro"))
    return f"{styles.plural(total, 'número', 'números')}: {', '.join(parts)}."


def documents_report_pdf(session: Session, actor: Actor, flt: DocumentFilter) -> IssuedPdf:
    """Issue "Documentos emitidos por série": one line per number, cancelled ones included."""
    actor.require("sanitary.read")
    start, end = check_period(flt.start, flt.end)
    if flt.series and flt.series not in {k.value for k in DocumentKind}:
        raise ValidationError({"series": "Série de documentos desconhecida."})
    chosen = [DocumentKind(flt.series)] if flt.series else list(DocumentKind)
    which = (
        f"série {flt.series} ({DocumentKind(flt.series).label})"
        if flt.series
        else "todas as séries"
    )
    body = heading([f"{period_text(start, end)} — {which}", DOCUMENTS_NOTE])
    for kind in chosen:
        section, _counts = _series_section(session, kind.value, start, end)
        body.extend(section)
    parameters = {"start": start.isoformat(), "end": end.isoformat(), "series": flt.series}
    return issue_listing(session, actor, DOCUMENTS_KIND, DOCUMENTS_TITLE, body, parameters)


DOCUMENTS_NOTE = (
    "Cada número aparece em uma linha, do primeiro ao último número do período em cada faixa de "
    "numeração: números cancelados constam como CANCELADO, com o motivo, e um número sem "
    "documento registrado consta como SEM REGISTRO."
)
