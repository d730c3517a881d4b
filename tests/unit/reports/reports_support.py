"""Helpers for the report tests: a municipality, clerks, citizens, and reading PDFs back as text.

Citizens are inserted directly with the ORM (valid CNS and CPF drawn from a seeded generator), so
the reports are exercised against real tables without going through the registry's service rules.
"""

from __future__ import annotations

import io
import random
import uuid
from datetime import date

from PIL import Image, ImageDraw
from pypdf import PdfReader

from app.brazil.identifiers import generate_cns, generate_cpf
from app.brazil.names import normalize_key
from app.db.session import Database
from app.installation.models import Municipality
from app.registry.enums import Race, Sex, UnitKind
from app.registry.models import Citizen, District, HealthUnit
from app.security.actor import Actor

CLERK = Actor(
    account_id=uuid.UUID("01900000-0000-7000-8000-000000000001"),
    username="maria.souza",
    full_name="Maria Aparecida Souza",
    permissions=frozenset({"registry.read", "registry.print", "documents.verify"}),
)
READER = Actor(
    account_id=uuid.UUID("01900000-0000-7000-8000-000000000002"),
    username="joao.lima",
    full_name="João Lima",
    permissions=frozenset({"registry.read", "documents.verify"}),
)
CAMPINA_VERDE_IBGE = "3111200"  # Campina Verde – MG


def brasao_png() -> bytes:
    """A small drawn shield standing in for a real brasão."""
    image = Image.new("RGBA", (240, 280), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(20, 20), (220, 20), (220, 150), (120, 265), (20, 150)], fill=(31, 78, 121, 255))
    draw.rectangle([60, 60, 180, 140], fill=(242, 201, 76, 255))
    draw.ellipse([95, 75, 145, 125], fill=(46, 125, 50, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def add_municipality(db: Database, brasao: bytes | None = None) -> None:
    with db.unit_of_work() as s:
        s.add(
            Municipality(
                name="Campina Verde",
                uf="MG",
                ibge_code=CAMPINA_VERDE_IBGE,
                timezone="America/Sao_Paulo",
                secretariat_name="Secretaria Municipal de Saúde",
                brasao_png=brasao,
            )
        )


def add_district(db: Database, name: str) -> uuid.UUID:
    with db.unit_of_work() as s:
        district = District(name=name, name_key=normalize_key(name))
        s.add(district)
        s.flush()
        return district.id


def add_unit(db: Database, cnes: str, name: str) -> None:
    with db.unit_of_work() as s:
        s.add(HealthUnit(cnes=cnes, name=name, kind=UnitKind.UBS))


def citizen(rng: random.Random, name: str, **fields: object) -> Citizen:
    values: dict[str, object] = {
        "name": name,
        "name_key": normalize_key(name),
        "cns": generate_cns(rng),
        "cpf": generate_cpf(rng),
        "birth_date": date(1985, 8, 15),
        "sex": Sex.FEMALE,
        "race": Race.BROWN,
        "unit_cnes": "2171643",
    }
    values.update(fields)
    return Citizen(**values)


def add_citizens(db: Database, citizens: list[Citizen]) -> list[uuid.UUID]:
    with db.unit_of_work() as s:
        s.add_all(citizens)
        s.flush()
        return [c.id for c in citizens]


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of every page, as a reader would copy it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
