"""Finishing a slow command: the outbox sends its reply asked for, after its transaction.

A command runs in one transaction and never touches Slack, yet ``/csp digest
send`` and ``/csp chase`` must send messages exactly once, which only the
outbox can do (each message claimed and marked in transactions of its own).
So such a command returns a reply whose ``data["send"]`` says what to send,
and whoever ran it — the Slack edge after the ack, or the console — passes the
reply to :func:`finish` once the command has committed. The finisher for the
reply's template sends through the outbox and returns the reply to show, which
says what happened to each recipient. Every other reply passes through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import chases, digests, moved
from bot.schedule.base import Sender
from partnership.chasing import REPORT
from partnership.context import Reply

Finisher = Callable[[sessionmaker[Session], Sender, Reply, dt.datetime], Reply]

# The reply templates that ask for sends, and what carries them out.
FINISHERS: dict[str, Finisher] = {
    digests.SEND: digests.finish_send,
    REPORT: chases.finish_chase,
    "meeting_changed": moved.finish_move,
}


def finish(factory: sessionmaker[Session], sender: Sender, reply: Reply, now: dt.datetime) -> Reply:
    """Carry out the sends ``reply`` asks for, if any, and return the reply to show."""
    finisher = FINISHERS.get(reply.template)
    if finisher is None or not reply.data.get("send"):
        return reply
    return finisher(factory, sender, reply, now)
