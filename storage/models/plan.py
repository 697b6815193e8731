"""SQLAlchemy 2 models for everything a partnership keeps (see ../shared/brief/DOMAIN.md).

Conventions that matter for the rest of the code:

* Every row that belongs to a partnership carries ``partnership_id`` directly, even
  where it could be reached through a parent, so that every query can be scoped
  to one partnership with a plain ``WHERE`` — the isolation rule is then easy to
  see in each query rather than hidden in joins.
* Enumerations are stored as short strings (``native_enum=False``) so SQLite and
  PostgreSQL hold identical data and adding a value needs no ``ALTER TYPE``.
* Timestamps are stored in UTC (see :class:`UTCDateTime`); calendar dates (due
  dates, meeting days) are plain ``Date`` values in the partnership's own zone.
* ``ActionUpdate`` rows are append-only: the ORM refuses to update or delete them.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the project's naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as naive UTC, so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Convert an aware datetime to naive UTC; refuse naive ones (they are ambiguous)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime (UTC or Europe/London)")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        """Attach UTC to the stored naive value."""
        return None if value is None else value.replace(tzinfo=dt.UTC)


class StrEnum(enum.StrEnum):
    """Base for our enumerations; the value is what is stored and typed."""

    @classmethod
    def values(cls) -> list[str]:
        """All stored values, in declaration order."""
        return [m.value for m in cls]


class OrgKind(StrEnum):
    """Whether an organisation is a statutory member of the partnership."""

    RESPONSIBLE_AUTHORITY = "responsible_authority"
    CO_OPTED = "co_opted"
    OTHER = "other"


class Role(StrEnum):
    """What a person does in the bot (DOMAIN.md, 'Who the users are')."""

    CHAIR = "chair"
    COORDINATOR = "coordinator"
    LEAD = "lead"
    MEMBER = "member"


class GroupKind(StrEnum):
    """A standing themed group, or a time-limited task-and-finish group."""

    STANDING = "standing"
    TASK_AND_FINISH = "task_and_finish"


class Status(StrEnum):
    """Where an action is in its life."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    DROPPED = "dropped"


class Rag(StrEnum):
    """Red (off track), amber (slipping or at risk), green (on track)."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class Sara(StrEnum):
    """Stage of the SARA problem-solving model."""

    SCANNING = "scanning"
    ANALYSIS = "analysis"
    RESPONSE = "response"
    ASSESSMENT = "assessment"


class Direction(StrEnum):
    """Which way a measure should move."""

    HIGHER = "higher"
    LOWER = "lower"


class Source(StrEnum):
    """Where a change to an action came from."""

    IMPORT = "import"
    COMMAND = "command"
    MODAL = "modal"
    BUTTON = "button"
    CONSOLE = "console"
    SCHEDULER = "scheduler"


class NotificationState(StrEnum):
    """Life of a scheduled message in the outbox."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


