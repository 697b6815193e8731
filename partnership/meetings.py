"""Meetings: reading what people type, adding, moving and cancelling, and what that does to digests.

A Leadership Group / Board meeting's digest is computed from the meeting table
by the digest sweep (:mod:`bot.sweeps.digests`), keyed in the outbox by
(``digest``, recipient, ``meeting:<id>``). So:

* **moving** a meeting keeps its row (and id) and changes its date: a digest not
  yet sent simply follows the new date; a digest already sent is never sent
  again (its outbox keys are taken). Instead, in the move's own transaction, a
  record of the move is written to the outbox (kind :data:`MOVE_KIND`, target
  ``meeting:<id>``, period ``move:<n>``) naming the recipients the digest went
  to; :mod:`bot.sweeps.moved` turns it into one short "the meeting has moved"
  note per recipient, each claimed once under its own key — the transactional
  outbox, so neither a crash after the move nor a second clock repeats or loses it;
* **cancelling** deletes the meeting (so no digest is due), its digest snapshot,
  and gives its outbox rows keys of their own (``cancelled:<id>:<date>``): a
  later meeting that reuses the id (SQLite may) is not taken for already sent,
  and a digest claimed but not yet sent is not retried.

Sub-group meetings have no digest; the same rules hold for them otherwise.
Nothing here knows about Slack or templates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

# The digest's outbox kind and period: the reorganisation moves digest content
# into this package; until then the one definition stays with the digest.
from partnership.digest_meetings import KIND as DIGEST_KIND
from partnership.digest_meetings import period as digest_period
from storage.dates import DateError, TimeError, did_you_mean, parse_date, parse_time, uk
from storage.models import (
    DigestSnapshot,
    Meeting,
    Notification,
    NotificationState,
    Partnership,
    SubGroup,
)

# The outbox record of a move whose digest had gone, and the notes it gives.
MOVE_KIND = "meeting_move"
MOVED_KIND = "meeting_moved"
MAX_TITLE = 200
_DAY = re.compile(
    r"^(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{2}|\d{4})|\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]+\.?,?\s+\d{4}|today|tomorrow|\+\s*\d{1,3}\s*[dwm])$"
)


class MeetingError(ValueError):
    """Input about meetings that cannot be used; the message says how to fix it."""


def is_day(text: str) -> bool:
    """Whether ``text`` names one day (a month, quarter or year does not)."""
    return bool(_DAY.match(" ".join(text.strip().lower().split())))


def read_day(text: str, today: dt.date) -> dt.date:
    """A meeting's day, UK style (``21/01/2027``, ``21 January 2027``, ``tomorrow``)."""
    if not is_day(text):
        hint = did_you_mean(text, "`")
        raise MeetingError(
            f"`{text[:40]}` is not a day I can read"
            + (f": {hint}" if hint else "")
            + ". Write the meeting's day, day first, such as `21/01/2027`."
        )
    try:
        return parse_date(text, today=today)
    except DateError as exc:
        raise MeetingError(f"{exc}.") from None


def is_time(text: str) -> bool:
    """Whether ``text`` is a time of day (``10:00``, ``2.30pm``, ``10am``)."""
    try:
        parse_time(text)
    except TimeError as exc:
        return exc.why != "shape"  # `25:00` is a time, badly written: read_time says why
    return True


def read_time(text: str) -> dt.time:
    """A time of day: ``10:00``, ``14.30``, ``10am``, ``2:30pm``."""
    try:
        return parse_time(text)
    except TimeError as exc:
        if exc.why == "shape":
            raise MeetingError(
                f"`{text[:20]}` is not a time: write it like `10:00` or `2.30pm`."
            ) from None
        if exc.why == "ampm":
            raise MeetingError(
                f"`{text}` is not a time: with am or pm the hour is 1 to 12."
            ) from None
        raise MeetingError(
            f"`{text}` is not a time of day: write it like `10:00` or `14:30`."
        ) from None


def group_label(partnership: Partnership, group: SubGroup | None) -> str:
    """The meeting's group as people call it."""
    if group is not None:
        return group.name
    return partnership.leadership_group or "Leadership Group"


def meetings_on(session: Session, partnership: Partnership, day: dt.date) -> list[Meeting]:
    """Every meeting of the partnership on ``day``, the Leadership Group's first."""
    return list(
        session.scalars(
            select(Meeting)
            .where(Meeting.partnership_id == partnership.id, Meeting.date == day)
            .order_by(Meeting.subgroup_id.is_not(None), Meeting.id)
        )
    )


