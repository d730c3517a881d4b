"""Attendances (events with their procedures) and the closing of each month's production.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 20:24:37.366031

Self-contained (no app imports), so it never changes when the models do.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "competence_closing",
        sa.Column("competence", sa.String(length=6), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=40), nullable=False),
        sa.Column("attendances", sa.Integer(), nullable=False),
        sa.Column("procedures", sa.Integer(), nullable=False),
        sa.Column("reopen_reason", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence_closing")),
        sa.UniqueConstraint("unit_cnes", "competence", name="uq_competence_closing_unit"),
    )
    with op.batch_alter_table("competence_closing", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competence_closing_unit_cnes"), ["unit_cnes"], unique=False
        )

    op.create_table(
        "attendance",
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("professional_id", sa.Uuid(), nullable=False),
        sa.Column("cbo", sa.String(length=6), nullable=False),
        sa.Column("attended_on", sa.Date(), nullable=False),
        sa.Column("competence", sa.String(length=6), nullable=False),
        sa.Column("icd10", sa.String(length=4), nullable=False),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.Column("attendance_type", sa.Integer(), nullable=False),
        sa.Column("conduct", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("corrects_id", sa.Uuid(), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("correction_reason", sa.String(length=200), nullable=False),
        sa.Column("typed_by", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizen.id"], name=op.f("fk_attendance_citizen_id_citizen")
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["attendance.id"], name=op.f("fk_attendance_corrects_id_attendance")
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional.id"],
            name=op.f("fk_attendance_professional_id_professional"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_citizen_id"), ["citizen_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attendance_corrects_id"), ["corrects_id"], unique=False
        )
        batch_op.create_index(
            "ix_attendance_professional_day", ["professional_id", "attended_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attendance_unit_cnes"), ["unit_cnes"], unique=False)
        batch_op.create_index(
            "ix_attendance_unit_competence", ["unit_cnes", "competence"], unique=False
        )

    op.create_table(
        "attendance_procedure",
        sa.Column("attendance_id", sa.Uuid(), nullable=False),
        sa.Column("procedure", sa.String(length=10), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.ForeignKeyConstraint(
            ["attendance_id"],
            ["attendance.id"],
            name=op.f("fk_attendance_procedure_attendance_id_attendance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_procedure")),
    )
    with op.batch_alter_table("attendance_procedure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_procedure_attendance_id"), ["attendance_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendance_procedure_unit_cnes"), ["unit_cnes"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attendance_procedure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_procedure_unit_cnes"))
        batch_op.drop_index(batch_op.f("ix_attendance_procedure_attendance_id"))

    op.drop_table("attendance_procedure")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_unit_competence")
        batch_op.drop_index(batch_op.f("ix_attendance_unit_cnes"))
        batch_op.drop_index("ix_attendance_professional_day")
        batch_op.drop_index(batch_op.f("ix_attendance_corrects_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_citizen_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("competence_closing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competence_closing_unit_cnes"))

    op.drop_table("competence_closing")
