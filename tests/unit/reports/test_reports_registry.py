"""The registry's printouts read back as a clerk would: the ficha of a citizen, the citizen list."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, date, datetime

import pytest
from reports_support import (
    CLERK,
    READER,
    add_citizens,
    add_district,
    add_municipality,
    add_unit,
    brasao_png,
    citizen,
    pdf_pages,
)
from sqlalchemy import func, select

from app.brazil.identifiers import format_cns, format_cpf
from app.db.session import Database
from app.errors import PermissionDenied
from app.registry.enums import Race, Sex
from app.registry.models import Citizen
from app.registry.queries import CitizenFilter
from app.registry.reports import citizen_list_pdf, citizen_record_pdf, describe_filter
from app.reports.issue import verify
from app.reports.models import IssuedDocument
from app.security.actor import Actor
from app.security.models import AuditEntry

PRINTED_CODE = re.compile(r"Código de verificação: (\S+)")
SAO_PAULO_IBGE = "3550308"
LIST_HEADER = "Nome CNS CPF Nascimento Sexo Bairro"


def _ficha_citizen(
    db: Database, rng: random.Random, **fields: object
) -> tuple[uuid.UUID, str, str]:
    centro = add_district(db, "Centro")
    add_unit(db, "2171643", "UBS Dr. Antônio Ferreira")
    person = citizen(
        rng,
        "Maria da Conceição Gonçalves",
        mother_name="Ana Lúcia Gonçalves",
        race=Race.BROWN,
        cep="38270000",
        street="Rua Coronel João Batista",
        number="1234",
        district_id=centro,
        municipality_ibge="3111200",
        phone="34991234567",
        created_at=datetime(2025, 5, 10, 15, 30, tzinfo=UTC),
        updated_at=datetime(2026, 1, 20, 13, 5, tzinfo=UTC),
        **fields,
    )
    (citizen_id,) = add_citizens(db, [person])
    assert person.cns and person.cpf
    return citizen_id, person.cns, person.cpf


def _count(db: Database, model: type, **where: object) -> int:
    with db.read_only() as s:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(s.scalar(query) or 0)


def test_ficha_shows_what_the_clerk_checks(db: Database) -> None:
    add_municipality(db, brasao_png())
    citizen_id, cns, cpf = _ficha_citizen(db, random.Random(1))
    with db.unit_of_work() as s:
        issued = citizen_record_pdf(s, CLERK, citizen_id)
    (content,) = pdf_pages(issued.pdf)
    for expected in (
        "FICHA CADASTRAL DO CIDADÃO",
        "Maria da Conceição Gonçalves",
        format_cns(cns),
        format_cpf(cpf),
        "15/08/1985 (40 anos)",
        "Feminino",
        "Parda",
        "Ana Lúcia Gonçalves",
        "Rua Coronel João Batista",
        "38270-000",
        "Campina Verde – MG",
        "(34) 99123-4567",
        "CNES 2171643 – UBS Dr. Antônio Ferreira",
        "10/05/2025 12:30",
        "20/01/2026 10:05",
        "Campina Verde – MG, 2 de março de 2026.",
        "Cidadão(ã) ou responsável legal",
        "Maria Aparecida Souza",
        "Página 1 de 1",
    ):
        assert expected in content, expected
    assert PRINTED_CODE.findall(content) == [issued.code]
    assert issued.page_count == 1


def test_ficha_code_verifies_and_printing_is_registered(db: Database) -> None:
    add_municipality(db)
    citizen_id, _, _ = _ficha_citizen(db, random.Random(2))
    with db.unit_of_work() as s:
        issued = citizen_record_pdf(s, CLERK, citizen_id)
    with db.unit_of_work() as s:
        result = verify(s, CLERK, issued.code)
        assert result.found
        assert result.message.startswith("Documento autêntico: Ficha cadastral do cidadão, emitido")
        document = s.get(IssuedDocument, issued.document_id)
        assert document is not None
        assert (document.kind, document.subject_id) == ("registry.citizen_record", str(citizen_id))
        assert document.parameters == {"citizen_id": str(citizen_id)}
    assert _count(db, AuditEntry, action="read", entity_id=str(citizen_id)) == 1
    assert _count(db, AuditEntry, action="print", entity_id=str(issued.document_id)) == 1


def test_ficha_of_a_citizen_living_elsewhere_names_that_municipality(db: Database) -> None:
    add_municipality(db)
    citizen_id, _, _ = _ficha_citizen(db, random.Random(3), social_name="Lua")
    with db.unit_of_work() as s:
        person = s.get(Citizen, citizen_id)
        assert person is not None
        person.municipality_ibge = SAO_PAULO_IBGE
    with db.unit_of_work() as s:
        (content,) = pdf_pages(citizen_record_pdf(s, CLERK, citizen_id).pdf)
    assert "Sao Paulo – SP" in content
    assert "Lua" in content


def test_a_corrupt_brasao_does_not_stop_the_ficha(db: Database) -> None:
    add_municipality(db, b"not a png")
    citizen_id, _, _ = _ficha_citizen(db, random.Random(6))
    with db.unit_of_work() as s:
        issued = citizen_record_pdf(s, CLERK, citizen_id)
    (content,) = pdf_pages(issued.pdf)
    assert "Prefeitura Municipal de Campina Verde – MG" in content
    assert "Maria da Conceição Gonçalves" in content


def test_without_print_permission_nothing_is_issued(db: Database) -> None:
    add_municipality(db)
    citizen_id, _, _ = _ficha_citizen(db, random.Random(4))
    with db.unit_of_work() as s, pytest.raises(PermissionDenied):
        citizen_record_pdf(s, READER, citizen_id)
    with db.unit_of_work() as s, pytest.raises(PermissionDenied):
        citizen_list_pdf(s, READER, CitizenFilter())
    assert _count(db, IssuedDocument) == 0
    assert _count(db, AuditEntry, action="print") == 0


def test_a_clerk_of_another_unit_cannot_print_the_ficha(db: Database) -> None:
    add_municipality(db)
    citizen_id, _, _ = _ficha_citizen(db, random.Random(5))
    other_unit = Actor(
        account_id=uuid.uuid4(),
        username="outra",
        full_name="Outra Unidade",
        permissions=CLERK.permissions,
        units=frozenset({"9999999"}),
    )
    with db.unit_of_work() as s, pytest.raises(PermissionDenied):
        citizen_record_pdf(s, other_unit, citizen_id)
    assert _count(db, IssuedDocument) == 0


def _many(db: Database, count: int) -> tuple[uuid.UUID, int]:
    """`count` citizens spread over two bairros; returns Centro's id and its number of women."""
    rng = random.Random(11)
    centro, vila = add_district(db, "Centro"), add_district(db, "Vila São José")
    people = []
    for n in range(count):
        sex = Sex.FEMALE if n % 3 else Sex.MALE
        district = centro if n % 2 else vila
        born = date(1940 + n % 80, 1 + n % 12, 1 + n % 28)
        people.append(
            citizen(rng, f"Pessoa {n:05d} da Silva", sex=sex, district_id=district, birth_date=born)
        )
    add_citizens(db, people)
    women_in_centro = sum(1 for n in range(count) if n % 3 and n % 2)
    return centro, women_in_centro