def find_meeting(
    session: Session, partnership: Partnership, day: dt.date, group: SubGroup | None
) -> Meeting:
    """The group's meeting on ``day``; the error names the meetings there are."""
    found = [
        m
        for m in meetings_on(session, partnership, day)
        if m.subgroup_id == (group.id if group else None)
    ]
    if found:
        return found[0]
    others = meetings_on(session, partnership, day)
    label = group_label(partnership, group)
    if others:
        names = ", ".join(
            f"`group:{m.subgroup.name}`" if m.subgroup else "the Leadership Group's" for m in others
        )
        raise MeetingError(
            f"There is no {label} meeting on {uk(day)}; that day has {names}. "
            "Name the group with `group:<name>`."
        )
    coming = upcoming(session, partnership, day)[:5]
    listed = ", ".join(f"`{uk(m.date)}`" for m in coming)
    raise MeetingError(
        f"There is no {label} meeting on {uk(day)}."
        + (f" The next ones: {listed}." if listed else "")
        + " See them all with `/csp meeting list`."
    )


def upcoming(session: Session, partnership: Partnership, today: dt.date) -> list[Meeting]:
    """The partnership's meetings from ``today`` on, by date."""
    return list(
        session.scalars(
            select(Meeting)
            .where(Meeting.partnership_id == partnership.id, Meeting.date >= today)
            .order_by(Meeting.date, Meeting.subgroup_id.is_not(None), Meeting.id)
        )
    )


def taken_days(
    session: Session, partnership: Partnership, group: SubGroup | None, days: list[dt.date]
) -> set[dt.date]:
    """Which of ``days`` the group already meets on (one meeting a day per group)."""
    if not days:
        return set()
    group_id = group.id if group else None
    return set(
        session.scalars(
            select(Meeting.date).where(
                Meeting.partnership_id == partnership.id,
                Meeting.subgroup_id.is_(None)
                if group_id is None
                else Meeting.subgroup_id == group_id,
                Meeting.date.in_(days),
            )
        )
    )


@dataclass(frozen=True)
class Details:
    """What a new meeting has besides its date."""

    group: SubGroup | None = None
    time: dt.time | None = None
    title: str | None = None
    location: str | None = None


def add(
    session: Session, partnership: Partnership, days: list[dt.date], details: Details
) -> tuple[list[Meeting], list[dt.date]]:
    """Add a meeting on each day the group has none yet: (added, days already taken)."""
    for text, name in ((details.title, "title"), (details.location, "location")):
        if text is not None and len(text) > MAX_TITLE:
            raise MeetingError(
                f"The {name} is {len(text)} characters long; keep it under {MAX_TITLE}."
            )
    taken = taken_days(session, partnership, details.group, days)
    added = [
        Meeting(
            partnership_id=partnership.id,
            subgroup=details.group,
            date=day,
            time=details.time,
            title=details.title,
            location=details.location,
        )
        for day in sorted(set(days) - taken)
    ]
    session.add_all(added)
    session.flush()
    return added, sorted(taken)


def digest_recipients(session: Session, meeting_id: int) -> list[str]:
    """The outbox targets a meeting's digest went (or is going) to."""
    return list(
        session.scalars(
            select(Notification.target)
            .where(
                Notification.kind == DIGEST_KIND,
                Notification.period == digest_period(meeting_id),
                Notification.state.in_((NotificationState.SENT, NotificationState.CLAIMED)),
            )
            .order_by(Notification.id)
        )
    )


@dataclass(frozen=True)
class Move:
    """A meeting moved: from when to when, and whom a note about it is due to."""

    meeting: Meeting
    old: dt.date
    new: dt.date
    told: list[str]


