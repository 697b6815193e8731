"""A replaced measure reading's history (``measure_reading_history``).

When a reading is replaced, the value it held, its note, who recorded it and
when are kept in a row of their own, with who replaced it, when and from
where (``source``), as an action's changes are kept in ``action_update``.

Revision ID: 0014
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLE = "measure_reading_history"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_reading_history_measure_id_measure"),
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_measure_reading_history_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["reading_id"],
            ["measure_reading.id"],
            name=op.f("fk_measure_reading_history_reading_id_measure_reading"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["person.id"],
            name=op.f("fk_measure_reading_history_recorded_by_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["person.id"],
            name=op.f("fk_measure_reading_history_replaced_by_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_reading_history")),
    )
    for column in ("measure_id", "partnership_id", "reading_id"):
        op.create_index(op.f(f"ix_{TABLE}_{column}"), TABLE, [column])


def downgrade() -> None:
    for column in ("measure_id", "partnership_id", "reading_id"):
        op.drop_index(op.f(f"ix_{TABLE}_{column}"), table_name=TABLE)
    op.drop_table(TABLE)
