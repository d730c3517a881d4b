"""The processo administrativo sanitário after the auto de infração: its steps and deadlines.

A process is opened by the auto de infração (stage DEFENCE, `app.sanitary` legal documents) and
only moves forward along `ProcessStage`: defence (Lei 6.437/1977 art. 22), the autuante's reply
(art. 22 §1º), judgement, the appeal period, the appeal's judgement, closed. Each command below
appends a `ProcessStep` (never edited) and sets the process's stage and the deadline of the new
stage, counted by `app.sanitary.rules.deadline` in calendar or business days as the department
configured, skipping national and municipal holidays. A step that does not belong to the current
stage is refused with a message saying what the process is waiting for.

The read side (lists by stage, overdue or due soon, and one process with its timeline) is in
`app.sanitary.process_queries`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.care.models import MunicipalHoliday
from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.sanitary.config import ConfigValues, config_values
from app.sanitary.enums import ProcessStage
from app.sanitary.models import ProcessStep, SanitaryDocument, SanitaryProcess
from app.sanitary.numbers import label
from app.sanitary.rules import deadline, fine_range_text, money
from app.security import audit
from app.security.actor import Actor

# Step kinds (stored in ProcessStep.kind).
OPENED = "autuacao"  # the first step, written by `process_opening.open_process`
DEFENCE = "defesa"
NO_DEFENCE = "revelia"
REPLY = "manifestacao"
DECISION = "decisao"
APPEAL = "recurso"
NO_APPEAL = "sem_recurso"
APPEAL_DECISION = "decisao_recurso"
ARCHIVED = "arquivamento"

STEP_LABELS: Mapping[str, str] = {
    OPENED: "Auto de infração lavrado (abertura)",
    DEFENCE: "Defesa apresentada",
    NO_DEFENCE: "Revelia (sem defesa no prazo)",
    REPLY: "Manifestação do autuante",
    DECISION: "Decisão de primeira instância",
    APPEAL: "Recurso interposto",
    NO_APPEAL: "Prazo de recurso encerrado sem recurso",
    APPEAL_DECISION: "Decisão do recurso",
    ARCHIVED: "Arquivamento",
}

# Lei 6.437/1977 art. 2º: the penalties (alternative or cumulative) a decision may impose.
FINE = "Multa"
PENALTIES: tuple[str, ...] = (
    "Advertência",
    FINE,
    "Apreensão de produto",
    "Inutilização de produto",
    "Interdição de produto",
    "Suspensão de vendas e/ou fabricação de produto",
    "Cancelamento de registro de produto",
    "Interdição parcial do estabelecimento",
    "Interdição total do estabelecimento",
    "Proibição de propaganda",
    "Cancelamento de autorização para funcionamento",
    "Cancelamento do alvará de licenciamento",
    "Intervenção no estabelecimento",
)

# The steps each stage accepts (archiving is possible at any open stage).
ALLOWED: Mapping[ProcessStage, tuple[str, ...]] = {
    ProcessStage.DEFENCE: (DEFENCE, NO_DEFENCE, ARCHIVED),
    ProcessStage.REPLY: (REPLY, ARCHIVED),
    ProcessStage.JUDGEMENT: (DECISION, ARCHIVED),
    ProcessStage.APPEAL: (APPEAL, NO_APPEAL, ARCHIVED),
    ProcessStage.APPEAL_JUDGEMENT: (APPEAL_DECISION, ARCHIVED),
    ProcessStage.CLOSED: (),
}

WAITING: Mapping[ProcessStage, str] = {
    ProcessStage.DEFENCE: "a defesa do autuado (ou a revelia, depois do prazo)",
    ProcessStage.REPLY: "a manifestação do servidor autuante sobre a defesa",
    ProcessStage.JUDGEMENT: "a decisão de primeira instância",
    ProcessStage.APPEAL: "o recurso do autuado (ou o fim do prazo de recurso)",
    ProcessStage.APPEAL_JUDGEMENT: "a decisão do recurso",
    ProcessStage.CLOSED: "nada: está encerrado",
}


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepResult:
    """What a command changed: the new stage and its deadline."""

    process_id: uuid.UUID
    step_id: uuid.UUID
    stage: ProcessStage
    due_on: date | None


# --- helpers ----------------------------------------------------------------------------------


def municipal_holidays(session: Session) -> dict[date, str]:
    """The municipality's holidays (date → name), for deadlines."""
    query = select(MunicipalHoliday.day, MunicipalHoliday.name).where(
        MunicipalHoliday.deleted_at.is_(None)
    )
    return {day: name for day, name in session.execute(query)}


def stage_deadline(session: Session, config: ConfigValues, start: date, days: int) -> date:
    """The end of a stage of `days` starting on `start`, as the department counts deadlines."""
    return deadline(
        start, days, business=config.business_days, municipal=municipal_holidays(session)
    ).ends_on


def today_of(session: Session) -> date:
    """Today, by the clock of the session (the fixed clock in tests)."""
    return clock_of(session).now().date()


