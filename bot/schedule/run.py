"""``run-due``: every sweep, once, for every partnership, as if at one moment.

For each partnership whose working hours are open at that moment (not a
weekend, not a bank holiday of its nation, not its quiet hours), in order:

1. finish claims left unsent by a crashed or failing earlier run (the outbox);
2. ask each sweep what is due now and deliver it through the outbox;
3. tell the coordinators about any message that could not be delivered.

Running it again for the same moment sends nothing new: every message is
keyed by (kind, recipient, period) and the outbox sends each key once. A
failure in one partnership (or one message) is logged and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import digest_charts, digests, moved, nudges, returns, rollup
from bot.schedule.base import Message, Sender, Sweep, coordinators, on_slack
from bot.schedule.outbox import Tally, deliver, key_of, retry_stale
from partnership.chasing import reason
from partnership.context import Context, Reply
from partnership.messages import delivery as say
from storage.dates import period_words
from storage.models import (
    Channel,
    Notification,
    NotificationState,
    Partnership,
    Person,
    Source,
)

log = logging.getLogger("csp_bot.sweeps")

# In this order: a reminder before the digest that may list it as missing.
SWEEPS: tuple[tuple[str, Sweep], ...] = (
    ("returns", returns.due),
    ("digests", digests.due),
    ("moved", moved.due),
    ("cancelled", moved.cancelled_due),
    ("nudges", nudges.due),
    ("rollup", rollup.due),
)
UNDELIVERED = "undelivered"
# How many undelivered messages the coordinators' message lists by name (the rest are counted).
UNDELIVERED_SHOWN = 30
# Plain words for the kinds of message a coordinator may be told failed.
KIND_WORDS = {
    "return_reminder": "quarterly return reminder",
    "return_chase": "missing return chase",
    "returns_missing": "missing returns list",
    "digest": "pre-meeting digest",
    "digest_charts": "charts of the pre-meeting digest",
    "meeting_moved": "note that a meeting has moved",
    "meeting_cancelled": "note that a meeting is cancelled",
    "nudge": "overdue/stale nudge",
    "rollup": "weekly roll-up",
    "chase": "coordinator's chase",
}


def context(session: Session, partnership: Partnership, now: dt.datetime) -> Context:
    """The context a sweep runs in: no asker, the scheduler as source."""
    return Context(session, partnership, None, now, Source.SCHEDULER, operator=True)


def due_now(ctx: Context, only: str | None = None) -> list[Message]:
    """Every message due for one partnership at ``ctx.now`` (nothing when hours are closed)."""
    if not ctx.calendar.is_open(ctx.now):
        return []
    found: list[Message] = []
    for name, sweep in SWEEPS:
        if only is None or only == name:
            found.extend(sweep(ctx))
    return found


def run_due(
    factory: sessionmaker[Session],
    sender: Sender,
    now: dt.datetime,
    *,
    partnership: str | None = None,
    dry_run: bool = False,
    out: Callable[[str], None] | None = None,
) -> Tally:
    """Run every sweep once as if at ``now``; return what happened to each message."""
    tally = Tally()
    with factory() as session:
        query = select(Partnership.id, Partnership.slug).order_by(Partnership.id)
        if partnership is not None:
            query = query.where(Partnership.slug == partnership)
        targets = session.execute(query).all()
    for pid, slug in targets:
        try:
            _run_one(factory, sender, now, pid, slug, tally, dry_run, out)
        except Exception:  # one partnership's failure must not stop the others' sweeps
            log.exception("sweep of partnership %s failed", slug)
            tally.add(f"partnership|{slug}", "error")
    return tally


def _run_one(
    factory: sessionmaker[Session],
    sender: Sender,
    now: dt.datetime,
    pid: int,
    slug: str,
    tally: Tally,
    dry_run: bool,
    out: Callable[[str], None] | None,
) -> None:
    with factory() as session:
        row = session.get(Partnership, pid)
        assert row is not None
        ctx = context(session, row, now)
        if not ctx.calendar.is_open(now):
            return
        messages = due_now(ctx)
        # Rendered while the session is open, though view-models are plain data.
        prepared = [(m, sender.prepare(m.reply, slug)) for m in messages] if dry_run else []
    if dry_run:
        for message, payload in prepared:
            key = key_of(message.kind, message.recipient.target, message.period)
            if out is not None and message.recipient.address:
                sender.post(message.recipient.address, payload, key)
                if payload.get("attach"):
                    # The charts that would follow the digest into its thread.
                    charts = {"uploads": payload["attach"], "thread_of": key}
                    sender.post(message.recipient.address, charts, "digest_charts" + key[6:])
            tally.add(key, "due")
        return
    retry_stale(factory, sender, pid, now, tally)
    for message in messages:
        _deliver_one(factory, sender, message, pid, slug, now, tally)
    try:
        # After the digests just sent (and any sent before whose charts are still to go).
        digest_charts.deliver_due(factory, sender, pid, slug, now, tally)
    except Exception:  # the text digests stay sent; the charts are tried on the next run
        log.exception("charts of the digests of partnership %s failed", slug)
        tally.add(f"digest_charts|{slug}", "error")
    for message in undelivered(factory, pid, now):
        _deliver_one(factory, sender, message, pid, slug, now, tally)


def _deliver_one(
    factory: sessionmaker[Session],
    sender: Sender,
    message: Message,
    pid: int,
    slug: str,
    now: dt.datetime,
    tally: Tally,
) -> None:
    key = key_of(message.kind, message.recipient.target, message.period)
    if not message.recipient.address:
        return
    try:
        tally.add(key, deliver(factory, sender, message, pid, slug, now))
    except Exception:  # a database hiccup on one message: the rest still go
        log.exception("delivery of %s failed", key)
        tally.add(key, "error")


def undelivered(factory: sessionmaker[Session], pid: int, now: dt.datetime) -> list[Message]:
    """A message to each coordinator listing scheduled messages that could not be delivered."""
    with factory() as session:
        failed = session.scalars(
            select(Notification)
            .where(
                Notification.partnership_id == pid,
                Notification.state == NotificationState.FAILED,
                Notification.reported.is_(False),
                Notification.kind != UNDELIVERED,
            )
            .order_by(Notification.id)
        ).all()
        if not failed:
            return []
        partnership = session.get(Partnership, pid)
        assert partnership is not None
        ctx = context(session, partnership, now)
        names = _target_names(session, pid, [n.target for n in failed])
        items: list[dict[str, Any]] = [
            {
                "what": KIND_WORDS.get(n.kind, n.kind.replace("_", " ")),
                "to": names.get(n.target, n.target),
                "email": names.get(n.target + "#email", ""),
                "reason": reason(n.last_error),
                "period": period_words(n.period),
            }
            for n in failed
        ]
        last = failed[-1].id
        ids = [n.id for n in failed]
        recipients = on_slack(coordinators(ctx))
        if not recipients:
            log.warning(
                "partnership %s: %d undelivered messages and no coordinator on Slack",
                partnership.slug,
                len(ids),
            )
            return []
        data = {
            "partnership": partnership.name,
            "items": items[:UNDELIVERED_SHOWN],
            "count": len(items),
            "more": max(len(items) - UNDELIVERED_SHOWN, 0),
        }

    def mark_reported(claim: Session) -> None:
        claim.execute(
            update(Notification)
            .where(Notification.id.in_(ids))
            .values(reported=True)
            .execution_options(synchronize_session=False)
        )

    text = say.undelivered(n=len(items))
    return [
        Message(
            UNDELIVERED, r, f"upto:{last}", Reply("undelivered", data, text=text), mark_reported
        )
        for r in recipients
    ]


def _target_names(session: Session, pid: int, targets: list[str]) -> dict[str, str]:
    """Outbox targets (``person:12``, ``channel:C1``) as names, plus people's emails."""
    person_ids = [int(t.split(":", 1)[1]) for t in targets if t.startswith("person:")]
    names: dict[str, str] = {}
    if person_ids:
        for person in session.scalars(
            select(Person).where(Person.partnership_id == pid, Person.id.in_(person_ids))
        ):
            names[f"person:{person.id}"] = person.name
            names[f"person:{person.id}#email"] = person.email or ""
    for channel in session.scalars(select(Channel).where(Channel.partnership_id == pid)):
        names[f"channel:{channel.slack_channel_id}"] = f"the {channel.purpose} channel"
    return names
