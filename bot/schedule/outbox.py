"""The outbox: claim a message under a unique key, commit, send it, mark it sent.

Exactly once, in the face of a second clock, a restart or a crash:

1. **Claim** in a transaction of its own: insert ``notification(kind, target,
   period)`` with the rendered payload, and commit. The unique key means a
   second process inserting the same message fails and sends nothing.
2. **Send** the stored payload, outside any transaction (Slack can be slow).
3. **Mark** it sent (or failed) in another transaction.

A claim still ``claimed`` after :data:`LEASE` belongs to a process that died
(or a send that failed for a reason worth retrying). The next sweep takes it
over with a compare-and-set on ``claimed_at`` so only one process can, asks
the sender whether the message reached Slack before the crash (every message
carries its key in Slack's message metadata), and sends it only if not. So a
crash between claim and send loses nothing, and a crash between send and mark
sends nothing twice.

A message a person asked for (:attr:`~bot.schedule.base.Message.requested`: a
coordinator's ``/csp chase``) goes the same way, with two differences: its
failure is marked reported, since the person reads it in their reply, and a
claim that failed earlier is claimed afresh when they ask again (they may have
fixed the Slack id), after checking Slack for it like a take-over.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.base import Message, Sender
from storage.db import transaction
from storage.models import Notification, NotificationState

log = logging.getLogger("csp_bot.outbox")

# How long a claim may stay unsent before another sweep may take it over. Far
# longer than one send can take (10 s timeout, a few retries honouring
# Retry-After), far shorter than a working morning.
LEASE = dt.timedelta(minutes=10)
# Sends of one message that failed for a reason worth retrying, before giving up
# and reporting it to the coordinators.
MAX_ATTEMPTS = 4

SENT, ALREADY, BUSY, FAILED, RETRY, RECOVERED = (
    "sent",
    "already",
    "busy",
    "failed",
    "retry",
    "recovered",
)


def key_of(kind: str, target: str, period: str) -> str:
    """The message's unique key as text (carried in Slack's message metadata)."""
    return f"{kind}|{target}|{period}"


@dataclass
class Tally:
    """What one run did: each message's key and outcome, in order."""

    outcomes: list[tuple[str, str]] = field(default_factory=list)

    def add(self, key: str, outcome: str) -> None:
        """Record one message's outcome."""
        self.outcomes.append((key, outcome))

    def count(self, outcome: str) -> int:
        """How many messages had this outcome."""
        return sum(1 for _, o in self.outcomes if o == outcome)

    def summary(self) -> str:
        """One line: sent, retried, failed, already sent, busy."""
        parts = [
            f"{self.count(SENT) + self.count(RECOVERED)} sent",
            f"{self.count(RETRY)} to retry",
            f"{self.count(FAILED)} failed",
            f"{self.count(ALREADY)} already sent",
        ]
        if self.count(BUSY):
            parts.append(f"{self.count(BUSY)} being sent by another process")
        return ", ".join(parts)


def deliver(
    factory: sessionmaker[Session],
    sender: Sender,
    message: Message,
    partnership_id: int,
    slug: str,
    now: dt.datetime,
) -> str:
    """Claim, send and mark one message; return what happened (sent, already, busy...)."""
    recipient = message.recipient
    if not recipient.address:
        raise ValueError(f"{recipient.name} is not on Slack; sweeps list them for email instead")
    try:
        with transaction(factory) as session:
            row = session.scalar(
                select(Notification).where(
                    Notification.kind == message.kind,
                    Notification.target == recipient.target,
                    Notification.period == message.period,
                )
            )
            if row is not None:
                existing = (row.id, row.state, row.claimed_at)
            else:
                existing = None
                note = Notification(
                    partnership_id=partnership_id,
                    kind=message.kind,
                    target=recipient.target,
                    period=message.period,
                    state=NotificationState.CLAIMED,
                    claimed_at=now,
                    attempts=0,
                    address=recipient.address,
                    payload=sender.prepare(message.reply, slug),
                )
                session.add(note)
                if message.on_claim is not None:
                    message.on_claim(session)
                session.flush()
                claimed_id = note.id
    except IntegrityError:
        # Another process inserted the same key between our read and our insert.
        return BUSY
    told = message.requested
    if existing is not None:
        row_id, state, claimed_at = existing
        if state == NotificationState.FAILED and told:
            return _claim_again(factory, sender, message, slug, row_id, now)
        if state != NotificationState.CLAIMED:
            return ALREADY
        if claimed_at > now - LEASE:
            return BUSY
        return _take_over(factory, sender, row_id, claimed_at, now, told=told)
    return _send(factory, sender, claimed_id, now, check_first=False, told=told)


