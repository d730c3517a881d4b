"""The CNAE risk table: versions imported from CSV, the active version, municipal rules, lookups,
and the recomputation of establishments' risk when any of these change.

CSV format (one activity per line, `;` separated, UTF-8 or ISO-8859-1; lines starting with `#` are
comments; an optional header line `cnae;descricao;risco;perguntas`):

    cnae;descricao;risco;perguntas
    5611-2/01;Restaurantes e similares;II;
    5620-1/04;Fornecimento de alimentos…;depende;Prepara refeições para hospitais?|Mais de 500/dia?

`cnae` has 7 digits (punctuation allowed), `risco` is I, II, III or `depende`, and `perguntas`
(questions separated by `|`) is required for `depende` and refused otherwise. The whole file is
checked first: one bad line and nothing is written, the message lists every bad line.

Writes need `sanitary.manage`; `lookup_cnae`/`lookup_many` are plain reads used by forms and by the
establishment service. When the active version, a row of it or a municipal rule changes, the risk
of the establishments with the affected CNAEs is recomputed (`recompute_for_cnaes`), so the stored
reason never contradicts the table.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.brazil.names import normalize_key
from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.sanitary.config import config_values
from app.sanitary.enums import RiskLevel, RiskRule
from app.sanitary.models import (
    CnaeRisk,
    CnaeRiskOverride,
    CnaeRiskQuestion,
    CnaeRiskTable,
    Establishment,
    EstablishmentActivity,
)
from app.sanitary.risk import CnaeInfo, RiskResult, clean_cnae, establishment_risk, format_cnae
from app.sanitary.rules import next_inspection
from app.security import audit
from app.security.actor import Actor

MANAGE = "sanitary.manage"
HEADER = ("cnae", "descricao", "risco", "perguntas")
_RULES = {"i": RiskRule.LOW, "ii": RiskRule.MEDIUM, "iii": RiskRule.HIGH}
_RULES.update({"depende": RiskRule.DEPENDS, "depende de informação": RiskRule.DEPENDS})
_MAX_LISTED = 15


# --- plain rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    """One line of the CSV, checked."""

    line: int
    cnae: str
    description: str
    rule: RiskRule
    questions: tuple[str, ...]


@dataclass(frozen=True)
class ImportResult:
    table_id: uuid.UUID
    rows: int
    questions: int
    recomputed: int


@dataclass(frozen=True)
class VersionRow:
    id: uuid.UUID
    name: str
    source: str
    imported_on: date
    active: bool
    rows: int


@dataclass(frozen=True)
class RiskRow:
    """One CNAE of a version, with the municipal rule that prevails over it (if any)."""

    cnae: str
    cnae_label: str
    description: str
    rule: RiskRule
    questions: tuple[str, ...]
    override_level: RiskLevel | None
    override_reason: str


@dataclass(frozen=True)
class OverrideRow:
    id: uuid.UUID
    cnae: str
    cnae_label: str
    description: str
    level: RiskLevel
    reason: str


# --- parsing the CSV -------------------------------------------------------------------------


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes, else ISO-8859-1 (Excel's "CSV" in Brazil)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("iso-8859-1")


def _rule_of(text: str) -> RiskRule | None:
    return _RULES.get(" ".join(text.lower().split()))


def _head_problem(fields: list[str]) -> str:
    """Why the CNAE, description or risk of a line is refused ("" when they are fine)."""
    if len(fields) not in (3, 4):
        return f"esperados 3 ou 4 campos separados por ';', encontrados {len(fields)}"
    cnae_text, description, risk_text = (field.strip() for field in fields[:3])
    cnae = clean_cnae(cnae_text)
    if len(cnae) != 7 or len(cnae) != sum(ch.isalnum() for ch in cnae_text):
        return f"CNAE '{cnae_text}' inválido (use 7 dígitos, ex.: 5620-1/04)"
    if not description or len(description) > 300:
        return "descrição vazia ou com mais de 300 caracteres"
    if _rule_of(risk_text) is None:
        return f"risco '{risk_text}' inválido (use I, II, III ou depende)"
    return ""


def _questions_problem(rule: RiskRule, questions: tuple[str, ...]) -> str:
    if rule is RiskRule.DEPENDS and not questions:
        return "risco 'depende' exige as perguntas, separadas por '|'"
    if rule is not RiskRule.DEPENDS and questions:
        return "perguntas só valem para risco 'depende'"
    if any(len(q) > 500 for q in questions):
        return "pergunta com mais de 500 caracteres"
    return ""


def _line_problem(fields: list[str]) -> tuple[TableRow | None, str]:
    """A checked row (line set later) or the reason the line is refused."""
    problem = _head_problem(fields)
    if problem:
        return None, problem
    rule = _rule_of(fields[2])
    assert rule is not None
    raw = fields[3] if len(fields) == 4 else ""
    questions = tuple(q.strip() for q in raw.split("|") if q.strip())
    problem = _questions_problem(rule, questions)
    if problem:
        return None, problem
    row = TableRow(0, clean_cnae(fields[0]), fields[1].strip(), rule, questions)
    return row, ""


def _is_header(fields: list[str]) -> bool:
    return bool(fields) and normalize_key(fields[0]) == "CNAE"


def parse_table_csv(content: bytes) -> list[TableRow]:
    """Every line checked; ValidationError({"file": …}) listing all bad lines, or the rows."""
    reader = csv.reader(io.StringIO(decode_csv(content)), delimiter=";")
    rows: list[TableRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields) or fields[0].lstrip().startswith("#"):
            continue
        if not rows and not problems and _is_header(fields):
            continue
        row, problem = _line_problem(fields)
        if row is not None and row.cnae in seen:
            problem = f"CNAE {format_cnae(row.cnae)} repetido (já está na linha {seen[row.cnae]})"
        if problem:
            problems.append(f"Linha {line}: {problem}")
            continue
        assert row is not None
        seen[row.cnae] = line
        rows.append(TableRow(line, row.cnae, row.description, row.rule, row.questions))
    _refuse_if(problems, rows)
    return rows


def _refuse_if(problems: list[str], rows: list[TableRow]) -> None:
    if not problems and rows:
        return
    if not problems:
        raise ValidationError({"file": "O arquivo não contém nenhuma linha de CNAE."})
    listed = problems[:_MAX_LISTED]
    if len(problems) > _MAX_LISTED:
        listed.append(f"… e mais {len(problems) - _MAX_LISTED} linha(s) com problema.")
    count = len(problems)
    head = (
        f"A tabela não foi importada: {count} linha(s) com problema. "
        "Corrija o arquivo e importe de novo (nada foi gravado)."
    )
    raise ValidationError({"file": "\n".join([head, *listed])})


# --- versions --------------------------------------------------------------------------------


def import_table(
    session: Session, actor: Actor, content: bytes, *, name: str, source: str = ""
) -> ImportResult:
    """Store a new (inactive) version from CSV bytes; nothing is written if any line is bad."""
    actor.require(MANAGE)
    name, source = " ".join(name.split()), " ".join(source.split())
    if not name:
        raise ValidationError({"name": "Dê um nome à versão (ex.: IN 66/2020 com alterações)."})
    rows = parse_table_csv(content)
    table = CnaeRiskTable(
        name=name[:120], source=source[:300], imported_on=clock_of(session).now().date()
    )
    table.active = False
    session.add(table)
    session.flush()
    questions = 0
    for row in rows:
        session.add(
            CnaeRisk(table_id=table.id, cnae=row.cnae, description=row.description, rule=row.rule)
        )
        questions += _add_questions(session, table.id, row.cnae, row.questions)
    session.flush()
    audit.record(
        session, actor, audit.IMPORT, entity="cnae_risk_table", entity_id=str(table.id),
        detail={"rows": len(rows), "questions": questions},
    )  # fmt: skip
    return ImportResult(table.id, len(rows), questions, 0)


def _add_questions(session: Session, table_id: uuid.UUID, cnae: str, texts: Sequence[str]) -> int:
    for position, text in enumerate(texts, start=1):
        session.add(CnaeRiskQuestion(table_id=table_id, cnae=cnae, position=position, text=text))
    return len(texts)


def _table(session: Session, table_id: uuid.UUID) -> CnaeRiskTable:
    table = session.get(CnaeRiskTable, table_id)
    if table is None or table.deleted_at is not None:
        raise NotFound("Versão da tabela de risco não encontrada.")
    return table


def activate_version(session: Session, actor: Actor, table_id: uuid.UUID) -> int:
    """Make `table_id` the only active version; returns how many establishments changed risk."""
    actor.require(MANAGE)
    table = _table(session, table_id)
    others = select(CnaeRiskTable).where(
        CnaeRiskTable.active.is_(True), CnaeRiskTable.id != table.id
    )
    for other in session.scalars(others):
        other.active = False
    table.active = True
    session.flush()
    audit.record(session, actor, audit.UPDATE, entity="cnae_risk_table",
                 entity_id=str(table.id), detail={"fields": ["active"]})  # fmt: skip
    return recompute_for_cnaes(session, None)


def active_table_id(session: Session) -> uuid.UUID | None:
    query = select(CnaeRiskTable.id).where(
        CnaeRiskTable.active.is_(True), CnaeRiskTable.deleted_at.is_(None)
    )
    return session.scalars(query.order_by(CnaeRiskTable.imported_on.desc()).limit(1)).first()


def update_row(
    session: Session,
    actor: Actor,
    table_id: uuid.UUID,
    cnae: str,
    *,
    description: str,
    rule: RiskRule,
    questions: Sequence[str] = (),
) -> int:
    """Edit one CNAE of a version; returns how many establishments changed risk."""
    actor.require(MANAGE)
    table = _table(session, table_id)
    row = session.scalar(
        select(CnaeRisk).where(CnaeRisk.table_id == table.id, CnaeRisk.cnae == clean_cnae(cnae))
    )
    if row is None or row.deleted_at is not None:
        raise NotFound(f"CNAE {format_cnae(cnae)} não está nesta versão da tabela.")
    texts = tuple(q.strip() for q in questions if q.strip())
    _, problem = _line_problem([row.cnae, description, rule.value, "|".join(texts)])
    if problem:
        raise ValidationError({"rule": problem[0].upper() + problem[1:] + "."})
    row.description, row.rule = description.strip(), rule
    _replace_questions(session, table.id, row.cnae, texts)
    session.flush()
    audit.record(session, actor, audit.UPDATE, entity="cnae_risk", entity_id=str(row.id),
                 detail={"fields": ["description", "rule", "questions"]})  # fmt: skip
    return recompute_for_cnaes(session, {row.cnae}) if table.active else 0


def _replace_questions(
    session: Session, table_id: uuid.UUID, cnae: str, texts: Sequence[str]
) -> None:
    """Keep question rows by position (answers refer to positions); tombstone the extra ones."""
    now = clock_of(session).now()
    query = select(CnaeRiskQuestion).where(
        CnaeRiskQuestion.table_id == table_id, CnaeRiskQuestion.cnae == cnae
    )
    current = {q.position: q for q in session.scalars(query)}
    for position, text in enumerate(texts, start=1):
        existing = current.pop(position, None)
        if existing is None:
            session.add(
                CnaeRiskQuestion(table_id=table_id, cnae=cnae, position=position, text=text)
            )
        else:
            existing.text, existing.deleted_at = text, None
    for leftover in current.values():
        leftover.deleted_at = leftover.deleted_at or now


# --- municipal rules -------------------------------------------------------------------------


def save_override(
    session: Session,
    actor: Actor,
    cnae: str,
    level: RiskLevel,
    reason: str,
    description: str = "",
) -> uuid.UUID:
    """Create or change the municipal rule of a CNAE (it prevails over every table version)."""
    actor.require(MANAGE)
    code, reason = clean_cnae(cnae), " ".join(reason.split())
    errors: dict[str, str] = {}
    if len(code) != 7:
        errors["cnae"] = "O CNAE deve ter 7 dígitos (ex.: 5620-1/04)."
    if len(reason) < 5:
        errors["reason"] = "Informe o motivo da regra municipal (ato normativo, justificativa)."
    if errors:
        raise ValidationError(errors)
    row = session.scalar(select(CnaeRiskOverride).where(CnaeRiskOverride.cnae == code))
    created = row is None
    if row is None:
        row = CnaeRiskOverride(cnae=code)
        session.add(row)
    row.level, row.reason, row.deleted_at = level, reason[:300], None
    row.description = (description.strip() or _table_description(session, code))[:300]
    session.flush()
    audit.record(session, actor, audit.CREATE if created else audit.UPDATE,
                 entity="cnae_risk_override", entity_id=str(row.id),
                 detail={"fields": ["level", "reason", "description"]})  # fmt: skip
    recompute_for_cnaes(session, {code})
    return row.id


def _table_description(session: Session, cnae: str) -> str:
    info = lookup_cnae(session, cnae)
    return info.description if info else ""


def remove_override(session: Session, actor: Actor, cnae: str) -> None:
    """Tombstone the municipal rule of a CNAE; the table's rule applies again."""
    actor.require(MANAGE)
    code = clean_cnae(cnae)
    row = session.scalar(select(CnaeRiskOverride).where(CnaeRiskOverride.cnae == code))
    if row is None or row.deleted_at is not None:
        raise NotFound(f"Não há regra municipal para o CNAE {format_cnae(code)}.")
    row.deleted_at = clock_of(session).now()
    session.flush()
    audit.record(session, actor, audit.DELETE, entity="cnae_risk_override",
                 entity_id=str(row.id))  # fmt: skip
    recompute_for_cnaes(session, {code})