def move(
    session: Session, meeting: Meeting, new: dt.date, *, today: dt.date, now: dt.datetime
) -> Move:
    """Move a meeting to another day; if its digest has gone, record the notes it owes."""
    old = meeting.date
    if new == old:
        raise MeetingError(f"The meeting is on {uk(old)} already: give the day it moves to.")
    if new < today:
        raise MeetingError(
            f"{uk(new)} has passed: a meeting moves to today or a later day "
            f"(`/csp meeting move {uk(old)} to {uk(today)}`)."
        )
    partnership = session.get(Partnership, meeting.partnership_id)
    assert partnership is not None
    if taken_days(session, partnership, meeting.subgroup, [new]):
        label = group_label(partnership, meeting.subgroup)
        raise MeetingError(
            f"The {label} already meets on {uk(new)}: cancel one of them "
            f"(`/csp meeting cancel {uk(old)}`) or pick another day."
        )
    meeting.date = new
    told = digest_recipients(session, meeting.id)
    if told:
        target = f"meeting:{meeting.id}"
        moves = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == MOVE_KIND, Notification.target == target)
        )
        session.add(
            Notification(
                partnership_id=meeting.partnership_id,
                kind=MOVE_KIND,
                target=target,
                period=f"move:{(moves or 0) + 1}",
                # A record, not a message: nothing sends it, retries it or reports it.
                state=NotificationState.SENT,
                claimed_at=now,
                sent_at=now,
                attempts=0,
                reported=True,
                payload={"from": old.isoformat(), "to": new.isoformat(), "targets": told},
            )
        )
    session.flush()
    return Move(meeting, old, new, told)


def cancel(session: Session, meeting: Meeting) -> None:
    """Cancel a meeting: no digest for it, its outbox rows kept under keys of their own."""
    mid = meeting.id
    own = f"meeting:{mid}"
    gone = f"cancelled:{mid}:{meeting.date.isoformat()}"
    rows = session.scalars(
        select(Notification).where(
            Notification.partnership_id == meeting.partnership_id,
            or_(
                (Notification.kind == DIGEST_KIND) & (Notification.period == own),
                (Notification.kind == MOVED_KIND) & Notification.period.startswith(own + ":"),
                (Notification.kind == MOVE_KIND) & (Notification.target == own),
            ),
        )
    ).all()
    for row in rows:
        if row.kind == MOVE_KIND:
            row.target = gone
        else:
            row.period = gone + row.period.removeprefix(own)
        if row.state == NotificationState.CLAIMED:
            # Claimed but not sent: a take-over must not send it for a meeting that is off.
            row.state, row.reported, row.last_error = NotificationState.FAILED, True, "cancelled"
    session.execute(delete(DigestSnapshot).where(DigestSnapshot.meeting_id == mid))
    session.delete(meeting)
    session.flush()


@dataclass(frozen=True)
class Note:
    """A "the meeting has moved" note due to one recipient."""

    meeting: Meeting
    target: str
    period: str
    old: dt.date
    new: dt.date


def notes_due(
    session: Session, partnership: Partnership, today: dt.date, meeting_id: int | None = None
) -> list[Note]:
    """The moved-meeting notes not yet claimed: for each meeting, its latest move only."""
    query = select(Notification).where(
        Notification.partnership_id == partnership.id, Notification.kind == MOVE_KIND
    )
    if meeting_id is not None:
        query = query.where(Notification.target == f"meeting:{meeting_id}")
    latest: dict[str, Notification] = {}
    for record in session.scalars(query.order_by(Notification.id)):
        latest[record.target] = record
    due: list[Note] = []
    for target, record in latest.items():
        if not target.startswith("meeting:") or not record.payload:
            continue
        meeting = session.get(Meeting, int(target.removeprefix("meeting:")))
        new = dt.date.fromisoformat(str(record.payload["to"]))
        # Moved again since (a later record speaks), cancelled, or already held.
        if meeting is None or meeting.date != new or new < today:
            continue
        period = f"{target}:{record.period}"
        done = set(
            session.scalars(
                select(Notification.target).where(
                    Notification.kind == MOVED_KIND, Notification.period == period
                )
            )
        )
        old = dt.date.fromisoformat(str(record.payload["from"]))
        due.extend(
            Note(meeting, str(t), period, old, new)
            for t in record.payload.get("targets", [])
            if t not in done
        )
    return due


def view(partnership: Partnership, meeting: Meeting, closed: str | None = None) -> dict[str, str]:
    """A meeting as plain values for a reply (``closed``: why the day is not a working day)."""
    return {
        "date": uk(meeting.date),
        "weekday": meeting.date.strftime("%A"),
        "group": group_label(partnership, meeting.subgroup),
        "board": "" if meeting.subgroup_id else "yes",
        "time": meeting.time.strftime("%H:%M") if meeting.time else "",
        "title": meeting.title or "",
        "location": meeting.location or "",
        "closed": closed or "",
    }
