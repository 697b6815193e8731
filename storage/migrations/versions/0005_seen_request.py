"""Redelivered Slack requests: the keys of requests already handled.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_request",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_seen_request")),
    )
    op.create_index(op.f("ix_seen_request_seen_at"), "seen_request", ["seen_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_seen_request_seen_at"), table_name="seen_request")
    op.drop_table("seen_request")