def _enum(cls: type[StrEnum]) -> Enum:
    """A portable string enum column type (no native PostgreSQL enum types)."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Partnership(Base):
    """A Community Safety Partnership, or a county board over several of them."""

    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    # Financial year start as month and day; 1 April in England and Wales.
    fy_start_month: Mapped[int] = mapped_column(Integer, default=4)
    fy_start_day: Mapped[int] = mapped_column(Integer, default=1)
    # Which UK nation's bank holidays apply (holidays' subdivision codes: ENG, WLS).
    nation: Mapped[str] = mapped_column(String(8), default="ENG")
    plan_title: Mapped[str | None] = mapped_column(String(300))
    plan_period: Mapped[str | None] = mapped_column(String(64))
    vision: Mapped[str | None] = mapped_column(Text)
    meeting_cadence: Mapped[str | None] = mapped_column(String(200))
    meetings_per_year: Mapped[int | None] = mapped_column(Integer)
    leadership_group: Mapped[str | None] = mapped_column(String(200))
    slack_team_id: Mapped[str | None] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"))
    # Scheduling settings (storage/partnership_settings.py); empty means the defaults.
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Partnership | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Partnership]] = relationship(back_populates="parent")
    channels: Mapped[list[Channel]] = relationship(
        back_populates="partnership", cascade="all, delete-orphan"
    )


class ChannelOwner(Base):
    """The one partnership a Slack channel belongs to (storage/channels.py keeps it).

    The primary key on the channel id is what makes "at most one partnership per
    channel" hold under concurrent writers; each ``channel`` row points here with
    its own partnership, so one partnership may use a channel for two purposes.
    """

    __tablename__ = "channel_owner"
    __table_args__ = (UniqueConstraint("slack_channel_id", "partnership_id"),)

    slack_channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)


class Channel(Base):
    """A Slack channel a partnership uses, with what it is for (main, board, ...)."""

    __tablename__ = "channel"
    __table_args__ = (
        UniqueConstraint("partnership_id", "purpose"),
        # The channel must be owned by this row's own partnership.
        ForeignKeyConstraint(
            ["slack_channel_id", "partnership_id"],
            ["channel_owner.slack_channel_id", "channel_owner.partnership_id"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    slack_channel_id: Mapped[str] = mapped_column(String(32))

    partnership: Mapped[Partnership] = relationship(back_populates="channels")


class Organisation(Base):
    """A partner agency: a responsible authority, a co-opted member or another body."""

    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("partnership_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(_enum(OrgKind), default=OrgKind.OTHER)


class Person(Base):
    """Someone in the partnership; on Slack (user id) or reached by email."""

    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("partnership_id", "name"),
        UniqueConstraint("partnership_id", "slack_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MEMBER)
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))

    organisation: Mapped[Organisation | None] = relationship()
    partnership: Mapped[Partnership] = relationship()


subgroup_priority = Table(
    "subgroup_priority",
    Base.metadata,
    Column("subgroup_id", ForeignKey("subgroup.id", ondelete="CASCADE"), primary_key=True),
    Column("priority_id", ForeignKey("priority.id", ondelete="CASCADE"), primary_key=True),
)


class Priority(Base):
    """A numbered theme of the plan, with aims and a lead organisation."""

    __tablename__ = "priority"
    __table_args__ = (UniqueConstraint("partnership_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    aims: Mapped[str | None] = mapped_column(Text)
    rationale: Mapped[str | None] = mapped_column(Text)
    lead_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    lead_organisation: Mapped[Organisation | None] = relationship()
    subgroups: Mapped[list[SubGroup]] = relationship(
        secondary=subgroup_priority, back_populates="priorities"
    )


class SubGroup(Base):
    """A themed action group or a task-and-finish group, reporting quarterly."""

    __tablename__ = "subgroup"
    __table_args__ = (UniqueConstraint("partnership_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[GroupKind] = mapped_column(_enum(GroupKind), default=GroupKind.STANDING)
    purpose: Mapped[str | None] = mapped_column(Text)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    lead: Mapped[Person | None] = relationship()
    priorities: Mapped[list[Priority]] = relationship(
        secondary=subgroup_priority, back_populates="subgroups", order_by="Priority.position"
    )


class Action(Base):
    """One row of an action plan (the Stroud template plus owner, dates and RAG)."""

    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("partnership_id", "ref"),
        Index("ix_action_partnership_due", "partnership_id", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    ref: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(Text)
    measure_of_success: Mapped[str | None] = mapped_column(Text)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id"), index=True)
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroup.id"), index=True)
    lead_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    partners: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    # Free-text timescale as the plan states it ("Ongoing", "review after one year").
    timescale: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.NOT_STARTED)
    rag: Mapped[Rag | None] = mapped_column(_enum(Rag))
    sara_stage: Mapped[Sara | None] = mapped_column(_enum(Sara))
    resources: Mapped[str | None] = mapped_column(Text)
    risks: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Nudges about this action wait until after this day (the owner's "snooze").
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic locking: a concurrent writer's stale UPDATE affects no row and fails.
    version: Mapped[int] = mapped_column(Integer, default=1)

    priority: Mapped[Priority | None] = relationship()
    subgroup: Mapped[SubGroup | None] = relationship()
    lead_organisation: Mapped[Organisation | None] = relationship()
    owner: Mapped[Person | None] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", order_by="ActionUpdate.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's own API)


class ActionUpdate(Base):
    """One entry in an action's append-only history: who, when, what changed, why."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who recorded it, and on whose behalf (an owner who is not on Slack).
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    source: Mapped[Source] = mapped_column(_enum(Source))
    # {field: [old, new]} with values as plain JSON (dates as ISO strings).
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="updates")
    by: Mapped[Person | None] = relationship(foreign_keys=[by_id])
    on_behalf_of: Mapped[Person | None] = relationship(foreign_keys=[on_behalf_of_id])


