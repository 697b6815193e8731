"""The charts that follow a sent digest into its thread, under an outbox key of their own.

A digest's outbox payload keeps its charts (``attach``, see
bot/schedule/chart_upload.py). Once the digest is marked sent, :func:`due`
gives one ``digest_charts`` message per sent digest whose charts are not yet
claimed, keyed (``digest_charts``, recipient, ``meeting:<id>``) like the digest:
so a restart or a second clock uploads them once, and a failed upload is
retried after the lease and then reported to the coordinators like any other
outbox message, while the text digest stays sent. A digest with no charts has
nothing to follow it. Only meetings still to come are looked at.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.schedule.base import Message, Recipient, Sender
from bot.schedule.outbox import Tally, deliver, key_of
from partnership.context import Reply
from partnership.digest_meetings import KIND
from partnership.digest_uploads import CHARTS
from partnership.messages import charts as say
from storage.models import Meeting, Notification, NotificationState

# Meeting days are London days.
ZONE = ZoneInfo("Europe/London")


def due(
    factory: sessionmaker[Session], pid: int, now: dt.datetime, meeting_id: int | None = None
) -> list[Message]:
    """A charts message for each sent digest (of one meeting) with charts not yet claimed."""
    charts = aliased(Notification)
    with factory() as session:
        query = (
            select(Notification.target, Notification.period, Notification.address)
            .outerjoin(
                charts,
                and_(
                    charts.partnership_id == pid,
                    charts.kind == CHARTS,
                    charts.target == Notification.target,
                    charts.period == Notification.period,
                ),
            )
            .where(
                Notification.partnership_id == pid,
                Notification.kind == KIND,
                Notification.state == NotificationState.SENT,
                charts.id.is_(None),
            )
            .order_by(Notification.id)
        )
        if meeting_id is not None:
            query = query.where(Notification.period == f"meeting:{meeting_id}")
        rows = session.execute(query).all()
        if not rows:
            return []
        ids = {int(r.period.split(":", 1)[1]) for r in rows if r.period.startswith("meeting:")}
        today = now.astimezone(ZONE).date()
        coming = set(
            session.scalars(select(Meeting.id).where(Meeting.id.in_(ids), Meeting.date >= today))
        )
        found: list[Message] = []
        for row in rows:
            if not row.address or not row.period.startswith("meeting:"):
                continue
            if int(row.period.split(":", 1)[1]) not in coming:
                continue
            # The payload is read only for the few digests that need charts.
            payload = session.scalar(
                select(Notification.payload).where(
                    Notification.partnership_id == pid,
                    Notification.kind == KIND,
                    Notification.target == row.target,
                    Notification.period == row.period,
                )
            )
            files = list((payload or {}).get("attach") or [])
            if not files:
                continue
            data = {"files": files, "thread_of": key_of(KIND, row.target, row.period)}
            dropped = [str(x) for x in (payload or {}).get("left_out") or []]
            comment = say.charts_comment(n=len(files), left_out=dropped)
            reply = Reply(CHARTS, data, text=comment)
            recipient = Recipient(row.target, row.address, row.target)
            found.append(Message(CHARTS, recipient, row.period, reply, meta={"charts": len(files)}))
    return found


def deliver_due(
    factory: sessionmaker[Session],
    sender: Sender,
    pid: int,
    slug: str,
    now: dt.datetime,
    tally: Tally | None = None,
    meeting_id: int | None = None,
) -> None:
    """Claim and upload every digest's charts now due (see :func:`due`)."""
    for message in due(factory, pid, now, meeting_id):
        outcome = deliver(factory, sender, message, pid, slug, now)
        if tally is not None:
            tally.add(key_of(CHARTS, message.recipient.target, message.period), outcome)
