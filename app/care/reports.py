"""Printouts of the care department: a professional's "Agenda do dia", the citizen's
"Comprovante de agendamento" and a unit's "Relatório de produção mensal".

All go through `app.reports.issue` (verification code in the footer, register of issued
documents, audit). The day agenda needs "care.read" and lists every slot of the day in time order
(hora, cidadão, CNS, situação), free and blocked ones too, so the professional sees the whole day;
it is a chunked table, as every listing is. The slip needs "care.schedule" (it is handed out at
booking time) and writes the date and time out in words, with what to bring. The production
report needs "care.read" or "care.production": a month's totals by professional and by SIGTAP
procedure, as the unit's manager and the billing clerk sign them before the BPA goes out; while
the competence is open it says, in a box at the top, that the numbers are provisional.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.identifiers import format_cns, format_phone
from app.care.agenda_queries import (
    SlipData,
    SlotRow,
    day_agenda,
    list_agenda_units,
    list_professionals,
    slip_data,
)
from app.care.agenda_rules import WEEKDAYS
from app.care.attendance_queries import (
    CompetenceRow,
    ProcedureTotal,
    ProductionSummary,
    ProfessionalTotal,
    production_summary,
)
from app.care.attendance_rules import competence_label, is_competence
from app.care.models import CompetenceClosing
from app.errors import NotFound, ValidationError
from app.reference.cbo import occupation_title
from app.registry.models import HealthUnit, ProfessionalBond
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
from app.reports.page import CONTENT_WIDTH, PageInfo, build_pdf
from app.security.actor import SYSTEM, Actor
from app.security.models import Account

DEPARTMENT = "Atenção à Saúde"
DAY_KIND = "care.day_agenda"
DAY_TITLE = "Agenda do dia"
SLIP_KIND = "care.appointment_slip"
SLIP_TITLE = "Comprovante de agendamento"
PRODUCTION_KIND = "care.production_report"
PRODUCTION_TITLE = "Relatório de produção mensal"

DAY_HEADER = ("Hora", "Cidadão", "CNS", "Situação")
DAY_WIDTHS = column_widths(9, 47, 20, 24)
FREE = "— horário livre —"
WHAT_TO_BRING = (
    "Documento de identificação com foto e o Cartão Nacional de Saúde (CNS) ou CPF.",
    "Exames, receitas e encaminhamentos anteriores, e os medicamentos em uso (ou a lista deles).",
    "Caderneta de vacinação; para crianças, a Caderneta da Criança.",
)
SLIP_NOTES = (
    "Chegue com 15 minutos de antecedência. Se não puder comparecer, avise a unidade o quanto "
    "antes: a vaga será oferecida a outra pessoa da lista de espera."
)


def date_written_out(day: date) -> str:
    """`segunda-feira, 20 de abril de 2026`."""
    return f"{WEEKDAYS[day.weekday()]}, {styles.date_in_words(day)}"


def when_written_out(local: datetime) -> str:
    """`segunda-feira, 20 de abril de 2026, às 8h30` (the hour as people say it)."""
    hour = f"{local.hour}h{local.minute:02d}" if local.minute else f"{local.hour}h"
    return f"{date_written_out(local.date())}, às {hour}"


# --- agenda do dia --------------------------------------------------------------------------------


def _names(
    session: Session, actor: Actor, unit_cnes: str, professional_id: uuid.UUID
) -> tuple[str, str]:
    unit = next((u for u in list_agenda_units(session, actor) if u.cnes == unit_cnes), None)
    person = next(
        (p for p in list_professionals(session, actor, unit_cnes) if p.id == professional_id), None
    )
    if unit is None or person is None:
        raise NotFound("Unidade ou profissional não encontrado.")
    title = f" ({person.cbo_title})" if person.cbo_title else ""
    return f"CNES {unit.cnes} – {unit.name}", f"{person.name}{title}"


def agenda_day_pdf(
    session: Session, actor: Actor, unit_cnes: str, professional_id: uuid.UUID, day: date
) -> IssuedPdf:
    """Issue the "Agenda do dia" of a professional at a unit."""
    actor.require("care.read", unit_cnes)
    unit, professional = _names(session, actor, unit_cnes, professional_id)
    rows = day_agenda(session, actor, unit_cnes, professional_id, day)

    def build(info: PageInfo) -> bytes:
        return build_pdf(info, _day_body(unit, professional, day, rows))

    return issue(
        session, actor, kind=DAY_KIND, title=DAY_TITLE, subject_id=str(professional_id),
        department=DEPARTMENT, build=build,
        parameters={"unit_cnes": unit_cnes, "professional_id": str(professional_id),
                    "day": day.isoformat()},
    )  # fmt: skip


def _day_cells(rows: list[SlotRow]) -> Iterator[tuple[str, str, str, str]]:
    for row in rows:
        hour = f"{row.local_start:%H:%M}"
        active = row.active
        if row.blocked_reason and not active:
            yield hour, "", "", f"Bloqueado: {row.blocked_reason}"
        elif not active:
            yield hour, FREE, "", ""
        for booking in active:
            status = booking.status.label + (" (encaixe)" if booking.overbooked else "")
            yield hour, booking.citizen_name, format_cns(booking.cns), status


def _day_body(unit: str, professional: str, day: date, rows: list[SlotRow]) -> list[Flowable]:
    head = field_grid(
        [("Unidade", unit, 2), ("Profissional", professional, 2), ("Data", date_written_out(day))],
        columns=2,
    )
    body: list[Flowable] = [head, spacer(3)]
    if not rows:
        return [*body, text("Não há horários nesta agenda para este dia.", styles.TOTAL)]
    booked = sum(len(r.active) for r in rows)
    free = sum(r.free for r in rows if not r.blocked_reason)
    body.extend(chunked_table(DAY_HEADER, _day_cells(rows), DAY_WIDTHS))
    summary = (
        f"Total: {styles.plural(booked, 'cidadão agendado', 'cidadãos agendados')}; "
        f"{styles.plural(free, 'vaga livre', 'vagas livres')}."
    )
    return [*body, text(summary, styles.TOTAL)]


# --- comprovante de agendamento -------------------------------------------------------------------


def appointment_slip_pdf(session: Session, actor: Actor, appointment_id: uuid.UUID) -> IssuedPdf:
    """Issue the citizen's "Comprovante de agendamento" of one booking."""
    actor.require("care.schedule")
    data = slip_data(session, actor, appointment_id)
    actor.require("care.schedule", data.unit_cnes)

    def build(info: PageInfo) -> bytes:
        return build_pdf(info, _slip_body(data, info))

    return issue(
        session, actor, kind=SLIP_KIND, title=SLIP_TITLE, subject_id=str(appointment_id),
        department=DEPARTMENT, build=build, parameters={"appointment_id": str(appointment_id)},
    )  # fmt: skip


