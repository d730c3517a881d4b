"""Commands on establishments (estabelecimentos regulados): register, edit, change status.

An establishment is identified by a CNPJ (numeric or alphanumeric, IN RFB 2.229/2024) or, for a
person, a CPF; the same document twice is refused, naming the establishment that has it. Its
activities are CNAEs of the active risk table (or of a municipal rule), the first one the main
activity, with the answers to the "depende de informação" questions. Every save recomputes the
risk and its reason (`app.sanitary.risk`) and the date of the next routine inspection.

The establishment's VISA team (its sync scope: the field laptops of that team receive it) is the
one typed in the form or, for a new establishment, the team of the inspector who registers it
(an account linked to a `SanitaryInspector`); without either it is left empty, which sends the
establishment to every field laptop. Activities copy the team. Everything is validated before the
first write, so a refusal leaves nothing half-written. Writes need `sanitary.write`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.brazil.identifiers import (
    cep_error,
    clean_cnpj,
    cnpj_error,
    cpf_error,
    format_cnpj,
    format_cpf,
    only_digits,
    phone_error,
)
from app.brazil.names import normalize_key, tidy_name
from app.db.session import clock_of
from app.errors import DuplicateError, NotFound, ValidationError
from app.registry.models import District
from app.sanitary.enums import EstablishmentStatus, HolderKind, RiskLevel
from app.sanitary.models import Establishment, EstablishmentActivity, SanitaryInspector
from app.sanitary.risk import CnaeInfo, RiskResult, clean_cnae, format_cnae
from app.sanitary.risk_table import apply_risk, lookup_many, risk_of
from app.security import audit
from app.security.actor import Actor

WRITE = "sanitary.write"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_LIMITS = {
    "legal_name": 150, "trade_name": 150, "street": 120, "number": 10, "complement": 60,
    "email": 120, "legal_representative": 120, "technical_name": 120, "technical_council": 40,
    "team": 60,
}  # fmt: skip
EDITABLE_FIELDS = (
    "holder_kind", "document", "legal_name", "trade_name", "cep", "street", "number",
    "complement", "district_id", "phone", "email", "legal_representative", "technical_name",
    "technical_council", "notes", "team",
)  # fmt: skip


@dataclass(frozen=True)
class ActivityInput:
    """One CNAE and the answers to its questions (question position as text → yes)."""

    cnae: str
    answers: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class EstablishmentInput:
    """What the form sends; `activities[0]` is the main activity."""

    holder_kind: HolderKind
    document: str
    legal_name: str
    trade_name: str = ""
    cep: str = ""
    street: str = ""
    number: str = ""
    complement: str = ""
    district_id: str = ""
    phone: str = ""
    email: str = ""
    legal_representative: str = ""
    technical_name: str = ""
    technical_council: str = ""
    notes: str = ""
    team: str = ""
    activities: tuple[ActivityInput, ...] = ()


@dataclass(frozen=True)
class EstablishmentSaved:
    """What a save did: the id, whether it was new, the fields written, the resulting risk."""

    establishment_id: uuid.UUID
    created: bool
    fields: tuple[str, ...]
    risk: RiskLevel | None
    risk_reason: str


# --- validation ------------------------------------------------------------------------------


def document_error(kind: HolderKind, document: str) -> str | None:
    """The message beside the CNPJ/CPF field (None when acceptable)."""
    if not document.strip():
        return "Informe o CNPJ." if kind is HolderKind.CNPJ else "Informe o CPF."
    return cnpj_error(document) if kind is HolderKind.CNPJ else cpf_error(document)


def email_error(text: str) -> str | None:
    """The message beside the e-mail field (None when empty or acceptable)."""
    if text.strip() and not _EMAIL.match(text.strip()):
        return "E-mail inválido (ex.: contato@empresa.com.br)."
    return None


def clean_document(kind: HolderKind, document: str) -> str:
    return clean_cnpj(document) if kind is HolderKind.CNPJ else only_digits(document)


def format_document(kind: HolderKind, document: str) -> str:
    """`12.ABC.345/01DE-35` or `111.444.777-35`."""
    return format_cnpj(document) if kind is HolderKind.CNPJ else format_cpf(document)


def _field_errors(data: EstablishmentInput) -> dict[str, str]:
    errors = {
        "document": document_error(data.holder_kind, data.document) or "",
        "cep": cep_error(data.cep) or "",
        "phone": phone_error(data.phone) or "",
    }
    if len(tidy_name(data.legal_name)) < 3:
        errors["legal_name"] = "Informe a razão social (ou o nome, para pessoa física)."
    errors["email"] = email_error(data.email) or ""
    if data.technical_name.strip() and not data.technical_council.strip():
        errors["technical_council"] = "Informe o conselho e o registro do responsável técnico."
    for name, limit in _TEXT_LIMITS.items():
        if len(getattr(data, name).strip()) > limit:
            errors[name] = f"No máximo {limit} caracteres."
    return {name: message for name, message in errors.items() if message}


def _activity_errors(data: EstablishmentInput, infos: Mapping[str, CnaeInfo]) -> dict[str, str]:
    codes = [clean_cnae(a.cnae) for a in data.activities]
    if not codes:
        return {"activities": "Informe a atividade principal (CNAE)."}
    problems = []
    for code, typed in zip(codes, data.activities, strict=True):
        if len(code) != 7:
            problems.append(
                f"CNAE '{typed.cnae.strip()}' inválido: use 7 dígitos (ex.: 5620-1/04)."
            )
        elif code not in infos:
            problems.append(f"CNAE {format_cnae(code)} não está na tabela de risco vigente.")
    repeated = sorted({format_cnae(c) for c in codes if codes.count(c) > 1})
    if repeated:
        problems.append(f"CNAE informado mais de uma vez: {', '.join(repeated)}.")
    return {"activities": " ".join(problems)} if problems else {}


def _district_error(session: Session, district_id: str) -> dict[str, str]:
    if not district_id:
        return {}
    try:
        found = session.get(District, uuid.UUID(district_id))
    except ValueError:
        found = None
    return {} if found is not None else {"district_id": "Bairro não encontrado."}


def _validate(session: Session, data: EstablishmentInput) -> dict[str, CnaeInfo]:
    """All checks before any write; returns the table's rules of the activities."""
    infos = lookup_many(session, [a.cnae for a in data.activities])
    errors = {
        **_field_errors(data),
        **_district_error(session, data.district_id),
        **_activity_errors(data, infos),
    }
    if errors:
        raise ValidationError(errors)
    return infos


