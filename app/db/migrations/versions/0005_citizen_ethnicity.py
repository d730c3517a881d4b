"""Citizen's etnia (indigenous ethnicity code), required by e-SUS and BPA-I for race 05.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 21:22:41.160115

Self-contained (no app imports). A plain ADD COLUMN (no table copy), so the citizen's full-text
triggers of revision 0001 stay as they are.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "citizen",
        sa.Column("ethnicity", sa.String(length=4), server_default="", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.drop_column("ethnicity")
