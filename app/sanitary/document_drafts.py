"""What each kind of Vigilância Sanitária document adds before it is saved (`draft_document`).

The facts and legal basis of every kind; a termo de intimação's deadline (days counted from today,
or a date); an auto de infração's provisions, gravity, fine range and defence deadline; an auto de
coleta's product, seals and custody; a termo de interdição's extent. `preview_deadline` gives the
dialog's live sentence for a deadline before anything is issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.errors import ValidationError
from app.sanitary.config import ConfigValues, config_values
from app.sanitary.document_queries import municipal_holidays
from app.sanitary.documents import DocumentInput, SampleInput, today_of
from app.sanitary.enums import DocumentKind, Gravity
from app.sanitary.models import Inspection
from app.sanitary.rules import Deadline, check_future, deadline

EXTENTS = {"total": "Total", "parcial": "Parcial"}


def preview_deadline(session: Session, days: int, start: date | None = None) -> Deadline:
    """The deadline `days` would give if issued today (for the dialog's live sentence)."""
    config = config_values(session)
    return deadline(
        start or today_of(session),
        days,
        business=config.business_days,
        municipal=municipal_holidays(session),
    )


# --- per kind -------------------------------------------------------------------------------------


@dataclass
class Draft:
    """What a kind adds to the document before it is saved."""

    facts: str = ""
    legal_basis: str = ""
    deadline: Deadline | None = None
    gravity: Gravity | None = None
    fine: tuple[Any, Any] = (None, None)
    details: dict[str, Any] = field(default_factory=dict)


def _summons_deadline(session: Session, data: DocumentInput, today: date) -> Deadline:
    if data.deadline_on is not None:
        check_future(data.deadline_on, today, "deadline_days")
        days = (data.deadline_on - today).days
        if days < 1:
            raise ValidationError({"deadline_days": "O prazo deve terminar depois de hoje."})
        return Deadline(days, False, data.deadline_on)
    if data.deadline_days is None:
        raise ValidationError({"deadline_days": "Informe o prazo, em dias, para as correções."})
    if data.deadline_days > 365:
        raise ValidationError({"deadline_days": "O prazo não pode passar de 365 dias."})
    result = preview_deadline(session, data.deadline_days, today)
    check_future(result.ends_on, today, "deadline_days")
    return result


def _inspection_facts(inspection: Inspection | None) -> str:
    return inspection.findings.strip() if inspection is not None else ""


def _draft_report(inspection: Inspection | None, data: DocumentInput, cfg: ConfigValues) -> Draft:
    assert inspection is not None  # NEEDS_INSPECTION
    facts = data.facts.strip() or _inspection_facts(inspection)
    outcome = inspection.outcome.value if inspection.outcome is not None else ""
    details = {
        "outcome": outcome,
        "reason": inspection.reason.value,
        "performed_on": (inspection.performed_on or inspection.due_on).isoformat(),
    }
    return Draft(facts=facts, legal_basis=cfg.legal_basis, details=details)


def _draft_summons(
    session: Session, inspection: Inspection | None, data: DocumentInput, cfg: ConfigValues
) -> Draft:
    draft = _draft_report(inspection, data, cfg)
    draft.deadline = _summons_deadline(session, data, today_of(session))
    return draft


def _draft_infraction(session: Session, data: DocumentInput, cfg: ConfigValues) -> Draft:
    errors: dict[str, str] = {}
    if not data.facts.strip():
        errors["facts"] = "Descreva os fatos que constituem a infração."
    if not data.provisions.strip():
        errors["provisions"] = "Informe os dispositivos legais infringidos."
    if data.gravity is None:
        errors["gravity"] = "Classifique a infração: leve, grave ou gravíssima."
    if errors:
        raise ValidationError(errors)
    assert data.gravity is not None
    return Draft(
        facts=data.facts.strip(),
        legal_basis=f"{cfg.legal_basis}, {cfg.fine_basis}",
        deadline=preview_deadline(session, cfg.defence_days),
        gravity=data.gravity,
        fine=cfg.fine_range(data.gravity),
        details={"provisions": data.provisions.strip()},
    )


def _sample_errors(sample: SampleInput | None) -> dict[str, str]:
    if sample is None:
        return {"product": "Informe o produto coletado."}
    errors: dict[str, str] = {}
    required = {
        "product": (sample.product, "Informe o produto coletado."),
        "quantity": (sample.quantity, "Informe a quantidade coletada."),
        "laboratory": (sample.laboratory, "Informe o laboratório de destino."),
        "analysis": (sample.analysis, "Informe a análise solicitada."),
        "transport": (sample.transport, "Informe as condições de transporte da amostra."),
    }
    for name, (value, message) in required.items():
        if not value.strip():
            errors[name] = message
    if not [seal for seal in sample.seals if seal.strip()]:
        errors["seals"] = "Informe o número de ao menos um lacre."
    if not 1 <= sample.units_per_sample <= 999:
        errors["units_per_sample"] = "Informe quantas unidades compõem cada amostra."
    if not [portion for portion in sample.portions if portion.strip()]:
        errors["portions"] = "Informe as partes da amostra (prova, contraprova, testemunho)."
    dates = (sample.manufactured_on, sample.expires_on)
    if dates[0] and dates[1] and dates[1] < dates[0]:
        errors["expires_on"] = "A validade não pode ser anterior à fabricação."
    return errors


def _sample_details(sample: SampleInput, collected_at: datetime, collector: str) -> dict[str, Any]:
    def day(value: date | None) -> str:
        return value.isoformat() if value else ""

    return {
        "product": sample.product.strip(),
        "brand": sample.brand.strip(),
        "lot": sample.lot.strip(),
        "manufactured_on": day(sample.manufactured_on),
        "expires_on": day(sample.expires_on),
        "quantity": sample.quantity.strip(),
        "unit": sample.unit.strip(),
        "units_per_sample": sample.units_per_sample,
        "portions": [p.strip() for p in sample.portions if p.strip()],
        "seals": [s.strip() for s in sample.seals if s.strip()],
        "laboratory": sample.laboratory.strip(),
        "analysis": sample.analysis.strip(),
        "collected_by": collector,
        "collected_at": collected_at.isoformat(),
        "transport": sample.transport.strip(),
        "received_by": sample.received_by.strip(),
        "received_on": day(sample.received_on),
    }


def _draft_sample(
    session: Session, data: DocumentInput, cfg: ConfigValues, collector: str
) -> Draft:
    errors = _sample_errors(data.sample)
    if errors:
        raise ValidationError(errors)
    assert data.sample is not None
    collected_at = data.sample.collected_at or clock_of(session).now()
    return Draft(
        facts=data.facts.strip(),
        legal_basis=cfg.legal_basis,
        details={"sample": _sample_details(data.sample, collected_at, collector)},
    )


def _draft_interdiction(data: DocumentInput, cfg: ConfigValues) -> Draft:
    errors: dict[str, str] = {}
    if data.extent not in EXTENTS:
        errors["extent"] = "Escolha se a interdição é total ou parcial."
    if data.extent == "parcial" and not data.interdicted.strip():
        errors["interdicted"] = "Descreva o que fica interditado (setor, equipamento, produto)."
    if not data.facts.strip():
        errors["facts"] = "Informe o motivo da interdição."
    if errors:
        raise ValidationError(errors)
    interdicted = data.interdicted.strip() or "Todo o estabelecimento"
    return Draft(
        facts=data.facts.strip(),
        legal_basis=cfg.legal_basis,
        details={"extent": data.extent, "interdicted": interdicted},
    )


def draft_document(
    session: Session, data: DocumentInput, inspection: Inspection | None, collector: str
) -> Draft:
    cfg = config_values(session)
    kind = data.kind
    if kind is DocumentKind.INSPECTION_REPORT:
        return _draft_report(inspection, data, cfg)
    if kind is DocumentKind.SUMMONS:
        return _draft_summons(session, inspection, data, cfg)
    if kind is DocumentKind.INFRACTION:
        return _draft_infraction(session, data, cfg)
    if kind is DocumentKind.SAMPLE:
        return _draft_sample(session, data, cfg, collector)
    return _draft_interdiction(data, cfg)
