"""Reporting cycles: a sub-group's own cycle and the day it was created.

``subgroup.reporting_cycle`` holds a group's cycle in words (storage/cycles.py;
empty: the partnership's, which is the ``reporting_cycle`` setting);
``subgroup.created_on`` the local day it was made (empty for older groups, which
owe returns as before). A return's period needs no new column: the
``quarterly_return.quarter`` number already told quarters apart and now tells
every cycle's periods apart (partnership/cycles.py), so every stored row keeps
its meaning and its unique key.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subgroup") as batch:
        batch.add_column(sa.Column("reporting_cycle", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("created_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subgroup") as batch:
        batch.drop_column("created_on")
        batch.drop_column("reporting_cycle")
