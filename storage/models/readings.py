"""A replaced measure reading's earlier values: the reading's append-only history.

What :class:`~storage.models.plan.ActionUpdate` is for an action. When a
reading is replaced (``/csp measure record … replace:yes``, or a plan file
stating another value for a period already read), the row it replaced is
kept here as it stood: its value and note, who recorded it and when; and who
replaced it, when, and from where. The reading itself always holds the
current value, so every query that judges a measure reads one table.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, ForeignKey, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from storage.models.base import Base, UTCDateTime, enum_column, utcnow
from storage.models.enums import Source

if TYPE_CHECKING:
    from storage.models.plan import MeasureReading, Person


class ReadingChange(Base):
    """One replaced value of a measure reading: what it was, who recorded it, who replaced it."""

    __tablename__ = "measure_reading_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("measure_reading.id"), index=True)
    # The measure too, so a measure's whole history is one query with no join.
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    # The reading as it stood before it was replaced.
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Who replaced it (empty for a plan file or the console), when, and from where.
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    replaced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[Source] = mapped_column(enum_column(Source))

    recorded_by: Mapped[Person | None] = relationship(foreign_keys=[recorded_by_id])
    replaced_by: Mapped[Person | None] = relationship(foreign_keys=[replaced_by_id])

    @classmethod
    def of(
        cls, reading: MeasureReading, *, by_id: int | None, at: dt.datetime, source: Source
    ) -> ReadingChange:
        """The entry that keeps ``reading`` as it stands now, replaced by ``by_id`` at ``at``."""
        return cls(
            partnership_id=reading.partnership_id,
            reading_id=reading.id,
            measure_id=reading.measure_id,
            value=reading.value,
            note=reading.note,
            recorded_by_id=reading.recorded_by_id,
            recorded_at=reading.recorded_at,
            replaced_by_id=by_id,
            replaced_at=at,
            source=source,
        )


@event.listens_for(Session, "before_flush")
def _reading_history_is_append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse to rewrite or delete a reading's history, as an action's is refused."""
    for obj in session.dirty:
        if isinstance(obj, ReadingChange) and session.is_modified(obj):
            raise ValueError("history is append-only; add a new entry instead")
    for obj in session.deleted:
        if isinstance(obj, ReadingChange):
            raise ValueError("history is append-only; entries cannot be deleted")
