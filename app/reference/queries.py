"""Read side of the reference tables for screens: imported SIGTAP competences, procedure search.

Plain frozen rows only, never ORM objects, so the "Tabelas de referência" page can hold them in a
table model. Reference data carry nothing personal, so these queries ask for no permission (the
attendance screens read the same tables); importing does, in `app.reference.service`. Procedure
search reads a code prefix ("0301", "03.01.01") or words of the name, accents and case ignored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.names import normalize_key
from app.reference.models import (
    ReferenceKind,
    ReferenceVersion,
    SigtapProcedure,
    SigtapProcedureCbo,
    SigtapProcedureInstrument,
)

_CODE_QUERY = re.compile(r"[\d.\-]+")


@dataclass(frozen=True)
class SigtapVersionRow:
    """One imported SIGTAP competence as the list shows it."""

    competence: str
    source: str
    sha256: str
    row_count: int
    loaded_at: datetime


@dataclass(frozen=True)
class ProcedureSearchRow:
    """A procedure found by the search, with its instruments and the CBOs allowed."""

    competence: str
    code: str
    name: str
    sex: str
    min_age_months: int | None
    max_age_months: int | None
    requires_cns: bool | None
    instruments: tuple[tuple[str, str], ...]
    cbos: tuple[str, ...]


def list_sigtap_versions(session: Session) -> list[SigtapVersionRow]:
    """Every SIGTAP competence imported, newest competence first."""
    stmt = (
        select(
            ReferenceVersion.label,
            ReferenceVersion.source,
            ReferenceVersion.sha256,
            ReferenceVersion.row_count,
            ReferenceVersion.loaded_at,
        )
        .where(ReferenceVersion.kind == ReferenceKind.SIGTAP)
        .order_by(ReferenceVersion.label.desc())
    )
    return [SigtapVersionRow(*row) for row in session.execute(stmt)]


def search_procedures(
    session: Session, competence: str, text: str, limit: int = 200
) -> list[ProcedureSearchRow]:
    """Procedures of `competence` whose code starts with, or whose name has the words of, `text`.

    An empty `text` lists the competence from the first code on (up to `limit`).
    """
    stmt = select(SigtapProcedure).where(SigtapProcedure.competence == competence)
    typed = text.strip()
    if _CODE_QUERY.fullmatch(typed):
        digits = re.sub(r"\D", "", typed)
        stmt = stmt.where(SigtapProcedure.code.startswith(digits, autoescape=True))
    else:
        for word in normalize_key(typed).split():
            stmt = stmt.where(SigtapProcedure.name_key.contains(word, autoescape=True))
    found = list(session.scalars(stmt.order_by(SigtapProcedure.code).limit(limit)))
    codes = [item.code for item in found]
    instruments, cbos = _instruments(session, competence, codes), _cbos(session, competence, codes)
    return [
        ProcedureSearchRow(
            competence=item.competence,
            code=item.code,
            name=item.name,
            sex=item.sex,
            min_age_months=item.min_age_months,
            max_age_months=item.max_age_months,
            requires_cns=item.requires_cns,
            instruments=tuple(instruments[item.code]),
            cbos=tuple(cbos[item.code]),
        )
        for item in found
    ]


def _instruments(
    session: Session, competence: str, codes: list[str]
) -> dict[str, list[tuple[str, str]]]:
    table = SigtapProcedureInstrument
    stmt = (
        select(table.procedure_code, table.instrument_code, table.instrument_name)
        .where(table.competence == competence, table.procedure_code.in_(codes))
        .order_by(table.procedure_code, table.instrument_code)
    )
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, instrument, name in session.execute(stmt):
        found[code].append((instrument, name))
    return found


def _cbos(session: Session, competence: str, codes: list[str]) -> dict[str, list[str]]:
    table = SigtapProcedureCbo
    stmt = (
        select(table.procedure_code, table.cbo)
        .where(table.competence == competence, table.procedure_code.in_(codes))
        .order_by(table.procedure_code, table.cbo)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for code, cbo in session.execute(stmt):
        found[code].append(cbo)
    return found
