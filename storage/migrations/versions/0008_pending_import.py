"""Files sent from Slack between their preview and the Import button: pending_import.

Revision ID: 0008
Revises: 0006 (another branch adds 0007; the two are chained when merged)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_import",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_pending_import_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_pending_import_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["applied_by_id"], ["person.id"], name=op.f("fk_pending_import_applied_by_id_person")
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_pending_import")),
    )
    op.create_index(op.f("ix_pending_import_partnership_id"), "pending_import", ["partnership_id"])
    op.create_index(op.f("ix_pending_import_created_at"), "pending_import", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_import_created_at"), table_name="pending_import")
    op.drop_index(op.f("ix_pending_import_partnership_id"), table_name="pending_import")
    op.drop_table("pending_import")