# --- reading ---------------------------------------------------------------------------------


def list_versions(session: Session, actor: Actor) -> list[VersionRow]:
    actor.require("sanitary.read")
    counts = (
        select(CnaeRisk.table_id, func.count().label("n"))
        .where(CnaeRisk.deleted_at.is_(None))
        .group_by(CnaeRisk.table_id)
        .subquery()
    )
    query = (
        select(CnaeRiskTable, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.table_id == CnaeRiskTable.id)
        .where(CnaeRiskTable.deleted_at.is_(None))
        .order_by(CnaeRiskTable.imported_on.desc(), CnaeRiskTable.created_at.desc())
    )
    return [
        VersionRow(t.id, t.name, t.source, t.imported_on, t.active, int(n))
        for t, n in session.execute(query)
    ]


def list_rows(
    session: Session, actor: Actor, table_id: uuid.UUID, text: str = "", limit: int = 1000
) -> list[RiskRow]:
    """The CNAEs of a version (search by code or description words), by code."""
    actor.require("sanitary.read")
    query = select(CnaeRisk).where(CnaeRisk.table_id == table_id, CnaeRisk.deleted_at.is_(None))
    digits = clean_cnae(text)
    words = normalize_key(text).split()
    rows = []
    for row in session.scalars(query.order_by(CnaeRisk.cnae)):
        key = normalize_key(row.description)
        if (digits and row.cnae.startswith(digits)) or all(w in key for w in words):
            rows.append(row)
        if len(rows) >= limit:
            break
    questions = _questions(session, table_id, [r.cnae for r in rows])
    overrides = _overrides(session, [r.cnae for r in rows])
    return [_risk_row(r, questions.get(r.cnae, ()), overrides.get(r.cnae)) for r in rows]


