"""Licença sanitária: issue, print, verify, revoke, renew, and the expiry lists.

Rules (RDC 153/2017 as amended by RDC 418/2020, `shared/reference/br-health.md` §2.4):
- a full licence needs an inspection of the establishment, DONE with outcome SATISFACTORY,
  performed within the last `RECENT_INSPECTION_DAYS` (90) days: an older visit no longer
  describes the place, and 90 days is the usual validity of an inspection report for licensing;
- a provisional licence is only for risk II establishments and is issued without inspection
  (risk III needs the inspection before operating; risk I needs no licence at all);
- an interdicted or closed establishment gets no licence, and one that holds a valid licence is
  renewed (`renew_licence`), not licensed twice;
- while the establishment is interdicted (a valid termo de interdição), its licence is reported
  SUSPENDED: verification says so and names the termo; cancelling the termo or lifting the
  interdiction makes the licence valid again (the licence itself is never rewritten).
Validity comes from the department's parameters (`licence_months`, `provisional_licence_months`);
the number from the LICENCE_SERIES numbering; the licensed activities (CNAEs with descriptions)
and the risk are copied, so a reprint says what was licensed even after the register changes.

Printing goes through `app.reports.issue` as a legal document (QR and verification code); the
first print's code is kept on the licence, and reprints say "2ª VIA". Anyone with
`documents.verify` can check a code (`verify_licence`, or `cli_verify` from the command line).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.brazil.identifiers import format_cep
from app.db.base import new_id
from app.db.session import Database, clock_of
from app.errors import NotFound, ValidationError
from app.installation.models import Municipality
from app.registry.models import District
from app.reports import codes
from app.reports.issue import IssuedPdf, issue
from app.reports.models import IssuedDocument
from app.reports.page import PageInfo
from app.sanitary.config import config_values
from app.sanitary.enums import (
    LICENCE_SERIES,
    DocumentKind,
    EstablishmentStatus,
    InspectionOutcome,
    InspectionStatus,
    RiskLevel,
)
from app.sanitary.licence_report import LicencePrint, build_licence_pdf, licence_title
from app.sanitary.models import (
    CnaeRisk,
    CnaeRiskOverride,
    CnaeRiskTable,
    Establishment,
    EstablishmentActivity,
    Inspection,
    SanitaryDocument,
    SanitaryInspector,
    SanitaryLicence,
)
from app.sanitary.numbers import label, next_number
from app.sanitary.processes import establishment_name, holder_document
from app.sanitary.rules import add_months
from app.security import audit
from app.security.actor import SYSTEM, Actor

RECENT_INSPECTION_DAYS = 90
EXPIRING_DAYS = 30
PRINT_KIND = "sanitary.licence"
NOT_FOUND = "Código não encontrado: o documento pode ser falso."

VALID = "valida"
EXPIRED = "vencida"
REVOKED = "revogada"
SUSPENDED = "suspensa"
RENEWED = "substituida"
UNKNOWN = "nao_encontrado"

STATUS_LABELS = {
    VALID: "Válida",
    EXPIRED: "Vencida",
    REVOKED: "Revogada",
    SUSPENDED: "Suspensa (estabelecimento interditado)",
    RENEWED: "Substituída (renovada)",
}

# The lists of the Licenças screen.
LIST_VALID = "validas"
LIST_EXPIRING = "vencendo"
LIST_EXPIRED = "vencidas"
LIST_REVOKED = "revogadas"


@dataclass(frozen=True)
class LicenceIssued:
    """A licence just issued."""

    id: uuid.UUID
    number: str
    valid_until: date
    provisional: bool


@dataclass(frozen=True)
class LicenceRow:
    """One licence in a list."""

    id: uuid.UUID
    number: str
    establishment_id: uuid.UUID
    establishment: str
    document: str
    risk: str
    provisional: bool
    issued_on: date
    valid_until: date
    status: str
    days_left: int
    print_count: int
    verification_code: str

    @property
    def status_label(self) -> str:
        label_text = STATUS_LABELS.get(self.status, self.status)
        if self.status == VALID and self.days_left <= EXPIRING_DAYS:
            return f"Válida – vence em {self.days_left} dia" + ("s" if self.days_left != 1 else "")
        return label_text

    @property
    def kind_label(self) -> str:
        return "Provisória" if self.provisional else "Definitiva"


@dataclass(frozen=True)
class LicenceCheck:
    """The answer to "is this licence valid?", with a Portuguese sentence for the screen."""

    found: bool
    status: str
    message: str
    number: str = ""
    establishment: str = ""
    document: str = ""
    valid_until: date | None = None

    @property
    def valid(self) -> bool:
        return self.status == VALID


@dataclass(frozen=True)
class EstablishmentChoice:
    """An establishment offered in a chooser."""

    id: uuid.UUID
    name: str
    document: str
    risk: str
    status: str

    @property
    def label(self) -> str:
        risk = f" – risco {self.risk}" if self.risk else ""
        return f"{self.name} – {self.document}{risk}"


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


def _today(session: Session) -> date:
    return clock_of(session).now().date()


def _establishment(session: Session, establishment_id: uuid.UUID) -> Establishment:
    row = session.get(Establishment, establishment_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("Estabelecimento não encontrado.")
    return row


def _licence(session: Session, licence_id: uuid.UUID) -> SanitaryLicence:
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


def _renewed_ids(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, SanitaryLicence]:
    """Licences among `ids` that a later licence renews, mapped to that later licence."""
    if not ids:
        return {}
    query = select(SanitaryLicence).where(
        SanitaryLicence.renews_id.in_(ids), SanitaryLicence.deleted_at.is_(None)
    )
    return {row.renews_id: row for row in session.scalars(query) if row.renews_id is not None}


def _status(licence: SanitaryLicence, renewed: bool, today: date, interdicted: bool = False) -> str:
    if licence.revoked_at is not None:
        return REVOKED
    if renewed:
        return RENEWED
    if licence.valid_until < today:
        return EXPIRED
    return SUSPENDED if interdicted else VALID


def _interdiction(session: Session, establishment_id: uuid.UUID) -> SanitaryDocument | None:
    """The latest valid termo de interdição of an establishment, if any."""
    query = select(SanitaryDocument).where(
        SanitaryDocument.establishment_id == establishment_id,
        SanitaryDocument.kind == DocumentKind.INTERDICTION,
        SanitaryDocument.cancelled_at.is_(None),
        SanitaryDocument.deleted_at.is_(None),
    )
    return session.scalars(query.order_by(SanitaryDocument.issued_at.desc()).limit(1)).first()


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
    renewed = _renewed_ids(session, [row.id for row in rows])
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
    today = _today(session)
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
    today = _today(session)
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
    establishment = _establishment(session, establishment_id)
    current = _current_licence(session, establishment_id, _today(session))
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
    old = _licence(session, licence_id)
    if old.revoked_at is not None:
        raise ValidationError(
            {"": "Licença revogada não pode ser renovada: emita uma nova licença."}
        )
    if _renewed_ids(session, [old.id]):
        raise ValidationError({"": "Esta licença já foi renovada."})
    establishment = _establishment(session, old.establishment_id)
    return _issue(session, actor, establishment, inspection_id, provisional, renews=old)


def revoke_licence(session: Session, actor: Actor, licence_id: uuid.UUID, reason: str) -> None:
    """Revoke a licence (e.g. after an interdiction or a penalty), with the reason."""
    actor.require("sanitary.process")
    licence = _licence(session, licence_id)
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


# --- printing ---------------------------------------------------------------------------------


def _address(session: Session, establishment: Establishment) -> str:
    """ "Rua das Flores, 120, sala 2 – Centro – Santa Lúcia/PR – CEP 85000-000"."""
    parts = [establishment.street, establishment.number, establishment.complement]
    line = ", ".join(part for part in parts if part.strip())
    if establishment.district_id is not None:
        district = session.get(District, establishment.district_id)
        line += f" – {district.name}" if district is not None else ""
    place = session.scalars(select(Municipality).where(Municipality.deleted_at.is_(None))).first()
    if place is not None:
        line += f" – {place.name}/{place.uf}"
    if establishment.cep:
        line += f" – CEP {format_cep(establishment.cep)}"
    return line


def _print_data(session: Session, licence: SanitaryLicence, copy: int) -> LicencePrint:
    establishment = _establishment(session, licence.establishment_id)
    config = config_values(session)
    return LicencePrint(
        number=label(licence.number, licence.year),
        provisional=licence.provisional,
        copy=copy,
        legal_name=establishment.legal_name,
        trade_name=establishment.trade_name,
        document=holder_document(establishment),
        address=_address(session, establishment),
        activities=licence.activities,
        risk=licence.risk.label if licence.risk else "",
        issued_on=licence.issued_on,
        valid_until=licence.valid_until,
        technical=establishment.technical_name,
        department=config.department_name,
        legal_basis=config.legal_basis,
    )


def print_licence(session: Session, actor: Actor, licence_id: uuid.UUID) -> IssuedPdf:
    """Print (or reprint, as "2ª VIA") a licence; the first print's code stays on the licence."""
    actor.require("sanitary.process")
    licence = _licence(session, licence_id)
    if licence.revoked_at is not None:
        raise ValidationError({"": "Licença revogada: não pode ser impressa."})
    data = _print_data(session, licence, licence.print_count + 1)
    config = config_values(session)

    def build(info: PageInfo) -> bytes:
        return build_licence_pdf(info, data)

    issued = issue(
        session, actor, kind=PRINT_KIND, title=licence_title(data), subject_id=str(licence.id),
        department=config.department_name, build=build, legal=True,
        parameters={"licence_id": str(licence.id), "copy": data.copy},
    )  # fmt: skip
    if not licence.verification_code:
        licence.verification_code = issued.code
    licence.print_count += 1
    session.flush()
    return issued


