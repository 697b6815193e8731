"""The chairs' digest before each Leadership Group / Board meeting, sent once per meeting.

A meeting's digest is due from its *digest day* — ``digest_days`` working days
before the meeting (a partnership setting, 5 by default) — until the meeting
day itself: a bot that was down on the digest day catches up the next working
morning, and nothing goes out once the meeting is over. Weekends, bank
holidays and quiet hours are the orchestrator's business
(:func:`bot.schedule.run.due_now`).

It goes to each chair on Slack by direct message and to the partnership's
board channel, each under the outbox key (``digest``, recipient,
``meeting:<id>``). ``/csp digest send`` uses the very same messages and keys
(:func:`send_digest`), so a digest sent early is not sent again on the day.
Chairs who are not on Slack are left out here; ``/csp digest preview`` names
them so the coordinator can send them the board papers (``csp-bot digest``).

When a meeting's digest is first claimed, each priority's rolled-up RAG is
kept as a :class:`~storage.models.DigestSnapshot`: the next meeting's digest
compares with it to show what got better or worse.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import digest_charts
from bot.schedule.base import Message, Recipient, Sender
from bot.schedule.outbox import deliver
from partnership.context import Context, Reply
from partnership.digest import SnapshotRow, build, summary
from partnership.digest_meetings import (
    KIND,
    MeetingInfo,
    board_meetings,
    chairs,
    digest_day,
    period,
)
from partnership.lookup import board_channel_id
from partnership.messages import delivery as say
from storage.models import DigestSnapshot, Notification, Partnership, Source

log = logging.getLogger("csp_bot.sweeps")

# The template of /csp digest send's reply, whose data asks for the send.
SEND = "digest_send"


def due(ctx: Context) -> list[Message]:
    """The digests due now: meetings whose digest day has come and that have not yet met."""
    today = ctx.today
    meetings = board_meetings(ctx)
    found: list[Message] = []
    for meeting in meetings:
        if meeting.date < today or digest_day(ctx, meeting) > today:
            continue
        found.extend(messages_for(ctx, meeting, meetings, skip_claimed=True))
    return found


def recipients(ctx: Context) -> list[Recipient]:
    """Each chair on Slack (direct message) and the board channel, if there is one."""
    found = [Recipient.person(p) for p in chairs(ctx) if p.slack_user_id]
    channel = board_channel_id(ctx)
    if channel:
        found.append(Recipient.channel(channel, "the board channel"))
    return found


def claimed_targets(ctx: Context, meeting_id: int) -> set[str]:
    """The recipients (outbox targets) a meeting's digest is already claimed for."""
    return set(
        ctx.session.scalars(
            select(Notification.target).where(
                Notification.partnership_id == ctx.partnership.id,
                Notification.kind == KIND,
                Notification.period == period(meeting_id),
            )
        )
    )


def messages_for(
    ctx: Context,
    meeting: MeetingInfo,
    meetings: list[MeetingInfo] | None = None,
    *,
    skip_claimed: bool,
) -> list[Message]:
    """The digest for ``meeting`` as one message per recipient (none when nobody is left).

    With ``skip_claimed`` the recipients whose digest is already in the outbox
    are dropped before anything is built, so a sweep that runs every few
    minutes through the digest window does not rebuild a large digest for
    nothing.
    """
    wanted = recipients(ctx)
    if skip_claimed and wanted:
        done = claimed_targets(ctx, meeting.id)
        wanted = [r for r in wanted if r.target not in done]
    if not wanted:
        return []
    digest = build(ctx, meeting, meetings)
    reply = Reply("digest", digest.data, text=summary(digest.data))
    keep = snapshot_on_claim(ctx.partnership.id, meeting.id, digest.snapshot, ctx.now)
    return [
        Message(KIND, r, period(meeting.id), reply, keep, {"meeting": digest.data["meeting"]})
        for r in wanted
    ]


def snapshot_on_claim(
    partnership_id: int, meeting_id: int, rows: list[SnapshotRow], now: dt.datetime
) -> Callable[[Session], None]:
    """Keep the priorities' RAG for a meeting in the claim's transaction, once per meeting.

    The first recipient's claim stores the rows; later claims find them there.
    Two processes claiming different recipients at the same moment may both
    try: the loser's insert fails inside a savepoint and its claim goes on.
    """

    def keep(session: Session) -> None:
        taken = session.scalar(
            select(func.count())
            .select_from(DigestSnapshot)
            .where(DigestSnapshot.meeting_id == meeting_id)
        )
        if taken:
            return
        try:
            with session.begin_nested():
                session.add_all(
                    DigestSnapshot(
                        partnership_id=partnership_id,
                        meeting_id=meeting_id,
                        priority_id=row.priority_id,
                        rag=row.rag,
                        open_actions=row.open_actions,
                        overdue_actions=row.overdue_actions,
                        taken_at=now,
                    )
                    for row in rows
                )
        except IntegrityError:
            pass  # another process kept the same meeting's snapshot first

    return keep


def send_digest(
    factory: sessionmaker[Session],
    sender: Sender,
    partnership_slug: str,
    meeting_id: int,
    now: dt.datetime,
) -> list[tuple[str, str]]:
    """Send a meeting's digest now, through the outbox: (recipient, outcome) for each.

    The outcome is the outbox's (``sent``, ``already``, ``busy``, ``failed``,
    ``retry``): a recipient already sent this meeting's digest — by the
    schedule or an earlier ``/csp digest send`` — gets nothing new.
    """
    with factory() as session:
        partnership = session.scalars(
            select(Partnership).where(Partnership.slug == partnership_slug)
        ).one()
        ctx = Context(session, partnership, None, now, Source.COMMAND, operator=True)
        meetings = board_meetings(ctx)
        chosen = [m for m in meetings if m.id == meeting_id]
        # A meeting removed from the plan since the command ran: nothing to send.
        messages = messages_for(ctx, chosen[0], meetings, skip_claimed=False) if chosen else []
        pid = partnership.id
    outcomes = [
        (m.recipient.name, deliver(factory, sender, m, pid, partnership_slug, now))
        for m in messages
    ]
    try:
        # The charts follow into each sent digest's thread, under keys of their own.
        digest_charts.deliver_due(
            factory, sender, pid, partnership_slug, now, meeting_id=meeting_id
        )
    except Exception:  # the digests are sent; the next scheduled run tries the charts again
        log.exception("charts of the digest for meeting %s failed", meeting_id)
    return outcomes


OUTCOME_WORDS = say.OUTCOME_WORDS


def finish_send(
    factory: sessionmaker[Session], sender: Sender, reply: Reply, now: dt.datetime
) -> Reply:
    """Carry out the send that ``/csp digest send`` asked for; other replies pass through.

    Called through :func:`bot.schedule.finish.finish` by the Slack edge, after
    the command's own transaction has committed (the outbox claims in
    transactions of its own), which shows the person the reply it returns.
    """
    request: dict[str, Any] | None = reply.data.get("send") if reply.template == SEND else None
    if not request:
        return reply
    outcomes = send_digest(factory, sender, request["partnership"], request["meeting_id"], now)
    results = [
        {"name": name, "outcome": OUTCOME_WORDS.get(o, o), "ok": o in ("sent", "recovered")}
        for name, o in outcomes
    ]
    sent = sum(1 for r in results if r["ok"])
    data = {**reply.data, "send": None, "done": True, "results": results}
    when = reply.data["meeting"]["date"]
    text = say.digest_sent(when=when, sent=sent, recipients=len(results))
    return Reply(SEND, data, text=text)
