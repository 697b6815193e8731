"""The "the meeting is cancelled" note, owed to those a cancelled meeting's digest had gone to.

Cancelling a meeting deletes it (:func:`partnership.meetings.cancel`). If its
digest had already been sent, the cancel writes, in its own transaction, a
record to the outbox (kind :data:`CANCEL_KIND`, target ``cancelled:<id>:<date>``
— the key the cancel gives the meeting's own rows — period ``cancel``) naming
the recipients and what the note must say, since the meeting row is gone.
:mod:`bot.schedule.moved` turns it into one note per recipient, each claimed
once under (:data:`CANCELLED_KIND`, recipient, ``cancelled:<id>:<date>:cancel``):
the transactional outbox, as for a move, so neither a crash nor two clocks
repeat or lose it. Nothing is owed once the meeting's day has passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnership import meetings
from partnership.digest_meetings import KIND as DIGEST_KIND
from partnership.digest_meetings import period as digest_period
from storage.models import Meeting, Notification, NotificationState, Partnership

CANCEL_KIND = "meeting_cancel"
CANCELLED_KIND = "meeting_cancelled"


def cancel(session: Session, meeting: Meeting, *, now: dt.datetime) -> str | None:
    """Cancel a meeting; if its digest had gone, record the notes owed (their key, else None)."""
    partnership = session.get(Partnership, meeting.partnership_id)
    assert partnership is not None
    told = list(
        session.scalars(
            select(Notification.target)
            .where(
                Notification.partnership_id == meeting.partnership_id,
                Notification.kind == DIGEST_KIND,
                Notification.period == digest_period(meeting.id),
                Notification.state == NotificationState.SENT,
            )
            .order_by(Notification.id)
        )
    )
    key = f"cancelled:{meeting.id}:{meeting.date.isoformat()}"
    day, label = meeting.date, meetings.group_label(partnership, meeting.subgroup)
    meetings.cancel(session, meeting)
    if not told:
        return None
    session.add(
        Notification(
            partnership_id=partnership.id,
            kind=CANCEL_KIND,
            target=key,
            period="cancel",
            # A record, not a message: nothing sends it, retries it or reports it.
            state=NotificationState.SENT,
            claimed_at=now,
            sent_at=now,
            attempts=0,
            reported=True,
            payload={"date": day.isoformat(), "group": label, "targets": told},
        )
    )
    session.flush()
    return key


@dataclass(frozen=True)
class Note:
    """A "the meeting is cancelled" note due to one recipient."""

    target: str
    period: str
    day: dt.date
    group: str


def notes_due(
    session: Session, partnership: Partnership, today: dt.date, key: str | None = None
) -> list[Note]:
    """The cancelled-meeting notes not yet claimed (all, or one cancel's), for days not passed."""
    query = select(Notification).where(
        Notification.partnership_id == partnership.id, Notification.kind == CANCEL_KIND
    )
    if key is not None:
        query = query.where(Notification.target == key)
    due: list[Note] = []
    for record in session.scalars(query.order_by(Notification.id)):
        payload = record.payload or {}
        day = dt.date.fromisoformat(str(payload.get("date")))
        if day < today:
            continue
        period = f"{record.target}:{record.period}"
        done = set(
            session.scalars(
                select(Notification.target).where(
                    Notification.kind == CANCELLED_KIND, Notification.period == period
                )
            )
        )
        due.extend(
            Note(str(t), period, day, str(payload.get("group", "")))
            for t in payload.get("targets", [])
            if t not in done
        )
    return due
