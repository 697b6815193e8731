"""Scheduled work: partnership settings, return history, nudge memory, digest snapshots.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partnership") as batch:
        batch.add_column(sa.Column("settings", sa.JSON(), nullable=True))
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("address", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
    op.create_table(
        "return_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_return_revision_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["quarterly_return.id"],
            name=op.f("fk_return_revision_return_id_quarterly_return"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["person.id"], name=op.f("fk_return_revision_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_revision")),
    )
    op.create_index(
        op.f("ix_return_revision_partnership_id"), "return_revision", ["partnership_id"]
    )
    op.create_index(op.f("ix_return_revision_return_id"), "return_revision", ["return_id"])
    op.create_table(
        "action_nudge",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_action_nudge_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_action_nudge_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_action_nudge")),
    )
    op.create_index(op.f("ix_action_nudge_partnership_id"), "action_nudge", ["partnership_id"])
    op.create_table(
        "digest_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("rag", sa.String(length=16), nullable=False),
        sa.Column("open_actions", sa.Integer(), nullable=False),
        sa.Column("overdue_actions", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_digest_snapshot_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_digest_snapshot_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priority.id"],
            name=op.f("fk_digest_snapshot_priority_id_priority"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_snapshot")),
        sa.UniqueConstraint(
            "meeting_id", "priority_id", name=op.f("uq_digest_snapshot_meeting_id_priority_id")
        ),
    )
    op.create_index(
        op.f("ix_digest_snapshot_partnership_id"), "digest_snapshot", ["partnership_id"]
    )


def downgrade() -> None:
    op.drop_table("digest_snapshot")
    op.drop_table("action_nudge")
    op.drop_table("return_revision")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("payload")
        batch.drop_column("address")
    with op.batch_alter_table("partnership") as batch:
        batch.drop_column("settings")
