"""An index on an action's partnership and its ref in capitals (``find_action``).

Every command that names an action finds it by ``upper(ref)`` within the
partnership, so a ref typed in any case matches. The unique index on
``(partnership_id, ref)`` cannot serve that comparison, so PostgreSQL read every
action of the partnership for each one: about 3 ms at 10,000 actions and 10 ms
at 50,000 (issue 17). This index serves it on PostgreSQL and SQLite alike.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEX = "ix_action_partnership_ref_upper"


def upgrade() -> None:
    op.create_index(INDEX, "action", ["partnership_id", sa.text("upper(ref)")])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="action")
