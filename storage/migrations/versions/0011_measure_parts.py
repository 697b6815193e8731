"""Measures read in parts, and a measure's tolerance.

``measure_part`` holds the parts of a measure read in parts (male / female, a
figure per district), each with its own baseline and target when the plan
gives them. A reading names its part in ``measure_reading.part`` ("" for a
measure read as one number, which every existing reading is), and the unique
key becomes (measure, part, period). ``measure.tolerance`` is how far behind
the path to the target still counts as "slightly off".

Revision ID: 0011
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "measure_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_measure_part_measure_id_measure")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_measure_part_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_part")),
        sa.UniqueConstraint("measure_id", "name", name=op.f("uq_measure_part_measure_id_name")),
    )
    with op.batch_alter_table("measure_part", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_part_measure_id"), ["measure_id"])
        batch_op.create_index(batch_op.f("ix_measure_part_partnership_id"), ["partnership_id"])
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tolerance", sa.Float(), nullable=True))
    with op.batch_alter_table("measure_reading", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("part", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.drop_constraint("uq_measure_reading_measure_id_period", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_measure_reading_measure_id_part_period"),
            ["measure_id", "part", "period"],
        )


def downgrade() -> None:
    # Readings of parts have no place in the older table (one reading a period): a
    # downgrade keeps each measure's whole readings and drops the parts' readings.
    op.execute(sa.text("DELETE FROM measure_reading WHERE part <> ''"))
    with op.batch_alter_table("measure_reading", schema=None) as batch_op:
        batch_op.drop_constraint("uq_measure_reading_measure_id_part_period", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_measure_reading_measure_id_period"), ["measure_id", "period"]
        )
        batch_op.drop_column("part")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_column("tolerance")
    with op.batch_alter_table("measure_part", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_part_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_measure_part_measure_id"))
    op.drop_table("measure_part")