# --- verification -----------------------------------------------------------------------------


def _find_by_code(session: Session, code: str) -> SanitaryLicence | None:
    query = select(SanitaryLicence).where(
        SanitaryLicence.verification_code == code, SanitaryLicence.deleted_at.is_(None)
    )
    found = session.scalars(query).first()
    if found is not None:
        return found
    # A reprint carries its own code: the register of issued documents points to the licence.
    subject = session.scalar(
        select(IssuedDocument.subject_id).where(
            IssuedDocument.code == code, IssuedDocument.kind == PRINT_KIND
        )
    )
    return _licence(session, uuid.UUID(subject)) if subject else None


def _check_message(
    licence: SanitaryLicence, establishment: Establishment, status: str, successor: str
) -> str:
    """The sentence shown on screen and printed by the CLI (SUSPENDED is worded by the caller)."""
    kind = "PROVISÓRIA " if licence.provisional else ""
    head = f"Licença sanitária {kind}nº {label(licence.number, licence.year)}"
    who = f"{establishment_name(establishment)}, {holder_document(establishment)}"
    until = f"{licence.valid_until:%d/%m/%Y}"
    if status == VALID:
        return f"{head}: VÁLIDA até {until}. {who}."
    if status == EXPIRED:
        since = licence.valid_until + timedelta(days=1)
        return f"{head}: VENCIDA desde {since:%d/%m/%Y} (era válida até {until}). {who}."
    if status == REVOKED:
        assert licence.revoked_at is not None
        return (
            f"{head}: REVOGADA em {licence.revoked_at:%d/%m/%Y}. Motivo: {licence.revoke_reason}. "
            f"{who}."
        )
    return f"{head}: SUBSTITUÍDA pela licença nº {successor} (renovação). {who}."


