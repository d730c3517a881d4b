"""Agendas: weekly templates, slots, blocks, appointments, the waiting list, municipal holidays.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:28:19.770657

Self-contained (no app imports), so it never changes when the models do.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "municipal_holiday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipal_holiday")),
        sa.UniqueConstraint("day", name=op.f("uq_municipal_holiday_day")),
    )
    op.create_table(
        "agenda_block",
        sa.Column("professional_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "holiday",
                "vacation",
                "meeting",
                "other",
                name="blockreason",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional.id"],
            name=op.f("fk_agenda_block_professional_id_professional"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_block")),
    )
    with op.batch_alter_table("agenda_block", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_block_unit_cnes"), ["unit_cnes"], unique=False)

    op.create_table(
        "agenda_template",
        sa.Column("professional_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("overbooking", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional.id"],
            name=op.f("fk_agenda_template_professional_id_professional"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_template")),
    )
    with op.batch_alter_table("agenda_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_template_professional_id"), ["professional_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agenda_template_unit_cnes"), ["unit_cnes"], unique=False
        )

    op.create_table(
        "agenda_slot",
        sa.Column("professional_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("overbooking", sa.Integer(), nullable=False),
        sa.Column("blocked_reason", sa.String(length=120), nullable=False),
        sa.Column("block_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.ForeignKeyConstraint(
            ["block_id"], ["agenda_block.id"], name=op.f("fk_agenda_slot_block_id_agenda_block")
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional.id"],
            name=op.f("fk_agenda_slot_professional_id_professional"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["agenda_template.id"],
            name=op.f("fk_agenda_slot_template_id_agenda_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_slot")),
        sa.UniqueConstraint(
            "professional_id", "unit_cnes", "starts_at", name="uq_agenda_slot_time"
        ),
    )
    with op.batch_alter_table("agenda_slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_slot_unit_cnes"), ["unit_cnes"], unique=False)
        batch_op.create_index(
            "ix_agenda_slot_unit_starts", ["unit_cnes", "starts_at"], unique=False
        )

    op.create_table(
        "waiting_list_entry",
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("professional_id", sa.Uuid(), nullable=True),
        sa.Column("cbo", sa.String(length=6), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "priority",
            sa.Enum("high", "normal", "low", name="waitingpriority", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "scheduled",
                "removed",
                name="waitingstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizen.id"], name=op.f("fk_waiting_list_entry_citizen_id_citizen")
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional.id"],
            name=op.f("fk_waiting_list_entry_professional_id_professional"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiting_list_entry")),
    )
    with op.batch_alter_table("waiting_list_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_waiting_list_entry_citizen_id"), ["citizen_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_waiting_list_entry_unit_cnes"), ["unit_cnes"], unique=False
        )

    op.create_table(
        "appointment",
        sa.Column("slot_id", sa.Uuid(), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "booked",
                "confirmed",
                "attended",
                "no_show",
                "cancelled",
                name="appointmentstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("overbooked", sa.Boolean(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=200), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("booked_by", sa.String(length=40), nullable=False),
        sa.Column("waiting_entry_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizen.id"], name=op.f("fk_appointment_citizen_id_citizen")
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["agenda_slot.id"], name=op.f("fk_appointment_slot_id_agenda_slot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_citizen_id"), ["citizen_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_unit_cnes"), ["unit_cnes"], unique=False)


def downgrade() -> None:
    for table in (
        "appointment",
        "waiting_list_entry",
        "agenda_slot",
        "agenda_template",
        "agenda_block",
        "municipal_holiday",
    ):
        op.drop_table(table)
