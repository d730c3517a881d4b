"""Read side of the citizen registry: filtered, paged lists and the detail of one citizen.

Lists return plain frozen rows, never ORM objects. Paging is by keyset (`after` = the last row's
cursor), so page 10,000 costs what page 1 costs. What the clerk types is read as an exact CNS
(15 digits) or CPF (11 digits), otherwise as name prefixes, accents ignored: FTS5 on SQLite, a
prefix match on the normalised name on PostgreSQL. Opening a citizen's detail is audited (LGPD).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache
from typing import Any, TypeAlias

from sqlalchemy import (
    Select,
    String,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause, ColumnElement

from app.brazil.identifiers import only_digits
from app.brazil.names import normalize_key
from app.db.fts import fts_query
from app.errors import NotFound
from app.registry.enums import Race, Sex
from app.registry.models import Citizen, District
from app.registry.units import list_districts
from app.security import audit
from app.security.actor import Actor

__all__ = ["list_districts"]  # re-exported: the citizen form's bairro combo

Cursor = tuple[Any, ...]
AnySelect: TypeAlias = Select[*tuple[Any, ...]]

# The FTS5 index (SQLite only; created by migration 0001, not mapped as a model).
_FTS = table("citizen_fts", column("rowid"))
_CITIZEN_ROWID: ColumnClause[Any] = literal_column("citizen.rowid")
_ID_TYPE = Citizen.__table__.c.id.type


@dataclass(frozen=True)
class CitizenFilter:
    """What the list and the printed "Lista de cidadãos" filter by (all optional)."""

    text: str = ""
    district_id: str = ""
    sex: Sex | None = None
    unit_cnes: str = ""
    born_from: date | None = None
    born_to: date | None = None


@dataclass(frozen=True)
class CitizenRow:
    """One line of the citizen list.

    `key` is the id as the database returns it; the UUID is built only when a row is opened,
    because a search builds hundreds of rows per keystroke and most are never opened.
    """

    key: Any
    name: str
    social_name: str
    cns: str
    cpf: str
    birth_date: date
    sex: Sex
    mother_name: str
    district: str
    cursor: Cursor = field(repr=False, compare=False)

    @cached_property
    def id(self) -> uuid.UUID:
        return self.key if isinstance(self.key, uuid.UUID) else uuid.UUID(self.key)


@dataclass(frozen=True)
class CitizenDetail:
    """Everything the detail view and the ficha show about one citizen."""

    id: uuid.UUID
    name: str
    social_name: str
    cns: str
    cpf: str
    birth_date: date
    sex: Sex
    race: Race
    ethnicity: str
    mother_name: str
    cep: str
    street: str
    number: str
    complement: str
    district_id: str
    district: str
    municipality_ibge: str
    phone: str
    unit_cnes: str
    version: int
    created_at: Any
    updated_at: Any


_ROW_COLUMNS = (
    type_coerce(Citizen.id, String),
    Citizen.name,
    Citizen.social_name,
    Citizen.cns,
    Citizen.cpf,
    Citizen.birth_date,
    type_coerce(Citizen.sex, String),
    Citizen.mother_name,
    District.name,
)


def _conditions(units: frozenset[str], flt: CitizenFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [Citizen.deleted_at.is_(None)]
    if units:
        found.append(Citizen.unit_cnes.in_(sorted(units)))
    if flt.district_id:
        found.append(Citizen.district_id == uuid.UUID(flt.district_id))
    if flt.sex:
        found.append(Citizen.sex == flt.sex)
    if flt.unit_cnes:
        found.append(Citizen.unit_cnes == flt.unit_cnes)
    if flt.born_from:
        found.append(Citizen.birth_date >= flt.born_from)
    if flt.born_to:
        found.append(Citizen.birth_date <= flt.born_to)
    return found


def _base(units: frozenset[str], flt: CitizenFilter) -> AnySelect:
    query: AnySelect = select(*_ROW_COLUMNS).outerjoin(District, District.id == Citizen.district_id)
    return query.where(*_conditions(units, flt))


def _identifier(text_typed: str) -> tuple[str, str] | None:
    digits = only_digits(text_typed)
    if digits and len(digits) == len(text_typed.replace(".", "").replace("-", "").replace(" ", "")):
        if len(digits) == 15:
            return "cns", digits
        if len(digits) == 11:
            return "cpf", digits
    return None


def _plan(text: str, dialect: str) -> tuple[str, dict[str, Any]] | None:
    """Which statement shape answers what was typed, and the values to bind; None: no search."""
    text = text.strip()
    if not text:
        return "all", {}
    ident = _identifier(text)
    if ident is not None:
        return ident[0], {"q": ident[1]}
    if dialect == "sqlite":
        match = fts_query(text)
        return None if match is None else ("fts", {"q": match})
    keys = ["".join(ch for ch in key if ch.isalnum()) for key in normalize_key(text).split()]
    keys = [key for key in keys if key]
    if not keys:
        return None
    params = {f"w{i}": f"{key}%" for i, key in enumerate(keys)}
    params |= {f"i{i}": f"% {key}%" for i, key in enumerate(keys)}
    return f"words{len(keys)}", params


@lru_cache(maxsize=256)
def _statement(mode: str, units: frozenset[str], flt: CitizenFilter, paged: bool) -> AnySelect:
    """The search statement for one shape, built once: a keystroke only binds new values.

    Building and cache-keying a Select costs about as much as the FTS5 query itself, which is
    what the search-as-you-type budget (DESIGN §7: ≤ 1.5x the raw query) cannot afford.
    """
    query = _base(units, flt)
    if mode == "all":
        query = query.add_columns(Citizen.name_key, Citizen.id).order_by(
            Citizen.name_key, Citizen.id
        )
        if paged:
            after_key: Any = bindparam("after_key")
            after_id: Any = bindparam("after_id", type_=_ID_TYPE)
            query = query.where(
                or_(
                    Citizen.name_key > after_key,
                    and_(Citizen.name_key == after_key, Citizen.id > after_id),
                )
            )
        return query.limit(bindparam("lim"))
    keyset: Any = Citizen.id
    if mode in ("cns", "cpf"):
        query = query.where(getattr(Citizen, mode) == bindparam("q"))
    elif mode == "fts":
        # Joined (not `IN (subquery)`) so SQLite streams FTS hits in rowid order, stops at LIMIT.
        query = query.join(_FTS, _FTS.c.rowid == _CITIZEN_ROWID).where(
            literal_column("citizen_fts").op("MATCH")(bindparam("q"))
        )
        keyset = _FTS.c.rowid
    else:  # words on PostgreSQL: each word a prefix of some word of the normalised name
        for i in range(int(mode.removeprefix("words"))):
            query = query.where(
                or_(
                    Citizen.name_key.like(bindparam(f"w{i}")),
                    Citizen.name_key.like(bindparam(f"i{i}")),
                )
            )
    query = query.add_columns(keyset).order_by(keyset)
    if paged:
        query = query.where(keyset > bindparam("after", type_=keyset.type))
    return query.limit(bindparam("lim"))


_SEX = {member.value: member for member in Sex}


def _to_row(raw: Any, cursor: Cursor) -> CitizenRow:
    return CitizenRow(
        key=raw[0],
        name=raw[1],
        social_name=raw[2],
        cns=raw[3] or "",
        cpf=raw[4] or "",
        birth_date=raw[5],
        sex=_SEX[raw[6]],
        mother_name=raw[7],
        district=raw[8] or "",
        cursor=cursor,
    )


def find_citizens(
    session: Session,
    actor: Actor,
    flt: CitizenFilter,
    *,
    after: Cursor | None = None,
    limit: int = 100,
) -> list[CitizenRow]:
    """A page of citizens matching `flt`, continuing after the cursor of the previous page."""
    actor.require("registry.read")
    plan = _plan(flt.text, session.get_bind().dialect.name)
    if plan is None:
        return []
    mode, params = plan
    statement = _statement(mode, actor.units, replace(flt, text=""), after is not None)
    params["lim"] = limit
    if after is not None and mode == "all":
        params["after_key"], params["after_id"] = after
    elif after is not None:
        params["after"] = after[0]
    rows = session.connection().execute(statement, params).all()
    if mode == "all":
        return [_to_row(raw, (raw[9], raw[10])) for raw in rows]
    return [_to_row(raw, (raw[9],)) for raw in rows]


def citizen_row(session: Session, actor: Actor, citizen_id: uuid.UUID) -> CitizenRow:
    """One citizen as a list line (for a screen that starts from a known citizen, not a search)."""
    actor.require("registry.read")
    query = (
        select(*_ROW_COLUMNS)
        .outerjoin(District, District.id == Citizen.district_id)
        .where(Citizen.id == citizen_id, *_conditions(actor.units, CitizenFilter()))
    )
    raw = session.execute(query).first()
    if raw is None:
        raise NotFound("Cidadão não encontrado (pode ter sido excluído em outro computador).")
    return _to_row(raw, ())


def get_citizen(session: Session, actor: Actor, citizen_id: uuid.UUID) -> CitizenDetail:
    """One citizen's full record; the opening is written to the audit trail (LGPD art. 37)."""
    actor.require("registry.read")
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or citizen.deleted_at is not None:
        raise NotFound("Cidadão não encontrado (pode ter sido excluído em outro computador).")
    actor.require("registry.read", citizen.unit_cnes)
    district = session.get(District, citizen.district_id) if citizen.district_id else None
    audit.record(session, actor, audit.READ, entity="citizen", entity_id=str(citizen.id))
    return CitizenDetail(
        id=citizen.id,
        name=citizen.name,
        social_name=citizen.social_name,
        cns=citizen.cns or "",
        cpf=citizen.cpf or "",
        birth_date=citizen.birth_date,
        sex=citizen.sex,
        race=citizen.race,
        ethnicity=citizen.ethnicity,
        mother_name=citizen.mother_name,
        cep=citizen.cep,
        street=citizen.street,
        number=citizen.number,
        complement=citizen.complement,
        district_id=str(citizen.district_id or ""),
        district=district.name if district else "",
        municipality_ibge=citizen.municipality_ibge,
        phone=citizen.phone,
        unit_cnes=citizen.unit_cnes or "",
        version=citizen.version,
        created_at=citizen.created_at,
        updated_at=citizen.updated_at,
    )


def count_citizens(session: Session, actor: Actor) -> int:
    """How many citizens the actor may see (for the list's header)."""
    actor.require("registry.read")
    query = select(func.count()).select_from(Citizen).where(Citizen.deleted_at.is_(None))
    if actor.units:
        query = query.where(Citizen.unit_cnes.in_(sorted(actor.units)))
    return int(session.scalar(query) or 0)