def _risk_row(
    row: CnaeRisk, questions: tuple[str, ...], override: CnaeRiskOverride | None
) -> RiskRow:
    return RiskRow(
        row.cnae, format_cnae(row.cnae), row.description, row.rule, questions,
        override.level if override else None, override.reason if override else "",
    )  # fmt: skip


def list_overrides(session: Session, actor: Actor) -> list[OverrideRow]:
    actor.require("sanitary.read")
    query = select(CnaeRiskOverride).where(CnaeRiskOverride.deleted_at.is_(None))
    return [
        OverrideRow(o.id, o.cnae, format_cnae(o.cnae), o.description, o.level, o.reason)
        for o in session.scalars(query.order_by(CnaeRiskOverride.cnae))
    ]


def _questions(
    session: Session, table_id: uuid.UUID | None, cnaes: Iterable[str] | None
) -> dict[str, tuple[str, ...]]:
    """Questions by CNAE of a version (of every CNAE when `cnaes` is None)."""
    codes = None if cnaes is None else sorted(set(cnaes))
    if table_id is None or codes == []:
        return {}
    query = select(CnaeRiskQuestion.cnae, CnaeRiskQuestion.text).where(
        CnaeRiskQuestion.table_id == table_id, CnaeRiskQuestion.deleted_at.is_(None)
    )
    if codes is not None:
        query = query.where(CnaeRiskQuestion.cnae.in_(codes))
    found: dict[str, list[str]] = {}
    order = (CnaeRiskQuestion.cnae, CnaeRiskQuestion.position)
    for cnae, text in session.execute(query.order_by(*order)):
        found.setdefault(cnae, []).append(text)
    return {cnae: tuple(texts) for cnae, texts in found.items()}