def _check_unique(session: Session, data: EstablishmentInput, own_id: uuid.UUID | None) -> None:
    document = clean_document(data.holder_kind, data.document)
    other = session.scalar(select(Establishment).where(Establishment.document == document))
    if other is None or other.id == own_id:
        return
    label = "CNPJ" if data.holder_kind is HolderKind.CNPJ else "CPF"
    name = other.legal_name + (f" ({other.trade_name})" if other.trade_name else "")
    gone = " — cadastro excluído; peça à coordenação para restaurá-lo" if other.deleted_at else ""
    raise DuplicateError({"document": f"Este {label} já está cadastrado: {name}{gone}."}, other.id)


# --- writing ---------------------------------------------------------------------------------


def default_team(session: Session, actor: Actor) -> str:
    """The VISA team of the inspector linked to `actor` ("" when the account is not one)."""
    query = select(SanitaryInspector.team).where(
        SanitaryInspector.username == actor.username,
        SanitaryInspector.active.is_(True),
        SanitaryInspector.deleted_at.is_(None),
    )
    return session.scalars(query.limit(1)).first() or ""


def _values(data: EstablishmentInput) -> dict[str, object]:
    text = {name: " ".join(str(getattr(data, name)).split()) for name in _TEXT_LIMITS}
    return {
        **text,
        "holder_kind": data.holder_kind,
        "document": clean_document(data.holder_kind, data.document),
        "legal_name": tidy_name(data.legal_name),
        "trade_name": tidy_name(data.trade_name),
        "cep": only_digits(data.cep),
        "phone": only_digits(data.phone),
        "notes": data.notes.strip(),
        "district_id": uuid.UUID(data.district_id) if data.district_id else None,
    }


def _apply(row: Establishment, data: EstablishmentInput) -> list[str]:
    values = _values(data)
    changed = [name for name in EDITABLE_FIELDS if getattr(row, name) != values[name]]
    for name in changed:
        setattr(row, name, values[name])
    row.name_key = normalize_key(f"{row.trade_name} {row.legal_name}")
    return changed


def _sync_activities(session: Session, row: Establishment, data: EstablishmentInput) -> bool:
    """Make the live activities match the input (tombstone removed ones); True if any changed."""
    stored = {
        a.cnae: a
        for a in session.scalars(
            select(EstablishmentActivity).where(EstablishmentActivity.establishment_id == row.id)
        )
    }
    wanted = {clean_cnae(a.cnae): a for a in data.activities}
    main = clean_cnae(data.activities[0].cnae)
    changed = False
    for cnae, item in wanted.items():
        activity = stored.get(cnae)
        if activity is None:
            activity = EstablishmentActivity(establishment_id=row.id, cnae=cnae)
            session.add(activity)
        values = {"main": cnae == main, "answers": _answers(item.answers), "team": row.team,
                  "deleted_at": None}  # fmt: skip
        changed |= _set(activity, values)
    now = clock_of(session).now()
    for cnae, activity in stored.items():
        if cnae not in wanted and activity.deleted_at is None:
            activity.deleted_at, changed = now, True
    return changed


