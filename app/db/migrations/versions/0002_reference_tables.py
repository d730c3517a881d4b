"""Reference tables with versions: CID-10, SIGTAP (per competence) and CBO occupations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:13:21.004485
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# CID-10 descriptions, accents ignored; rowid = icd10_code.rowid. Filled by the loader in bulk
# (reference data are loaded, never edited), so there are no triggers. Written out here, as 0001
# does, so the revision never changes later.
_FTS_CREATE = """CREATE VIRTUAL TABLE icd10_fts USING fts5(
    description, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"""
_FTS_DROP = "DROP TABLE IF EXISTS icd10_fts"


def upgrade() -> None:
    op.create_table(
        "reference_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "kind",
            sa.Enum("cid10", "sigtap", "cbo", name="referencekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_version")),
    )
    with op.batch_alter_table("reference_version", schema=None) as batch_op:
        batch_op.create_index("ix_reference_version_kind_label", ["kind", "label"], unique=False)

    op.create_table(
        "sigtap_procedure",
        sa.Column("competence", sa.String(length=6), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("name_key", sa.String(length=250), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("min_age_months", sa.Integer(), nullable=True),
        sa.Column("max_age_months", sa.Integer(), nullable=True),
        sa.Column("requires_cns", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("competence", "code", name=op.f("pk_sigtap_procedure")),
    )
    op.create_table(
        "sigtap_procedure_cbo",
        sa.Column("competence", sa.String(length=6), nullable=False),
        sa.Column("procedure_code", sa.String(length=10), nullable=False),
        sa.Column("cbo", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint(
            "competence", "procedure_code", "cbo", name=op.f("pk_sigtap_procedure_cbo")
        ),
    )
    op.create_table(
        "sigtap_procedure_cid",
        sa.Column("competence", sa.String(length=6), nullable=False),
        sa.Column("procedure_code", sa.String(length=10), nullable=False),
        sa.Column("cid", sa.String(length=4), nullable=False),
        sa.Column("principal", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint(
            "competence", "procedure_code", "cid", name=op.f("pk_sigtap_procedure_cid")
        ),
    )
    op.create_table(
        "sigtap_procedure_instrument",
        sa.Column("competence", sa.String(length=6), nullable=False),
        sa.Column("procedure_code", sa.String(length=10), nullable=False),
        sa.Column("instrument_code", sa.String(length=2), nullable=False),
        sa.Column("instrument_name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint(
            "competence",
            "procedure_code",
            "instrument_code",
            name=op.f("pk_sigtap_procedure_instrument"),
        ),
    )
    op.create_table(
        "icd10_code",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("description_key", sa.String(length=300), nullable=False),
        sa.Column("sex_restriction", sa.String(length=1), nullable=True),
        sa.Column("is_category", sa.Boolean(), nullable=False),
        sa.Column("is_leaf", sa.Boolean(), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["reference_version.id"],
            name=op.f("fk_icd10_code_version_id_reference_version"),
        ),
        sa.PrimaryKeyConstraint("version_id", "code", name=op.f("pk_icd10_code")),
    )
    op.create_table(
        "occupation",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["reference_version.id"],
            name=op.f("fk_occupation_version_id_reference_version"),
        ),
        sa.PrimaryKeyConstraint("version_id", "code", name=op.f("pk_occupation")),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_FTS_CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_FTS_DROP)
    op.drop_table("occupation")
    op.drop_table("icd10_code")
    op.drop_table("sigtap_procedure_instrument")
    op.drop_table("sigtap_procedure_cid")
    op.drop_table("sigtap_procedure_cbo")
    op.drop_table("sigtap_procedure")
    with op.batch_alter_table("reference_version", schema=None) as batch_op:
        batch_op.drop_index("ix_reference_version_kind_label")
    op.drop_table("reference_version")