@event.listens_for(Session, "before_flush")
def _history_is_append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse to rewrite or delete history: partnerships are accountable bodies."""
    for obj in session.dirty:
        if isinstance(obj, ActionUpdate) and session.is_modified(obj):
            raise ValueError("action history is append-only; add a new entry instead")
    for obj in session.deleted:
        if isinstance(obj, ActionUpdate):
            raise ValueError("action history is append-only; entries cannot be deleted")


class Measure(Base):
    """A performance indicator with baseline, target and the direction that is better."""

    __tablename__ = "measure"
    __table_args__ = (UniqueConstraint("partnership_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    ref: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id"))
    unit: Mapped[str | None] = mapped_column(String(64))
    baseline: Mapped[float | None] = mapped_column(Float)
    # As the document states it, when it is not one number ("male 77.9, female 82.2").
    baseline_text: Mapped[str | None] = mapped_column(String(300))
    baseline_period: Mapped[str | None] = mapped_column(String(32))
    target: Mapped[float | None] = mapped_column(Float)
    target_text: Mapped[str | None] = mapped_column(String(300))
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    direction: Mapped[Direction | None] = mapped_column(_enum(Direction))
    position: Mapped[int] = mapped_column(Integer, default=0)

    priority: Mapped[Priority | None] = relationship()
    readings: Mapped[list[MeasureReading]] = relationship(
        back_populates="measure", order_by="MeasureReading.period_end"
    )


class MeasureReading(Base):
    """A measure's value for one period (usually a financial quarter)."""

    __tablename__ = "measure_reading"
    __table_args__ = (UniqueConstraint("measure_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    # Canonical label such as "2026/27 Q3"; period_end orders and dates it.
    period: Mapped[str] = mapped_column(String(32))
    period_end: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    measure: Mapped[Measure] = relationship(back_populates="readings")


class Meeting(Base):
    """A Leadership Group / Board meeting (subgroup_id empty) or a sub-group meeting."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("partnership_id", "subgroup_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroup.id"))
    title: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[dt.date] = mapped_column(Date)
    time: Mapped[dt.time | None] = mapped_column(Time)
    location: Mapped[str | None] = mapped_column(String(200))

    subgroup: Mapped[SubGroup | None] = relationship()


class QuarterlyReturn(Base):
    """A sub-group's progress report for one financial quarter."""

    __tablename__ = "quarterly_return"
    __table_args__ = (UniqueConstraint("subgroup_id", "fy_start_year", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    subgroup_id: Mapped[int] = mapped_column(ForeignKey("subgroup.id"), index=True)
    # Financial year by its starting calendar year: 2026 is 2026/27.
    fy_start_year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    summary: Mapped[str | None] = mapped_column(Text)
    achievements: Mapped[str | None] = mapped_column(Text)
    issues_risks: Mapped[str | None] = mapped_column(Text)
    escalations: Mapped[str | None] = mapped_column(Text)

    subgroup: Mapped[SubGroup] = relationship()
    submitted_by: Mapped[Person | None] = relationship()
    priority_rags: Mapped[list[ReturnPriorityRag]] = relationship(
        back_populates="quarterly_return", cascade="all, delete-orphan"
    )


class ReturnRevision(Base):
    """What a quarterly return said before an amendment: returns keep their history too."""

    __tablename__ = "return_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    return_id: Mapped[int] = mapped_column(
        ForeignKey("quarterly_return.id", ondelete="CASCADE"), index=True
    )
    # When the replaced version was saved, and by whom.
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # The replaced text fields and {priority code: rag}, as plain JSON.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    by: Mapped[Person | None] = relationship()


class ReturnPriorityRag(Base):
    """The RAG a quarterly return gives one of the priorities its group covers."""

    __tablename__ = "return_priority_rag"

    return_id: Mapped[int] = mapped_column(
        ForeignKey("quarterly_return.id", ondelete="CASCADE"), primary_key=True
    )
    priority_id: Mapped[int] = mapped_column(ForeignKey("priority.id"), primary_key=True)
    rag: Mapped[Rag] = mapped_column(_enum(Rag))

    quarterly_return: Mapped[QuarterlyReturn] = relationship(back_populates="priority_rags")
    priority: Mapped[Priority] = relationship()


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
        _enum(NotificationState), default=NotificationState.CLAIMED
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


class DigestSnapshot(Base):
    """A priority's RAG as the digest for a meeting showed it: the next digest's "before"."""

    __tablename__ = "digest_snapshot"
    __table_args__ = (UniqueConstraint("meeting_id", "priority_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    priority_id: Mapped[int] = mapped_column(ForeignKey("priority.id", ondelete="CASCADE"))
    # The rolled-up RAG (red/amber/green/complete/none) and the counts behind it.
    rag: Mapped[str] = mapped_column(String(16))
    open_actions: Mapped[int] = mapped_column(Integer, default=0)
    overdue_actions: Mapped[int] = mapped_column(Integer, default=0)
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


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
# query them (bot/oauth.py uses those stores; tests/test_oauth.py checks they match).
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
