"""A district's priority maps onto its county board's priority (``priority.board_priority``).

Revision ID: 0013
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("priority") as batch:
        batch.add_column(sa.Column("board_priority", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("priority") as batch:
        batch.drop_column("board_priority")
