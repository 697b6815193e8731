"""The "the meeting has moved" note, to those a moved meeting's digest had already gone to.

Moving a meeting whose digest was sent writes a record of the move to the
outbox in the move's own transaction (:func:`partnership.meetings.move`). Here
each record becomes one note per recipient, keyed (``meeting_moved``,
recipient, ``meeting:<id>:move:<n>``), so it is claimed and sent once however
often this runs: right after ``/csp meeting move`` (:func:`finish_move`, after
the command has committed) and on every sweep after that, which catches a
note the first try did not send (a crash, Slack down). A meeting moved again
before the note went owes only the latest; one cancelled or already held, none.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.base import Message, Recipient, Sender
from bot.schedule.outbox import deliver
from partnership import meetings
from partnership.context import Context, Reply
from partnership.messages import delivery as say
from storage.dates import uk
from storage.models import Partnership, Person, Source

# The words for each outcome in the mover's reply (as /csp digest send says them).
OUTCOMES = {"sent": "told", "recovered": "told", "already": "told already"}


def due(ctx: Context, meeting_id: int | None = None) -> list[Message]:
    """The moved-meeting notes owed now (all of them, or one meeting's)."""
    notes = meetings.notes_due(ctx.session, ctx.partnership, ctx.today, meeting_id)
    if not notes:
        return []
    people = {
        f"person:{p.id}": p
        for p in ctx.session.scalars(
            select(Person).where(Person.partnership_id == ctx.partnership.id)
        )
    }
    found: list[Message] = []
    for note in notes:
        if note.target.startswith("channel:"):
            recipient = Recipient.channel(note.target.removeprefix("channel:"), "the board channel")
        elif note.target in people:
            recipient = Recipient.person(people[note.target])
        else:
            continue  # someone removed from the plan since
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


def finish_move(
    factory: sessionmaker[Session], sender: Sender, reply: Reply, now: dt.datetime
) -> Reply:
    """Send the notes ``/csp meeting move`` owes, now, and say in its reply who was told."""
    request = reply.data.get("send")
    if not request:
        return reply
    with factory() as session:
        partnership = session.scalars(
            select(Partnership).where(Partnership.slug == request["partnership"])
        ).one()
        ctx = Context(session, partnership, None, now, Source.COMMAND, operator=True)
        messages = [m for m in due(ctx, int(request["meeting_id"])) if m.recipient.address]
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
