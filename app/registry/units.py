"""Health units, professionals (with their bonds to units) and bairros: commands and lists.

Small master tables that every department refers to. Their screens come with the departments
that manage them; here are the services the setup, the demo data and the forms need.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.identifiers import cbo_error, cnes_error, cns_error, only_digits
from app.brazil.names import name_error, normalize_key, tidy_name
from app.errors import ValidationError
from app.registry.enums import UnitKind
from app.registry.models import District, HealthUnit, Professional, ProfessionalBond
from app.security import audit
from app.security.actor import Actor


@dataclass(frozen=True)
class UnitRow:
    cnes: str
    name: str
    kind: UnitKind


def create_district(session: Session, actor: Actor, name: str) -> uuid.UUID:
    actor.require("registry.write")
    name = " ".join(name.split())
    if len(name) < 2:
        raise ValidationError({"name": "Informe o nome do bairro."})
    key = normalize_key(name)
    if session.scalar(select(District.id).where(District.name_key == key)) is not None:
        raise ValidationError({"name": "Este bairro já está cadastrado."})
    district = District(name=name, name_key=key)
    session.add(district)
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="district", entity_id=str(district.id))
    return district.id


def create_unit(
    session: Session, actor: Actor, *, cnes: str, name: str, kind: UnitKind, address: str = ""
) -> uuid.UUID:
    actor.require("registry.write")
    cnes = only_digits(cnes)
    errors = {"cnes": cnes_error(cnes) or ("" if cnes else "Informe o CNES.")}
    errors["name"] = "" if len(name.strip()) >= 3 else "Informe o nome da unidade."
    if session.scalar(select(HealthUnit.id).where(HealthUnit.cnes == cnes)) is not None:
        errors["cnes"] = "Já existe unidade com este CNES."
    _raise_if(errors)
    unit = HealthUnit(cnes=cnes, name=name.strip(), kind=kind, address=address.strip())
    session.add(unit)
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="health_unit", entity_id=str(unit.id))
    return unit.id


def create_professional(
    session: Session, actor: Actor, *, name: str, cns: str, bonds: list[tuple[str, str, str]]
) -> uuid.UUID:
    """A professional with bonds given as (unit CNES, CBO, CBO title)."""
    actor.require("registry.write")
    cns = only_digits(cns)
    errors = {"name": name_error(tidy_name(name)) or "", "cns": cns_error(cns) or ""}
    if not cns:
        errors["cns"] = "Informe o CNS do profissional."
    elif session.scalar(select(Professional.id).where(Professional.cns == cns)) is not None:
        errors["cns"] = "Já existe profissional com este CNS."
    for cnes, cbo, _title in bonds:
        errors["cbo"] = errors.get("cbo") or cbo_error(cbo) or ""
        errors["unit_cnes"] = errors.get("unit_cnes") or cnes_error(cnes) or ""
    _raise_if(errors)
    person = Professional(name=tidy_name(name), name_key=normalize_key(name), cns=cns)
    session.add(person)
    session.flush()
    for cnes, cbo, title in bonds:
        session.add(
            ProfessionalBond(professional_id=person.id, unit_cnes=cnes, cbo=cbo, cbo_title=title)
        )
    audit.record(session, actor, audit.CREATE, entity="professional", entity_id=str(person.id))
    return person.id


def _raise_if(errors: dict[str, str]) -> None:
    found = {field: message for field, message in errors.items() if message}
    if found:
        raise ValidationError(found)


def list_districts(session: Session) -> list[tuple[str, str]]:
    """(id, name) of every bairro, by name, for combos and filters."""
    query = select(District.id, District.name).where(District.deleted_at.is_(None))
    return [(str(i), n) for i, n in session.execute(query.order_by(District.name_key))]


def list_units(session: Session) -> list[UnitRow]:
    query = select(HealthUnit.cnes, HealthUnit.name, HealthUnit.kind).where(
        HealthUnit.deleted_at.is_(None), HealthUnit.active.is_(True)
    )
    return [UnitRow(c, n, k) for c, n, k in session.execute(query.order_by(HealthUnit.name))]
