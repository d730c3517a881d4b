"""Tables of Vigilância Sanitária (VISA): the CNAE risk table, establishments, roteiros,
inspections, legal documents, the processo administrativo sanitário, licences and complaints.

Sync scopes (SYNC.md): reference tables (risk table, roteiros, inspectors, the department's
parameters) go to every node; establishments and everything that happens to them belong to a VISA
team (`TeamScopedMixin`), so a field laptop receives only its team's work; processes and complaints
live at the office and only travel up (a complainant's identity never reaches a laptop). Rows of a
narrower scope never point with a foreign key to a row the receiving node may not hold.

Legal documents keep a copy of what they say (facts, items, deadline) as issued, so a reprint is
the same paper even after the roteiro or the establishment changes; their numbers come from the
node's numbering ranges (`app.sync.numbering`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, SyncedMixin, SyncScope, TeamScopedMixin, UtcDateTime, str_enum
from app.sanitary.enums import (
    INSPECTION_STATUS_ORDER,
    PROCESS_STAGE_ORDER,
    Answer,
    ComplaintStatus,
    DocumentKind,
    EstablishmentStatus,
    Gravity,
    HolderKind,
    InspectionOutcome,
    InspectionReason,
    InspectionStatus,
    ItemClass,
    ProcessStage,
    RiskLevel,
    RiskRule,
)


def _money() -> Numeric[Decimal]:
    return Numeric(14, 2)


DEFAULT_FINE_BASIS = "art. 2º, § 1º"


class SanitaryConfig(SyncedMixin, Base):
    """The department's parameters (one row): frequencies, validities, deadlines and fines.

    The defaults follow Lei 6.437/1977 (defence 15 days, the autuante's reply 10 days, fines of
    art. 2º §1º); every value is editable because the municipal sanitary code may differ.
    """

    __tablename__ = "sanitary_config"

    department_name: Mapped[str] = mapped_column(String(120), default="Vigilância Sanitária")
    legal_basis: Mapped[str] = mapped_column(
        String(300), default="Lei Federal nº 6.437, de 20 de agosto de 1977"
    )
    frequency_low_months: Mapped[int] = mapped_column(Integer, default=36)
    frequency_medium_months: Mapped[int] = mapped_column(Integer, default=24)
    frequency_high_months: Mapped[int] = mapped_column(Integer, default=12)
    licence_months: Mapped[int] = mapped_column(Integer, default=12)
    provisional_licence_months: Mapped[int] = mapped_column(Integer, default=6)
    defence_days: Mapped[int] = mapped_column(Integer, default=15)
    reply_days: Mapped[int] = mapped_column(Integer, default=10)
    judgement_days: Mapped[int] = mapped_column(Integer, default=30)
    appeal_days: Mapped[int] = mapped_column(Integer, default=15)
    complaint_days: Mapped[int] = mapped_column(Integer, default=30)
    business_days: Mapped[bool] = mapped_column(Boolean, default=False)
    fine_light_min: Mapped[Decimal] = mapped_column(_money(), default=Decimal("2000.00"))
    fine_light_max: Mapped[Decimal] = mapped_column(_money(), default=Decimal("75000.00"))
    fine_serious_min: Mapped[Decimal] = mapped_column(_money(), default=Decimal("75000.00"))
    fine_serious_max: Mapped[Decimal] = mapped_column(_money(), default=Decimal("200000.00"))
    fine_very_serious_min: Mapped[Decimal] = mapped_column(_money(), default=Decimal("200000.00"))
    fine_very_serious_max: Mapped[Decimal] = mapped_column(_money(), default=Decimal("1500000.00"))
    # Where the fine ranges come from, printed on every auto de infração after the legal basis.
    fine_basis: Mapped[str] = mapped_column(
        String(120), default=DEFAULT_FINE_BASIS, server_default=DEFAULT_FINE_BASIS
    )


# --- risk ------------------------------------------------------------------------------------


class CnaeRiskTable(SyncedMixin, Base):
    """One version of the CNAE → risk table (imported from CSV; one version is active)."""

    __tablename__ = "cnae_risk_table"

    name: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(300), default="")
    imported_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=False)


class CnaeRisk(SyncedMixin, Base):
    """The risk of one CNAE (7 digits, no punctuation) in one version of the table."""

    __tablename__ = "cnae_risk"
    __table_args__ = (UniqueConstraint("table_id", "cnae", name="uq_cnae_risk_table_cnae"),)

    table_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cnae_risk_table.id"), index=True)
    cnae: Mapped[str] = mapped_column(String(7), index=True)
    description: Mapped[str] = mapped_column(String(300))
    rule: Mapped[RiskRule] = mapped_column(str_enum(RiskRule))


class CnaeRiskQuestion(SyncedMixin, Base):
    """A yes/no question of a "depends on information" CNAE: any "yes" means risk III."""

    __tablename__ = "cnae_risk_question"

    table_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cnae_risk_table.id"), index=True)
    cnae: Mapped[str] = mapped_column(String(7), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))


class CnaeRiskOverride(SyncedMixin, Base):
    """A municipal rule for one CNAE; it prevails over every version of the national table."""

    __tablename__ = "cnae_risk_override"

    cnae: Mapped[str] = mapped_column(String(7), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    level: Mapped[RiskLevel] = mapped_column(str_enum(RiskLevel))
    reason: Mapped[str] = mapped_column(String(300), default="")


# --- people and establishments --------------------------------------------------------------


class SanitaryInspector(SyncedMixin, Base):
    """An inspector (autoridade sanitária) who signs documents; `username` links the account."""

    __tablename__ = "sanitary_inspector"

    name: Mapped[str] = mapped_column(String(120))
    registration: Mapped[str] = mapped_column(String(30), default="")  # matrícula
    title: Mapped[str] = mapped_column(String(80), default="Autoridade sanitária")
    team: Mapped[str] = mapped_column(String(60), default="")
    username: Mapped[str] = mapped_column(String(40), default="", index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Establishment(SyncedMixin, TeamScopedMixin, Base):
    """A business under sanitary control, identified by CNPJ (alphanumeric too) or CPF."""

    __tablename__ = "establishment"
    __table_args__ = (
        # The due and overdue lists by risk (planning, dashboard): one range scan per level, in
        # the order the lists show.
        Index("ix_establishment_risk_due", "risk", "next_inspection_on", "status", "deleted_at"),
    )

    holder_kind: Mapped[HolderKind] = mapped_column(str_enum(HolderKind))
    document: Mapped[str] = mapped_column(String(14), unique=True)
    legal_name: Mapped[str] = mapped_column(String(150))
    trade_name: Mapped[str] = mapped_column(String(150), default="")
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    cep: Mapped[str] = mapped_column(String(8), default="")
    street: Mapped[str] = mapped_column(String(120), default="")
    number: Mapped[str] = mapped_column(String(10), default="")
    complement: Mapped[str] = mapped_column(String(60), default="")
    district_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("district.id"), default=None)
    phone: Mapped[str] = mapped_column(String(11), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    legal_representative: Mapped[str] = mapped_column(String(120), default="")
    technical_name: Mapped[str] = mapped_column(String(120), default="")  # responsável técnico
    technical_council: Mapped[str] = mapped_column(String(40), default="")  # e.g. "CRF-PR 1234"
    status: Mapped[EstablishmentStatus] = mapped_column(
        str_enum(EstablishmentStatus), default=EstablishmentStatus.ACTIVE
    )
    # indexed first in ix_establishment_risk_due (a separate index on risk alone misled the planner)
    risk: Mapped[RiskLevel | None] = mapped_column(str_enum(RiskLevel), default=None)
    risk_reason: Mapped[str] = mapped_column(String(500), default="")
    # When the next routine inspection is due (from the last one and the risk's frequency).
    next_inspection_on: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    last_inspection_on: Mapped[date | None] = mapped_column(Date, default=None)
    notes: Mapped[str] = mapped_column(Text, default="")


class EstablishmentActivity(SyncedMixin, TeamScopedMixin, Base):
    """One CNAE of an establishment, with the answers to its risk questions (position → yes)."""

    __tablename__ = "establishment_activity"
    __table_args__ = (
        UniqueConstraint("establishment_id", "cnae", name="uq_establishment_activity_cnae"),
    )

    establishment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("establishment.id"), index=True
    )
    cnae: Mapped[str] = mapped_column(String(7))
    main: Mapped[bool] = mapped_column(Boolean, default=False)
    answers: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)


# --- roteiros --------------------------------------------------------------------------------


class Checklist(SyncedMixin, Base):
    """A roteiro de inspeção for a kind of activity; its items live in numbered versions."""

    __tablename__ = "checklist"

    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(String(500), default="")
    # CNAE prefixes the roteiro is meant for ("5611" matches every restaurant subclass).
    cnae_prefixes: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ChecklistVersion(SyncedMixin, Base):
    """A version of a roteiro; once published it never changes (inspections keep theirs)."""

    __tablename__ = "checklist_version"
    __table_args__ = (
        UniqueConstraint("checklist_id", "number", name="uq_checklist_version_number"),
    )

    checklist_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("checklist.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    notes: Mapped[str] = mapped_column(String(300), default="")


class ChecklistItem(SyncedMixin, Base):
    """One item of a roteiro version, in a section, classified I/N/R, with its legal reference."""

    __tablename__ = "checklist_item"

    version_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("checklist_version.id"), index=True
    )
    section: Mapped[str] = mapped_column(String(150))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20), default="")  # "3.2" as printed
    text: Mapped[str] = mapped_column(String(600))
    classification: Mapped[ItemClass] = mapped_column(str_enum(ItemClass))
    legal_reference: Mapped[str] = mapped_column(String(200), default="")


# --- inspections -----------------------------------------------------------------------------


class Inspection(SyncedMixin, TeamScopedMixin, Base):
    """A planned or performed visit to an establishment, with the roteiro version it used.

    Its status only moves forward (planned → in progress → done or cancelled), also when two
    nodes touch it: the sync applier never lets an older status overwrite a newer one.
    """

    __tablename__ = "inspection"
    __sync_kind__ = "state"
    __state_field__ = "status"
    __state_order__ = INSPECTION_STATUS_ORDER
    __table_args__ = (Index("ix_inspection_status_due", "status", "due_on"),)

    establishment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("establishment.id"), index=True
    )
    reason: Mapped[InspectionReason] = mapped_column(
        str_enum(InspectionReason), default=InspectionReason.ROUTINE
    )
    status: Mapped[InspectionStatus] = mapped_column(
        str_enum(InspectionStatus), default=InspectionStatus.PLANNED
    )
    due_on: Mapped[date] = mapped_column(Date)
    inspector_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("sanitary_inspector.id"), default=None, index=True
    )
    companion_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    checklist_version_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("checklist_version.id"), default=None
    )
    # A complaint lives at the office only: plain id, no foreign key (the laptop lacks the row).
    complaint_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    performed_on: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    outcome: Mapped[InspectionOutcome | None] = mapped_column(
        str_enum(InspectionOutcome), default=None
    )
    findings: Mapped[str] = mapped_column(Text, default="")  # what the inspector saw, in words
    correction_days: Mapped[int | None] = mapped_column(Integer, default=None)
    correction_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    received_by: Mapped[str] = mapped_column(String(120), default="")  # who attended the visit
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")


class InspectionAnswer(SyncedMixin, TeamScopedMixin, Base):
    """The answer to one roteiro item in one inspection."""

    __tablename__ = "inspection_answer"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_id", name="uq_inspection_answer_item"),
    )

    inspection_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("inspection.id"))
    item_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("checklist_item.id"))
    answer: Mapped[Answer] = mapped_column(str_enum(Answer))
    observation: Mapped[str] = mapped_column(String(1000), default="")


class InspectionAttachment(SyncedMixin, TeamScopedMixin, Base):
    """A photo or file taken during an inspection (optionally about one item); never edited."""

    __tablename__ = "inspection_attachment"
    __sync_kind__ = "event"

    inspection_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("inspection.id"), index=True)
    item_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("checklist_item.id"), default=None
    )
    file_name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(80), default="application/octet-stream")
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    caption: Mapped[str] = mapped_column(String(300), default="")


# --- legal documents -------------------------------------------------------------------------


class SanitaryDocument(SyncedMixin, TeamScopedMixin, Base):
    """A numbered legal document (termo, auto) as issued: its text never changes afterwards.

    Only printing (`print_count`, the first print's `verification_code`) and cancellation touch an
    issued document; a correction is a new document. `details` holds what only one kind has (the
    seals and laboratory of a sample, the extent of an interdiction).
    """

    __tablename__ = "sanitary_document"
    __table_args__ = (
        UniqueConstraint("series", "year", "number", name="uq_sanitary_document_number"),
        Index("ix_sanitary_document_kind_issued", "kind", "issued_on"),
    )

    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind))
    series: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    legal_number_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("legal_number.id"), default=None
    )
    establishment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("establishment.id"), index=True
    )
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("inspection.id"), default=None, index=True
    )
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    inspector_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("sanitary_inspector.id"), default=None
    )
    inspector_name: Mapped[str] = mapped_column(String(120), default="")
    facts: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    deadline_days: Mapped[int | None] = mapped_column(Integer, default=None)
    deadline_business: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_on: Mapped[date | None] = mapped_column(Date, default=None)
    gravity: Mapped[Gravity | None] = mapped_column(str_enum(Gravity), default=None)
    fine_min: Mapped[Decimal | None] = mapped_column(_money(), default=None)
    fine_max: Mapped[Decimal | None] = mapped_column(_money(), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    receiver_name: Mapped[str] = mapped_column(String(120), default="")
    receiver_document: Mapped[str] = mapped_column(String(20), default="")
    refused_to_sign: Mapped[bool] = mapped_column(Boolean, default=False)
    witnesses: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    verification_code: Mapped[str] = mapped_column(String(20), default="")
    print_count: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")


class SanitaryLicence(SyncedMixin, TeamScopedMixin, Base):
    """A licença sanitária: number, validity, the inspection behind it, a verification code."""

    __tablename__ = "sanitary_licence"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_sanitary_licence_number"),
        # The current licence of each establishment (the licence lists and the dashboard); it
        # also serves every look-up by establishment.
        Index(
            "ix_sanitary_licence_current",
            "establishment_id",
            "valid_until",
            "revoked_at",
            "deleted_at",
        ),
    )

    establishment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("establishment.id"))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    legal_number_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("legal_number.id"), default=None
    )
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("inspection.id"), default=None
    )
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    activities: Mapped[str] = mapped_column(Text, default="")  # the licensed CNAEs, as printed
    risk: Mapped[RiskLevel | None] = mapped_column(str_enum(RiskLevel), default=None)
    verification_code: Mapped[str] = mapped_column(String(20), default="", index=True)
    print_count: Mapped[int] = mapped_column(Integer, default=0)
    renews_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    revoke_reason: Mapped[str] = mapped_column(String(300), default="")


# --- processo administrativo sanitário ----------------------------------------------------


class SanitaryProcess(SyncedMixin, Base):
    """The processo administrativo sanitário opened by an auto de infração (office only).

    `stage` only moves forward (also through sync); `due_on` is the deadline of the current stage.
    """

    __tablename__ = "sanitary_process"
    __sync_scope__ = SyncScope.HUB
    __sync_kind__ = "state"
    __state_field__ = "stage"
    __state_order__ = PROCESS_STAGE_ORDER
    __table_args__ = (UniqueConstraint("year", "number", name="uq_sanitary_process_number"),)

    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    establishment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("establishment.id"), index=True
    )
    infraction_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sanitary_document.id"), unique=True
    )
    opened_on: Mapped[date] = mapped_column(Date)
    stage: Mapped[ProcessStage] = mapped_column(
        str_enum(ProcessStage), default=ProcessStage.DEFENCE, index=True
    )
    due_on: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    decision: Mapped[str] = mapped_column(Text, default="")
    penalty: Mapped[str] = mapped_column(String(300), default="")
    fine_amount: Mapped[Decimal | None] = mapped_column(_money(), default=None)
    closed_on: Mapped[date | None] = mapped_column(Date, default=None)


class ProcessStep(SyncedMixin, Base):
    """One recorded step of a process (defence filed, reply, decision, appeal…); never edited."""

    __tablename__ = "sanitary_process_step"
    __sync_scope__ = SyncScope.HUB
    __sync_kind__ = "event"

    process_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sanitary_process.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    happened_on: Mapped[date] = mapped_column(Date)
    stage_after: Mapped[ProcessStage] = mapped_column(str_enum(ProcessStage))
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    summary: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120), default="")


# --- complaints ------------------------------------------------------------------------------


class Complaint(SyncedMixin, Base):
    """A denúncia from the public; the complainant's identity never leaves the office."""

    __tablename__ = "sanitary_complaint"
    __sync_scope__ = SyncScope.HUB
    __table_args__ = (UniqueConstraint("year", "number", name="uq_sanitary_complaint_number"),)

    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(40), default="presencial")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    complainant_name: Mapped[str] = mapped_column(String(120), default="")
    complainant_contact: Mapped[str] = mapped_column(String(200), default="")
    establishment_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("establishment.id"), default=None, index=True
    )
    place: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[ComplaintStatus] = mapped_column(
        str_enum(ComplaintStatus), default=ComplaintStatus.OPEN, index=True
    )
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("inspection.id"), default=None
    )
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[date | None] = mapped_column(Date, default=None)
    answered_by: Mapped[str] = mapped_column(String(120), default="")
