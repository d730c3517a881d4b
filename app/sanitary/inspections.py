"""Commands of an inspection on the field laptop: start it, answer the roteiro, attach photos and
files, and finish it with its outcome (issue 5, item 5).

Every command checks `sanitary.inspect`, finds the acting inspector (`SanitaryInspector` whose
`username` is the account's), validates, writes in the caller's transaction and records the audit
trail; a refusal raises before anything is written, so nothing is ever half-done.

Decisions worth knowing:

* The roteiro version is chosen when the inspection starts (unless planning already fixed one) and
  never changes afterwards, by `app.sanitary.checklist_queries.roteiro_for` (as planning does):
  the latest published version of the active roteiro whose CNAE prefix matches one of the
  establishment's activities by the longest prefix, else an active roteiro without prefixes (a
  general one). When none serves the establishment's activities the
  inspection still starts, without a roteiro (the inspector is in the field, offline, and cannot
  wait for one): its findings are then required when it is finished.
* A "Não conforme" on an Imprescindível item is refused without an observation, at the moment it
  is answered: the recorded answer always carries what the inspector saw (the termo prints it).
* The inspection date (`performed_on`) is the day the visit started, in the municipality's time
  zone; a correction deadline is counted from it (the termo is handed over at the visit). When an
  inspection is written up days after the visit, a deadline that has already passed is refused.
* The next routine inspection is due `frequency_months(risk)` after the visit; an establishment
  without a risk class is treated as risk III (the most frequent), never left without a date.
* After finishing, answers, attachments and the outcome no longer change.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.care.agenda_queries import timezone_of
from app.care.models import MunicipalHoliday
from app.db.session import clock_of
from app.errors import NotFound, PermissionDenied, ValidationError
from app.sanitary import rules
from app.sanitary.checklist_queries import roteiro_for
from app.sanitary.config import config_values
from app.sanitary.enums import (
    Answer,
    EstablishmentStatus,
    InspectionOutcome,
    InspectionReason,
    InspectionStatus,
    ItemClass,
    RiskLevel,
)
from app.sanitary.models import (
    ChecklistItem,
    Establishment,
    Inspection,
    InspectionAnswer,
    InspectionAttachment,
    SanitaryInspector,
)
from app.security import audit
from app.security.actor import Actor

INSPECT = "sanitary.inspect"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_CORRECTION_DAYS = 365
MEDIA_TYPES: dict[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
}
# What a file of each type starts with: a renamed file is refused instead of stored as evidence.
_SIGNATURES: dict[str, tuple[bytes, str]] = {
    "image/jpeg": (b"\xff\xd8\xff", "uma foto JPEG válida"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "uma imagem PNG válida"),
    "application/pdf": (b"%PDF-", "um PDF válido"),
}
NO_INSPECTOR = (
    "Sua conta não está vinculada a um fiscal sanitário cadastrado. Peça à coordenação da VISA "
    "para informar seu usuário no cadastro de fiscais."
)


@dataclass(frozen=True)
class Started:
    """An inspection in progress: its id and the roteiro version it uses."""

    inspection_id: uuid.UUID
    version_id: uuid.UUID | None  # None: no published roteiro serves its activities
    resumed: bool  # True when it was already in progress (nothing changed)


@dataclass(frozen=True)
class AnswerSaved:
    inspection_id: uuid.UUID
    item_id: uuid.UUID
    answer: Answer
    observation: str


@dataclass(frozen=True)
class FinishInput:
    """What the "Concluir inspeção" dialog sends."""

    outcome: InspectionOutcome | None
    findings: str = ""
    correction_days: int | None = None
    received_by: str = ""


@dataclass(frozen=True)
class Finished:
    inspection_id: uuid.UUID
    establishment_id: uuid.UUID
    outcome: InspectionOutcome
    performed_on: date
    correction_due_on: date | None
    next_inspection_on: date


# --- shared checks ---------------------------------------------------------------------------


def acting_inspector(session: Session, actor: Actor) -> SanitaryInspector:
    """The active inspector linked to the account; refused (in Portuguese) when there is none."""
    query = select(SanitaryInspector).where(
        SanitaryInspector.username == actor.username,
        SanitaryInspector.active.is_(True),
        SanitaryInspector.deleted_at.is_(None),
    )
    inspector = session.scalars(query.limit(1)).first() if actor.username else None
    if inspector is None:
        raise PermissionDenied(NO_INSPECTOR)
    return inspector


def local_today(session: Session) -> date:
    """Today in the municipality's time zone."""
    return clock_of(session).now().astimezone(timezone_of(session)).date()