def verify_licence(session: Session, actor: Actor, code: str) -> LicenceCheck:
    """Say whether the licence printed with `code` is valid today, expired, revoked or renewed."""
    actor.require("documents.verify")
    canonical = codes.canonical(code)
    licence = _find_by_code(session, canonical) if canonical else None
    if licence is None:
        result = LicenceCheck(False, UNKNOWN, NOT_FOUND)
    else:
        result = _check(session, licence)
    audit.record(
        session, actor, audit.VERIFY_DOCUMENT, entity="sanitary_licence",
        entity_id=str(licence.id) if licence else None,
        detail={"code": canonical, "found": result.found, "status": result.status},
    )  # fmt: skip
    return result


def _check(session: Session, licence: SanitaryLicence) -> LicenceCheck:
    establishment = _establishment(session, licence.establishment_id)
    successor_row = _renewed_ids(session, [licence.id]).get(licence.id)
    successor = label(successor_row.number, successor_row.year) if successor_row else ""
    interdicted = establishment.status is EstablishmentStatus.INTERDICTED
    status = _status(licence, successor_row is not None, _today(session), interdicted)
    message = _check_message(licence, establishment, status, successor)
    if status == SUSPENDED:
        message = _suspended_message(session, licence, establishment)
    return LicenceCheck(
        found=True,
        status=status,
        message=message,
        number=label(licence.number, licence.year),
        establishment=establishment_name(establishment),
        document=holder_document(establishment),
        valid_until=licence.valid_until,
    )