def _slip_body(data: SlipData, info: PageInfo) -> list[Flowable]:
    unit = f"CNES {data.unit_cnes} – {data.unit_name}"
    professional = data.professional_name + (f" ({data.cbo_title})" if data.cbo_title else "")
    grid = field_grid(
        [
            ("Cidadão(ã)", data.citizen_name, 2),
            ("CNS", format_cns(data.cns)),
            ("Situação", data.status.label),
            ("Data e hora", when_written_out(data.local_start), 2),
            ("Profissional", professional, 2),
            ("Unidade de saúde", unit, 2),
            ("Endereço", data.unit_address),
            ("Telefone da unidade", format_phone(data.unit_phone)),
        ],
        columns=2,
    )
    bring = [text(f"• {item}", styles.BODY_LEFT) for item in WHAT_TO_BRING]
    return [
        section_title("Agendamento"),
        grid,
        section_title("O que trazer"),
        *bring,
        spacer(3),
        text(SLIP_NOTES),
        spacer(3),
        text(
            "A autenticidade deste comprovante pode ser conferida na unidade pelo código de "
            f"verificação {info.code}, impresso no rodapé.",
            styles.NOTE,
        ),
        spacer(6),
        signature_block([(info.issued_by, "Servidor(a) responsável pelo agendamento")]),
    ]


# --- relatório de produção mensal -----------------------------------------------------------------

PROFESSIONAL_HEADER = ("Profissional", "CNS", "CBO (ocupação)", "Atendimentos", "Procedimentos")
PROFESSIONAL_WIDTHS = column_widths(28, 17, 29, 13, 13)
PROCEDURE_HEADER = ("Código SIGTAP", "Procedimento", "Atendimentos", "Quantidade")
PROCEDURE_WIDTHS = column_widths(16, 58, 13, 13)
NUMBERS_RIGHT = ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT")
OPEN_HEADLINE = "Competência aberta — relatório provisório"
OPEN_DETAIL = (
    "Os números ainda podem mudar: atendimentos desta competência continuam sendo digitados e "
    "corrigidos até o fechamento pelo faturamento."
)
COUNTING_NOTE = (
    "Contam os atendimentos válidos apresentados na competência: de um atendimento corrigido, "
    "só a versão mais recente; anulados não contam. Procedimentos somam as quantidades."
)
_WARNING = colors.HexColor("#A4161A")  # dark red: a provisional report must not pass for final
_WARNING_FILL = colors.HexColor("#FDECEC")
_CLOSED_FILL = colors.HexColor("#EAF3EA")
_CLOSED_RULE = colors.HexColor("#2E7D32")