def _inspection(session: Session, inspection_id: uuid.UUID) -> Inspection:
    row = session.get(Inspection, inspection_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("Inspeção não encontrada (pode ter sido cancelada em outro computador).")
    return row


def _check_assigned(row: Inspection, inspector: SanitaryInspector, actor: Actor) -> None:
    """Only the assigned inspector, a companion or the coordination may work on an inspection."""
    mine = row.inspector_id in (None, inspector.id) or str(inspector.id) in row.companion_ids
    if not mine and not actor.can("sanitary.manage"):
        raise PermissionDenied(
            "Esta inspeção está designada a outro fiscal. Peça à coordenação para redistribuí-la."
        )


def _check_in_progress(row: Inspection) -> None:
    if row.status is InspectionStatus.IN_PROGRESS:
        return
    if row.status is InspectionStatus.DONE:
        day = f"{row.performed_on:%d/%m/%Y}" if row.performed_on else ""
        raise ValidationError(
            {"": f"Esta inspeção já foi concluída ({day}): as respostas não podem mais ser "
                 "alteradas."}
        )  # fmt: skip
    if row.status is InspectionStatus.CANCELLED:
        raise ValidationError({"": "Esta inspeção foi cancelada e não pode ser preenchida."})
    raise ValidationError({"": "Inicie a inspeção antes de responder o roteiro."})


def _working_inspection(
    session: Session, actor: Actor, inspection_id: uuid.UUID
) -> tuple[Inspection, SanitaryInspector]:
    actor.require(INSPECT)
    inspector = acting_inspector(session, actor)
    row = _inspection(session, inspection_id)
    _check_assigned(row, inspector, actor)
    _check_in_progress(row)
    return row, inspector


def _item_of(session: Session, row: Inspection, item_id: uuid.UUID) -> ChecklistItem:
    item = session.get(ChecklistItem, item_id)
    if item is None or item.deleted_at is not None or item.version_id != row.checklist_version_id:
        raise ValidationError({"item": "Este item não pertence ao roteiro desta inspeção."})
    return item


# --- choosing the roteiro --------------------------------------------------------------------


# --- starting --------------------------------------------------------------------------------


def start_inspection(
    session: Session, actor: Actor, inspection_id: uuid.UUID, received_by: str | None = None
) -> Started:
    """Planned → in progress: records the start and fixes the roteiro version.

    An inspection already in progress is resumed: nothing is written, unless it started without
    a roteiro and one now serves its establishment (it arrived through sync).
    """
    actor.require(INSPECT)
    inspector = acting_inspector(session, actor)
    row = _inspection(session, inspection_id)
    _check_assigned(row, inspector, actor)
    if row.status is InspectionStatus.IN_PROGRESS:
        if row.checklist_version_id is None:  # a roteiro may have arrived since (sync)
            _fix_roteiro(session, actor, row)
        return Started(row.id, row.checklist_version_id, resumed=True)
    if row.status is not InspectionStatus.PLANNED:
        _check_in_progress(row)  # raises the message of a done or cancelled inspection
    version_id = row.checklist_version_id or roteiro_for(session, row.establishment_id)
    row.checklist_version_id = version_id
    row.status = InspectionStatus.IN_PROGRESS
    row.started_at = clock_of(session).now()
    row.inspector_id = row.inspector_id or inspector.id
    if received_by is not None:
        row.received_by = _limited(received_by, 120, "received_by", "Recebido por")
    session.flush()
    audit.record(session, actor, "inspection_start", entity="inspection", entity_id=str(row.id),
                 detail={"version_id": str(version_id) if version_id else None})  # fmt: skip
    return Started(row.id, version_id, resumed=False)


def _fix_roteiro(session: Session, actor: Actor, row: Inspection) -> None:
    version_id = roteiro_for(session, row.establishment_id)
    if version_id is None:
        return
    row.checklist_version_id = version_id
    session.flush()
    audit.record(session, actor, audit.UPDATE, entity="inspection", entity_id=str(row.id),
                 detail={"fields": ["checklist_version_id"]})  # fmt: skip


def start_unplanned(
    session: Session,
    actor: Actor,
    establishment_id: uuid.UUID,
    reason: InspectionReason = InspectionReason.COMPLAINT,
) -> Started:
    """A visit that was not on the work list (a complaint, a licensing request): create and start.

    The new inspection belongs to the establishment's team and to the acting inspector.
    """
    actor.require(INSPECT)
    inspector = acting_inspector(session, actor)
    place = session.get(Establishment, establishment_id)
    if place is None or place.deleted_at is not None:
        raise NotFound("Estabelecimento não encontrado.")
    if place.status is EstablishmentStatus.CLOSED:
        raise ValidationError({"": "Este estabelecimento está baixado: não pode ser inspecionado."})
    if _open_inspection(session, establishment_id) is not None:
        raise ValidationError(
            {"": "Já há uma inspeção em andamento neste estabelecimento: continue-a pela lista."}
        )
    row = Inspection(
        establishment_id=place.id, team=place.team, reason=InspectionReason(reason),
        status=InspectionStatus.PLANNED, due_on=local_today(session), inspector_id=inspector.id,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="inspection", entity_id=str(row.id),
                 detail={"establishment_id": str(place.id), "reason": str(reason)})  # fmt: skip
    return start_inspection(session, actor, row.id)


def _open_inspection(session: Session, establishment_id: uuid.UUID) -> uuid.UUID | None:
    query = select(Inspection.id).where(
        Inspection.establishment_id == establishment_id,
        Inspection.status == InspectionStatus.IN_PROGRESS,
        Inspection.deleted_at.is_(None),
    )
    return session.scalar(query.limit(1))


# --- answering and attaching -----------------------------------------------------------------


def _limited(text: str, size: int, field: str, label: str) -> str:
    value = text.strip()
    if len(value) > size:
        raise ValidationError({field: f"{label}: no máximo {size} caracteres."})
    return value


def answer_item(
    session: Session,
    actor: Actor,
    inspection_id: uuid.UUID,
    item_id: uuid.UUID,
    answer: Answer,
    observation: str = "",
) -> AnswerSaved:
    """Record (or change) the answer to one roteiro item while the inspection is in progress."""
    row, _inspector = _working_inspection(session, actor, inspection_id)
    item = _item_of(session, row, item_id)
    answer = Answer(answer)
    note = _limited(observation, 1000, "observation", "Observação")
    if answer is Answer.NON_COMPLIANT and item.classification is ItemClass.ESSENTIAL and not note:
        raise ValidationError(
            {"observation": f"Item {item.code} é imprescindível: descreva na observação a não "
                            "conformidade encontrada."}
        )  # fmt: skip
    saved = _answer_row(session, row.id, item.id)
    if saved is None:
        saved = InspectionAnswer(inspection_id=row.id, item_id=item.id, team=row.team,
                                 answer=answer, observation=note)  # fmt: skip
        session.add(saved)
        action = audit.CREATE
    else:
        saved.answer, saved.observation, action = answer, note, audit.UPDATE
    session.flush()
    audit.record(session, actor, action, entity="inspection_answer", entity_id=str(saved.id),
                 detail={"inspection_id": str(row.id), "item_id": str(item.id)})  # fmt: skip
    return AnswerSaved(row.id, item.id, answer, note)


def _answer_row(
    session: Session, inspection_id: uuid.UUID, item_id: uuid.UUID
) -> InspectionAnswer | None:
    query = select(InspectionAnswer).where(
        InspectionAnswer.inspection_id == inspection_id,
        InspectionAnswer.item_id == item_id,
    )
    return session.scalars(query).first()


def media_type_of(file_name: str) -> str:
    """The media type of an accepted attachment, from its extension; refused otherwise."""
    extension = PurePath(file_name).suffix.lower().lstrip(".")
    if extension not in MEDIA_TYPES:
        raise ValidationError(
            {"file": f"Tipo de arquivo não aceito ({extension or 'sem extensão'}): anexe fotos "
                     "JPG ou PNG, ou documentos PDF."}
        )  # fmt: skip
    return MEDIA_TYPES[extension]


def check_attachment_size(size: int) -> None:
    """Refuse an empty file or one above the limit (screens call it before reading the file)."""
    if size <= 0:
        raise ValidationError({"file": "O arquivo está vazio."})
    if size > MAX_ATTACHMENT_BYTES:
        megabytes = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        raise ValidationError(
            {"file": f"O arquivo tem {megabytes} MB; o limite é de "
                     f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB. Reduza a foto ou divida o "
                     "documento."}
        )  # fmt: skip


def _check_content(media_type: str, content: bytes) -> None:
    magic, what = _SIGNATURES[media_type]
    if not content.startswith(magic):
        raise ValidationError(
            {"file": f"O arquivo não é {what} (extensão trocada ou arquivo danificado)."}
        )


def attach(
    session: Session,
    actor: Actor,
    inspection_id: uuid.UUID,
    item_id: uuid.UUID | None,
    file_name: str,
    content: bytes,
    caption: str = "",
) -> uuid.UUID:
    """Store a photo or file taken during the inspection (about one item, or the whole visit)."""
    row, _inspector = _working_inspection(session, actor, inspection_id)
    name = PurePath(file_name.replace("\\", "/")).name.strip()
    if not name:
        raise ValidationError({"file": "Informe o arquivo a anexar."})
    media_type = media_type_of(name)
    check_attachment_size(len(content))
    _check_content(media_type, content)
    note = _limited(caption, 300, "caption", "Legenda")
    item = _item_of(session, row, item_id) if item_id is not None else None
    saved = InspectionAttachment(
        inspection_id=row.id, item_id=item.id if item else None, team=row.team,
        file_name=name[-200:], media_type=media_type,
        sha256=hashlib.sha256(content).hexdigest(), content=content, caption=note,
    )  # fmt: skip
    session.add(saved)
    session.flush()
    audit.record(session, actor, audit.CREATE, entity="inspection_attachment",
                 entity_id=str(saved.id), detail={"inspection_id": str(row.id)})  # fmt: skip
    return saved.id


# --- finishing -------------------------------------------------------------------------------


def municipal_holidays(session: Session) -> dict[date, str]:
    """The municipality's holidays (day → name) that deadlines skip."""
    query = select(MunicipalHoliday.day, MunicipalHoliday.name).where(
        MunicipalHoliday.deleted_at.is_(None)
    )
    return {day: name for day, name in session.execute(query)}


def correction_deadline(session: Session, start: date, days: int) -> rules.Deadline:
    """The deadline of `days` from `start`, in calendar or business days as configured."""
    business = config_values(session).business_days
    return rules.deadline(start, days, business=business, municipal=municipal_holidays(session))


def visit_day(session: Session, row: Inspection) -> date:
    """The day of the visit (municipality's time zone): when the inspection was started."""
    if row.started_at is None:
        return local_today(session)
    return row.started_at.astimezone(timezone_of(session)).date()


def _unanswered_codes(session: Session, row: Inspection) -> list[str]:
    answered = select(InspectionAnswer.item_id).where(
        InspectionAnswer.inspection_id == row.id, InspectionAnswer.deleted_at.is_(None)
    )
    query = (
        select(ChecklistItem.code)
        .where(
            ChecklistItem.version_id == row.checklist_version_id,
            ChecklistItem.deleted_at.is_(None),
            ChecklistItem.id.not_in(answered),
        )
        .order_by(ChecklistItem.position)
    )
    return list(session.scalars(query))


def essential_non_compliant(session: Session, inspection_id: uuid.UUID) -> list[str]:
    """Codes of the Imprescindível items answered "Não conforme", in roteiro order."""
    query = (
        select(ChecklistItem.code)
        .join(InspectionAnswer, InspectionAnswer.item_id == ChecklistItem.id)
        .where(
            InspectionAnswer.inspection_id == inspection_id,
            InspectionAnswer.answer == Answer.NON_COMPLIANT,
            InspectionAnswer.deleted_at.is_(None),
            ChecklistItem.classification == ItemClass.ESSENTIAL,
        )
        .order_by(ChecklistItem.position)
    )
    return list(session.scalars(query))


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:12])
    return shown + (f" e mais {len(codes) - 12}" if len(codes) > 12 else "")