def _suspended_message(
    session: Session, licence: SanitaryLicence, establishment: Establishment
) -> str:
    kind = "PROVISÓRIA " if licence.provisional else ""
    head = f"Licença sanitária {kind}nº {label(licence.number, licence.year)}"
    who = f"{establishment_name(establishment)}, {holder_document(establishment)}"
    term = _interdiction(session, establishment.id)
    since = (
        f" pelo Termo de Interdição nº {label(term.number, term.year)}, "
        f"de {term.issued_on:%d/%m/%Y}"
        if term is not None
        else ""
    )
    return (
        f"{head}: SUSPENSA — o estabelecimento está interditado{since}. "
        f"Desfeita a interdição, volta a valer até {licence.valid_until:%d/%m/%Y}. {who}."
    )


def cli_verify(db: Database, code: str) -> tuple[int, str]:
    """`saude-municipal-cli visa verificar CODIGO`: exit 0 valid, 1 not valid, 2 not found."""
    with db.unit_of_work("sistema") as session:
        result = verify_licence(session, SYSTEM, code)
    if result.valid:
        return 0, result.message
    return (1 if result.found else 2), result.message


# --- queries ----------------------------------------------------------------------------------


def _licence_query() -> Select[SanitaryLicence, Establishment]:
    return (
        select(SanitaryLicence, Establishment)
        .join(Establishment, Establishment.id == SanitaryLicence.establishment_id)
        .where(SanitaryLicence.deleted_at.is_(None))
    )


def _rows(
    session: Session, query: Select[SanitaryLicence, Establishment], today: date
) -> list[LicenceRow]:
    pairs = list(session.execute(query.order_by(SanitaryLicence.valid_until)))
    renewed = _renewed_ids(session, [licence.id for licence, _ in pairs])
    return [
        LicenceRow(
            id=licence.id,
            number=label(licence.number, licence.year),
            establishment_id=establishment.id,
            establishment=establishment_name(establishment),
            document=holder_document(establishment),
            risk=licence.risk.value if licence.risk else "",
            provisional=licence.provisional,
            issued_on=licence.issued_on,
            valid_until=licence.valid_until,
            status=_status(
                licence,
                licence.id in renewed,
                today,
                establishment.status is EstablishmentStatus.INTERDICTED,
            ),
            days_left=(licence.valid_until - today).days,
            print_count=licence.print_count,
            verification_code=licence.verification_code,
        )
        for licence, establishment in pairs
    ]


def list_licences(
    session: Session,
    actor: Actor,
    today: date,
    which: str = LIST_VALID,
    establishment_id: uuid.UUID | None = None,
) -> list[LicenceRow]:
    """Licences of one list: valid, expiring in 30 days, expired (not renewed) or revoked."""
    actor.require("sanitary.read")
    query = _licence_query()
    if establishment_id is not None:
        query = query.where(SanitaryLicence.establishment_id == establishment_id)
    if which == LIST_REVOKED:
        query = query.where(SanitaryLicence.revoked_at.is_not(None))
    else:
        query = query.where(SanitaryLicence.revoked_at.is_(None))
    if which in (LIST_VALID, LIST_EXPIRING):
        query = query.where(SanitaryLicence.valid_until >= today)
    if which == LIST_EXPIRING:
        query = query.where(SanitaryLicence.valid_until <= today + timedelta(days=EXPIRING_DAYS))
    if which == LIST_EXPIRED:
        query = query.where(SanitaryLicence.valid_until < today)
    rows = _rows(session, query, today)
    return [row for row in rows if which == LIST_REVOKED or row.status != RENEWED]


def expiring(
    session: Session, actor: Actor, today: date, days: int = EXPIRING_DAYS
) -> list[LicenceRow]:
    """Valid licences (not yet renewed) that expire within `days` days."""
    rows = list_licences(session, actor, today, LIST_VALID)
    return [row for row in rows if row.days_left <= days]


def expired(session: Session, actor: Actor, today: date) -> list[LicenceRow]:
    """Licences past their validity and not renewed (establishments operating without one)."""
    return list_licences(session, actor, today, LIST_EXPIRED)


def establishment_choices(session: Session, actor: Actor) -> list[EstablishmentChoice]:
    """Live establishments for a chooser, by name."""
    actor.require("sanitary.read")
    query = (
        select(Establishment)
        .where(Establishment.deleted_at.is_(None))
        .order_by(Establishment.name_key)
    )
    return [
        EstablishmentChoice(
            row.id,
            establishment_name(row),
            holder_document(row),
            row.risk.value if row.risk else "",
            row.status.label,
        )
        for row in session.scalars(query)
    ]


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
