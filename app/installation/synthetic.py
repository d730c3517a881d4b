"""Synthetic people for demo data and benchmarks: plausible names, valid CNS/CPF, no real person.

Rows come out as plain dicts ready for a Core bulk insert into `citizen`, so the same generator
fills the demo's few thousand citizens and the benchmark's million. Identifiers pass the official
check-digit routines; uniqueness is kept by drawing until an unused value appears.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from app.brazil.identifiers import generate_cns, generate_cpf
from app.brazil.names import normalize_key
from app.db.base import new_id
from app.registry.enums import Race, Sex

FEMALE_NAMES = (
    "Maria",
    "Ana",
    "Francisca",
    "Antônia",
    "Adriana",
    "Juliana",
    "Márcia",
    "Fernanda",
    "Patrícia",
    "Aline",
    "Sandra",
    "Camila",
    "Amanda",
    "Bruna",
    "Jéssica",
    "Letícia",
    "Júlia",
    "Luciana",
    "Vanessa",
    "Mariana",
    "Gabriela",
    "Beatriz",
    "Larissa",
    "Cláudia",
    "Rosângela",
    "Conceição",
    "Lúcia",
    "Helena",
    "Sebastiana",
    "Terezinha",
    "Raimunda",
    "Joana",
    "Luíza",
    "Cecília",
)
MALE_NAMES = (
    "José",
    "João",
    "Antônio",
    "Francisco",
    "Carlos",
    "Paulo",
    "Pedro",
    "Lucas",
    "Luiz",
    "Marcos",
    "Luís",
    "Gabriel",
    "Rafael",
    "Daniel",
    "Marcelo",
    "Bruno",
    "Eduardo",
    "Felipe",
    "Raimundo",
    "Rodrigo",
    "Sebastião",
    "Benedito",
    "Joaquim",
    "Vinícius",
    "Otávio",
    "Caetano",
    "Inácio",
)
SURNAMES = (
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Gonçalves",
    "Santana",
    "Teixeira",
    "Araújo",
    "Conceição",
    "Simões",
    "Brandão",
    "Magalhães",
    "Guimarães",
    "Azevedo",
    "Peçanha",
)
STREETS = (
    "Rua das Flores",
    "Rua XV de Novembro",
    "Avenida Brasil",
    "Rua Sete de Setembro",
    "Rua Tiradentes",
    "Rua São João",
    "Avenida Getúlio Vargas",
    "Rua Marechal Deodoro",
    "Rua Dom Pedro II",
    "Travessa da Paz",
    "Rua das Palmeiras",
    "Rua Paraná",
)
# A 4-digit etnia code for the synthetic indigenous citizens. Illustrative only: the DATASUS table
# of etnias is not bundled, so no real name is attached to this code.
ILLUSTRATIVE_ETHNICITY = "0001"
RACE_WEIGHTS = (
    (Race.BROWN, 45),
    (Race.WHITE, 43),
    (Race.BLACK, 10),
    (Race.YELLOW, 1),
    (Race.INDIGENOUS, 1),
)


def person_name(rng: random.Random, sex: Sex) -> str:
    first = rng.choice(FEMALE_NAMES if sex is Sex.FEMALE else MALE_NAMES)
    middle = rng.choice(SURNAMES)
    last = rng.choice(SURNAMES)
    return f"{first} {middle} {last}" if middle != last else f"{first} {last}"


def phone_number(rng: random.Random) -> str:
    """A mobile (11 digits) or, less often, a landline (10 digits) number in DDD 43."""
    if rng.random() < 0.85:
        return f"439{rng.randint(10_000_000, 99_999_999)}"
    return f"433{rng.randint(1_000_000, 9_999_999)}"


class UniqueDraw:
    """Draws identifiers that have not been drawn before in this run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def cns(self) -> str:
        return self._draw(lambda: generate_cns(self.rng, provisional=self.rng.random() < 0.3))

    def cpf(self) -> str:
        return self._draw(lambda: generate_cpf(self.rng))

    def _draw(self, make: Any) -> str:
        while True:
            value = str(make())
            if value not in self.seen:
                self.seen.add(value)
                return value


def citizen_rows(
    rng: random.Random,
    count: int,
    *,
    today: date,
    district_ids: list[Any],
    unit_cnes: list[str],
    municipality_ibge: str,
    node_id: str,
) -> Iterator[dict[str, Any]]:
    """`count` synthetic citizens as dicts for `insert(Citizen)`."""
    draw = UniqueDraw(rng)
    races = [race for race, _ in RACE_WEIGHTS]
    weights = [weight for _, weight in RACE_WEIGHTS]
    for _ in range(count):
        sex = Sex.FEMALE if rng.random() < 0.52 else Sex.MALE
        race = rng.choices(races, weights)[0]
        name = person_name(rng, sex)
        mother = person_name(rng, Sex.FEMALE)
        has_cpf = rng.random() < 0.8
        yield {
            "id": new_id(),
            "name": name,
            "name_key": normalize_key(name),
            "social_name": "",
            "cns": draw.cns(),
            "cpf": draw.cpf() if has_cpf else None,
            "birth_date": today - timedelta(days=rng.randint(0, 95 * 365)),
            "sex": sex,
            "race": race,
            "ethnicity": ILLUSTRATIVE_ETHNICITY if race is Race.INDIGENOUS else "",
            "mother_name": mother,
            "mother_key": normalize_key(mother),
            "cep": f"86{rng.randint(100, 999)}{rng.randint(0, 999):03d}",
            "street": rng.choice(STREETS),
            "number": str(rng.randint(1, 2500)),
            "complement": "",
            "district_id": rng.choice(district_ids),
            "municipality_ibge": municipality_ibge,
            "phone": phone_number(rng),
            "unit_cnes": rng.choice(unit_cnes),
            "origin_node": node_id,
        }
