"""Commands of the citizen registry: create and update a citizen, with duplicate detection.

Same CNS or CPF as another citizen: refused, with the existing record's id so the form can offer
to open it. Same normalised name, birth date and mother's name: a `PossibleDuplicate` warning the
clerk may override by saving again with `confirm_duplicate=True`. Every write is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.names import normalize_key
from app.db.session import clock_of
from app.errors import DuplicateError, NotFound, ValidationError
from app.registry.models import Citizen, District
from app.registry.rules import CitizenInput, citizen_errors, cleaned
from app.security import audit
from app.security.actor import Actor

EDITABLE_FIELDS = (
    "name",
    "social_name",
    "cns",
    "cpf",
    "birth_date",
    "sex",
    "race",
    "ethnicity",
    "mother_name",
    "cep",
    "street",
    "number",
    "complement",
    "district_id",
    "municipality_ibge",
    "phone",
    "unit_cnes",
)


class PossibleDuplicate(ValidationError):
    """Another citizen has the same name, birth date and mother: ask before saving."""

    def __init__(self, candidates: list[uuid.UUID]) -> None:
        super().__init__(
            {
                "": "Já existe cidadão com o mesmo nome, data de nascimento e nome da mãe. "
                "Confira se não é a mesma pessoa antes de salvar."
            }
        )
        self.candidates = candidates


@dataclass(frozen=True)
class CitizenSaved:
    """What a save changed: the citizen's id and the fields written."""

    citizen_id: uuid.UUID
    created: bool
    fields: tuple[str, ...]


def _validate(session: Session, data: CitizenInput) -> CitizenInput:
    data = cleaned(data)
    errors = citizen_errors(data, clock_of(session).now().date())
    if data.district_id and session.get(District, _uuid(data.district_id, "district_id")) is None:
        errors["district_id"] = "Bairro não encontrado."
    if errors:
        raise ValidationError(errors)
    return data


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ValidationError({field: "Valor inválido."}) from exc


def _check_unique(session: Session, data: CitizenInput, own_id: uuid.UUID | None) -> None:
    for field, label in (("cns", "CNS"), ("cpf", "CPF")):
        value = getattr(data, field)
        if not value:
            continue
        other = session.scalar(select(Citizen).where(getattr(Citizen, field) == value))
        if other is not None and other.id != own_id:
            raise DuplicateError(
                {field: f"Este {label} já pertence ao cadastro de {other.name}."}, other.id
            )


def _check_similar(session: Session, data: CitizenInput, own_id: uuid.UUID | None) -> None:
    assert data.birth_date is not None
    query = select(Citizen.id).where(
        Citizen.name_key == normalize_key(data.name),
        Citizen.birth_date == data.birth_date,
        Citizen.mother_key == normalize_key(data.mother_name),
        Citizen.deleted_at.is_(None),
    )
    candidates = [cid for cid in session.scalars(query) if cid != own_id]
    if candidates:
        raise PossibleDuplicate(candidates)


def _apply(citizen: Citizen, data: CitizenInput) -> list[str]:
    values = {
        **{field: getattr(data, field) for field in EDITABLE_FIELDS},
        "cns": data.cns or None,
        "cpf": data.cpf or None,
        "district_id": uuid.UUID(data.district_id) if data.district_id else None,
        "unit_cnes": data.unit_cnes or None,
    }
    changed = [field for field, value in values.items() if getattr(citizen, field) != value]
    for field in changed:
        setattr(citizen, field, values[field])
    citizen.name_key = normalize_key(citizen.name)
    citizen.mother_key = normalize_key(citizen.mother_name)
    return changed


def create_citizen(
    session: Session, actor: Actor, data: CitizenInput, *, confirm_duplicate: bool = False
) -> CitizenSaved:
    """Register a new citizen."""
    actor.require("registry.write", data.unit_cnes or None)
    data = _validate(session, data)
    _check_unique(session, data, None)
    if not confirm_duplicate:
        _check_similar(session, data, None)
    citizen = Citizen()
    fields = _apply(citizen, data)
    session.add(citizen)
    session.flush()
    audit.record(
        session,
        actor,
        audit.CREATE,
        entity="citizen",
        entity_id=str(citizen.id),
        detail={"fields": fields},
    )
    return CitizenSaved(citizen.id, True, tuple(fields))


def update_citizen(
    session: Session,
    actor: Actor,
    citizen_id: uuid.UUID,
    data: CitizenInput,
    *,
    confirm_duplicate: bool = False,
) -> CitizenSaved:
    """Change an existing citizen; only the fields that differ are written and audited."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or citizen.deleted_at is not None:
        raise NotFound("Cidadão não encontrado (pode ter sido excluído em outro computador).")
    actor.require("registry.write", citizen.unit_cnes)
    data = _validate(session, data)
    _check_unique(session, data, citizen.id)
    if not confirm_duplicate:
        _check_similar(session, data, citizen.id)
    fields = _apply(citizen, data)
    if fields:
        session.flush()
        audit.record(
            session,
            actor,
            audit.UPDATE,
            entity="citizen",
            entity_id=str(citizen.id),
            detail={"fields": fields},
        )
    return CitizenSaved(citizen.id, False, tuple(fields))
