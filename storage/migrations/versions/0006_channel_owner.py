"""A Slack channel belongs to at most one partnership: the channel_owner table.

``channel_owner`` holds one row per Slack channel id (its primary key) naming
the partnership it belongs to, and every ``channel`` row references
(its channel id, its own partnership) there. One partnership may still use a
channel for two purposes; two partnerships cannot share one.

If the database already holds a channel used by two partnerships, the upgrade
stops before changing anything and names the channel and the partnerships:
which one should keep it is the coordinators' decision, not ours (see
docs/decisions.md).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.db import DatabaseError

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _shared_channels(conn: sa.Connection) -> dict[str, list[str]]:
    """Each channel id used by more than one partnership, with those partnerships' slugs."""
    rows = conn.execute(
        sa.text(
            "SELECT DISTINCT c.slack_channel_id, p.slug FROM channel c "
            "JOIN partnership p ON p.id = c.partnership_id ORDER BY 1, 2"
        )
    ).all()
    by_channel: dict[str, list[str]] = {}
    for channel_id, slug in rows:
        by_channel.setdefault(channel_id, []).append(slug)
    return {c: slugs for c, slugs in by_channel.items() if len(slugs) > 1}


def upgrade() -> None:
    conn = op.get_bind()
    shared = _shared_channels(conn)
    if shared:
        listed = "; ".join(f"{c} (partnerships {', '.join(s)})" for c, s in shared.items())
        raise DatabaseError(
            "cannot upgrade to 0006: these Slack channels are used by more than one "
            f"partnership: {listed}. A channel may belong to one partnership only. Decide "
            "which keeps each one, point the others elsewhere (their plan file's "
            "`slack: channels:` and `csp-bot import`, or a coordinator's "
            "`/csp settings board_channel:`), then run `csp-bot db upgrade` again. "
            "Nothing was changed."
        )
    op.create_table(
        "channel_owner",
        sa.Column("slack_channel_id", sa.String(length=32), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_channel_owner_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("slack_channel_id", name=op.f("pk_channel_owner")),
        sa.UniqueConstraint(
            "slack_channel_id",
            "partnership_id",
            name=op.f("uq_channel_owner_slack_channel_id_partnership_id"),
        ),
    )
    op.create_index(op.f("ix_channel_owner_partnership_id"), "channel_owner", ["partnership_id"])
    conn.execute(
        sa.text(
            "INSERT INTO channel_owner (slack_channel_id, partnership_id) "
            "SELECT DISTINCT slack_channel_id, partnership_id FROM channel"
        )
    )
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_channel_slack_channel_id_channel_owner"),
            "channel_owner",
            ["slack_channel_id", "partnership_id"],
            ["slack_channel_id", "partnership_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_channel_slack_channel_id_channel_owner"), type_="foreignkey"
        )
    op.drop_index(op.f("ix_channel_owner_partnership_id"), table_name="channel_owner")
    op.drop_table("channel_owner")
