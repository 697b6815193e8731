"""The "the meeting has moved" (or "… is cancelled") note, to those its digest had gone to.

Moving a meeting whose digest was sent writes a record of the move to the
outbox in the move's own transaction (:func:`partnership.meetings.move`). Here
each record becomes one note per recipient, keyed (``meeting_moved``,
recipient, ``meeting:<id>:move:<n>``), so it is claimed and sent once however
often this runs: right after ``/csp meeting move`` (:func:`finish_move`, after
the command has committed) and on every sweep after that, which catches a
note the first try did not send (a crash, Slack down). A meeting moved again
before the note went owes only the latest; one cancelled or already held, none.
A cancelled meeting's note (:mod:`partnership.meeting_cancelled`) goes the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.base import Message, Recipient, Sender
from bot.schedule.outbox import deliver
from partnership import meeting_cancelled, meetings
from partnership.context import Context, Reply
from partnership.messages import delivery as say
from storage.dates import uk
from storage.models import Partnership, Person, Source

# The words for each outcome in the mover's reply (as /csp digest send says them).
N = TypeVar("N", bound="Addressed")
OUTCOMES = {"sent": "told", "recovered": "told", "already": "told already"}


def due(ctx: Context, meeting_id: int | None = None) -> list[Message]:
    """The moved-meeting notes owed now (all of them, or one meeting's)."""
    found: list[Message] = []
    for note, recipient in addressed(
        ctx, meetings.notes_due(ctx.session, ctx.partnership, ctx.today, meeting_id)
    ):
        data = {
            "group": meetings.group_label(ctx.partnership, note.meeting.subgroup),
            "old": uk(note.old),
            "meeting": meetings.view(ctx.partnership, note.meeting),
        }
        text = say.meeting_moved(group=str(data["group"]), old=uk(note.old), new=uk(note.new))
        found.append(
            Message(
                meetings.MOVED_KIND, recipient, note.period, Reply("meeting_moved", data, text=text)
            )
        )
    return found


class Addressed(Protocol):
    """A note owed to one outbox target."""

    @property
    def target(self) -> str:
        """``person:<id>`` or ``channel:<id>``."""
        ...


def addressed(ctx: Context, notes: Sequence[N]) -> list[tuple[N, Recipient]]:
    """Each note with its recipient; one to someone removed from the plan since is left out."""
    if not notes:
        return []
    people = recipients_by_target(ctx)
    found = [(n, people.get(n.target) or channel_of(n.target)) for n in notes]
    return [(n, r) for n, r in found if r is not None]


def recipients_by_target(ctx: Context) -> dict[str, Recipient]:
    """The partnership's people as recipients, by outbox target (``person:<id>``)."""
    return {
        f"person:{p.id}": Recipient.person(p)
        for p in ctx.session.scalars(
            select(Person).where(Person.partnership_id == ctx.partnership.id)
        )
    }


def channel_of(target: str) -> Recipient | None:
    """The board channel a ``channel:<id>`` target names, else None."""
    if target.startswith("channel:"):
        return Recipient.channel(target.removeprefix("channel:"), "the board channel")
    return None


def cancelled_due(ctx: Context, key: str | None = None) -> list[Message]:
    """The cancelled-meeting notes owed now (all of them, or one cancel's)."""
    found: list[Message] = []
    for note, recipient in addressed(
        ctx, meeting_cancelled.notes_due(ctx.session, ctx.partnership, ctx.today, key)
    ):
        data = {"group": note.group, "date": uk(note.day), "weekday": f"{note.day:%A}"}
        text = say.meeting_cancelled(group=note.group, date=uk(note.day))
        reply = Reply("meeting_cancelled", data, text=text)
        found.append(Message(meeting_cancelled.CANCELLED_KIND, recipient, note.period, reply))
    return found


def finish_move(
    factory: sessionmaker[Session], sender: Sender, reply: Reply, now: dt.datetime
) -> Reply:
    """Send the notes a meeting move or cancel owes, now, and say in its reply who was told."""
    request = reply.data.get("send")
    if not request:
        return reply
    with factory() as session:
        partnership = session.scalars(
            select(Partnership).where(Partnership.slug == request["partnership"])
        ).one()
        ctx = Context(session, partnership, None, now, Source.COMMAND, operator=True)
        owed = (
            cancelled_due(ctx, str(request["cancelled"]))
            if request.get("cancelled")
            else due(ctx, int(request["meeting_id"]))
        )
        messages = [m for m in owed if m.recipient.address]
        pid, slug = partnership.id, partnership.slug
    told = [
        {
            "name": m.recipient.name,
            "outcome": OUTCOMES.get(o, "not told yet: the bot will try again shortly"),
        }
        for m in messages
        for o in [deliver(factory, sender, m, pid, slug, now)]
    ]
    return Reply(reply.template, {**reply.data, "send": None, "told": told}, text=reply.text)