def format_sigtap(code: str) -> str:
    """A SIGTAP code as printed on forms: "0301010064" → "03.01.01.006-4"."""
    if len(code) != 10 or not code.isdigit():
        return code
    return f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:9]}-{code[9]}"


def _production_reader(actor: Actor, unit_cnes: str) -> Actor:
    """Check "care.read" or "care.production" for the unit; returns who reads the summary.

    `production_summary` asks for "care.read" (or "care.attend"); whoever closes a unit's month
    with "care.production" reads that month's production too, so the check is widened here only.
    """
    reads = actor.can("care.read")
    actor.require("care.read" if reads or not actor.can("care.production") else "care.production",
                  unit_cnes)  # fmt: skip
    if reads or actor.can("care.attend"):
        return actor
    return replace(actor, permissions=actor.permissions | {"care.read"})


def _full_name(session: Session, username: str) -> str:
    if username == SYSTEM.username:  # the demo data and headless commands close as the system
        return SYSTEM.full_name
    query = select(Account.full_name).where(Account.username == username)
    return session.scalar(query) or username


def _occupations(session: Session, unit_cnes: str, cbos: set[str]) -> dict[str, str]:
    """Occupation titles: the CBO list's when loaded, else the one typed on the unit's bonds."""
    query = select(ProfessionalBond.cbo, ProfessionalBond.cbo_title).where(
        ProfessionalBond.unit_cnes == unit_cnes, ProfessionalBond.cbo.in_(cbos)
    )
    typed = {cbo: title for cbo, title in session.execute(query) if title}
    return {cbo: occupation_title(session, cbo) or typed.get(cbo, "") for cbo in cbos}


def _closing_totals(session: Session, unit_cnes: str, competence: str) -> tuple[int, int] | None:
    query = select(CompetenceClosing.attendances, CompetenceClosing.procedures).where(
        CompetenceClosing.unit_cnes == unit_cnes,
        CompetenceClosing.competence == competence,
        CompetenceClosing.deleted_at.is_(None),
    )
    row = session.execute(query).first()
    return (int(row[0]), int(row[1])) if row else None


@dataclass(frozen=True)
class _Facts:
    """What the production report prints, gathered before the PDF is built."""

    summary: ProductionSummary
    closer: str  # full name of who closed (or last closed) the competence
    at_closing: tuple[int, int] | None  # (attendances, procedures) counted when it was closed
    occupations: dict[str, str]

    @property
    def closed(self) -> bool:
        return self.summary.closing is not None and self.summary.closing.closed


def production_report_pdf(
    session: Session, actor: Actor, unit_cnes: str, competence: str
) -> IssuedPdf:
    """Issue the "Relatório de produção mensal" of a unit for a competence (AAAAMM)."""
    reader = _production_reader(actor, unit_cnes)
    if not is_competence(competence):
        raise ValidationError({"competence": "Competência inválida: use MM/AAAA."})
    if session.scalar(select(HealthUnit.name).where(HealthUnit.cnes == unit_cnes)) is None:
        raise NotFound(f"Unidade CNES {unit_cnes} não encontrada.")
    summary = production_summary(session, reader, unit_cnes, competence)
    closing = summary.closing
    facts = _Facts(
        summary,
        closer=_full_name(session, closing.closed_by) if closing else "",
        at_closing=_closing_totals(session, unit_cnes, competence),
        occupations=_occupations(session, unit_cnes, {p.cbo for p in summary.by_professional}),
    )

    def build(info: PageInfo) -> bytes:
        return build_pdf(info, _production_body(facts, info))

    return issue(
        session, actor, kind=PRODUCTION_KIND, title=PRODUCTION_TITLE, subject_id=unit_cnes,
        department=DEPARTMENT, build=build,
        parameters={"unit_cnes": unit_cnes, "competence": competence,
                    "closed": bool(closing and closing.closed)},
    )  # fmt: skip


def _status_lines(facts: _Facts, info: PageInfo) -> tuple[str, str]:
    """(headline, detail) of the box at the top: closed on which day by whom, or provisional."""
    closing: CompetenceRow | None = facts.summary.closing
    if closing is None or closing.closed_at is None:
        return OPEN_HEADLINE, OPEN_DETAIL
    day = styles.format_date(styles.local_time(closing.closed_at, info.timezone).date())
    if not closing.closed:
        reason = closing.reopen_reason.rstrip(".")
        detail = f"Reaberta depois do fechamento de {day} por {facts.closer}. Motivo: {reason}."
        return OPEN_HEADLINE, f"{detail} {OPEN_DETAIL}"
    return f"Competência fechada em {day} por {facts.closer}", _closed_detail(facts)


