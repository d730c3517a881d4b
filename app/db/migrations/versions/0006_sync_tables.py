"""Sync: origin numbering and HLC in the change log; node state, peers, checkpoints, batches,
conflicts; legal-numbering ranges and drawn numbers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 01:57:56.889878

Self-contained (no app imports). Existing change-log rows get their local position as origin
sequence (they were all made here), and the node's sync state starts after them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legal_number",
        sa.Column("series", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(length=36), nullable=False),
        sa.Column("range_id", sa.Uuid(), nullable=True),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_number")),
        sa.UniqueConstraint("series", "year", "number", name="uq_legal_number_series_year_number"),
    )
    op.create_table(
        "numbering_range",
        sa.Column("series", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(length=36), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_node", sa.String(length=36), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_numbering_range")),
    )
    with op.batch_alter_table("numbering_range", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_numbering_range_node_id"), ["node_id"], unique=False)
        batch_op.create_index("ix_numbering_range_series_year", ["series", "year"], unique=False)

    op.create_table(
        "sync_batch",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("peer_node", sa.String(length=36), nullable=False),
        sa.Column("peer_name", sa.String(length=80), nullable=False),
        sa.Column("sender_epoch", sa.Integer(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("change_count", sa.Integer(), nullable=False),
        sa.Column("applied_count", sa.Integer(), nullable=False),
        sa.Column("conflict_count", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("receipt_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_batch")),
    )
    with op.batch_alter_table("sync_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_batch_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_batch_peer_node"), ["peer_node"], unique=False)

    op.create_table(
        "sync_checkpoint",
        sa.Column("sender_node", sa.String(length=36), nullable=False),
        sa.Column("sender_epoch", sa.Integer(), nullable=False),
        sa.Column("applied_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender_node", "sender_epoch", name=op.f("pk_sync_checkpoint")),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("local_row", sa.JSON(), nullable=False),
        sa.Column("remote_row", sa.JSON(), nullable=False),
        sa.Column("local_hlc", sa.String(length=64), nullable=False),
        sa.Column("remote_hlc", sa.String(length=64), nullable=False),
        sa.Column("local_node", sa.String(length=36), nullable=False),
        sa.Column("remote_node", sa.String(length=36), nullable=False),
        sa.Column("winner", sa.String(length=8), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=40), nullable=False),
        sa.Column("resolution", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_conflict_row_id"), ["row_id"], unique=False)

    op.create_table(
        "sync_peer",
        sa.Column("node_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("unit_cnes", sa.String(length=7), nullable=True),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("sign_public", sa.LargeBinary(), nullable=False),
        sa.Column("box_public", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_seq", sa.BigInteger(), nullable=False),
        sa.Column("acked_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_export_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_import_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_sync_peer")),
    )
    with op.batch_alter_table("sync_peer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_peer_key_id"), ["key_id"], unique=False)

    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(length=36), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("next_seq", sa.BigInteger(), nullable=False),
        sa.Column("hlc_wall", sa.BigInteger(), nullable=False),
        sa.Column("hlc_counter", sa.Integer(), nullable=False),
        sa.Column("key_secret", sa.String(length=64), nullable=False),
        sa.Column("skew_warning", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin_epoch", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("origin_seq", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("hlc", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("base_hlc", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("schema_version", sa.String(length=10), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("scope", sa.String(length=10), server_default="all", nullable=False)
        )
        batch_op.add_column(sa.Column("unit_cnes", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("received_from", sa.String(length=36), nullable=True))
        batch_op.drop_index(batch_op.f("ix_change_log_row_id"))
        batch_op.create_index("ix_change_log_row_hlc", ["row_id", "hlc"], unique=False)
    op.execute("UPDATE change_log SET origin_seq = seq")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_change_log_origin", ["origin_node", "origin_epoch", "origin_seq"]
        )
    op.execute(
        "INSERT INTO sync_state "
        "(id, node_id, epoch, next_seq, hlc_wall, hlc_counter, key_secret, skew_warning) "
        "SELECT 1, node_id, epoch, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_log), "
        "0, 0, '', '' FROM installation"
    )


def downgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_constraint("uq_change_log_origin", type_="unique")
        batch_op.drop_index("ix_change_log_row_hlc")
        batch_op.create_index(batch_op.f("ix_change_log_row_id"), ["row_id"], unique=False)
        batch_op.drop_column("received_from")
        batch_op.drop_column("unit_cnes")
        batch_op.drop_column("scope")
        batch_op.drop_column("schema_version")
        batch_op.drop_column("base_hlc")
        batch_op.drop_column("hlc")
        batch_op.drop_column("origin_seq")
        batch_op.drop_column("origin_epoch")

    op.drop_table("sync_state")
    with op.batch_alter_table("sync_peer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_peer_key_id"))

    op.drop_table("sync_peer")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_conflict_row_id"))

    op.drop_table("sync_conflict")
    op.drop_table("sync_checkpoint")
    with op.batch_alter_table("sync_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_batch_peer_node"))
        batch_op.drop_index(batch_op.f("ix_sync_batch_batch_id"))

    op.drop_table("sync_batch")
    with op.batch_alter_table("numbering_range", schema=None) as batch_op:
        batch_op.drop_index("ix_numbering_range_series_year")
        batch_op.drop_index(batch_op.f("ix_numbering_range_node_id"))

    op.drop_table("numbering_range")
    op.drop_table("legal_number")