def _overrides(session: Session, cnaes: Iterable[str] | None) -> dict[str, CnaeRiskOverride]:
    """Live municipal rules by CNAE (every one when `cnaes` is None)."""
    codes = None if cnaes is None else sorted(set(cnaes))
    if codes == []:
        return {}
    query = select(CnaeRiskOverride).where(CnaeRiskOverride.deleted_at.is_(None))
    if codes is not None:
        query = query.where(CnaeRiskOverride.cnae.in_(codes))
    return {o.cnae: o for o in session.scalars(query)}


def _table_rows(
    session: Session, table_id: uuid.UUID | None, codes: list[str] | None
) -> dict[str, CnaeRisk]:
    if table_id is None or codes == []:
        return {}
    query = select(CnaeRisk).where(CnaeRisk.table_id == table_id, CnaeRisk.deleted_at.is_(None))
    if codes is not None:
        query = query.where(CnaeRisk.cnae.in_(codes))
    return {r.cnae: r for r in session.scalars(query)}


def lookup_many(session: Session, cnaes: Iterable[str] | None) -> dict[str, CnaeInfo]:
    """The effective rule of each CNAE (municipal rule over the active version); unknown ones
    are absent from the answer. `None` asks for every CNAE of the table and of the rules (what a
    form loads once to classify as the clerk types)."""
    codes = None if cnaes is None else sorted({clean_cnae(c) for c in cnaes} - {""})
    table_id = active_table_id(session)
    rows = _table_rows(session, table_id, codes)
    questions = _questions(session, table_id, None if codes is None else list(rows))
    found = {}
    for code, override in _overrides(session, codes).items():
        row = rows.get(code)
        found[code] = CnaeInfo(
            code, override.description or (row.description if row else ""),
            RiskRule(override.level.value), questions.get(code, ()), True, override.reason,
            row.rule if row else None,
        )  # fmt: skip
    for code, row in rows.items():
        if code not in found:
            qs = questions.get(code, ())
            found[code] = CnaeInfo(code, row.description, row.rule, qs, False, "", row.rule)
    return found


