"""The board meetings a digest is for, and who gets it: plain values, few queries.

A digest is for one Leadership Group / Board meeting (no sub-group): these
find the partnership's meetings, pick the one a coordinator names, give the
outbox period and day it is sent on, its recipients (the chairs) and what was
sent for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from partnership.context import Context, UserError
from partnership.lookup import people_with_role
from partnership.messages import meetings as say
from storage.dates import DateError, did_you_mean, parse_date, uk
from storage.models import (
    Meeting,
    Notification,
    NotificationState,
    Person,
    Role,
)

# The outbox kind of a digest; its period is "meeting:<id>" (see :func:`period`).
KIND = "digest"


@dataclass(frozen=True)
class MeetingInfo:
    """A Leadership Group / Board meeting as plain values."""

    id: int
    date: dt.date
    title: str
    time: dt.time | None
    location: str

    def view(self) -> dict[str, Any]:
        """The meeting as a view-model row."""
        return {
            "id": self.id,
            "date": uk(self.date),
            "weekday": self.date.strftime("%A"),
            "title": self.title,
            "time": self.time.strftime("%H:%M") if self.time else "",
            "location": self.location,
        }


# --------------------------------------------------------------------------- meetings


def board_meetings(ctx: Context) -> list[MeetingInfo]:
    """Every Leadership Group / Board meeting of the partnership (no sub-group), by date."""
    rows = ctx.session.execute(
        select(Meeting.id, Meeting.date, Meeting.title, Meeting.time, Meeting.location)
        .where(Meeting.partnership_id == ctx.partnership.id, Meeting.subgroup_id.is_(None))
        .order_by(Meeting.date, Meeting.id)
    )
    return [
        MeetingInfo(r.id, r.date, r.title or group_name(ctx), r.time, r.location or "")
        for r in rows
    ]


def group_name(ctx: Context) -> str:
    """What the partnership calls its Leadership Group or Board."""
    return ctx.partnership.leadership_group or "Leadership Group"


def pick_meeting(ctx: Context, text: str | None, meetings: list[MeetingInfo]) -> MeetingInfo:
    """The upcoming meeting on the date typed, or the next one; a UserError says which exist."""
    upcoming = [m for m in meetings if m.date >= ctx.today]
    if not text:
        if upcoming:
            return upcoming[0]
        raise UserError(
            say.none_coming(
                group=group_name(ctx),
                partnership=ctx.partnership.name,
                last=uk(meetings[-1].date) if meetings else None,
            )
        )
    # A date typed is read (and named in any refusal) before anything else is said.
    try:
        day = parse_date(text, fy=ctx.fy, today=ctx.today)
    except DateError:
        example = uk(upcoming[0].date if upcoming else ctx.today)
        hint = did_you_mean(text, "`")
        raise UserError(say.not_a_meeting_date(text=text, hint=hint, example=example)) from None
    for meeting in upcoming:
        if meeting.date == day:
            return meeting
    dates = ", ".join(f"`{uk(m.date)}`" for m in upcoming[:6])
    coming = say.coming_up(dates=dates if upcoming else "")
    if any(m.date == day for m in meetings):
        raise UserError(say.meeting_passed(day=uk(day), coming=coming))
    raise UserError(say.no_meeting_on(group=group_name(ctx), day=uk(day), coming=coming))


def previous_meeting(meetings: list[MeetingInfo], meeting: MeetingInfo) -> MeetingInfo | None:
    """The last meeting before ``meeting``, if any."""
    earlier = [m for m in meetings if m.date < meeting.date]
    return earlier[-1] if earlier else None


# --------------------------------------------------------------------------- who gets it


def period(meeting_id: int) -> str:
    """The outbox period of a meeting's digest: one digest per recipient per meeting."""
    return f"meeting:{meeting_id}"


def digest_day(ctx: Context, meeting: MeetingInfo) -> dt.date:
    """The working day the digest for ``meeting`` is due (``digest_days`` before it)."""
    return ctx.calendar.shift(meeting.date, -ctx.settings.digest_days)


def chairs(ctx: Context) -> list[Person]:
    """The partnership's chairs, by name (on Slack or not)."""
    return people_with_role(ctx, Role.CHAIR)


def sent_log(ctx: Context, meeting_id: int) -> list[dict[str, Any]]:
    """Who a meeting's digest has gone to (or is going to), when, and in what state."""
    rows = ctx.session.execute(
        select(
            Notification.target, Notification.state, Notification.claimed_at, Notification.sent_at
        )
        .where(
            Notification.partnership_id == ctx.partnership.id,
            Notification.kind == KIND,
            Notification.period == period(meeting_id),
        )
        .order_by(Notification.claimed_at, Notification.id)
    ).all()
    ids = [int(r.target.split(":", 1)[1]) for r in rows if r.target.startswith("person:")]
    names: dict[int, str] = {}
    if ids:
        names = {
            person_id: name
            for person_id, name in ctx.session.execute(
                select(Person.id, Person.name).where(
                    Person.partnership_id == ctx.partnership.id, Person.id.in_(ids)
                )
            )
        }
    out = []
    for row in rows:
        kind, _, key = row.target.partition(":")
        name = names.get(int(key), "a former chair") if kind == "person" else "the board channel"
        moment = (row.sent_at or row.claimed_at).astimezone(ctx.zone)
        out.append(
            {
                "name": name,
                "state": {
                    NotificationState.SENT: "sent",
                    NotificationState.CLAIMED: "being sent",
                    NotificationState.FAILED: "failed",
                }[row.state],
                "when": f"{uk(moment.date())} at {moment:%H:%M}",
            }
        )
    return out
