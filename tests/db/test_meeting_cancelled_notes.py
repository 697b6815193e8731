"""A meeting cancelled after its digest went: one "cancelled" note per recipient, once.

Riverside's Leadership Group meets on Thursday 10/12/2026; its digest goes on
Thursday 03/12/2026 to Chris Chair (U0CHRIS) and the board channel (C0RBOARD).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import moved
from bot.schedule.finish import finish
from bot.schedule.run import context as sweep_context
from partnership import meeting_cancelled
from partnership.context import Reply
from storage.models import Meeting, Notification
from tests import kit
from tests.sweepkit import RecordingSender, at, sweep

DAY = dt.date(2026, 12, 10)


def cancel(factory: sessionmaker[Session], when: str) -> Reply:
    """``/csp meeting cancel 10/12/2026`` by Cora at a London moment, committed."""
    with factory() as session:
        outcome, text = kit.run(kit.context(session, now=at(when)), "meeting cancel 10/12/2026")
        assert outcome.ok and isinstance(outcome.result, Reply), text
        return outcome.result


def notes(sender: RecordingSender) -> list[tuple[str, str]]:
    """(address, key) of every cancelled note posted."""
    return [(p.address, p.key) for p in sender.posts if p.kind == meeting_cancelled.CANCELLED_KIND]


def test_cancelled_after_the_digest_tells_its_recipients_once(
    imported: sessionmaker[Session],
) -> None:
    sender = RecordingSender()
    sweep(imported, sender, "2026-12-03 09:30")
    assert {p.address for p in sender.posts if p.kind == "digest"} == {"U0CHRIS", "C0RBOARD"}
    with imported() as session:
        mid = session.scalars(select(Meeting.id).where(Meeting.date == DAY)).one()
    reply = cancel(imported, "2026-12-04 11:00")
    assert reply.data["owed"] == 2
    shown = finish(imported, sender, reply, at("2026-12-04 11:00"))
    assert [t["outcome"] for t in shown.data["told"]] == ["told", "told"]
    period = f"cancelled:{mid}:{DAY.isoformat()}:cancel"
    assert sorted(a for a, k in notes(sender)) == ["C0RBOARD", "U0CHRIS"]
    assert all(k.endswith(period) for _, k in notes(sender))
    [post] = sender.to("U0CHRIS", meeting_cancelled.CANCELLED_KIND)
    assert "Riverside Leadership Group meeting on Thursday 10/12/2026 is cancelled" in post.text
    # The sweeps after (and a second clock): no second note, no digest for the day.
    sweep(imported, sender, "2026-12-04 11:05")
    sweep(imported, sender, "2026-12-07 09:30")
    assert len(notes(sender)) == 2
    assert len([p for p in sender.posts if p.kind == "digest"]) == 2


def test_a_failed_note_goes_with_the_next_sweep_and_none_after_the_day(
    imported: sessionmaker[Session],
) -> None:
    sender = RecordingSender()
    sweep(imported, sender, "2026-12-03 09:30")
    sender.fail["U0CHRIS"] = ("ratelimited", True)
    reply = cancel(imported, "2026-12-04 11:00")
    finish(imported, sender, reply, at("2026-12-04 11:00"))
    assert [a for a, _ in notes(sender)] == ["C0RBOARD"]
    del sender.fail["U0CHRIS"]
    sweep(imported, sender, "2026-12-07 09:30")  # past the outbox's lease
    assert sorted(a for a, _ in notes(sender)) == ["C0RBOARD", "U0CHRIS"]
    with imported() as session:
        partnership = kit.partnership(session)
        later = sweep_context(session, partnership, at("2026-12-11 09:30"))
        assert moved.cancelled_due(later) == []


def test_cancelled_before_the_digest_owes_no_note(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    reply = cancel(imported, "2026-12-01 11:00")
    assert not reply.data["owed"] and reply.data["send"] is None
    sweep(imported, sender, "2026-12-03 09:30")
    assert sender.posts == [] or notes(sender) == []
    with imported() as session:
        kinds = set(session.scalars(select(Notification.kind)))
    assert meeting_cancelled.CANCEL_KIND not in kinds
