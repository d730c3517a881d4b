"""Licença sanitária: issue, renew and revoke (printing, verification and the lists live in
`licence_printing`, `licence_checks` and `licence_queries`).

Rules (RDC 153/2017 as amended by RDC 418/2020, `shared/reference/br-health.md` §2.4):
- a full licence needs an inspection of the establishment, DONE with outcome SATISFACTORY,
  performed within the last `RECENT_INSPECTION_DAYS` (90) days: an older visit no longer
  describes the place, and 90 days is the usual validity of an inspection report for licensing;
- a provisional licence is only for risk II establishments and is issued without inspection
  (risk III needs the inspection before operating; risk I needs no licence at all);
- an interdicted or closed establishment gets no licence, and one that holds a valid licence is
  renewed (`renew_licence`), not licensed twice.
Validity comes from the department's parameters (`licence_months`, `provisional_licence_months`);
the number from the LICENCE_SERIES numbering; the licensed activities (CNAEs with descriptions)
and the risk are copied, so a reprint says what was licensed even after the register changes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.base import new_id
from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.sanitary.config import config_values
from app.sanitary.enums import (
    LICENCE_SERIES,
    EstablishmentStatus,
    InspectionOutcome,
    InspectionStatus,
    RiskLevel,
)
from app.sanitary.models import (
    CnaeRisk,
    CnaeRiskOverride,
    CnaeRiskTable,
    Establishment,
    EstablishmentActivity,
    Inspection,
    SanitaryInspector,
    SanitaryLicence,
)
from app.sanitary.numbers import label, next_number
from app.sanitary.rules import add_months
from app.security import audit
from app.security.actor import SYSTEM, Actor

RECENT_INSPECTION_DAYS = 90


@dataclass(frozen=True)
class LicenceIssued:
    """A licence just issued."""

    id: uuid.UUID
    number: str
    valid_until: date
    provisional: bool


@dataclass(frozen=True)
class InspectionChoice:
    """A satisfactory inspection that can support a full licence."""

    id: uuid.UUID
    performed_on: date
    inspector: str

    @property
    def label(self) -> str:
        who = f" – {self.inspector}" if self.inspector else ""
        return f"Inspeção de {self.performed_on:%d/%m/%Y} (satisfatória){who}"


# --- helpers ----------------------------------------------------------------------------------


def today_of(session: Session) -> date:
    return clock_of(session).now().date()


def get_establishment(session: Session, establishment_id: uuid.UUID) -> Establishment:
    row = session.get(Establishment, establishment_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("Estabelecimento não encontrado.")
    return row


def get_licence(session: Session, licence_id: uuid.UUID) -> SanitaryLicence:
    row = session.get(SanitaryLicence, licence_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("Licença sanitária não encontrada.")
    return row


def format_cnae(cnae: str) -> str:
    """`5611201` → `5611-2/01`."""
    return f"{cnae[:4]}-{cnae[4]}/{cnae[5:]}" if len(cnae) == 7 else cnae


def _descriptions(session: Session, cnaes: list[str]) -> dict[str, str]:
    table = select(CnaeRiskTable.id).where(
        CnaeRiskTable.active.is_(True), CnaeRiskTable.deleted_at.is_(None)
    )
    national = select(CnaeRisk.cnae, CnaeRisk.description).where(
        CnaeRisk.cnae.in_(cnaes), CnaeRisk.table_id.in_(table)
    )
    found = {cnae: text for cnae, text in session.execute(national)}
    local = select(CnaeRiskOverride.cnae, CnaeRiskOverride.description).where(
        CnaeRiskOverride.cnae.in_(cnaes), CnaeRiskOverride.deleted_at.is_(None)
    )
    found.update({cnae: text for cnae, text in session.execute(local) if text})
    return found


def activities_text(session: Session, establishment_id: uuid.UUID) -> str:
    """The licensed activities as printed: one `CNAE – description` a line, the main one first."""
    query = (
        select(EstablishmentActivity.cnae, EstablishmentActivity.main)
        .where(
            EstablishmentActivity.establishment_id == establishment_id,
            EstablishmentActivity.deleted_at.is_(None),
        )
        .order_by(EstablishmentActivity.main.desc(), EstablishmentActivity.cnae)
    )
    rows = list(session.execute(query))
    names = _descriptions(session, [cnae for cnae, _ in rows])
    lines = []
    for cnae, main in rows:
        text = f"{format_cnae(cnae)} – {names.get(cnae, 'descrição não cadastrada')}"
        lines.append(text + (" (principal)" if main and len(rows) > 1 else ""))
    return "\n".join(lines)


def renewed_ids(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, SanitaryLicence]:
    """Licences among `ids` that a later licence renews, mapped to that later licence."""
    if not ids:
        return {}
    query = select(SanitaryLicence).where(
        SanitaryLicence.renews_id.in_(ids), SanitaryLicence.deleted_at.is_(None)
    )
    return {row.renews_id: row for row in session.scalars(query) if row.renews_id is not None}


def _current_licence(
    session: Session, establishment_id: uuid.UUID, today: date
) -> SanitaryLicence | None:
    query = select(SanitaryLicence).where(
        SanitaryLicence.establishment_id == establishment_id,
        SanitaryLicence.deleted_at.is_(None),
        SanitaryLicence.revoked_at.is_(None),
        SanitaryLicence.valid_until >= today,
    )
    rows = list(session.scalars(query))
    renewed = renewed_ids(session, [row.id for row in rows])
    alive = [row for row in rows if row.id not in renewed]
    return max(alive, key=lambda row: row.valid_until, default=None)


# --- issuing ----------------------------------------------------------------------------------


def _check_establishment(establishment: Establishment) -> RiskLevel:
    if establishment.status is not EstablishmentStatus.ACTIVE:
        raise ValidationError(
            {"establishment_id": f"Estabelecimento {establishment.status.label.lower()}: não é "
                                 "possível emitir licença sanitária."}
        )  # fmt: skip
    if establishment.risk is None:
        raise ValidationError(
            {"establishment_id": "Classifique o grau de risco do estabelecimento antes de emitir "
                                 "a licença."}
        )  # fmt: skip
    return establishment.risk


def _check_provisional(risk: RiskLevel, inspection_id: uuid.UUID | None) -> None:
    if risk is RiskLevel.HIGH:
        raise ValidationError(
            {"provisional": "Estabelecimento de risco III (alto): a licença exige inspeção "
                            "prévia satisfatória; licença provisória só para risco II "
                            "(RDC Anvisa nº 153/2017, alterada pela RDC nº 418/2020)."}
        )  # fmt: skip
    if risk is RiskLevel.LOW:
        raise ValidationError(
            {"provisional": "Atividade de risco I (baixo) dispensa licença sanitária; licença "
                            "provisória só para risco II (RDC nº 418/2020)."}
        )  # fmt: skip
    if inspection_id is not None:
        raise ValidationError(
            {"inspection_id": "A licença provisória é emitida sem inspeção: desmarque "
                              "“provisória” para emitir a licença com base na inspeção."}
        )  # fmt: skip


def _supporting_inspection(
    session: Session, establishment_id: uuid.UUID, inspection_id: uuid.UUID | None, today: date
) -> Inspection:
    choices = licensable_inspections(session, SYSTEM, establishment_id, today)
    if inspection_id is None and choices:
        inspection_id = choices[0].id
    chosen = session.get(Inspection, inspection_id) if inspection_id is not None else None
    if chosen is None or chosen.id not in {choice.id for choice in choices}:
        raise ValidationError(
            {"inspection_id": "A licença exige inspeção concluída com resultado satisfatório "
                              f"deste estabelecimento nos últimos {RECENT_INSPECTION_DAYS} dias."}
        )  # fmt: skip
    return chosen


def _new_licence(
    session: Session,
    establishment: Establishment,
    inspection: Inspection | None,
    renews: SanitaryLicence | None,
) -> SanitaryLicence:
    today = today_of(session)
    config = config_values(session)
    provisional = inspection is None
    months = config.provisional_licence_months if provisional else config.licence_months
    licence_id = new_id()
    legal = next_number(session, LICENCE_SERIES, today.year, document_id=str(licence_id))
    licence = SanitaryLicence(
        id=licence_id, establishment_id=establishment.id, year=today.year, number=legal.number,
        legal_number_id=legal.id, inspection_id=inspection.id if inspection else None,
        provisional=provisional, issued_on=today, valid_until=add_months(today, months),
        activities=activities_text(session, establishment.id), risk=establishment.risk,
        renews_id=renews.id if renews else None, team=establishment.team,
    )  # fmt: skip
    session.add(licence)
    session.flush()
    return licence


def _issue(
    session: Session,
    actor: Actor,
    establishment: Establishment,
    inspection_id: uuid.UUID | None,
    provisional: bool,
    renews: SanitaryLicence | None = None,
) -> LicenceIssued:
    today = today_of(session)
    risk = _check_establishment(establishment)
    inspection = None
    if provisional:
        _check_provisional(risk, inspection_id)
    else:
        inspection = _supporting_inspection(session, establishment.id, inspection_id, today)
    licence = _new_licence(session, establishment, inspection, renews)
    audit.record(
        session, actor, audit.CREATE, entity="sanitary_licence", entity_id=str(licence.id),
        detail={"establishment_id": str(establishment.id), "provisional": provisional,
                "renews_id": str(renews.id) if renews else None},
    )  # fmt: skip
    return LicenceIssued(
        licence.id, label(licence.number, licence.year), licence.valid_until, provisional
    )


def issue_licence(
    session: Session,
    actor: Actor,
    establishment_id: uuid.UUID,
    inspection_id: uuid.UUID | None,
    provisional: bool,
) -> LicenceIssued:
    """Issue a licence (full: on a recent satisfactory inspection; provisional: risk II only).

    With `inspection_id` None a full licence uses the most recent qualifying inspection.
    """
    actor.require("sanitary.process")
    establishment = get_establishment(session, establishment_id)
    current = _current_licence(session, establishment_id, today_of(session))
    if current is not None:
        raise ValidationError(
            {"establishment_id": f"O estabelecimento já tem a licença nº "
                                 f"{label(current.number, current.year)}, válida até "
                                 f"{current.valid_until:%d/%m/%Y}: use “Renovar”."}
        )  # fmt: skip
    return _issue(session, actor, establishment, inspection_id, provisional)


def renew_licence(
    session: Session,
    actor: Actor,
    licence_id: uuid.UUID,
    inspection_id: uuid.UUID | None,
    provisional: bool = False,
) -> LicenceIssued:
    """Issue the licence that replaces `licence_id` (same rules as a new one)."""
    actor.require("sanitary.process")
    old = get_licence(session, licence_id)
    if old.revoked_at is not None:
        raise ValidationError(
            {"": "Licença revogada não pode ser renovada: emita uma nova licença."}
        )
    if renewed_ids(session, [old.id]):
        raise ValidationError({"": "Esta licença já foi renovada."})
    establishment = get_establishment(session, old.establishment_id)
    return _issue(session, actor, establishment, inspection_id, provisional, renews=old)


def revoke_licence(session: Session, actor: Actor, licence_id: uuid.UUID, reason: str) -> None:
    """Revoke a licence (e.g. after an interdiction or a penalty), with the reason."""
    actor.require("sanitary.process")
    licence = get_licence(session, licence_id)
    text = reason.strip()
    if not text:
        raise ValidationError({"reason": "Informe o motivo da revogação."})
    if licence.revoked_at is not None:
        raise ValidationError({"": "Esta licença já está revogada."})
    licence.revoked_at = clock_of(session).now()
    licence.revoke_reason = text[:300]
    session.flush()
    audit.record(
        session, actor, audit.UPDATE, entity="sanitary_licence", entity_id=str(licence.id),
        detail={"fields": ["revoked_at", "revoke_reason"]},
    )  # fmt: skip


# --- choosers ---------------------------------------------------------------------------------


def licensable_inspections(
    session: Session, actor: Actor, establishment_id: uuid.UUID, today: date
) -> list[InspectionChoice]:
    """DONE, SATISFACTORY inspections of the establishment in the last 90 days, newest first."""
    actor.require("sanitary.read")
    query = (
        select(Inspection, SanitaryInspector.name)
        .outerjoin(SanitaryInspector, SanitaryInspector.id == Inspection.inspector_id)
        .where(
            Inspection.establishment_id == establishment_id,
            Inspection.deleted_at.is_(None),
            Inspection.status == InspectionStatus.DONE,
            Inspection.outcome == InspectionOutcome.SATISFACTORY,
            Inspection.performed_on >= today - timedelta(days=RECENT_INSPECTION_DAYS),
            Inspection.performed_on <= today,
        )
        .order_by(Inspection.performed_on.desc())
    )
    return [
        InspectionChoice(row.id, row.performed_on, name or "")
        for row, name in session.execute(query)
        if row.performed_on is not None
    ]
