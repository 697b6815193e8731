"""A meeting cancelled over HTTP after its digest went: one "cancelled" note to each, once."""

from __future__ import annotations

from sqlalchemy import select

from storage.dates import uk
from storage.models import Notification
from tests.e2e import Stack, all_text, validate
from tests.process.meetingskit import acked, clean, e2e, meeting_on, reply, thursday
from tests.process.test_meetings_http_digests import keyed, run_due_process, sweep, the_day_before

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


def test_cancelled_after_its_digest_the_recipients_are_told_once(e2e: Stack) -> None:
    day = thursday(6)
    acked(e2e.server.command("U0CORA", f"meeting add {uk(day)} 10:00"))
    meeting = meeting_on(e2e, day)
    sweep(e2e, the_day_before(day))
    for where in ("U0CHRIS", "C0RBOARD"):
        assert len(keyed(e2e, where, "digest|", f"meeting:{meeting.id}")) == 1, where

    cancel = e2e.server.command("U0CORA", f"meeting cancel {uk(day)}")
    assert ":hourglass" in all_text(acked(cancel))
    report = all_text(reply(e2e, cancel))
    assert "already gone to 2 recipients" in report and "Chris Chair: told" in report, report
    period = f"cancelled:{meeting.id}:{day.isoformat()}:cancel"
    for where in ("U0CHRIS", "C0RBOARD"):
        [note] = keyed(e2e, where, "meeting_cancelled|", period)
        validate(note["blocks"])
        assert f"meeting on {day:%A} {uk(day)} is cancelled" in all_text(note), all_text(note)

    # The sweeps again, in-process and as two processes (two clocks): no second note.
    sweep(e2e, the_day_before(day))
    run_due_process(e2e, the_day_before(day))
    run_due_process(e2e, the_day_before(day), 12)
    for where in ("U0CHRIS", "C0RBOARD"):
        assert len(keyed(e2e, where, "meeting_cancelled|")) == 1, where
        assert len(keyed(e2e, where, "digest|")) == 1, where
    assert keyed(e2e, "U0MO", "meeting_cancelled|") == []  # only those the digest went to


def test_a_note_slack_would_not_take_goes_once_with_the_next_sweep(e2e: Stack) -> None:
    day = thursday(6)
    acked(e2e.server.command("U0CORA", f"meeting add {uk(day)}"))
    sweep(e2e, the_day_before(day))
    e2e.fake.fail("chat.postMessage", "ratelimited", times=2)  # both notes, once each
    cancel = e2e.server.command("U0CORA", f"meeting cancel {uk(day)}")
    acked(cancel)
    assert "not told yet" in all_text(reply(e2e, cancel))
    assert keyed(e2e, "U0CHRIS", "meeting_cancelled|") == []
    later = the_day_before(day)
    run_due_process(e2e, later, 14)
    run_due_process(e2e, later, 15)
    for where in ("U0CHRIS", "C0RBOARD"):
        assert len(keyed(e2e, where, "meeting_cancelled|")) == 1, where
    with e2e.db.session() as session:
        kinds = session.scalars(
            select(Notification.state).where(Notification.kind == "meeting_cancelled")
        ).all()
    assert len(kinds) == 2 and all(k.value == "sent" for k in kinds), kinds


def test_cancelled_before_its_digest_sends_no_note(e2e: Stack) -> None:
    day = thursday(6)
    acked(e2e.server.command("U0CORA", f"meeting add {uk(day)}"))
    cancel = e2e.server.command("U0CORA", f"meeting cancel {uk(day)}")
    acked(cancel)
    assert "No digest goes out" in all_text(reply(e2e, cancel))
    sweep(e2e, the_day_before(day))
    assert keyed(e2e, "U0CHRIS", "meeting_cancelled|") == []
    assert keyed(e2e, "U0CHRIS", "digest|") == []
