"""Initial schema: installation, registry, accounts, audit trail, issued documents, change log.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 17:04:38.316942
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_FTS_CREATE = (
    """CREATE VIRTUAL TABLE citizen_fts USING fts5(
        name, social_name, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')""",
    """CREATE TRIGGER citizen_fts_insert AFTER INSERT ON citizen BEGIN
        INSERT INTO citizen_fts(rowid, name, social_name)
        VALUES (new.rowid, new.name, new.social_name);
    END""",
    """CREATE TRIGGER citizen_fts_update AFTER UPDATE OF name, social_name ON citizen BEGIN
        UPDATE citizen_fts SET name = new.name, social_name = new.social_name
        WHERE rowid = new.rowid;
    END""",
    """CREATE TRIGGER citizen_fts_delete AFTER DELETE ON citizen BEGIN
        DELETE FROM citizen_fts WHERE rowid = old.rowid;
    END""",
)
_FTS_DROP = (
    "DROP TRIGGER IF EXISTS citizen_fts_insert",
    "DROP TRIGGER IF EXISTS citizen_fts_update",
    "DROP TRIGGER IF EXISTS citizen_fts_delete",
    "DROP TABLE IF EXISTS citizen_fts",
)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_restriction", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("node_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=True),
        sa.Column("entity_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "change_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("new_version", sa.Integer(), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("row", sa.JSON(), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change_log")),
        sa.UniqueConstraint("change_id", name=op.f("uq_change_log_change_id")),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_log_acknowledged"), ["acknowledged"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_change_log_origin_node"), ["origin_node"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_change_log_row_id"), ["row_id"], unique=False)

    op.create_table(
        "district",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_key", sa.String(length=80), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district")),
    )
    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_district_name_key"), ["name_key"], unique=False)

    op.create_table(
        "installation",
        sa.Column("node_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("hub", "unit", "field", name="nodekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_installation")),
    )
    op.create_table(
        "issued_document",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Uuid(), nullable=True),
        sa.Column("issued_by_name", sa.String(length=120), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_document")),
        sa.UniqueConstraint("code", name=op.f("uq_issued_document_code")),
    )
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_document_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_issued_document_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "municipality",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("uf", sa.String(length=2), nullable=False),
        sa.Column("ibge_code", sa.String(length=7), nullable=False),
        sa.Column("timezone", sa.String(length=40), nullable=False),
        sa.Column("secretariat_name", sa.String(length=120), nullable=False),
        sa.Column("brasao_png", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
    )
    op.create_table(
        "professional",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_key", sa.String(length=120), nullable=False),
        sa.Column("cns", sa.String(length=15), nullable=False),
        sa.Column("cpf", sa.String(length=11), nullable=True),
        sa.Column("council_id", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional")),
        sa.UniqueConstraint("cns", name=op.f("uq_professional_cns")),
        sa.UniqueConstraint("cpf", name=op.f("uq_professional_cpf")),
    )
    with op.batch_alter_table("professional", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_professional_name_key"), ["name_key"], unique=False)

    op.create_table(
        "role",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint("name", name=op.f("uq_role_name")),
    )
    op.create_table(
        "account_role",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_role_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_account_role_role_id_role"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("account_id", "role_id", name=op.f("pk_account_role")),
    )
    op.create_table(
        "citizen",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_key", sa.String(length=120), nullable=False),
        sa.Column("social_name", sa.String(length=120), nullable=False),
        sa.Column("cns", sa.String(length=15), nullable=True),
        sa.Column("cpf", sa.String(length=11), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column(
            "sex", sa.Enum("M", "F", "I", name="sex", native_enum=False, length=20), nullable=False
        ),
        sa.Column(
            "race",
            sa.Enum(
                "white",
                "black",
                "brown",
                "yellow",
                "indigenous",
                "unknown",
                name="race",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("mother_name", sa.String(length=120), nullable=False),
        sa.Column("mother_key", sa.String(length=120), nullable=False),
        sa.Column("cep", sa.String(length=8), nullable=False),
        sa.Column("street", sa.String(length=120), nullable=False),
        sa.Column("number", sa.String(length=10), nullable=False),
        sa.Column("complement", sa.String(length=60), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("municipality_ibge", sa.String(length=7), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_citizen_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen")),
        sa.UniqueConstraint("cns", name=op.f("uq_citizen_cns")),
        sa.UniqueConstraint("cpf", name=op.f("uq_citizen_cpf")),
    )
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.create_index("ix_citizen_name_key_birth", ["name_key", "birth_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_citizen_unit_cnes"), ["unit_cnes"], unique=False)

    op.create_table(
        "health_unit",
        sa.Column("cnes", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ubs",
                "specialty",
                "caps",
                "emergency",
                "hospital",
                "laboratory",
                "surveillance",
                "administration",
                name="unitkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_health_unit_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_unit")),
        sa.UniqueConstraint("cnes", name=op.f("uq_health_unit_cnes")),
    )
    op.create_table(
        "professional_bond",
        sa.Column("professional_id", sa.Uuid(), nullable=False),
        sa.Column("cbo", sa.String(length=6), nullable=False),
        sa.Column("cbo_title", sa.String(length=120), nullable=False),
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
            name=op.f("fk_professional_bond_professional_id_professional"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional_bond")),
    )
    with op.batch_alter_table("professional_bond", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_professional_bond_professional_id"), ["professional_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_professional_bond_unit_cnes"), ["unit_cnes"], unique=False
        )

    if op.get_bind().dialect.name == "sqlite":
        # Written out here (not imported from app.db.fts) so the revision never changes later.
        for statement in _FTS_CREATE:
            op.execute(statement)
    else:
        # Prefix search on the normalised name (the FTS5 index exists only on SQLite).
        op.execute("CREATE INDEX ix_citizen_name_key_prefix ON citizen (name_key text_pattern_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _FTS_DROP:
            op.execute(statement)
    with op.batch_alter_table("professional_bond", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professional_bond_unit_cnes"))
        batch_op.drop_index(batch_op.f("ix_professional_bond_professional_id"))

    op.drop_table("professional_bond")
    op.drop_table("health_unit")
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_unit_cnes"))
        batch_op.drop_index("ix_citizen_name_key_birth")

    op.drop_table("citizen")
    op.drop_table("account_role")
    op.drop_table("role")
    with op.batch_alter_table("professional", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professional_name_key"))

    op.drop_table("professional")
    op.drop_table("municipality")
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_document_subject_id"))
        batch_op.drop_index(batch_op.f("ix_issued_document_kind"))

    op.drop_table("issued_document")
    op.drop_table("installation")
    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_name_key"))

    op.drop_table("district")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_log_row_id"))
        batch_op.drop_index(batch_op.f("ix_change_log_origin_node"))
        batch_op.drop_index(batch_op.f("ix_change_log_acknowledged"))

    op.drop_table("change_log")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_entity_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_entry")
    op.drop_table("account")