def _load(session: Session, process_id: uuid.UUID) -> SanitaryProcess:
    process = session.get(SanitaryProcess, process_id)
    if process is None or process.deleted_at is not None:
        raise NotFound("Processo administrativo não encontrado.")
    return process


def _last_step_day(session: Session, process: SanitaryProcess) -> date:
    query = select(ProcessStep.happened_on).where(
        ProcessStep.process_id == process.id, ProcessStep.deleted_at.is_(None)
    )
    days = list(session.scalars(query))
    return max([process.opened_on, *days])


def _check_allowed(process: SanitaryProcess, kind: str) -> None:
    if kind in ALLOWED[process.stage]:
        return
    number = label(process.number, process.year)
    raise ValidationError(
        {
            "": f"O processo nº {number} está na etapa “{process.stage.label}” e aguarda "
            f"{WAITING[process.stage]}: não é possível registrar “{STEP_LABELS[kind]}” agora."
        }
    )


def _check_day(session: Session, process: SanitaryProcess, day: date, field: str) -> None:
    today = today_of(session)
    if day > today:
        raise ValidationError({field: "A data não pode ser futura."})
    previous = _last_step_day(session, process)
    if day < previous:
        raise ValidationError(
            {field: f"A data não pode ser anterior a {previous:%d/%m/%Y} (último registro do "
                    "processo)."}
        )  # fmt: skip


