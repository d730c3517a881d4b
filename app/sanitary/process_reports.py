"""The whole processo administrativo sanitário on paper: "Processo Administrativo Sanitário nº …".

One printable file a lawyer, the judging authority or the establishment can read from start to
end: the establishment, the auto de infração that opened the process (number, date, facts,
gravity, the fine range), the timeline of every step with the deadline each one opened, and the
decision with its penalty. Issued through `app.reports.issue` as a legal document (verification
code and QR); reading it needs `sanitary.read`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from reportlab.platypus import Flowable, KeepTogether
from sqlalchemy.orm import Session

from app.reports import styles
from app.reports.components import (
    chunked_table,
    column_widths,
    field_grid,
    section_title,
    signature_rows,
    spacer,
    text,
)
from app.reports.issue import IssuedPdf, issue
from app.reports.page import PageInfo, build_pdf
from app.sanitary.config import config_values
from app.sanitary.process_queries import ProcessDetail, get_process
from app.sanitary.rules import money
from app.security.actor import Actor

KIND = "sanitary.process"


def process_title(number: str) -> str:
    return f"Processo Administrativo Sanitário nº {number}"


def process_pdf(session: Session, actor: Actor, process_id: uuid.UUID) -> IssuedPdf:
    """Issue the printable whole process."""
    actor.require("sanitary.read")
    detail = get_process(session, actor, process_id)
    config = config_values(session)
    title = process_title(detail.row.number)

    def build(info: PageInfo) -> bytes:
        return build_pdf(info, _body(detail, config.legal_basis))

    return issue(
        session, actor, kind=KIND, title=title, subject_id=str(process_id),
        department=config.department_name, build=build, legal=True,
        parameters={"process_id": str(process_id)},
    )  # fmt: skip


def _body(detail: ProcessDetail, legal_basis: str) -> list[Flowable]:
    return [
        *_summary(detail),
        *_establishment(detail),
        *_infraction(detail, legal_basis),
        *_timeline(detail),
        *_decision(detail),
    ]


def _summary(detail: ProcessDetail) -> list[Flowable]:
    row = detail.row
    due = f"{styles.format_date(row.due_on)} ({row.deadline_text})" if row.due_on else "—"
    closed = styles.format_date(detail.closed_on) if detail.closed_on else ""
    grid = field_grid(
        [
            ("Número do processo", row.number),
            ("Aberto em", styles.format_date(row.opened_on)),
            ("Etapa atual", row.stage_label),
            ("Prazo da etapa" if not closed else "Encerrado em", closed or due),
        ],
        columns=4,
    )
    return [section_title("Processo"), grid]


def _establishment(detail: ProcessDetail) -> list[Flowable]:
    grid = field_grid(
        [
            ("Estabelecimento autuado", detail.row.establishment, 3),
            ("Documento", detail.document),
            ("Endereço", detail.address, 4),
        ],
        columns=4,
    )
    return [section_title("Autuado"), grid]


def _infraction(detail: ProcessDetail, legal_basis: str) -> list[Flowable]:
    ai = detail.infraction
    grid = field_grid(
        [
            ("Auto de infração nº", ai.number),
            ("Lavrado em", styles.format_date(ai.issued_on)),
            ("Classificação", ai.gravity),
            ("Autuante", ai.inspector_name),
            ("Faixa de multa", ai.fine_range, 4),
            ("Dispositivos legais infringidos", ai.legal_basis or legal_basis, 4),
        ],
        columns=4,
    )
    facts = text(ai.facts or "—")
    return [section_title("Auto de infração"), grid, spacer(2),
            text("Descrição dos fatos:", styles.FIELD_LABEL), facts]  # fmt: skip


def _timeline(detail: ProcessDetail) -> list[Flowable]:
    rows = [
        [
            styles.format_date(step.happened_on),
            step.kind_label,
            step.summary,
            styles.format_date(step.due_on) if step.due_on else "—",
            step.recorded_by,
        ]
        for step in detail.steps
    ]
    table = chunked_table(
        ["Data", "Etapa", "Resumo", "Novo prazo", "Registrado por"],
        rows,
        column_widths(1.4, 2.5, 5.7, 1.5, 2.6),
    )
    return [section_title("Andamento do processo"), *table]


def signed_block(parts: Sequence[Flowable], people: Sequence[tuple[str, str]]) -> Flowable:
    """`parts` followed by signature lines, kept on one page (never a signature page alone)."""
    return KeepTogether([*parts, *signature_rows(people)])


def _signature_after(parts: Sequence[Flowable]) -> Flowable:
    return signed_block(
        [*parts, spacer(6)], [("Autoridade sanitária", "Responsável pelo processo")]
    )


def _decision(detail: ProcessDetail) -> list[Flowable]:
    if not detail.decision and not detail.penalty:
        waiting = f"Sem decisão até esta data. O processo aguarda {detail.waiting}."
        return [_signature_after([section_title("Decisão"), text(waiting)])]
    fine = money(detail.fine_amount) if detail.fine_amount is not None else "—"
    grid = field_grid([("Penalidade", detail.penalty or "—", 3), ("Valor da multa", fine)], 4)
    parts: list[Flowable] = [grid, spacer(2)]
    for paragraph in detail.decision.split("\n\n"):
        parts += [text(paragraph), spacer(1.5)]
    # the decision and the signature stay together (never a signature alone on a page)
    return [_signature_after([section_title("Decisão"), *parts])]
