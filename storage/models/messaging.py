"""The bot's side of Slack: the outbox, nudge marks, seen requests and admitted workspaces.

Also Slack's OAuth tables, declared here so the schema (and Alembic) knows them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime, enum_column, utcnow
from storage.models.enums import NotificationState
from storage.models.plan import Partnership


class Notification(Base):
    """The outbox: a scheduled message claimed once under (kind, target, period)."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("kind", "target", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128))
    period: Mapped[str] = mapped_column(String(64))
    state: Mapped[NotificationState] = mapped_column(
        enum_column(NotificationState), default=NotificationState.CLAIMED
    )
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    # Whether a failure has been reported to the coordinators already.
    reported: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where it goes (a Slack user or channel id) and the rendered message, kept
    # with the claim so a retry after a crash resends exactly what was claimed.
    address: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SeenRequest(Base):
    """A Slack request already handled, so a redelivery is acknowledged and not run again.

    Keyed by a digest of the event's ``event_id`` (events) or of the request's
    signature (everything else: a byte-identical redelivery carries the same
    one). Kept in the database, not process memory, so every web worker sharing
    it sees the same record; rows older than the window are deleted as new ones
    arrive.
    """

    __tablename__ = "seen_request"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ActionNudge(Base):
    """When an action was last in a nudge, so it is not nudged again within the interval.

    Kept apart from ``action`` so that a nudge never bumps the action's version
    (that would make a lead's concurrent update fail its optimistic lock).
    """

    __tablename__ = "action_nudge"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    # "overdue" or "stale": which nudge last named it.
    kind: Mapped[str] = mapped_column(String(16))
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PartnershipWorkspace(Base):
    """A partner's Slack workspace admitted to a partnership (Slack Connect).

    A user whose request comes from an admitted workspace (their own ``team_id``)
    is recognised as the person in the plan with that Slack user id, as if they
    were in the partnership's own workspace. Set from the plan's
    ``partnership.slack.admitted`` list.
    """

    __tablename__ = "partnership_workspace"
    __table_args__ = (UniqueConstraint("partnership_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(200))

    partnership: Mapped[Partnership] = relationship()


# Slack's OAuth tables, column for column as slack-sdk's SQLAlchemy stores define and
# query them (bot/slack/oauth.py uses those stores; tests/process/test_oauth.py checks they match).
# Declared here, not imported, so that token mode needs nothing of the OAuth stores.
# They hold bot tokens: never log a row.
slack_installations = Table(
    "slack_installations",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)

slack_bots = Table(
    "slack_bots",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