def _claim_again(
    factory: sessionmaker[Session],
    sender: Sender,
    message: Message,
    slug: str,
    row_id: int,
    now: dt.datetime,
) -> str:
    """Claim a failed message afresh, with today's address and text, and send it.

    A compare-and-set from ``failed`` so that two people asking at once send it
    once. Slack is checked first all the same: a message that failed after its
    last retry timed out may have reached Slack after all.
    """
    with transaction(factory) as session:
        taken = session.execute(
            update(Notification)
            .where(Notification.id == row_id, Notification.state == NotificationState.FAILED)
            .values(
                state=NotificationState.CLAIMED,
                claimed_at=now,
                attempts=0,
                last_error=None,
                reported=False,
                address=message.recipient.address,
                payload=sender.prepare(message.reply, slug),
            )
            .execution_options(synchronize_session=False)
        )
        won = getattr(taken, "rowcount", 0) == 1
        if won and message.on_claim is not None:
            message.on_claim(session)
    if not won:
        return BUSY
    return _send(factory, sender, row_id, now, check_first=True, told=True)


def retry_stale(
    factory: sessionmaker[Session],
    sender: Sender,
    partnership_id: int,
    now: dt.datetime,
    tally: Tally,
) -> None:
    """Take over and finish every claim of a partnership left unsent past its lease."""
    with factory() as session:
        rows = session.execute(
            select(
                Notification.id,
                Notification.claimed_at,
                Notification.kind,
                Notification.target,
                Notification.period,
            )
            .where(
                Notification.partnership_id == partnership_id,
                Notification.state == NotificationState.CLAIMED,
                Notification.claimed_at <= now - LEASE,
                # Only outbox rows carry what to resend (chases claimed before
                # the outbox handled them, under a minute's key, do not).
                Notification.address.is_not(None),
            )
            .order_by(Notification.id)
        ).all()
    for row in rows:
        outcome = _take_over(factory, sender, row.id, row.claimed_at, now)
        tally.add(key_of(row.kind, row.target, row.period), outcome)


def _take_over(
    factory: sessionmaker[Session],
    sender: Sender,
    row_id: int,
    claimed_at: dt.datetime,
    now: dt.datetime,
    *,
    told: bool = False,
) -> str:
    """Compare-and-set the claim to ourselves, then send unless Slack already has it."""
    with transaction(factory) as session:
        taken = session.execute(
            update(Notification)
            .where(
                Notification.id == row_id,
                Notification.state == NotificationState.CLAIMED,
                Notification.claimed_at == claimed_at,
            )
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        won = getattr(taken, "rowcount", 0) == 1
    if not won:
        return BUSY
    return _send(factory, sender, row_id, now, check_first=True, told=told)


def _send(
    factory: sessionmaker[Session],
    sender: Sender,
    row_id: int,
    now: dt.datetime,
    *,
    check_first: bool,
    told: bool = False,
) -> str:
    """Send a claimed row's payload and record the result (``told``: the asker reads it)."""
    with factory() as session:
        row = session.get(Notification, row_id)
        assert row is not None
        address, payload = row.address or "", dict(row.payload or {})
        key = key_of(row.kind, row.target, row.period)
        partnership_id = row.partnership_id
    if check_first and sender.already_posted(address, key):
        # The process that claimed it died after Slack accepted the message.
        log.info("outbox: %s reached Slack before a crash; marking it sent", key)
        _mark(factory, row_id, now, ok=True, error=None, transient=False, told=told)
        return RECOVERED
    started = time.perf_counter()
    delivery = sender.post(address, payload, key)
    outcome = _mark(factory, row_id, now, delivery.ok, delivery.error, delivery.transient, told)
    # One line per send: what kind, for which partnership, how it went; never the text.
    log.info(
        "send",
        extra={
            "event": "send",
            "partnership": partnership_id,
            "kind": key.split("|", 1)[0],
            "outcome": outcome,
            "error": delivery.error or "",
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return outcome


def _mark(
    factory: sessionmaker[Session],
    row_id: int,
    now: dt.datetime,
    ok: bool,
    error: str | None,
    transient: bool,
    told: bool,
) -> str:
    with transaction(factory) as session:
        row = session.get(Notification, row_id)
        assert row is not None
        row.attempts = (row.attempts or 0) + 1
        if ok:
            row.state, row.sent_at, row.last_error = NotificationState.SENT, now, None
            return SENT
        row.last_error = (error or "unknown error")[:300]
        if transient and row.attempts < MAX_ATTEMPTS:
            # Left claimed: the next sweep after the lease tries again.
            row.claimed_at = now
            log.warning(
                "outbox: %s|%s|%s will be retried: %s",
                row.kind,
                row.target,
                row.period,
                row.last_error,
            )
            return RETRY
        row.state = NotificationState.FAILED
        # Whoever asked for it reads the failure in their reply; the coordinators'
        # "could not be delivered" message must not tell them again.
        row.reported = row.reported or told
        log.warning("outbox: %s|%s|%s failed: %s", row.kind, row.target, row.period, row.last_error)
        return FAILED