def _finish_problems(session: Session, row: Inspection, data: FinishInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    missing = _unanswered_codes(session, row)
    if missing:
        errors[""] = (
            f"Responda todos os itens do roteiro antes de concluir. Falta(m) {len(missing)}: "
            f"{_codes(missing)}."
        )
    if data.outcome is None:
        errors["outcome"] = "Escolha o resultado da inspeção."
    elif data.outcome is InspectionOutcome.SATISFACTORY:
        essential = essential_non_compliant(session, row.id)
        if essential:
            errors["outcome"] = (
                "O resultado não pode ser satisfatório: há item imprescindível não conforme "
                f"({_codes(essential)})."
            )
    elif data.outcome is InspectionOutcome.CORRECTIONS:
        days = data.correction_days
        if days is None or not 1 <= days <= MAX_CORRECTION_DAYS:
            errors["correction_days"] = (
                f"Informe o prazo para as correções: de 1 a {MAX_CORRECTION_DAYS} dias."
            )
    if row.checklist_version_id is None and not data.findings.strip():
        errors["findings"] = "Inspeção sem roteiro: descreva nas constatações o que foi verificado."
    if len(data.findings.strip()) > 20000:
        errors["findings"] = "Constatações: no máximo 20.000 caracteres."
    if len(data.received_by.strip()) > 120:
        errors["received_by"] = "Recebido por: no máximo 120 caracteres."
    return errors


def finish_inspection(
    session: Session, actor: Actor, inspection_id: uuid.UUID, data: FinishInput
) -> Finished:
    """Record the outcome: the inspection is done and its establishment's dates move on."""
    row, _inspector = _working_inspection(session, actor, inspection_id)
    errors = _finish_problems(session, row, data)
    if errors:
        raise ValidationError(errors)
    assert data.outcome is not None  # checked above
    performed_on = visit_day(session, row)
    due_on = None
    if data.outcome is InspectionOutcome.CORRECTIONS:
        assert data.correction_days is not None
        due = correction_deadline(session, performed_on, data.correction_days)
        rules.check_future(due.ends_on, local_today(session), "correction_days")
        due_on = due.ends_on
    row.status = InspectionStatus.DONE
    row.outcome = data.outcome
    row.findings = data.findings.strip()
    row.correction_days = data.correction_days if due_on else None
    row.correction_due_on = due_on
    row.received_by = data.received_by.strip()
    row.performed_on = performed_on
    row.finished_at = clock_of(session).now()
    next_on = _move_establishment(session, actor, row, data.outcome, performed_on)
    session.flush()
    audit.record(session, actor, "inspection_finish", entity="inspection", entity_id=str(row.id),
                 detail={"outcome": str(data.outcome)})  # fmt: skip
    return Finished(row.id, row.establishment_id, data.outcome, performed_on, due_on, next_on)


def _move_establishment(
    session: Session,
    actor: Actor,
    row: Inspection,
    outcome: InspectionOutcome,
    performed_on: date,
) -> date:
    place = session.get(Establishment, row.establishment_id)
    if place is None:
        raise NotFound("Estabelecimento não encontrado.")
    months = config_values(session).frequency_months(place.risk or RiskLevel.HIGH)
    place.last_inspection_on = max(place.last_inspection_on or performed_on, performed_on)
    place.next_inspection_on = rules.next_inspection(
        place.last_inspection_on, months, local_today(session)
    )
    fields = ["last_inspection_on", "next_inspection_on"]
    if outcome is InspectionOutcome.INTERDICTION:
        place.status = EstablishmentStatus.INTERDICTED
        fields.append("status")
    session.flush()
    audit.record(session, actor, audit.UPDATE,
                 entity="establishment", entity_id=str(place.id),
                 detail={"fields": fields, "inspection_id": str(row.id)})  # fmt: skip
    return place.next_inspection_on
