"""The department's printed listings: the establishment register, inspections by period and
inspector, legal documents issued by series, and processes by situation.

Every listing needs "sanitary.read", is issued through `app.reports.issue` (verification code,
register of issued documents, audit) and writes under its title the filters that produced it, in
Portuguese. Long tables are chunked (`chunked_table`) and read the rows as they come.

The documents listing is the one an auditor reads: it prints one line per number of each series,
from the first to the last number listed in each numbering range (the paper booklet a node drew
from), so a cancelled number appears as "CANCELADO" with its reason and a number nobody can
account for appears as a line of its own ("SEM REGISTRO"): a gap cannot be hidden by omission.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from reportlab.platypus import Flowable
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.errors import ValidationError
from app.registry.models import District
from app.reports import styles
from app.reports.components import chunked_table, column_widths, section_title, spacer, text
from app.reports.issue import IssuedPdf, issue
from app.reports.page import CONTENT_WIDTH, PageInfo, build_pdf
from app.sanitary.config import config_values
from app.sanitary.dashboard import format_holder_document
from app.sanitary.enums import (
    DocumentKind,
    EstablishmentStatus,
    InspectionOutcome,
    InspectionReason,
    InspectionStatus,
    ProcessStage,
    RiskLevel,
)
from app.sanitary.models import (
    Establishment,
    EstablishmentActivity,
    Inspection,
    SanitaryDocument,
    SanitaryInspector,
    SanitaryProcess,
)
from app.sanitary.numbers import label as number_label
from app.security.actor import Actor
from app.sync.models import LegalNumber, NumberingRange

REGISTER_KIND = "sanitary.establishment_register"
REGISTER_TITLE = "Cadastro de estabelecimentos"
INSPECTIONS_KIND = "sanitary.inspections_by_period"
INSPECTIONS_TITLE = "Inspeções por período e fiscal"
DOCUMENTS_KIND = "sanitary.documents_by_series"
DOCUMENTS_TITLE = "Documentos emitidos por série"
PROCESSES_KIND = "sanitary.processes_by_situation"
PROCESSES_TITLE = "Processos administrativos sanitários por situação"

NO_RISK = "-"
NO_INSPECTOR = "(sem fiscal designado)"
CANCELLED = "CANCELADO"
MISSING = "SEM REGISTRO"
MISSING_TEXT = "— número sem documento registrado: verificar —"
OPEN = "abertos"
OVERDUE = "vencidos"
ALL = "todos"

REGISTER_HEADER = (
    "Estabelecimento", "CNPJ/CPF", "Endereço", "Bairro", "CNAE principal", "Risco", "Situação",
    "Próxima inspeção",
)  # fmt: skip
REGISTER_WIDTHS = column_widths(19, 17, 17, 13, 10, 5, 10, 9)
INSPECTION_HEADER = ("Data", "Estabelecimento", "Motivo", "Resultado", "Fiscal")
INSPECTION_WIDTHS = column_widths(10, 30, 17, 21, 22)
DOCUMENT_HEADER = ("Número", "Data", "Estabelecimento", "Fiscal", "Situação")
DOCUMENT_WIDTHS = column_widths(10, 10, 30, 22, 28)
OUTCOME_WIDTHS = column_widths(75, 25, total=CONTENT_WIDTH * 0.6)
PROCESS_HEADER = ("Número", "Estabelecimento", "Situação", "Aberto em", "Prazo", "Prazo vencido?")
PROCESS_WIDTHS = column_widths(10, 30, 20, 11, 11, 18)


# --- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EstablishmentFilter:
    """Which establishments the register lists ("" = all; risk "-" = not yet classified)."""

    risk: str = ""
    status: str = ""
    team: str = ""
    district_id: uuid.UUID | None = None


@dataclass(frozen=True)
class InspectionFilter:
    """Inspections performed from `start` to `end` (inclusive), by one inspector or all."""

    start: date | None
    end: date | None
    inspector_id: uuid.UUID | None = None


@dataclass(frozen=True)
class DocumentFilter:
    """Documents issued from `start` to `end`, of one series (a DocumentKind value) or all."""

    start: date | None
    end: date | None
    series: str = ""


@dataclass(frozen=True)
class ProcessFilter:
    """ "abertos", "vencidos", "todos" or one stage (a ProcessStage value)."""

    situation: str = OPEN


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


def _check_period(start: date | None, end: date | None) -> tuple[date, date]:
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


def cnae_text(cnae: str | None) -> str:
    """`5611201` → `5611-2/01`."""
    if not cnae or len(cnae) != 7:
        return cnae or ""
    return f"{cnae[:4]}-{cnae[4]}/{cnae[5:]}"


def _department(session: Session) -> str:
    return config_values(session).department_name


def _name(trade: str | None, legal: str | None) -> str:
    return (trade or "").strip() or (legal or "").strip()


def _issue(
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


def _heading(lines: Sequence[str]) -> list[Flowable]:
    return [*(text(line, styles.NOTE) for line in lines), spacer(2)]


# --- (a) establishment register ------------------------------------------------------------------


def _register_query(flt: EstablishmentFilter) -> Any:
    main = (
        select(
            EstablishmentActivity.establishment_id,
            func.min(EstablishmentActivity.cnae).label("cnae"),
        )
        .where(EstablishmentActivity.main.is_(True), EstablishmentActivity.deleted_at.is_(None))
        .group_by(EstablishmentActivity.establishment_id)
        .subquery()
    )
    query = (
        select(
            Establishment.trade_name,
            Establishment.legal_name,
            Establishment.holder_kind,
            Establishment.document,
            Establishment.street,
            Establishment.number,
            Establishment.complement,
            District.name,
            main.c.cnae,
            Establishment.risk,
            Establishment.status,
            Establishment.next_inspection_on,
        )
        .outerjoin(District, District.id == Establishment.district_id)
        .outerjoin(main, main.c.establishment_id == Establishment.id)
        .where(Establishment.deleted_at.is_(None))
        .order_by(Establishment.name_key, Establishment.id)
    )
    if flt.risk == NO_RISK:
        query = query.where(Establishment.risk.is_(None))
    elif flt.risk:
        query = query.where(Establishment.risk == RiskLevel(flt.risk))
    if flt.status:
        query = query.where(Establishment.status == EstablishmentStatus(flt.status))
    if flt.team:
        query = query.where(Establishment.team == flt.team)
    if flt.district_id is not None:
        query = query.where(Establishment.district_id == flt.district_id)
    return query


def _address(street: str, number: str, complement: str) -> str:
    place = ", ".join(part for part in (street.strip(), number.strip()) if part)
    return f"{place} – {complement.strip()}" if complement.strip() else place


def _describe_register(session: Session, flt: EstablishmentFilter) -> list[str]:
    parts = []
    if flt.risk:
        parts.append("sem classificação de risco" if flt.risk == NO_RISK else f"risco: {flt.risk}")
    if flt.status:
        parts.append(f"situação: {EstablishmentStatus(flt.status).label}")
    if flt.team:
        parts.append(f"equipe: {flt.team}")
    if flt.district_id is not None:
        name = session.scalar(select(District.name).where(District.id == flt.district_id))
        parts.append(f"bairro: {name or 'não encontrado'}")
    return [
        f"Filtros: {'; '.join(parts)}" if parts else "Filtros: nenhum (todos os estabelecimentos)"
    ]


def establishment_register_pdf(
    session: Session, actor: Actor, flt: EstablishmentFilter
) -> IssuedPdf:
    """Issue the "Cadastro de estabelecimentos" for the chosen filters."""
    actor.require("sanitary.read")
    risks: Counter[str] = Counter()

    def cells() -> Iterator[tuple[str, ...]]:
        for row in session.execute(_register_query(flt)):
            (trade, legal, kind, document, street, number, complement, district, cnae, risk,
             status, next_on) = row  # fmt: skip
            risks[risk.value if risk else NO_RISK] += 1
            yield (
                _name(trade, legal), format_holder_document(kind, document),
                _address(street, number, complement), district or "", cnae_text(cnae),
                risk.value if risk else "—", EstablishmentStatus(status).label,
                styles.format_date(next_on),
            )  # fmt: skip

    body = _heading(_describe_register(session, flt))
    body.extend(chunked_table(REGISTER_HEADER, cells(), REGISTER_WIDTHS))
    body.append(text(_register_total(risks), styles.TOTAL))
    parameters = {"risk": flt.risk, "status": flt.status, "team": flt.team,
                  "district_id": str(flt.district_id or "")}  # fmt: skip
    return _issue(session, actor, REGISTER_KIND, REGISTER_TITLE, body, parameters)


def _register_total(risks: Counter[str]) -> str:
    total = sum(risks.values())
    if not total:
        return "Nenhum estabelecimento encontrado com estes filtros."
    parts = [f"risco {r}: {styles.format_int(risks[r])}" for r in ("III", "II", "I") if risks[r]]
    if risks[NO_RISK]:
        parts.append(f"sem classificação: {styles.format_int(risks[NO_RISK])}")
    counted = styles.plural(total, "estabelecimento", "estabelecimentos")
    return f"Total: {counted} ({'; '.join(parts)})."


# --- (b) inspections by period and inspector ---------------------------------------------------


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
    start, end = _check_period(flt.start, flt.end)
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
                styles.format_date(performed), _name(trade, legal),
                InspectionReason(reason).label, outcome_text, inspector or NO_INSPECTOR,
            )  # fmt: skip

    body = _heading([period_text(start, end) + f" — {who}"])
    body.extend(chunked_table(INSPECTION_HEADER, cells(), INSPECTION_WIDTHS))
    body.extend(_inspection_totals(totals))
    parameters = {"start": start.isoformat(), "end": end.isoformat(),
                  "inspector_id": str(flt.inspector_id or "")}  # fmt: skip
    return _issue(session, actor, INSPECTIONS_KIND, INSPECTIONS_TITLE, body, parameters)


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


# --- (c) documents issued by series -------------------------------------------------------------


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
            number, year, issued, _name(trade, legal), inspector or "",
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
    start, end = _check_period(flt.start, flt.end)
    if flt.series and flt.series not in {k.value for k in DocumentKind}:
        raise ValidationError({"series": "Série de documentos desconhecida."})
    chosen = [DocumentKind(flt.series)] if flt.series else list(DocumentKind)
    which = (
        f"série {flt.series} ({DocumentKind(flt.series).label})"
        if flt.series
        else "todas as séries"
    )
    body = _heading([f"{period_text(start, end)} — {which}", DOCUMENTS_NOTE])
    for kind in chosen:
        section, _counts = _series_section(session, kind.value, start, end)
        body.extend(section)
    parameters = {"start": start.isoformat(), "end": end.isoformat(), "series": flt.series}
    return _issue(session, actor, DOCUMENTS_KIND, DOCUMENTS_TITLE, body, parameters)


DOCUMENTS_NOTE = (
    "Cada número aparece em uma linha, do primeiro ao último número do período em cada faixa de "
    "numeração: números cancelados constam como CANCELADO, com o motivo, e um número sem "
    "documento registrado consta como SEM REGISTRO."
)


# --- (d) processes by situation ------------------------------------------------------------------


def _process_situation_text(situation: str) -> str:
    if situation == OPEN:
        return "Situação: processos em andamento (não encerrados)"
    if situation == OVERDUE:
        return "Situação: processos em andamento com prazo vencido"
    if situation == ALL:
        return "Situação: todos os processos, inclusive encerrados"
    return f"Situação: {ProcessStage(situation).label}"


def _processes_query(situation: str, today: date) -> Any:
    query = (
        select(
            SanitaryProcess.year,
            SanitaryProcess.number,
            Establishment.trade_name,
            Establishment.legal_name,
            SanitaryProcess.stage,
            SanitaryProcess.opened_on,
            SanitaryProcess.due_on,
            SanitaryProcess.closed_on,
        )
        .join(Establishment, Establishment.id == SanitaryProcess.establishment_id)
        .where(SanitaryProcess.deleted_at.is_(None))
        .order_by(SanitaryProcess.year, SanitaryProcess.number)
    )
    if situation == OPEN:
        return query.where(SanitaryProcess.stage != ProcessStage.CLOSED)
    if situation == OVERDUE:
        return query.where(
            and_(SanitaryProcess.stage != ProcessStage.CLOSED, SanitaryProcess.due_on < today)
        )
    if situation == ALL:
        return query
    return query.where(SanitaryProcess.stage == ProcessStage(situation))


def _late_text(stage: ProcessStage, due_on: date | None, today: date) -> str:
    if stage is ProcessStage.CLOSED or due_on is None:
        return "—"
    late = (today - due_on).days
    if late <= 0:
        return "Não"
    return f"SIM — há {styles.plural(late, 'dia', 'dias')}"


def processes_report_pdf(session: Session, actor: Actor, flt: ProcessFilter) -> IssuedPdf:
    """Issue "Processos administrativos sanitários por situação", with totals by stage."""
    actor.require("sanitary.read")
    valid = {OPEN, OVERDUE, ALL, *(s.value for s in ProcessStage)}
    if flt.situation not in valid:
        raise ValidationError({"situation": "Situação de processo desconhecida."})
    today = clock_of(session).now().date()
    stages: Counter[str] = Counter()

    def cells() -> Iterator[tuple[str, ...]]:
        for year, number, trade, legal, stage, opened, due_on, _closed in session.execute(
            _processes_query(flt.situation, today)
        ):
            stage = ProcessStage(stage)
            stages[stage.label] += 1
            yield (number_label(number, year), _name(trade, legal), stage.label,
                   styles.format_date(opened),
                   styles.format_date(due_on) if stage is not ProcessStage.CLOSED else "",
                   _late_text(stage, due_on, today))  # fmt: skip

    lines = [_process_situation_text(flt.situation) + f" — posição em {styles.format_date(today)}"]
    body = _heading(lines)
    body.extend(chunked_table(PROCESS_HEADER, cells(), PROCESS_WIDTHS))
    body.append(text(_process_total(stages), styles.TOTAL))
    return _issue(
        session, actor, PROCESSES_KIND, PROCESSES_TITLE, body, {"situation": flt.situation}
    )


def _process_total(stages: Counter[str]) -> str:
    total = sum(stages.values())
    if not total:
        return "Nenhum processo nesta situação."
    parts = [f"{s.label}: {stages[s.label]}" for s in ProcessStage if stages[s.label]]
    return f"Total: {styles.plural(total, 'processo', 'processos')} ({'; '.join(parts)})."
