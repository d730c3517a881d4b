"""The printed "Processos administrativos sanitários por situação", with totals by stage.

The processes in progress, those past their deadline, all of them (closed included) or those of
one stage, one line each (number, establishment, stage, opened on, deadline, whether it is late
and by how many days), as of today. Issued like every listing of `app.sanitary.listings`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.errors import ValidationError
from app.reports import styles
from app.reports.components import chunked_table, column_widths, text
from app.reports.issue import IssuedPdf
from app.sanitary.dashboard import trade_or_legal
from app.sanitary.enums import ProcessStage
from app.sanitary.listings import heading, issue_listing
from app.sanitary.models import Establishment, SanitaryProcess
from app.sanitary.numbers import label as number_label
from app.security.actor import Actor

PROCESSES_KIND = "sanitary.processes_by_situation"
PROCESSES_TITLE = "Processos administrativos sanitários por situação"
OPEN = "abertos"
OVERDUE = "vencidos"
ALL = "todos"
PROCESS_HEADER = ("Número", "Estabelecimento", "Situação", "Aberto em", "Prazo", "Prazo vencido?")
PROCESS_WIDTHS = column_widths(10, 30, 20, 11, 11, 18)


@dataclass(frozen=True)
class ProcessFilter:
    """ "abertos", "vencidos", "todos" or one stage (a ProcessStage value)."""

    situation: str = OPEN


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
            yield (number_label(number, year), trade_or_legal(trade, legal), stage.label,
                   styles.format_date(opened),
                   styles.format_date(due_on) if stage is not ProcessStage.CLOSED else "",
                   _late_text(stage, due_on, today))  # fmt: skip

    lines = [_process_situation_text(flt.situation) + f" — posição em {styles.format_date(today)}"]
    body = heading(lines)
    body.extend(chunked_table(PROCESS_HEADER, cells(), PROCESS_WIDTHS))
    body.append(text(_process_total(stages), styles.TOTAL))
    return issue_listing(
        session, actor, PROCESSES_KIND, PROCESSES_TITLE, body, {"situation": flt.situation}
    )


def _process_total(stages: Counter[str]) -> str:
    total = sum(stages.values())
    if not total:
        return "Nenhum processo nesta situação."
    parts = [f"{s.label}: {stages[s.label]}" for s in ProcessStage if stages[s.label]]
    return f"Total: {styles.plural(total, 'processo', 'processos')} ({'; '.join(parts)})."
