"""``/csp meeting …`` end to end: signed HTTP into the real server, the fake Slack, both databases.

Each test checks the ack (or the response-URL reply of a slow command or a
button), what Slack was sent, and what the database holds: a refusal leaves
the meeting and outbox row counts as they were. The moved-meeting note is
checked through the real sweeps (``run_due`` in-process, and ``csp-bot run-due``
as a process) against the same fake Slack: sent once, never twice.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from sqlalchemy import func, select

from bot.schedule.clock import scheduler_client
from bot.schedule.run import run_due
from bot.schedule.sender import SlackSender
from bot.settings import Settings
from partnership.series import parse_series
from storage.dates import uk
from storage.models import Meeting, Notification, Partnership
from storage.workdays import WorkingCalendar
from tests.e2e import ACK_LIMIT, REPO, Response, Stack, all_text, running, validate

LONDON = ZoneInfo("Europe/London")
BANK = holidays.country_holidays("GB", subdiv="ENG", years=range(2026, 2032))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server on riverside and hillford, and the fake Slack, per backend."""
    workdir = tmp_path_factory.mktemp(f"meetings-{request.param}")
    with running(request, workdir) as stack:
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans; the server logs no traceback."""
    e2e.reset()
    seen = len(e2e.server.output())
    yield e2e
    time.sleep(0.05)  # let a lazy listener's last log line land
    new = e2e.server.output()[seen:]
    assert "Traceback" not in new, new[-4000:]


def acked(response: Response) -> dict[str, Any]:
    """A prompt 200 ack's JSON body."""
    assert response.status == 200, (response.status, response.body)
    assert response.elapsed < ACK_LIMIT, f"ack took {response.elapsed:.2f}s"
    body = response.json
    if body.get("blocks"):
        validate(body["blocks"])
    return body


def today() -> dt.date:
    """Today in London, as the server reckons it."""
    return dt.datetime.now(LONDON).date()


def thursday(weeks: int) -> dt.date:
    """A Thursday at least ``weeks`` weeks ahead whose Wednesday and itself are working days."""
    day = today() + dt.timedelta(weeks=weeks)
    day += dt.timedelta(days=(3 - day.weekday()) % 7)
    while day in BANK or day - dt.timedelta(days=1) in BANK:
        day += dt.timedelta(weeks=1)
    return day


def counts(e2e: Stack) -> tuple[int, int]:
    """How many meetings and outbox rows the database holds."""
    with e2e.db.session() as session:
        meetings = session.scalar(select(func.count()).select_from(Meeting)) or 0
        notes = session.scalar(select(func.count()).select_from(Notification)) or 0
    return meetings, notes


def riverside_meetings(e2e: Stack) -> list[Meeting]:
    """Riverside's meetings, by date."""
    with e2e.db.session() as session:
        pid = select(Partnership.id).where(Partnership.slug == "riverside").scalar_subquery()
        return list(
            session.scalars(
                select(Meeting).where(Meeting.partnership_id == pid).order_by(Meeting.date)
            )
        )


def meeting_on(e2e: Stack, day: dt.date) -> Meeting:
    """Riverside's Leadership Group meeting on ``day``."""
    [meeting] = [m for m in riverside_meetings(e2e) if m.date == day and m.subgroup_id is None]
    return meeting


def reply(e2e: Stack, response: Response) -> dict[str, Any]:
    """The reply a slow command or a button posted to its response URL."""
    [posted] = e2e.fake.wait_for("response_url", where=lambda c: c.path.endswith(response.token))
    validate(posted.params["blocks"])
    return posted.params


# --------------------------------------------------------------------------- add and list


def test_a_coordinator_adds_a_meeting_and_everyone_sees_it_escaped(e2e: Stack) -> None:
    day = thursday(8)
    line = f'meeting add {uk(day)} 10:30 Review <!channel> & co location:"Town <Hall>"'
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "1 meeting added" in text and "10:30" in text, text
    assert "&lt;!channel&gt; &amp; co" in text and "Town &lt;Hall&gt;" in text, text
    assert "<!channel>" not in text
    meeting = meeting_on(e2e, day)
    assert (meeting.title, meeting.location) == ("Review <!channel> & co", "Town <Hall>")
    assert meeting.time == dt.time(10, 30)
    listed = all_text(acked(e2e.server.command("U0MO", "meeting list")))
    assert uk(day) in listed and "&lt;!channel&gt;" in listed, listed
    assert "Only a coordinator can add" in listed


def test_a_sub_group_meeting_by_name(e2e: Stack) -> None:
    day = thursday(9)
    line = f"meeting add {uk(day)} 2pm group:ASB Steering Group"
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "ASB Steering Group" in text and "14:00" in text, text
    [meeting] = [m for m in riverside_meetings(e2e) if m.date == day]
    assert meeting.subgroup_id is not None


