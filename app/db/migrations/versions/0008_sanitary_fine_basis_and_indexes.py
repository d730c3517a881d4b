"""VISA: the provision that sets the fine ranges is a parameter; indexes for the due lists and the
current licence.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 09:48:36

`sanitary_config.fine_basis` ("art. 2º, § 1º" of Lei 6.437/1977 by default, so existing
installations print what they printed before) is printed on each auto de infração after the legal
basis, for municipalities whose sanitary code sets its own fines. The indexes serve the due and
overdue lists by risk and the search for an establishment's current licence (and its renewal).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sanitary_config", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "fine_basis",
                sa.String(length=120),
                server_default="art. 2º, § 1º",
                nullable=False,
            )
        )
    # The composite indexes replace the one-column ones they start with: beside them SQLite kept
    # choosing the narrower index (no ANALYZE statistics) and sorted the lists in a temp B-tree.
    op.drop_index("ix_establishment_risk", table_name="establishment")
    op.drop_index("ix_sanitary_licence_establishment_id", table_name="sanitary_licence")
    op.create_index(
        "ix_establishment_risk_due",
        "establishment",
        ["risk", "next_inspection_on", "status", "deleted_at"],
    )
    op.create_index(
        "ix_sanitary_licence_current",
        "sanitary_licence",
        ["establishment_id", "valid_until", "revoked_at", "deleted_at"],
    )
    op.create_index("ix_sanitary_licence_renews_id", "sanitary_licence", ["renews_id"])


def downgrade() -> None:
    op.drop_index("ix_sanitary_licence_renews_id", table_name="sanitary_licence")
    op.drop_index("ix_sanitary_licence_current", table_name="sanitary_licence")
    op.drop_index("ix_establishment_risk_due", table_name="establishment")
    op.create_index(
        "ix_sanitary_licence_establishment_id", "sanitary_licence", ["establishment_id"]
    )
    op.create_index("ix_establishment_risk", "establishment", ["risk"])
    with op.batch_alter_table("sanitary_config", schema=None) as batch_op:
        batch_op.drop_column("fine_basis")
