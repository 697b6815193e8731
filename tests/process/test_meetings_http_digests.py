"""A meeting moved or cancelled over HTTP: its digest follows, or one note goes out once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

from sqlalchemy import select

from bot.schedule.clock import scheduler_client
from bot.schedule.run import run_due
from bot.schedule.sender import SlackSender
from bot.settings import Settings
from storage.dates import uk
from storage.models import Meeting, Notification
from storage.workdays import WorkingCalendar
from tests.e2e import REPO, Stack, all_text, validate
from tests.process.meetingskit import (
    LONDON,
    acked,
    clean,
    e2e,
    meeting_on,
    reply,
    riverside_meetings,
    thursday,
    today,
)

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


def sweep(e2e: Stack, day: dt.date, hour: int = 10) -> None:
    """Every sweep once, in-process, as at ``hour`` London time on ``day``."""
    settings = Settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=e2e.fake.base_url)
    sender = SlackSender(scheduler_client(settings))
    at = dt.datetime.combine(day, dt.time(hour), LONDON).astimezone(dt.UTC)
    run_due(e2e.db.factory, sender, at, partnership="riverside")


def run_due_process(e2e: Stack, day: dt.date, hour: int = 10) -> str:
    """``csp-bot run-due --at`` as its own process; its output."""
    env = {
        **os.environ,
        "DATABASE_URL": e2e.url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": e2e.fake.base_url,
        "PYTHONPATH": str(REPO),
    }
    at = f"{day.isoformat()}T{hour:02d}:00"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run-due", "--at", at],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,  # a safety net only: the process's end is the event
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def keyed(e2e: Stack, where: str, start: str, end: str = "") -> list[dict[str, Any]]:
    """The messages in a conversation whose outbox key starts (and ends) so."""
    found = []
    for message in e2e.fake.messages(where):
        key = str((message.get("metadata") or {}).get("event_payload", {}).get("key", ""))
        if key.startswith(start) and key.endswith(end):
            found.append(message)
    return found


def the_day_before(day: dt.date) -> dt.date:
    """The working day before ``day`` (inside its digest window)."""
    return WorkingCalendar("ENG").on_or_before(day - dt.timedelta(days=1))


def test_a_meeting_moved_before_its_digest_takes_the_digest_with_it(e2e: Stack) -> None:
    old, new = thursday(6), thursday(8)
    acked(e2e.server.command("U0CORA", f"meeting add {uk(old)}"))
    meeting = meeting_on(e2e, old)
    moved = e2e.server.command("U0CORA", f"meeting move {uk(old)} to {uk(new)}")
    acked(moved)
    assert "Its digest will go before the new day" in all_text(reply(e2e, moved))
    period = f"meeting:{meeting.id}"
    sweep(e2e, the_day_before(old))
    assert keyed(e2e, "U0CHRIS", "digest|", period) == []  # not on the old day
    sweep(e2e, the_day_before(new))
    [digest] = keyed(e2e, "U0CHRIS", "digest|", period)
    assert uk(new) in all_text(digest)
    assert keyed(e2e, "U0CHRIS", "meeting_moved|") == []  # no digest had gone: no note


def test_a_cancelled_meeting_gets_no_digest(e2e: Stack) -> None:
    day = thursday(6)
    acked(e2e.server.command("U0CORA", f"meeting add {uk(day)}"))
    meeting = meeting_on(e2e, day)
    cancel = e2e.server.command("U0CORA", f"meeting cancel {uk(day)}")
    acked(cancel)
    text = all_text(reply(e2e, cancel))
    assert "Cancelled" in text and "No digest goes out" in text, text
    assert day not in {m.date for m in riverside_meetings(e2e)}
    sweep(e2e, the_day_before(day))
    assert keyed(e2e, "U0CHRIS", "digest|", f"meeting:{meeting.id}") == []
    assert keyed(e2e, "C0RBOARD", "digest|", f"meeting:{meeting.id}") == []


def test_moved_after_its_digest_the_recipients_get_one_note_not_a_second_digest(
    e2e: Stack,
) -> None:
    old, new = thursday(6), thursday(8)
    acked(e2e.server.command("U0CORA", f"meeting add {uk(old)} 10:00"))
    meeting = meeting_on(e2e, old)
    period = f"meeting:{meeting.id}"
    sweep(e2e, the_day_before(old))
    for where in ("U0CHRIS", "C0RBOARD"):
        assert len(keyed(e2e, where, "digest|", period)) == 1, where

    moved = e2e.server.command("U0CORA", f"meeting move {uk(old)} to {uk(new)}")
    assert ":hourglass" in all_text(acked(moved))
    report = all_text(reply(e2e, moved))
    assert "already gone to 2 recipients" in report and "Chris Chair: told" in report, report
    for where in ("U0CHRIS", "C0RBOARD"):
        [note] = keyed(e2e, where, "meeting_moved|", f"{period}:move:1")
        validate(note["blocks"])
        text = all_text(note)
        assert f"on {uk(old)} has moved to" in text and uk(new) in text, text
        assert "no new one will be sent" in text

    # The sweeps, in-process and as a process, twice, and in the new digest window:
    # no second note, no second digest.
    sweep(e2e, the_day_before(new))
    run_due_process(e2e, the_day_before(new))
    run_due_process(e2e, the_day_before(new), 12)
    for where in ("U0CHRIS", "C0RBOARD"):
        assert len(keyed(e2e, where, "digest|", period)) == 1, where
        assert len(keyed(e2e, where, "meeting_moved|")) == 1, where
    assert keyed(e2e, "U0MO", "meeting_moved|") == []  # only those the digest went to


def test_a_note_slack_would_not_take_is_sent_once_by_a_later_sweep(e2e: Stack) -> None:
    """Slack rate-limits the notes as the move is made: the claims stay, a sweep sends each once."""
    old, new = thursday(6), thursday(8)
    acked(e2e.server.command("U0CORA", f"meeting add {uk(old)}"))
    meeting = meeting_on(e2e, old)
    sweep(e2e, the_day_before(old))
    e2e.fake.fail("chat.postMessage", "ratelimited", times=2)  # both notes, once each
    moved = e2e.server.command("U0CORA", f"meeting move {uk(old)} to {uk(new)}")
    acked(moved)
    assert "not told yet" in all_text(reply(e2e, moved))
    assert keyed(e2e, "U0CHRIS", "meeting_moved|") == []
    # Weeks later (long past the outbox's lease), twice: each note goes exactly once.
    run_due_process(e2e, the_day_before(new))
    run_due_process(e2e, the_day_before(new), 12)
    for where in ("U0CHRIS", "C0RBOARD"):
        assert len(keyed(e2e, where, "meeting_moved|")) == 1, where
    with e2e.db.session() as session:
        rows = session.scalars(
            select(Notification).where(
                Notification.kind == "meeting_moved",
                Notification.period == f"meeting:{meeting.id}:move:1",
            )
        ).all()
        assert len(rows) == 2 and {r.state.value for r in rows} == {"sent"}


def test_a_move_committed_but_never_finished_is_sent_once_by_the_sweeps(e2e: Stack) -> None:
    """As if the web process died right after the move's commit: run-due sends the notes."""
    from partnership import meetings

    old, new = thursday(6), thursday(8)
    acked(e2e.server.command("U0CORA", f"meeting add {uk(old)}"))
    meeting = meeting_on(e2e, old)
    sweep(e2e, the_day_before(old))
    with e2e.db.session() as session:
        row = session.get(Meeting, meeting.id)
        assert row is not None
        meetings.move(session, row, new, today=today(), now=dt.datetime.now(dt.UTC))
        session.commit()
    assert keyed(e2e, "U0CHRIS", "meeting_moved|") == []
    run_due_process(e2e, the_day_before(new))
    run_due_process(e2e, the_day_before(new), 12)
    for where in ("U0CHRIS", "C0RBOARD"):
        assert len(keyed(e2e, where, "meeting_moved|")) == 1, where
        assert len(keyed(e2e, where, "digest|", f"meeting:{meeting.id}")) == 1, where
