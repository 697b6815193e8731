"""Groups and people changed from Slack: a group's closing, a person's removal, their history.

``subgroup.closed_on`` is the day ``/csp group close`` closed a group (it is
then asked for no returns); ``person.removed_at`` the moment ``/csp person
remove`` took someone out (the row stays: history names them); ``plan_change``
is the append-only history of those changes and of leads, priorities covered,
roles and Slack links, as ``action_update`` is an action's.

Revision ID: 0010
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subgroup") as batch:
        batch.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))
    op.create_table(
        "plan_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "import",
                "command",
                "modal",
                "button",
                "console",
                "scheduler",
                name="source",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["by_id"], ["person.id"], name=op.f("fk_plan_change_by_id_person")),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_plan_change_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_change")),
    )
    op.create_index(
        op.f("ix_plan_change_partnership_id"), "plan_change", ["partnership_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_change_partnership_id"), table_name="plan_change")
    op.drop_table("plan_change")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("removed_at")
    with op.batch_alter_table("subgroup") as batch:
        batch.drop_column("closed_on")