def _require_text(value: str, field: str, message: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationError({field: message})
    return text


def _append(
    session: Session,
    actor: Actor,
    process: SanitaryProcess,
    kind: str,
    day: date,
    stage: ProcessStage,
    due_on: date | None,
    summary: str,
) -> StepResult:
    step = ProcessStep(
        process_id=process.id, kind=kind, happened_on=day, stage_after=stage, due_on=due_on,
        summary=summary, recorded_by=actor.full_name.strip() or actor.username,
    )  # fmt: skip
    session.add(step)
    process.stage = stage
    process.due_on = due_on
    if stage is ProcessStage.CLOSED:
        process.closed_on = day
    session.flush()
    audit.record(
        session, actor, audit.UPDATE, entity="sanitary_process", entity_id=str(process.id),
        detail={"step": kind, "stage": stage.value, "step_id": str(step.id)},
    )  # fmt: skip
    return StepResult(process.id, step.id, stage, due_on)


def _begin(
    session: Session, actor: Actor, process_id: uuid.UUID, kind: str, day: date
) -> SanitaryProcess:
    actor.require("sanitary.process")
    process = _load(session, process_id)
    _check_allowed(process, kind)
    _check_day(session, process, day, "happened_on")
    return process


# --- commands ---------------------------------------------------------------------------------


def record_defence(
    session: Session, actor: Actor, process_id: uuid.UUID, filed_on: date, summary: str
) -> StepResult:
    """The defence was filed: the autuante has `reply_days` to reply (art. 22 §1º)."""
    process = _begin(session, actor, process_id, DEFENCE, filed_on)
    text = _require_text(summary, "summary", "Resuma a defesa apresentada.")
    config = config_values(session)
    if process.due_on is not None and filed_on > process.due_on:
        text = f"Defesa intempestiva (prazo encerrado em {process.due_on:%d/%m/%Y}). {text}"
    due = stage_deadline(session, config, filed_on, config.reply_days)
    return _append(session, actor, process, DEFENCE, filed_on, ProcessStage.REPLY, due, text)


def record_no_defence(
    session: Session, actor: Actor, process_id: uuid.UUID, on: date, summary: str = ""
) -> StepResult:
    """No defence within the deadline (revelia): the process goes to judgement."""
    process = _begin(session, actor, process_id, NO_DEFENCE, on)
    if process.due_on is not None and on <= process.due_on:
        raise ValidationError(
            {"happened_on": f"O prazo de defesa vai até {process.due_on:%d/%m/%Y}: a revelia só "
                            "pode ser registrada depois dele."}
        )  # fmt: skip
    config = config_values(session)
    due = stage_deadline(session, config, on, config.judgement_days)
    text = summary.strip() or "Decorrido o prazo sem apresentação de defesa."
    return _append(session, actor, process, NO_DEFENCE, on, ProcessStage.JUDGEMENT, due, text)


def record_reply(
    session: Session, actor: Actor, process_id: uuid.UUID, replied_on: date, summary: str
) -> StepResult:
    """The autuante replied to the defence: the process goes to judgement."""
    process = _begin(session, actor, process_id, REPLY, replied_on)
    text = _require_text(summary, "summary", "Resuma a manifestação do autuante.")
    config = config_values(session)
    due = stage_deadline(session, config, replied_on, config.judgement_days)
    return _append(session, actor, process, REPLY, replied_on, ProcessStage.JUDGEMENT, due, text)


def _checked_penalties(penalties: Sequence[str]) -> str:
    chosen = [p for p in PENALTIES if p in set(penalties)]
    unknown = [p for p in penalties if p not in PENALTIES]
    if unknown or not chosen:
        raise ValidationError(
            {"penalty": "Escolha a(s) penalidade(s) do art. 2º da Lei nº 6.437/1977."}
        )
    return "; ".join(chosen)


def _check_fine(
    session: Session, process: SanitaryProcess, penalty: str, amount: Decimal | None
) -> Decimal | None:
    if FINE not in penalty.split("; "):
        if amount is not None:
            raise ValidationError(
                {"fine_amount": "Valor de multa informado sem a penalidade multa."}
            )
        return None
    if amount is None:
        raise ValidationError({"fine_amount": "Informe o valor da multa."})
    infraction = session.get(SanitaryDocument, process.infraction_id)
    low = infraction.fine_min if infraction is not None else None
    high = infraction.fine_max if infraction is not None else None
    if low is not None and high is not None and not low <= amount <= high:
        raise ValidationError(
            {"fine_amount": f"A multa de {money(amount)} está fora da faixa do auto de infração "
                            f"({fine_range_text(low, high)})."}
        )  # fmt: skip
    if amount <= 0:
        raise ValidationError({"fine_amount": "O valor da multa deve ser maior que zero."})
    return amount.quantize(Decimal("0.01"))


def record_decision(
    session: Session,
    actor: Actor,
    process_id: uuid.UUID,
    decided_on: date,
    decision: str,
    penalties: Sequence[str],
    fine_amount: Decimal | None = None,
) -> StepResult:
    """The first-instance decision with its penalty: the appeal period starts."""
    process = _begin(session, actor, process_id, DECISION, decided_on)
    text = _require_text(decision, "decision", "Escreva a decisão (fundamentação e conclusão).")
    penalty = _checked_penalties(penalties)
    amount = _check_fine(session, process, penalty, fine_amount)
    process.decision, process.penalty, process.fine_amount = text, penalty, amount
    config = config_values(session)
    due = stage_deadline(session, config, decided_on, config.appeal_days)
    summary = f"{text} Penalidade: {penalty}" + (f" ({money(amount)})." if amount else ".")
    return _append(session, actor, process, DECISION, decided_on, ProcessStage.APPEAL, due,
                   summary)  # fmt: skip


def record_appeal(
    session: Session, actor: Actor, process_id: uuid.UUID, filed_on: date, summary: str
) -> StepResult:
    """The appeal was filed: it goes to the appeal's judgement."""
    process = _begin(session, actor, process_id, APPEAL, filed_on)
    text = _require_text(summary, "summary", "Resuma o recurso apresentado.")
    if process.due_on is not None and filed_on > process.due_on:
        text = f"Recurso intempestivo (prazo encerrado em {process.due_on:%d/%m/%Y}). {text}"
    config = config_values(session)
    due = stage_deadline(session, config, filed_on, config.judgement_days)
    return _append(session, actor, process, APPEAL, filed_on, ProcessStage.APPEAL_JUDGEMENT, due,
                   text)  # fmt: skip


def record_no_appeal(
    session: Session, actor: Actor, process_id: uuid.UUID, on: date, summary: str = ""
) -> StepResult:
    """The appeal period ended without an appeal: the decision is final, the process closes."""
    process = _begin(session, actor, process_id, NO_APPEAL, on)
    if process.due_on is not None and on <= process.due_on:
        raise ValidationError(
            {"happened_on": f"O prazo de recurso vai até {process.due_on:%d/%m/%Y}: registre o "
                            "encerramento sem recurso depois dele."}
        )  # fmt: skip
    text = summary.strip() or "Decorrido o prazo sem recurso; decisão definitiva."
    return _append(session, actor, process, NO_APPEAL, on, ProcessStage.CLOSED, None, text)


def record_appeal_decision(
    session: Session,
    actor: Actor,
    process_id: uuid.UUID,
    decided_on: date,
    decision: str,
    penalties: Sequence[str] | None = None,
    fine_amount: Decimal | None = None,
) -> StepResult:
    """The appeal was judged; `penalties` (and fine) replace the first decision's when given."""
    process = _begin(session, actor, process_id, APPEAL_DECISION, decided_on)
    text = _require_text(decision, "decision", "Escreva a decisão do recurso.")
    summary = text
    if penalties:
        penalty = _checked_penalties(penalties)
        amount = _check_fine(session, process, penalty, fine_amount)
        process.penalty, process.fine_amount = penalty, amount
        summary += f" Penalidade: {penalty}" + (f" ({money(amount)})." if amount else ".")
    process.decision = f"{process.decision}\n\nRecurso: {text}".strip()
    return _append(session, actor, process, APPEAL_DECISION, decided_on, ProcessStage.CLOSED,
                   None, summary)  # fmt: skip


def archive(
    session: Session, actor: Actor, process_id: uuid.UUID, reason: str, on: date | None = None
) -> StepResult:
    """Close the process without (further) decision, with the reason."""
    day = on or today_of(session)
    process = _begin(session, actor, process_id, ARCHIVED, day)
    text = _require_text(reason, "summary", "Informe o motivo do arquivamento.")
    return _append(session, actor, process, ARCHIVED, day, ProcessStage.CLOSED, None, text)
