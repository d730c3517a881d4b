"""Printouts of the citizen registry: the ficha cadastral of one citizen and the list of citizens.

Both are issued through `app.reports.issue` (verification code, register of issued documents,
audit) and need the "registry.print" permission on top of the reading permission the queries check.
The ficha reads the citizen through `get_citizen`, so printing it is also recorded as a reading of
the record (LGPD art. 37). The list pages through `find_citizens` a thousand rows at a time and
states, under the title, which filters produced it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

from reportlab.platypus import Flowable
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil import ibge
from app.brazil.identifiers import format_cep, format_cns, format_cpf, format_phone, only_digits
from app.brazil.names import normalize_key
from app.installation.models import Municipality
from app.registry.models import District, HealthUnit
from app.registry.queries import (
    CitizenDetail,
    CitizenFilter,
    CitizenRow,
    find_citizens,
    get_citizen,
)
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
from app.reports.issue import IssuedPdf, issue, municipality_of
from app.reports.page import PageInfo, build_pdf
from app.security.actor import Actor

DEPARTMENT = "Cadastros"
RECORD_KIND = "registry.citizen_record"
RECORD_TITLE = "Ficha cadastral do cidadão"
LIST_KIND = "registry.citizen_list"
LIST_TITLE = "Lista de cidadãos"
PAGE_SIZE = 1000

DECLARATION = (
    "Declaro que as informações acima são verdadeiras e conferem com os documentos apresentados."
)
LGPD_NOTE = (
    "Dados pessoais tratados pela Secretaria Municipal de Saúde para a identificação do usuário "
    "no SUS, nos termos da Lei nº 13.709/2018 (LGPD). Documento de uso interno."
)


# --- ficha cadastral ------------------------------------------------------------------------------


def citizen_record_pdf(session: Session, actor: Actor, citizen_id: uuid.UUID) -> IssuedPdf:
    """Issue the "Ficha cadastral do cidadão" of one citizen."""
    actor.require("registry.print")
    municipality = municipality_of(session)
    citizen = get_citizen(session, actor, citizen_id)
    actor.require("registry.print", citizen.unit_cnes or None)
    unit = _unit_label(session, citizen.unit_cnes)

    def build(info: PageInfo) -> bytes:
        return build_pdf(info, _record_body(info, citizen, municipality, unit))

    return issue(
        session, actor, kind=RECORD_KIND, title=RECORD_TITLE, subject_id=str(citizen.id),
        department=DEPARTMENT, build=build, parameters={"citizen_id": str(citizen.id)},
    )  # fmt: skip


def _unit_label(session: Session, cnes: str) -> str:
    if not cnes:
        return ""
    name = session.scalar(select(HealthUnit.name).where(HealthUnit.cnes == cnes))
    return f"CNES {cnes} – {name}" if name else f"CNES {cnes}"


def _place(code: str, municipality: Municipality) -> str:
    """The citizen's municipality as "Name – UF" (the profile's own name keeps its accents)."""
    if not code:
        return ""
    if code == municipality.ibge_code:
        return f"{municipality.name} – {municipality.uf}"
    name, uf = ibge.municipality_name(code), ibge.municipality_uf(code)
    return f"{name} – {uf}" if name and uf else f"IBGE {code}"


def _birth(citizen: CitizenDetail, today: date) -> str:
    years = styles.age_in_years(citizen.birth_date, today)
    age = "menos de 1 ano" if years == 0 else styles.plural(years, "ano", "anos")
    return f"{styles.format_date(citizen.birth_date)} ({age})"


def _identification(citizen: CitizenDetail, today: date) -> list[Flowable]:
    grid = field_grid(
        [
            ("Nome civil", citizen.name, 4),
            ("Nome social", citizen.social_name, 4),
            ("CNS", format_cns(citizen.cns)),
            ("CPF", format_cpf(citizen.cpf)),
            ("Data de nascimento (idade)", _birth(citizen, today)),
            ("Sexo", citizen.sex.label),
            (
                "Raça/cor",
                citizen.race.label + (f" (etnia {citizen.ethnicity})" if citizen.ethnicity else ""),
            ),
            ("Nome da mãe", citizen.mother_name, 3),
        ],
        columns=4,
    )
    return [section_title("Identificação"), grid]


def _address(citizen: CitizenDetail, municipality: Municipality) -> list[Flowable]:
    grid = field_grid(
        [
            ("Logradouro", citizen.street, 3),
            ("Número", citizen.number),
            ("Complemento", citizen.complement, 2),
            ("Bairro", citizen.district, 2),
            ("CEP", format_cep(citizen.cep)),
            ("Município", _place(citizen.municipality_ibge, municipality), 3),
        ],
        columns=4,
    )
    return [section_title("Endereço"), grid]


def _contact_and_record(citizen: CitizenDetail, unit: str, tz_name: str) -> list[Flowable]:
    grid = field_grid(
        [
            ("Telefone", format_phone(citizen.phone)),
            ("Unidade de saúde de referência", unit, 3),
            ("Cadastrado em", styles.format_datetime_local(citizen.created_at, tz_name)),
            ("Última atualização", styles.format_datetime_local(citizen.updated_at, tz_name)),
            ("Identificador do registro", str(citizen.id), 2),
        ],
        columns=4,
    )
    return [section_title("Contato e registro"), grid]


def _record_body(
    info: PageInfo, citizen: CitizenDetail, municipality: Municipality, unit: str
) -> list[Flowable]:
    today = styles.local_time(info.issued_at, info.timezone).date()
    signer = citizen.social_name or citizen.name
    return [
        *_identification(citizen, today),
        *_address(citizen, municipality),
        *_contact_and_record(citizen, unit, info.timezone),
        spacer(6),
        text(DECLARATION),
        spacer(3),
        text(f"{municipality.name} – {municipality.uf}, {styles.date_in_words(today)}."),
        spacer(4),
        signature_block(
            [
                (signer, "Cidadão(ã) ou responsável legal"),
                (info.issued_by, "Servidor(a) responsável"),
            ]
        ),
        spacer(4),
        text(LGPD_NOTE, styles.SMALL),
    ]


# --- lista de cidadãos ----------------------------------------------------------------------------

LIST_HEADER = ("Nome", "CNS", "CPF", "Nascimento", "Sexo", "Bairro")
LIST_WIDTHS = column_widths(33.5, 18, 15.5, 12, 10, 16)


def citizen_list_pdf(session: Session, actor: Actor, flt: CitizenFilter) -> IssuedPdf:
    """Issue the "Lista de cidadãos" for the filters the clerk chose (every page of results)."""
    actor.require("registry.print")
    actor.require("registry.read")
    described = describe_filter(session, actor, flt)

    def build(info: PageInfo) -> bytes:
        rows = _ordered(_all_rows(session, actor, flt), flt)
        return build_pdf(info, _list_body(described, rows))

    return issue(
        session, actor, kind=LIST_KIND, title=LIST_TITLE, subject_id=None, department=DEPARTMENT,
        build=build, parameters=filter_parameters(flt),
    )  # fmt: skip


def _all_rows(session: Session, actor: Actor, flt: CitizenFilter) -> Iterator[CitizenRow]:
    after = None
    while True:
        page = find_citizens(session, actor, flt, after=after, limit=PAGE_SIZE)
        yield from page
        if len(page) < PAGE_SIZE:
            return
        after = page[-1].cursor


def _ordered(
    rows: Iterator[CitizenRow], flt: CitizenFilter
) -> list[CitizenRow] | Iterator[CitizenRow]:
    """Alphabetical order: the name search returns hits in index order, so those are sorted here."""
    if not flt.text.strip():
        return rows  # already ordered by the normalised name
    return sorted(rows, key=lambda row: (normalize_key(row.name), str(row.id)))


def _list_cells(row: CitizenRow) -> tuple[str, ...]:
    name = f"{row.name} (nome social: {row.social_name})" if row.social_name else row.name
    return (
        name, format_cns(row.cns), format_cpf(row.cpf), styles.format_date(row.birth_date),
        row.sex.label, row.district,
    )  # fmt: skip


def _list_body(
    described: list[str], rows: list[CitizenRow] | Iterator[CitizenRow]
) -> list[Flowable]:
    counted = 0

    def cells() -> Iterator[tuple[str, ...]]:
        nonlocal counted
        for row in rows:
            counted += 1
            yield _list_cells(row)

    body: list[Flowable] = [text(line, styles.NOTE) for line in described]
    body.append(spacer(2))
    table = chunked_table(LIST_HEADER, cells(), LIST_WIDTHS)
    if counted == 0:
        return [*body, text("Nenhum cidadão encontrado com estes filtros.", styles.TOTAL)]
    total = styles.plural(counted, "cidadão", "cidadãos")
    return [*body, *table, text(f"Total: {total}", styles.TOTAL)]


# --- describing the filters -----------------------------------------------------------------------


def _text_filter(typed: str) -> str:
    digits = only_digits(typed)
    compact = typed.replace(".", "").replace("-", "").replace(" ", "")
    if digits == compact and len(digits) == 15:
        return f"CNS {format_cns(digits)}"
    if digits == compact and len(digits) == 11:
        return f"CPF {format_cpf(digits)}"
    return f"nome contém “{typed}”"


def _district_name(session: Session, district_id: str) -> str:
    try:
        name = session.scalar(select(District.name).where(District.id == uuid.UUID(district_id)))
    except ValueError:
        name = None
    return name or "não encontrado"


def _birth_filter(born_from: date | None, born_to: date | None) -> str | None:
    start, end = styles.format_date(born_from), styles.format_date(born_to)
    if start and end:
        return f"nascidos entre {start} e {end}"
    if start:
        return f"nascidos a partir de {start}"
    return f"nascidos até {end}" if end else None


def describe_filter(session: Session, actor: Actor, flt: CitizenFilter) -> list[str]:
    """The lines printed under the title saying which citizens the list holds, in Portuguese."""
    parts: list[str] = []
    if flt.text.strip():
        parts.append(_text_filter(flt.text.strip()))
    if flt.sex is not None:
        parts.append(f"sexo {flt.sex.label}")
    if flt.district_id:
        parts.append(f"bairro {_district_name(session, flt.district_id)}")
    if flt.unit_cnes:
        parts.append(f"unidade {_unit_label(session, flt.unit_cnes)}")
    born = _birth_filter(flt.born_from, flt.born_to)
    if born:
        parts.append(born)
    lines = [f"Filtros: {'; '.join(parts)}" if parts else "Filtros: nenhum (todos os cidadãos)"]
    if actor.units:
        allowed = ", ".join(sorted(actor.units))
        lines.append(
            f"Somente cidadãos das unidades que o usuário pode consultar (CNES {allowed})."
        )
    return lines


def filter_parameters(flt: CitizenFilter) -> dict[str, str]:
    """The filters as stored with the issued document (values only, no citizen data)."""
    values = {
        "text": flt.text.strip(),
        "district_id": flt.district_id,
        "sex": flt.sex.value if flt.sex is not None else "",
        "unit_cnes": flt.unit_cnes,
        "born_from": flt.born_from.isoformat() if flt.born_from else "",
        "born_to": flt.born_to.isoformat() if flt.born_to else "",
    }
    return {name: value for name, value in values.items() if value}
