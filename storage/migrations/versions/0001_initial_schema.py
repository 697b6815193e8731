"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-21 06:16:46.954214
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "partnership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=64), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("fy_start_month", sa.Integer(), nullable=False),
        sa.Column("fy_start_day", sa.Integer(), nullable=False),
        sa.Column("nation", sa.String(length=8), nullable=False),
        sa.Column("plan_title", sa.String(length=300), nullable=True),
        sa.Column("plan_period", sa.String(length=64), nullable=True),
        sa.Column("vision", sa.Text(), nullable=True),
        sa.Column("meeting_cadence", sa.String(length=200), nullable=True),
        sa.Column("meetings_per_year", sa.Integer(), nullable=True),
        sa.Column("leadership_group", sa.String(length=200), nullable=True),
        sa.Column("slack_team_id", sa.String(length=32), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["partnership.id"], name=op.f("fk_partnership_parent_id_partnership")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership")),
        sa.UniqueConstraint("slug", name=op.f("uq_partnership_slug")),
    )
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partnership_slack_team_id"), ["slack_team_id"], unique=False
        )

    op.create_table(
        "channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("slack_channel_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_channel_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel")),
        sa.UniqueConstraint(
            "partnership_id", "purpose", name=op.f("uq_channel_partnership_id_purpose")
        ),
    )
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("period", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "claimed", "sent", "failed", name="notificationstate", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("reported", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_notification_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint(
            "kind", "target", "period", name=op.f("uq_notification_kind_target_period")
        ),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "responsible_authority",
                "co_opted",
                "other",
                name="orgkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_organisation_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint(
            "partnership_id", "name", name=op.f("uq_organisation_partnership_id_name")
        ),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "chair", "coordinator", "lead", "member", name="role", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("slack_user_id", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_person_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_person_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("partnership_id", "name", name=op.f("uq_person_partnership_id_name")),
        sa.UniqueConstraint(
            "partnership_id", "slack_user_id", name=op.f("uq_person_partnership_id_slack_user_id")
        ),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "priority",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("aims", sa.Text(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("lead_organisation_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_priority_lead_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_priority_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority")),
        sa.UniqueConstraint("partnership_id", "code", name=op.f("uq_priority_partnership_id_code")),
    )
    with op.batch_alter_table("priority", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_priority_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("baseline_text", sa.String(length=300), nullable=True),
        sa.Column("baseline_period", sa.String(length=32), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("target_text", sa.String(length=300), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column(
            "direction",
            sa.Enum("higher", "lower", name="direction", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_measure_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"], ["priority.id"], name=op.f("fk_measure_priority_id_priority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
        sa.UniqueConstraint("partnership_id", "name", name=op.f("uq_measure_partnership_id_name")),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "subgroup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("standing", "task_and_finish", name="groupkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["person.id"], name=op.f("fk_subgroup_lead_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_subgroup_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subgroup")),
        sa.UniqueConstraint("partnership_id", "name", name=op.f("uq_subgroup_partnership_id_name")),
    )
    with op.batch_alter_table("subgroup", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subgroup_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("objective", sa.Text(), nullable=True),
        sa.Column("measure_of_success", sa.Text(), nullable=True),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("subgroup_id", sa.Integer(), nullable=True),
        sa.Column("lead_organisation_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("partners", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("timescale", sa.String(length=300), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "in_progress",
                "complete",
                "dropped",
                name="status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "rag",
            sa.Enum("red", "amber", "green", name="rag", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column(
            "sara_stage",
            sa.Enum(
                "scanning",
                "analysis",
                "response",
                "assessment",
                name="sara",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("resources", sa.Text(), nullable=True),
        sa.Column("risks", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_action_lead_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_action_owner_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_action_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"], ["priority.id"], name=op.f("fk_action_priority_id_priority")
        ),
        sa.ForeignKeyConstraint(
            ["subgroup_id"], ["subgroup.id"], name=op.f("fk_action_subgroup_id_subgroup")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
        sa.UniqueConstraint("partnership_id", "ref", name=op.f("uq_action_partnership_id_ref")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            "ix_action_partnership_due", ["partnership_id", "due_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_partnership_id"), ["partnership_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_action_priority_id"), ["priority_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_subgroup_id"), ["subgroup_id"], unique=False)

    op.create_table(
        "measure_reading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_measure_reading_measure_id_measure")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_measure_reading_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_measure_reading_recorded_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_reading")),
        sa.UniqueConstraint(
            "measure_id", "period", name=op.f("uq_measure_reading_measure_id_period")
        ),
    )
    with op.batch_alter_table("measure_reading", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_reading_measure_id"), ["measure_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_measure_reading_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("subgroup_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("time", sa.Time(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_meeting_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["subgroup_id"], ["subgroup.id"], name=op.f("fk_meeting_subgroup_id_subgroup")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint(
            "partnership_id",
            "subgroup_id",
            "date",
            name=op.f("uq_meeting_partnership_id_subgroup_id_date"),
        ),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "quarterly_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("subgroup_id", sa.Integer(), nullable=False),
        sa.Column("fy_start_year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("achievements", sa.Text(), nullable=True),
        sa.Column("issues_risks", sa.Text(), nullable=True),
        sa.Column("escalations", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_quarterly_return_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["subgroup_id"], ["subgroup.id"], name=op.f("fk_quarterly_return_subgroup_id_subgroup")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["person.id"],
            name=op.f("fk_quarterly_return_submitted_by_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarterly_return")),
        sa.UniqueConstraint(
            "subgroup_id",
            "fy_start_year",
            "quarter",
            name=op.f("uq_quarterly_return_subgroup_id_fy_start_year_quarter"),
        ),
    )
    with op.batch_alter_table("quarterly_return", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quarterly_return_partnership_id"), ["partnership_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quarterly_return_subgroup_id"), ["subgroup_id"], unique=False
        )

    op.create_table(
        "subgroup_priority",
        sa.Column("subgroup_id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priority.id"],
            name=op.f("fk_subgroup_priority_priority_id_priority"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subgroup_id"],
            ["subgroup.id"],
            name=op.f("fk_subgroup_priority_subgroup_id_subgroup"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subgroup_id", "priority_id", name=op.f("pk_subgroup_priority")),
    )
    op.create_table(
        "action_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("on_behalf_of_id", sa.Integer(), nullable=True),
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
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_update_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["person.id"], name=op.f("fk_action_update_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of_id"], ["person.id"], name=op.f("fk_action_update_on_behalf_of_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_action_update_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_update")),
    )
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_update_action_id"), ["action_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_action_update_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "return_priority_rag",
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column(
            "rag",
            sa.Enum("red", "amber", "green", name="rag", native_enum=False, length=32),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priority.id"],
            name=op.f("fk_return_priority_rag_priority_id_priority"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["quarterly_return.id"],
            name=op.f("fk_return_priority_rag_return_id_quarterly_return"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("return_id", "priority_id", name=op.f("pk_return_priority_rag")),
    )


def downgrade() -> None:

    op.drop_table("return_priority_rag")
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_update_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_action_update_action_id"))

    op.drop_table("action_update")
    op.drop_table("subgroup_priority")
    with op.batch_alter_table("quarterly_return", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarterly_return_subgroup_id"))
        batch_op.drop_index(batch_op.f("ix_quarterly_return_partnership_id"))

    op.drop_table("quarterly_return")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_partnership_id"))

    op.drop_table("meeting")
    with op.batch_alter_table("measure_reading", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_reading_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_measure_reading_measure_id"))

    op.drop_table("measure_reading")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_subgroup_id"))
        batch_op.drop_index(batch_op.f("ix_action_priority_id"))
        batch_op.drop_index(batch_op.f("ix_action_partnership_id"))
        batch_op.drop_index("ix_action_partnership_due")
        batch_op.drop_index(batch_op.f("ix_action_owner_id"))

    op.drop_table("action")
    with op.batch_alter_table("subgroup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subgroup_partnership_id"))

    op.drop_table("subgroup")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_partnership_id"))

    op.drop_table("measure")
    with op.batch_alter_table("priority", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_priority_partnership_id"))

    op.drop_table("priority")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_partnership_id"))

    op.drop_table("person")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_partnership_id"))

    op.drop_table("organisation")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_partnership_id"))

    op.drop_table("notification")
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_partnership_id"))

    op.drop_table("channel")
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_slack_team_id"))

    op.drop_table("partnership")
