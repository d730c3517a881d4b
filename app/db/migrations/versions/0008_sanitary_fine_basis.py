"""VISA: the provision that sets the fine ranges, printed on each auto de infração.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 09:48:36

`sanitary_config.fine_basis` ("art. 2º, § 1º" of Lei 6.437/1977 by default, so existing
installations print what they printed before) becomes a parameter, for municipalities whose
sanitary code sets its own fines.
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


def downgrade() -> None:
    with op.batch_alter_table("sanitary_config", schema=None) as batch_op:
        batch_op.drop_column("fine_basis")
