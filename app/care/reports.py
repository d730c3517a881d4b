"""Printouts of the agendas: a professional's "Agenda do dia" and the citizen's "Comprovante de
agendamento".

Both go through `app.reports.issue` (verification code in the footer, register of issued
documents, audit). The day agenda needs "care.read" and lists every slot of the day in time order
(hora, cidadão, CNS, situação), free and blocked ones too, so the professional sees the whole day;
it is a chunked table, as every listing is. The slip needs "care.schedule" (it is handed out at
booking time) and writes the date and time out in words, with what to bring.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime

from reportlab.platypus import Flowable
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
from app.errors import NotFound
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
from app.security.actor import Actor

DEPARTMENT = "Atenção à Saúde"
DAY_KIND = "care.day_agenda"
DAY_TITLE = "Agenda do dia"
SLIP_KIND = "care.appointment_slip"
SLIP_TITLE = "Comprovante de agendamento"

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