def lookup_cnae(session: Session, cnae: str) -> CnaeInfo | None:
    """What the form shows beside a typed CNAE: description, effective rule, questions."""
    return lookup_many(session, [cnae]).get(clean_cnae(cnae))


# --- applying the table to establishments ----------------------------------------------------


def _activities_of(
    session: Session, establishment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[EstablishmentActivity]]:
    query = (
        select(EstablishmentActivity)
        .where(
            EstablishmentActivity.establishment_id.in_(establishment_ids),
            EstablishmentActivity.deleted_at.is_(None),
        )
        .order_by(EstablishmentActivity.main.desc(), EstablishmentActivity.created_at)
    )
    found: dict[uuid.UUID, list[EstablishmentActivity]] = {}
    for activity in session.scalars(query):
        found.setdefault(activity.establishment_id, []).append(activity)
    return found


def risk_of(activities: Sequence[EstablishmentActivity], infos: dict[str, CnaeInfo]) -> RiskResult:
    """The risk of a set of stored activities (a CNAE missing from the table is skipped)."""
    known = [(infos[a.cnae], dict(a.answers or {})) for a in activities if a.cnae in infos]
    return establishment_risk(known)


def apply_risk(session: Session, row: Establishment, result: RiskResult) -> bool:
    """Store the risk, reason and next routine inspection; True when anything changed."""
    if result.level is None:
        return False
    months = config_values(session).frequency_months(result.level)
    today = clock_of(session).now().date()
    values = {
        "risk": result.level,
        "risk_reason": result.reason,
        "next_inspection_on": next_inspection(row.last_inspection_on, months, today),
    }
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    return bool(changed)


def recompute_for_cnaes(session: Session, cnaes: set[str] | None, chunk: int = 500) -> int:
    """Recompute every live establishment with one of `cnaes` (all when None); returns how many
    changed."""
    query = select(EstablishmentActivity.establishment_id).where(
        EstablishmentActivity.deleted_at.is_(None)
    )
    if cnaes is not None:
        query = query.where(EstablishmentActivity.cnae.in_(sorted(cnaes)))
    ids = sorted(set(session.scalars(query)))
    changed = 0
    for start in range(0, len(ids), chunk):
        changed += _recompute_chunk(session, ids[start : start + chunk])
    session.flush()
    return changed


def _recompute_chunk(session: Session, ids: Sequence[uuid.UUID]) -> int:
    activities = _activities_of(session, ids)
    infos = lookup_many(session, {a.cnae for acts in activities.values() for a in acts})
    rows = session.scalars(
        select(Establishment).where(Establishment.id.in_(ids), Establishment.deleted_at.is_(None))
    )
    return sum(apply_risk(session, row, risk_of(activities.get(row.id, []), infos)) for row in rows)


def recompute_all(session: Session, actor: Actor) -> int:
    """Recompute the risk of every establishment (coordination's "recalcular" action)."""
    actor.require(MANAGE)
    return recompute_for_cnaes(session, None)