def _closed_detail(facts: _Facts) -> str:
    now = (facts.summary.attendances, facts.summary.procedures)
    if facts.at_closing is None or facts.at_closing == now:
        return "Nenhum atendimento entra mais nesta competência; os atrasados vão para a seguinte."
    was_a, was_p = facts.at_closing
    return (
        f"Atenção: no fechamento eram {styles.plural(was_a, 'atendimento', 'atendimentos')} e "
        f"{styles.plural(was_p, 'procedimento', 'procedimentos')}; registros recebidos de "
        "outras instalações depois do fechamento alteraram os números abaixo."
    )


def _status_box(headline: str, detail: str, closed: bool) -> Table:
    ink, fill, rule = (
        (styles.INK, _CLOSED_FILL, _CLOSED_RULE) if closed else (_WARNING, _WARNING_FILL, _WARNING)
    )
    head_style = ParagraphStyle(
        "status_head", parent=styles.TOTAL, fontSize=11 if closed else 12.5, leading=15,
        textColor=ink, spaceBefore=0,
    )  # fmt: skip
    detail_style = ParagraphStyle("status_detail", parent=styles.BODY_LEFT, textColor=ink)
    box = Table([[text(headline, head_style)], [text(detail, detail_style)]],
                colWidths=[CONTENT_WIDTH])  # fmt: skip
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), fill),
        ("BOX", (0, 0), (-1, -1), 1.4 if closed else 2, rule),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, 0), 6),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
    ]))  # fmt: skip
    return box


def _professional_cells(
    rows: tuple[ProfessionalTotal, ...], occupations: dict[str, str]
) -> Iterator[tuple[str, ...]]:
    for row in rows:
        title = occupations.get(row.cbo, "")
        cbo = f"{row.cbo} – {title}" if title else row.cbo
        yield (row.name, format_cns(row.cns or "") or "—", cbo, styles.format_int(row.attendances),
               styles.format_int(row.procedures))  # fmt: skip


def _procedure_cells(rows: tuple[ProcedureTotal, ...]) -> Iterator[tuple[str, ...]]:
    for row in rows:
        yield (format_sigtap(row.code), row.name or "(fora da tabela SIGTAP importada)",
               styles.format_int(row.attendances), styles.format_int(row.quantity))  # fmt: skip


def _production_head(facts: _Facts, info: PageInfo) -> list[Flowable]:
    data = facts.summary
    head = field_grid(
        [("Unidade de saúde", data.unit_name, 2), ("CNES", data.unit_cnes),
         ("Competência", competence_label(data.competence))],
        columns=4,
    )  # fmt: skip
    totals = field_grid(
        [("Atendimentos", styles.format_int(data.attendances)),
         ("Procedimentos (quantidade)", styles.format_int(data.procedures)),
         ("Profissionais", styles.format_int(len({p.professional_id
                                                  for p in data.by_professional})))],
        columns=3,
    )  # fmt: skip
    box = _status_box(*_status_lines(facts, info), facts.closed)
    return [head, spacer(3), box, section_title("Totais da competência"), totals]


def _production_body(facts: _Facts, info: PageInfo) -> list[Flowable]:
    data = facts.summary
    body = _production_head(facts, info)
    if not data.by_professional:
        body += [spacer(3), text("Nenhum atendimento registrado nesta competência.", styles.TOTAL)]
    else:
        totals = (
            f"Total: {styles.plural(data.attendances, 'atendimento', 'atendimentos')}; "
            f"{styles.plural(data.procedures, 'procedimento', 'procedimentos')}."
        )
        body += [
            section_title("Produção por profissional"),
            *chunked_table(PROFESSIONAL_HEADER, _professional_cells(
                data.by_professional, facts.occupations), PROFESSIONAL_WIDTHS,
                align=NUMBERS_RIGHT),
            text(totals, styles.TOTAL),
            section_title("Produção por procedimento"),
            *chunked_table(PROCEDURE_HEADER, _procedure_cells(data.by_procedure),
                           PROCEDURE_WIDTHS, align=NUMBERS_RIGHT[1:]),
            text(totals, styles.TOTAL),
        ]  # fmt: skip
    # who closed signs for billing; after a closing by the system (demo) the name is left blank
    billing = facts.closer if facts.closed and facts.closer != SYSTEM.full_name else ""
    return [
        *body,
        spacer(2),
        text(COUNTING_NOTE, styles.NOTE),
        spacer(10),
        signature_block(
            [("", "Responsável pela unidade"), (billing, "Responsável pelo faturamento")]
        ),
    ]
