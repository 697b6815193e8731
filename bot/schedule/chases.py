"""A coordinator's ``/csp chase``, sent through the outbox after the command has committed.

:func:`commands.chase.chase` finds who to chase and renders each lead's direct
message; its report asks for them to be sent (``data["send"]``). The Slack edge
and the console hand that report to :func:`finish_chase` (through
:func:`bot.schedule.finish.finish`), which delivers each message with
:func:`bot.schedule.outbox.deliver` — claimed under (``chase``, ``person:<id>``,
the local date) in a transaction of its own, sent, marked — and fills the
report in from what happened to each lead:

* **reached**: sent now (or found in Slack after a crash, and marked sent);
* **already**: chased earlier today (the time is shown), so not messaged again;
* **busy**: another chase is messaging them at this moment;
* **retry**: Slack did not take it for now; the clock tries again after the lease;
* **failed**: Slack refused it (a deactivated account...), in words; chasing
  again the same day tries again, in case the Slack id has been fixed.

A process killed between Slack accepting a message and its mark leaves the
claim unsent: the clock's next run after the lease (or the next chase) checks
Slack for it and marks it sent rather than sending it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.base import Message, Recipient, Sender
from bot.schedule.outbox import ALREADY, BUSY, FAILED, RECOVERED, RETRY, SENT, deliver
from partnership.chasing import KIND, REPORT, reason
from partnership.context import Reply
from partnership.messages import delivery as say
from storage.models import Notification

log = logging.getLogger("csp_bot.chase")

# What a lead whose delivery raised (the database, not Slack) is told about.
OUR_SIDE = say.CHASE_OUR_SIDE


def messages(request: dict[str, Any]) -> list[Message]:
    """The outbox messages a chase's report asks for, one per lead on Slack."""
    return [
        Message(
            KIND,
            Recipient(dm["target"], dm["address"], dm["name"], dm["email"]),
            request["period"],
            dm["reply"],
            meta={"refs": dm["refs"]},
            requested=True,
        )
        for dm in request["dms"]
    ]


def finish_chase(
    factory: sessionmaker[Session], sender: Sender, reply: Reply, now: dt.datetime
) -> Reply:
    """Send the direct messages a chase asked for, and return its report filled in."""
    request: dict[str, Any] | None = reply.data.get("send")
    if reply.template != REPORT or not request:
        return reply
    pid, slug = request["partnership_id"], request["slug"]
    outcomes: list[tuple[dict[str, Any], str]] = []
    for dm, message in zip(request["dms"], messages(request), strict=True):
        try:
            outcome = deliver(factory, sender, message, pid, slug, now)
        except Exception:  # a database hiccup on one lead: the others are still chased
            log.exception("chase of %s failed", dm["target"])
            outcome = "error"
        outcomes.append((dm, outcome))
    rows = _rows(factory, pid, request["period"], [dm["target"] for dm in request["dms"]])
    zone = ZoneInfo(request["timezone"])
    data: dict[str, Any] = {
        **reply.data,
        "send": None,
        "done": True,
        "reached": [],
        "failed": [],
        "already": [],
        "busy": [],
        "retry": [],
    }
    for dm, outcome in outcomes:
        lead = {"name": dm["name"], "refs": dm["refs"], "count": dm["count"]}
        row = rows.get(dm["target"])
        if outcome in (SENT, RECOVERED):
            data["reached"].append(lead)
        elif outcome == ALREADY:
            when = row.sent_at if row is not None else None
            at = f"{when.astimezone(zone):%H:%M}" if when is not None else ""
            data["already"].append({**lead, "at": at})
        elif outcome == BUSY:
            data["busy"].append(lead)
        elif outcome == RETRY:
            data["retry"].append(lead)
        elif outcome == FAILED:
            error = row.last_error if row is not None else None
            data["failed"].append({**lead, "reason": reason(error)})
        else:
            data["failed"].append({**lead, "reason": OUR_SIDE})
    data["leads"] = len(data["reached"])
    data["actions"] = sum(lead["count"] for lead in data["reached"])
    text = say.chased(leads=data["leads"], actions=data["actions"], already=len(data["already"]))
    return Reply(REPORT, data, text=text)


def _rows(
    factory: sessionmaker[Session], pid: int, period: str, targets: list[str]
) -> dict[str, Notification]:
    """Today's chase rows for these leads, by target (for the times and errors shown)."""
    with factory() as session:
        found = session.scalars(
            select(Notification).where(
                Notification.partnership_id == pid,
                Notification.kind == KIND,
                Notification.period == period,
                Notification.target.in_(targets),
            )
        ).all()
        session.expunge_all()
    return {row.target: row for row in found}
