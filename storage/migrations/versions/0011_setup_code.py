"""One-time set-up codes (``csp-bot setup-code``, redeemed by ``/csp setup code:XXXX``).

Only each code's SHA-256 digest is stored.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "setup_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("redeemed_team", sa.String(length=32), nullable=True),
        sa.Column("redeemed_by", sa.String(length=32), nullable=True),
        sa.Column("redeemed_at", sa.DateTime(), nullable=True),
        sa.Column("partnership_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_setup_code_partnership_id_partnership"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setup_code")),
        sa.UniqueConstraint("digest", name=op.f("uq_setup_code_digest")),
    )
    op.create_index(op.f("ix_setup_code_redeemed_by"), "setup_code", ["redeemed_by"])


def downgrade() -> None:
    op.drop_index(op.f("ix_setup_code_redeemed_by"), table_name="setup_code")
    op.drop_table("setup_code")