def _answers(answers: Mapping[str, bool]) -> dict[str, bool]:
    return {str(k): bool(v) for k, v in sorted(answers.items()) if isinstance(v, bool)}


def _set(obj: object, values: Mapping[str, object]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name, None) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _recompute(session: Session, row: Establishment, infos: Mapping[str, CnaeInfo]) -> RiskResult:
    activities = _live_activities(session, row.id)
    result = risk_of(activities, dict(infos))
    apply_risk(session, row, result)
    return result


def _live_activities(session: Session, establishment_id: uuid.UUID) -> list[EstablishmentActivity]:
    query = (
        select(EstablishmentActivity)
        .where(
            EstablishmentActivity.establishment_id == establishment_id,
            EstablishmentActivity.deleted_at.is_(None),
        )
        .order_by(EstablishmentActivity.main.desc(), EstablishmentActivity.created_at)
    )
    return list(session.scalars(query))


def create_establishment(
    session: Session, actor: Actor, data: EstablishmentInput
) -> EstablishmentSaved:
    """Register an establishment with its activities; the risk is computed here."""
    actor.require(WRITE)
    infos = _validate(session, data)
    _check_unique(session, data, None)
    if not data.team.strip():
        data = _with_team(data, default_team(session, actor))
    row = Establishment(status=EstablishmentStatus.ACTIVE)
    fields = _apply(row, data)
    session.add(row)
    session.flush()
    _sync_activities(session, row, data)
    session.flush()
    result = _recompute(session, row, infos)
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="establishment", entity_id=str(row.id),
                 detail={"fields": [*fields, "activities"]})  # fmt: skip
    return EstablishmentSaved(row.id, True, (*fields, "activities"), result.level, result.reason)


def _with_team(data: EstablishmentInput, team: str) -> EstablishmentInput:
    return replace(data, team=team)


def _get(session: Session, establishment_id: uuid.UUID) -> Establishment:
    row = session.get(Establishment, establishment_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(
            "Estabelecimento não encontrado (pode ter sido excluído em outro computador)."
        )
    return row


def update_establishment(
    session: Session, actor: Actor, establishment_id: uuid.UUID, data: EstablishmentInput
) -> EstablishmentSaved:
    """Change an establishment; its activities follow the input and the risk is recomputed."""
    actor.require(WRITE)
    row = _get(session, establishment_id)
    infos = _validate(session, data)
    _check_unique(session, data, row.id)
    fields = _apply(row, data)
    if _sync_activities(session, row, data):
        fields.append("activities")
    session.flush()
    before = (row.risk, row.risk_reason)
    result = _recompute(session, row, infos)
    if (row.risk, row.risk_reason) != before:
        fields.append("risk")
    session.flush()
    if fields:
        audit.record(session, actor, audit.UPDATE, entity="establishment",
                     entity_id=str(row.id), detail={"fields": fields})  # fmt: skip
    return EstablishmentSaved(row.id, False, tuple(fields), result.level, result.reason)


def change_status(
    session: Session,
    actor: Actor,
    establishment_id: uuid.UUID,
    status: EstablishmentStatus,
    reason: str,
) -> EstablishmentStatus:
    """Ativo / interditado / baixado, with the reason kept in the audit trail."""
    actor.require(WRITE)
    row = _get(session, establishment_id)
    reason = " ".join(reason.split())
    if row.status == status:
        raise ValidationError({"status": f"O estabelecimento já está {status.label.lower()}."})
    if len(reason) < 5:
        raise ValidationError({"reason": "Informe o motivo da alteração da situação."})
    previous = row.status
    row.status = status
    session.flush()
    audit.record(
        session, actor, audit.UPDATE, entity="establishment", entity_id=str(row.id),
        detail={"fields": ["status"], "from": previous.value, "to": status.value,
                "reason": reason[:300]},
    )  # fmt: skip
    return status


def recompute_risk(session: Session, establishment_id: uuid.UUID) -> RiskResult:
    """Recompute and store one establishment's risk from its activities and the current table
    (for inspections, licences and table changes)."""
    row = _get(session, establishment_id)
    activities = _live_activities(session, row.id)
    result = risk_of(activities, lookup_many(session, [a.cnae for a in activities]))
    apply_risk(session, row, result)
    session.flush()
    return result


def activity_inputs(
    cnaes: Sequence[str], answers: Mapping[str, Mapping[str, bool]] | None = None
) -> tuple[ActivityInput, ...]:
    """Convenience for callers and tests: CNAEs (main first) with answers by CNAE."""
    answers = answers or {}
    return tuple(ActivityInput(c, dict(answers.get(clean_cnae(c), {}))) for c in cnaes)
