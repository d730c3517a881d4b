"""The printable "Roteiro de trabalho": an inspector's planned visits for a day (or a period).

The inspector takes it to the field (or the coordinator files it): the header names the inspector,
matrícula, team and the date; a table lists, in visiting order, each establishment with its
document, address, risk and the reason of the visit, with a column for the time of the visit and
the responsible person's initials; signature lines for the inspector and the coordination close
the sheet. Issued through `app.reports.issue` (verification code, register, audit).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import date

from reportlab.platypus import Flowable
from sqlalchemy.orm import Session

from app.brazil.identifiers import format_cnpj, format_cpf, format_phone
from app.errors import NotFound, ValidationError
from app.reports import styles
from app.reports.components import (
    chunked_table,
    column_widths,
    field_grid,
    section_title,
    signature_block,
    spacer,
    text,
)
from app.reports.issue import IssuedPdf, issue
from app.reports.page import PageInfo, build_pdf
from app.sanitary.config import config_values
from app.sanitary.models import SanitaryInspector
from app.sanitary.planning import READ, WorkRow, work_list
from app.security.actor import Actor

KIND = "sanitary.work_list"
HEADER = ("Nº", "Data", "Estabelecimento", "Endereço", "Risco", "Motivo", "Hora / visto")
WIDTHS = column_widths(4, 9, 29, 27, 6, 12, 13)
NOTE = (
    "Na coluna “Hora / visto”, anote a hora da chegada e peça o visto de quem recebeu a equipe. "
    "Inspeções não realizadas devem ser devolvidas à coordenação com o motivo."
)


def period_text(start: date, end: date) -> str:
    """ "02/03/2026" or "02/03/2026 a 06/03/2026"."""
    if start == end:
        return styles.format_date(start)
    return f"{styles.format_date(start)} a {styles.format_date(end)}"


def work_list_title(inspector_name: str, start: date, end: date) -> str:
    return f"Roteiro de trabalho — {inspector_name} — {period_text(start, end)}"


def _document(value: str) -> str:
    if len(value) == 14:
        return "CNPJ " + format_cnpj(value)
    if len(value) == 11:
        return "CPF " + format_cpf(value)
    return value


def _cells(rows: Sequence[WorkRow]) -> Iterator[tuple[str, ...]]:
    for number, row in enumerate(rows, start=1):
        who = row.name if row.name == row.legal_name else f"{row.name}\n{row.legal_name}"
        yield (
            str(number),
            styles.format_date(row.due_on),
            f"{who}\n{_document(row.document)}",
            row.address + (f"\nTel. {format_phone(row.phone)}" if row.phone else ""),
            row.risk.value if row.risk else "—",
            row.reason.label,
            "",
        )


def _body(
    inspector: SanitaryInspector, start: date, end: date, rows: Sequence[WorkRow]
) -> list[Flowable]:
    grid = field_grid(
        [
            ("Fiscal", inspector.name, 2),
            ("Matrícula", inspector.registration),
            ("Cargo", inspector.title),
            ("Equipe", inspector.team or "—"),
            ("Período", period_text(start, end)),
        ],
        columns=2,
    )
    body: list[Flowable] = [grid, spacer(2), section_title("Estabelecimentos a inspecionar")]
    if not rows:
        body.append(text("Nenhuma inspeção programada para este período.", styles.TOTAL))
    else:
        body.extend(chunked_table(HEADER, _cells(rows), WIDTHS))
        total = styles.plural(len(rows), "estabelecimento", "estabelecimentos")
        body.append(text(f"Total: {total}.", styles.TOTAL))
    body += [spacer(2), text(NOTE, styles.NOTE), spacer(10)]
    role = inspector.title or "Fiscal sanitário"
    if inspector.registration:
        role += f" — matrícula {inspector.registration}"
    body.append(signature_block([(inspector.name, role), ("", "Coordenação da VISA")]))
    return body


def work_list_pdf(
    session: Session, actor: Actor, inspector_id: uuid.UUID, start: date, end: date | None = None
) -> IssuedPdf:
    """Issue the work list of an inspector for `start` (to `end`, inclusive)."""
    actor.require(READ)
    end = end or start
    if end < start:
        raise ValidationError({"end": "A data final deve ser igual ou posterior à inicial."})
    inspector = session.get(SanitaryInspector, inspector_id)
    if inspector is None or inspector.deleted_at is not None:
        raise NotFound("Fiscal não encontrado.")
    rows = work_list(session, actor, start=start, end=end, inspector_id=inspector_id)
    department = config_values(session).department_name

    def build(info: PageInfo) -> bytes:
        return build_pdf(info, _body(inspector, start, end, rows))

    return issue(
        session, actor, kind=KIND, title=work_list_title(inspector.name, start, end),
        subject_id=str(inspector_id), department=department, build=build,
        parameters={"inspector_id": str(inspector_id), "start": start.isoformat(),
                    "end": end.isoformat(), "inspections": len(rows)},
    )  # fmt: skip