def test_a_series_is_shown_then_saved_by_its_confirm_button(e2e: Stack) -> None:
    before = counts(e2e)
    had = {m.date for m in riverside_meetings(e2e)}
    rule = "every third Thursday of Jan, Mar, May, Jul, Sep and Nov"
    body = acked(e2e.server.command("U0CORA", f"meeting add {rule} at 10:00"))
    text = all_text(body)
    expected = parse_series(rule, today=today()).dates
    for day in expected:
        assert uk(day) in text, text
    assert "Nothing is saved until you confirm" in text and "a year of meetings" in text
    assert counts(e2e) == before  # shown, not saved
    [button] = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == "meeting_confirm"
    new = [d for d in expected if d not in had]
    assert button["text"]["text"] == f"Confirm {len(new)} meetings"
    pressed = e2e.server.block_action("U0CORA", button)
    acked(pressed)
    assert f"{len(new)} meetings added" in all_text(reply(e2e, pressed))
    days = {m.date: m for m in riverside_meetings(e2e) if m.subgroup_id is None}
    for day in expected:
        assert day in days and days[day].time == dt.time(10), day
    assert counts(e2e) == (before[0] + len(new), before[1])
    # Pressed again, nothing new: every day is taken now, and the reply says so.
    again = e2e.server.block_action("U0CORA", button)
    acked(again)
    assert "already meets" in all_text(reply(e2e, again))
    assert counts(e2e) == (before[0] + len(new), before[1])


def test_a_series_confirmed_by_typing(e2e: Stack) -> None:
    start = thursday(10)
    line = f"meeting add every 2 months from {uk(start)} for 3 meetings title:Board confirm"
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "3 meetings added" in text, text
    saved = [m for m in riverside_meetings(e2e) if m.title == "Board"]
    assert [m.date.day for m in saved] == [start.day] * 3


# --------------------------------------------------------------------------- refusals


def _refusals() -> list[tuple[str, str]]:
    march = "11/03/2027"  # riverside's own meeting (tests/fixtures/plans/riverside.yaml)
    return [
        ("meeting add 31/02/2027", "not a real date"),
        ("meeting add March 2027", "day first"),
        ("meeting add", "Give the meeting's date"),
        ("meeting add 21/01/2031 25:00", "not a time"),
        ("meeting add 21/01/2031 group:Nope", "no sub-group"),
        (f"meeting add {march}", "already meets"),
        ("meeting add every blue moon", "every third Thursday"),
        ("meeting add every 2 months", "from 21/01/2027"),
        ("meeting add every month from 21/01/2031 until 30/11/2031 for 3 meetings", "not both"),
        ("meeting move 21/01/2031 to 28/01/2031", "no Riverside Leadership Group meeting"),
        (f"meeting move {march}", "meeting move 21/01/2027 to 28/01/2027"),
        (f"meeting move {march} to 01/01/2020", "has passed"),
        (f"meeting move {march} to {march}", "already"),
        ("meeting cancel 30/02/2027", "not a real date"),
        ("meeting cancel 22/01/2031", "no Riverside Leadership Group meeting"),
    ]


@pytest.mark.parametrize(("line", "hint"), _refusals())
def test_bad_input_is_refused_privately_and_writes_nothing(
    e2e: Stack, line: str, hint: str
) -> None:
    before = counts(e2e)
    body = acked(e2e.server.command("U0CORA", line))
    if line.startswith("meeting move"):  # slow: acked at once, answered after
        assert ":hourglass" in all_text(body)
        [posted] = e2e.fake.wait_for("response_url")
        body = posted.params
    text = all_text(body)
    assert ":warning:" in text and hint in text, text
    assert "Nothing was" in text or "nothing was" in text or "Give" in text, text
    assert body.get("response_type", "ephemeral") == "ephemeral"
    assert counts(e2e) == before
    assert [m.date for m in riverside_meetings(e2e)] == [
        dt.date(2026, 12, 10),
        dt.date(2027, 3, 11),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "meeting add 21/01/2031",
        "meeting add every 2 months from 21/01/2031 confirm",
        "meeting move 11/03/2027 to 18/03/2027",
        "meeting cancel 11/03/2027",
    ],
)
def test_only_a_coordinator_may_change_meetings(e2e: Stack, line: str) -> None:
    before = counts(e2e)
    body = acked(e2e.server.command("U0LEE", line))
    if "move" in line:
        [posted] = e2e.fake.wait_for("response_url")
        body = posted.params
    text = all_text(body)
    assert "only a coordinator (Cora Coordinator)" in text, text
    assert counts(e2e) == before


def test_a_confirm_button_pressed_by_a_lead_saves_nothing(e2e: Stack) -> None:
    """The button runs its line with the presser's rights, not the coordinator's."""
    body = acked(e2e.server.command("U0CORA", "meeting add every 2 months from 21/01/2031"))
    [button] = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    before = counts(e2e)
    pressed = e2e.server.block_action("U0LEE", button)
    acked(pressed)
    assert "only a coordinator" in all_text(reply(e2e, pressed))
    assert counts(e2e) == before


# --------------------------------------------------------------------------- digests


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
    text = all_text(acked(e2e.server.command("U0CORA", f"meeting cancel {uk(day)}")))
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
