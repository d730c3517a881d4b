"""Papers of a denúncia: the protocol receipt and the answer given to the complainant.

The receipt ("Protocolo de denúncia nº 0001/2026") says when the complaint was received, about
what, the deadline for the answer (written out) and how to follow it up with the protocol
number. Neither paper prints the complainant's identity: the receipt can be lost, and the
protocol number is all that is needed to follow up. The answer repeats the complaint and gives
the department's answer with its date and who signed it. Both are issued through
`app.reports.issue` (verification code) and need `sanitary.read`.
"""

from __future__ import annotations

import uuid

from reportlab.platypus import Flowable
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.reports import styles
from app.reports.components import field_grid, section_title, spacer, text
from app.reports.issue import IssuedPdf, issue
from app.reports.page import PageInfo, build_pdf
from app.sanitary.complaints import ComplaintDetail, get_complaint
from app.sanitary.config import config_values
from app.sanitary.process_reports import signed_block
from app.security.actor import Actor

RECEIPT_KIND = "sanitary.complaint_receipt"
ANSWER_KIND = "sanitary.complaint_answer"


def receipt_title(protocol: str) -> str:
    return f"Protocolo de denúncia nº {protocol}"


def answer_title(protocol: str) -> str:
    return f"Resposta à denúncia nº {protocol}"


def _issue(session: Session, actor: Actor, complaint_id: uuid.UUID, answer: bool) -> IssuedPdf:
    actor.require("sanitary.read")
    detail = get_complaint(session, actor, complaint_id)
    if answer and not detail.answer:
        raise ValidationError({"": "A denúncia ainda não tem resposta registrada."})
    config = config_values(session)
    title = (answer_title if answer else receipt_title)(detail.row.protocol)
    body = _answer_body if answer else _receipt_body

    def build(info: PageInfo) -> bytes:
        return build_pdf(info, body(info, detail, config.department_name))

    return issue(
        session, actor, kind=ANSWER_KIND if answer else RECEIPT_KIND, title=title,
        subject_id=str(complaint_id), department=config.department_name, build=build,
        parameters={"complaint_id": str(complaint_id)},
    )  # fmt: skip


def receipt_pdf(session: Session, actor: Actor, complaint_id: uuid.UUID) -> IssuedPdf:
    """The protocol receipt handed to (or sent to) the complainant."""
    return _issue(session, actor, complaint_id, answer=False)


def answer_pdf(session: Session, actor: Actor, complaint_id: uuid.UUID) -> IssuedPdf:
    """The printable answer for the complainant."""
    return _issue(session, actor, complaint_id, answer=True)


def _facts(detail: ComplaintDetail) -> list[Flowable]:
    row = detail.row
    who = "Anônima" if row.anonymous else "Identificada (dados protegidos)"
    grid = field_grid(
        [
            ("Protocolo nº", row.protocol),
            ("Recebida em", styles.format_date(row.received_on)),
            ("Canal", detail.channel),
            ("Denúncia", who),
            ("Estabelecimento / local denunciado", row.target, 4),
        ],
        columns=4,
    )
    return [section_title("Denúncia"), grid, spacer(2),
            text("Fato denunciado:", styles.FIELD_LABEL), text(detail.description)]  # fmt: skip


def _receipt_body(info: PageInfo, detail: ComplaintDetail, department: str) -> list[Flowable]:
    row = detail.row
    deadline = f"{detail.deadline_words}, até {styles.format_date(row.due_on)}"
    follow = (
        f"Acompanhe o andamento informando o protocolo nº {row.protocol} à {department} da "
        f"{info.secretariat}, pessoalmente, por telefone ou pela Ouvidoria. A resposta será "
        "dada no prazo acima. "
    )
    if row.anonymous:
        follow += "Denúncia anônima: nenhum dado do denunciante foi registrado."
    else:
        follow += "A identidade do denunciante é mantida em sigilo."
    return [
        *_facts(detail),
        section_title("Prazo para resposta"),
        text(deadline, styles.FIELD_VALUE),
        section_title("Como acompanhar"),
        text(follow),
        signed_block([spacer(10)], [("Servidor(a) que recebeu a denúncia", department)]),
    ]


def _answer_body(info: PageInfo, detail: ComplaintDetail, department: str) -> list[Flowable]:
    answered = styles.date_in_words(detail.answered_on) if detail.answered_on else ""
    closing = signed_block(
        [spacer(4), text(f"{info.municipality_name}, {answered}.", styles.BODY_LEFT), spacer(6)],
        [(detail.answered_by or "Autoridade sanitária", department)],
    )
    return [
        *_facts(detail),
        section_title("Resposta da Vigilância Sanitária"),
        text(detail.answer),
        closing,
    ]
