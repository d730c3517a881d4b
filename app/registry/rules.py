"""Pure rules of the citizen registry: field validation with Portuguese messages, no database.

`citizen_errors` returns `{field: message}` for everything wrong with a citizen's data, so the form
can show each message beside its field at once. Duplicate checks need the database and live in
the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.brazil import identifiers as ids
from app.brazil.ibge import municipality_error
from app.brazil.names import name_error, normalize_key, tidy_name
from app.registry.enums import Race, Sex

MAX_AGE_YEARS = 130


@dataclass(frozen=True)
class CitizenInput:
    """What the citizen form submits (identifiers may come masked; they are cleaned here)."""

    name: str
    birth_date: date | None
    sex: Sex | None
    cns: str = ""
    cpf: str = ""
    social_name: str = ""
    race: Race = Race.UNKNOWN
    ethnicity: str = ""  # etnia indígena: 4-digit code, only when race is indigenous
    mother_name: str = ""
    cep: str = ""
    street: str = ""
    number: str = ""
    complement: str = ""
    district_id: str = ""
    municipality_ibge: str = ""
    phone: str = ""
    unit_cnes: str = ""


def cleaned(data: CitizenInput) -> CitizenInput:
    """The same input with identifiers reduced to digits and names tidied."""
    return CitizenInput(
        name=tidy_name(data.name),
        birth_date=data.birth_date,
        sex=data.sex,
        cns=ids.only_digits(data.cns),
        cpf=ids.only_digits(data.cpf),
        social_name=tidy_name(data.social_name),
        race=data.race,
        ethnicity=ids.only_digits(data.ethnicity),
        mother_name=tidy_name(data.mother_name),
        cep=ids.only_digits(data.cep),
        street=data.street.strip(),
        number=data.number.strip(),
        complement=data.complement.strip(),
        district_id=data.district_id,
        municipality_ibge=ids.only_digits(data.municipality_ibge),
        phone=ids.only_digits(data.phone),
        unit_cnes=ids.only_digits(data.unit_cnes),
    )


def birth_date_error(value: date | None, today: date) -> str | None:
    if value is None:
        return "Informe a data de nascimento."
    if value > today:
        return "A data de nascimento não pode estar no futuro."
    if today.year - value.year > MAX_AGE_YEARS:
        return f"Data de nascimento improvável: mais de {MAX_AGE_YEARS} anos."
    return None


def ethnicity_error(race: Race, code: str) -> str | None:
    """The etnia goes with race/colour "indígena" only, and then it is required (e-SUS, BPA-I)."""
    if race is not Race.INDIGENOUS:
        return "Etnia só se informa para raça/cor indígena." if code else None
    if not code:
        return "Para raça/cor indígena, informe a etnia (código de 4 dígitos)."
    if len(code) != 4:
        return "A etnia é um código de 4 dígitos da tabela de etnias indígenas."
    return None


def _name_errors(data: CitizenInput) -> dict[str, str | None]:
    return {
        "name": name_error(data.name) if data.name else "Informe o nome completo.",
        "social_name": name_error(data.social_name) if data.social_name else None,
        "mother_name": name_error(data.mother_name) if data.mother_name else None,
    }


def citizen_errors(data: CitizenInput, today: date) -> dict[str, str]:
    """Every problem with an already `cleaned` input, keyed by form field."""
    found: dict[str, str | None] = {
        **_name_errors(data),
        "birth_date": birth_date_error(data.birth_date, today),
        "sex": None if data.sex is not None else "Informe o sexo.",
        "ethnicity": ethnicity_error(data.race, data.ethnicity),
        "cns": ids.cns_error(data.cns),
        "cpf": ids.cpf_error(data.cpf),
        "cep": ids.cep_error(data.cep),
        "phone": ids.phone_error(data.phone),
        "municipality_ibge": municipality_error(data.municipality_ibge)
        if data.municipality_ibge
        else None,
    }
    return {field: message for field, message in found.items() if message}


def duplicate_key(name: str, birth_date: date, mother_name: str) -> tuple[str, date, str]:
    """What makes two registrations "probably the same person" (warning, not refusal)."""
    return normalize_key(name), birth_date, normalize_key(mother_name)