def test_list_of_every_citizen_spans_numbered_pages_and_ends_with_the_total(db: Database) -> None:
    add_municipality(db)
    _many(db, 1500)
    with db.unit_of_work() as s:
        issued = citizen_list_pdf(s, CLERK, CitizenFilter())
    pages = pdf_pages(issued.pdf)
    total = len(pages)
    assert total > 1 and issued.page_count == total
    assert "Filtros: nenhum (todos os cidadãos)" in pages[0]
    for number, content in enumerate(pages, start=1):
        assert f"Página {number} de {total}" in content
        assert content.splitlines().count(LIST_HEADER) == 1  # column header on every page
    assert f"Página {total} de {total}" in pages[-1]
    assert "Total: 1.500 cidadãos" in pages[-1]
    names = re.findall(r"Pessoa \d{5} da Silva", "\n".join(pages))
    assert names == sorted(names) and len(names) == 1500
    assert PRINTED_CODE.findall(pages[-1]) == [issued.code]


def test_filtered_list_states_its_filters(db: Database) -> None:
    add_municipality(db)
    centro, women_in_centro = _many(db, 120)
    flt = CitizenFilter(sex=Sex.FEMALE, district_id=str(centro))
    with db.unit_of_work() as s:
        issued = citizen_list_pdf(s, CLERK, flt)
        document = s.get(IssuedDocument, issued.document_id)
        assert document is not None
        assert document.parameters == {"sex": "F", "district_id": str(centro)}
    text = "\n".join(pdf_pages(issued.pdf))
    assert "Filtros: sexo Feminino; bairro Centro" in text
    assert f"Total: {women_in_centro} cidadãos" in text
    assert "Masculino" not in text and "Vila São José" not in text


def test_list_with_no_match_says_so(db: Database) -> None:
    add_municipality(db)
    _many(db, 10)
    flt = CitizenFilter(born_from=date(2030, 1, 1))
    with db.unit_of_work() as s:
        text = "\n".join(pdf_pages(citizen_list_pdf(s, CLERK, flt).pdf))
    assert "Filtros: nascidos a partir de 01/01/2030" in text
    assert "Nenhum cidadão encontrado com estes filtros." in text


def test_filters_are_described_in_portuguese(db: Database) -> None:
    centro = add_district(db, "Centro")
    add_unit(db, "2171643", "UBS Centro")
    flt = CitizenFilter(
        text="silva",
        sex=Sex.FEMALE,
        district_id=str(centro),
        unit_cnes="2171643",
        born_from=date(1980, 1, 1),
        born_to=date(1989, 12, 31),
    )
    restricted = Actor(uuid.uuid4(), "ana", "Ana", CLERK.permissions, frozenset({"2171643"}))
    with db.read_only() as s:
        lines = describe_filter(s, restricted, flt)
        by_cpf = describe_filter(s, CLERK, CitizenFilter(text="123.456.789-09"))
    assert lines[0] == (
        "Filtros: nome contém “silva”; sexo Feminino; bairro Centro; "
        "unidade CNES 2171643 – UBS Centro; nascidos entre 01/01/1980 e 31/12/1989"
    )
    assert lines[1] == "Somente cidadãos das unidades que o usuário pode consultar (CNES 2171643)."
    assert by_cpf == ["Filtros: CPF 123.456.789-09"]


def test_list_filtered_by_name_is_alphabetical(db: Database) -> None:
    add_municipality(db)
    rng = random.Random(12)
    names = ["Zélia Silva", "Ana Silva", "Márcio Souza", "Bruno da Silva"]
    add_citizens(db, [citizen(rng, name) for name in names])
    with db.unit_of_work() as s:
        text = "\n".join(pdf_pages(citizen_list_pdf(s, CLERK, CitizenFilter(text="silva")).pdf))
    assert "Filtros: nome contém “silva”" in text
    found = re.findall(r"^(\w+ (?:da )?Silva) \d{3} ", text, flags=re.MULTILINE)
    assert found == ["Ana Silva", "Bruno da Silva", "Zélia Silva"]
    assert "Total: 3 cidadãos" in text
