"""What partnerships report: sub-groups' quarterly returns and the digest's RAG snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime, enum_column
from storage.models.enums import Rag
from storage.models.plan import Person, Priority, SubGroup


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
    rag: Mapped[Rag] = mapped_column(enum_column(Rag))

    quarterly_return: Mapped[QuarterlyReturn] = relationship(back_populates="priority_rags")
    priority: Mapped[Priority] = relationship()


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
