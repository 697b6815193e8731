"""The plan's tables: the partnership, its people, priorities, groups, actions, measures, meetings.

An action's history (:class:`ActionUpdate`) is append-only: the ORM refuses to
rewrite or delete an entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from storage.models.base import Base, UTCDateTime, enum_column, utcnow
from storage.models.enums import Direction, GroupKind, OrgKind, Rag, Role, Sara, Source, Status


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
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), default=OrgKind.OTHER)


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
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.MEMBER)
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    # Set by `/csp person remove`: the row stays (history names them) but they can no
    # longer act, be named or be chased (partnership/people.py).
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

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
    # A district's priority names the county board's priority it rolls up into (its
    # code, read against the parent's plan when shown: partnership/board.py).
    board_priority: Mapped[str | None] = mapped_column(String(16))

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
    kind: Mapped[GroupKind] = mapped_column(enum_column(GroupKind), default=GroupKind.STANDING)
    purpose: Mapped[str | None] = mapped_column(Text)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    # Set by `/csp group close`: no more returns asked or chased; its history stays.
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    # Its own reporting cycle (storage/cycles.py words); empty: the partnership's.
    reporting_cycle: Mapped[str | None] = mapped_column(String(80))
    # The local day it was created: no report whose deadline passed before it is owed.
    # Empty for groups made before release 0012 (they owe as they always did).
    created_on: Mapped[dt.date | None] = mapped_column(Date)

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
        # find_action matches upper(ref): the unique index above cannot serve it (0015).
        Index("ix_action_partnership_ref_upper", "partnership_id", text("upper(ref)")),
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
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.NOT_STARTED)
    rag: Mapped[Rag | None] = mapped_column(enum_column(Rag))
    sara_stage: Mapped[Sara | None] = mapped_column(enum_column(Sara))
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
    source: Mapped[Source] = mapped_column(enum_column(Source))
    # {field: [old, new]} with values as plain JSON (dates as ISO strings).
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    # The file an import entry came from (its name as uploaded or given to the CLI).
    file_name: Mapped[str | None] = mapped_column(String(300))

    action: Mapped[Action] = relationship(back_populates="updates")
    by: Mapped[Person | None] = relationship(foreign_keys=[by_id])
    on_behalf_of: Mapped[Person | None] = relationship(foreign_keys=[on_behalf_of_id])


class PlanChange(Base):
    """One entry in the append-only history of a sub-group or a person changed in Slack.

    What :class:`ActionUpdate` is for an action: who, when, what changed
    (``{field: [old, new]}`` as plain JSON, people by name), for a group's lead,
    priorities and closing, or a person's role, removal and Slack link.
    """

    __tablename__ = "plan_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    source: Mapped[Source] = mapped_column(enum_column(Source))
    # "group" (a subgroup row) or "person"; the id of that row, and its name then.
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)

    by: Mapped[Person | None] = relationship()


@event.listens_for(Session, "before_flush")
def _history_is_append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse to rewrite or delete history: partnerships are accountable bodies."""
    for obj in session.dirty:
        if isinstance(obj, ActionUpdate | PlanChange) and session.is_modified(obj):
            raise ValueError("history is append-only; add a new entry instead")
    for obj in session.deleted:
        if isinstance(obj, ActionUpdate | PlanChange):
            raise ValueError("history is append-only; entries cannot be deleted")


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
    direction: Mapped[Direction | None] = mapped_column(enum_column(Direction))
    # How far behind the path to the target is still "slightly off", in the measure's
    # unit; empty: a tenth of the way from baseline to target (partnership.measure_path).
    tolerance: Mapped[float | None] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer, default=0)

    priority: Mapped[Priority | None] = relationship()
    readings: Mapped[list[MeasureReading]] = relationship(
        back_populates="measure", order_by="MeasureReading.period_end"
    )
    parts: Mapped[list[MeasurePart]] = relationship(order_by="MeasurePart.position")


class MeasurePart(Base):
    """One part of a measure read in parts (male / female, a district), judged on its own.

    A part with no baseline or target of its own uses the measure's.
    """

    __tablename__ = "measure_part"
    __table_args__ = (UniqueConstraint("measure_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)


class MeasureReading(Base):
    """A measure's value for one period (usually a financial quarter)."""

    __tablename__ = "measure_reading"
    __table_args__ = (UniqueConstraint("measure_id", "part", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    # Canonical label such as "Q3 2026/27" or "Jan 2027"; period_end orders and dates it.
    period: Mapped[str] = mapped_column(String(32))
    period_end: Mapped[dt.date] = mapped_column(Date)
    # The part's name ("male"), or "" for a measure read as one number. A name, not a
    # key, so the unique constraint holds ("" is a value; a NULL would not be).
    part: Mapped[str] = mapped_column(String(64), default="", server_default="")
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
