"""``csp-bot run-due`` and ``csp-bot clock`` as real processes, against the fake Slack.

The crash tests kill ``run-due`` with SIGKILL while it waits on Slack for one
message (the fake hangs that request), then run it again later, and check that
every lead got exactly one message: the one in flight neither lost (if Slack
never took it) nor repeated (if Slack had taken it), and the rest sent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from bot.schedule.clock import EVERY_MINUTES, JOB_ID, ZONE, build_scheduler, parse_moment
from bot.schedule.sender import EVENT_TYPE
from storage.db import make_engine, session_factory
from storage.models import Notification, NotificationState
from tests.e2e import prepare_database_text
from tests.fakeslack import WAIT_LIMIT, FakeSlack

REPO = Path(__file__).resolve().parents[2]
LEADS = 12
MONDAY = "2026-11-23T10:00"


def crowd_plan(leads: int = LEADS) -> str:
    """A partnership whose every lead has one overdue action (so each gets one nudge)."""
    people = "\n".join(
        f"  - {{name: Lead {n:02d}, role: lead, slack: U0P{n:02d}}}" for n in range(leads)
    )
    actions = "\n".join(
        f"  - {{ref: A-{n}, title: Action {n}, owner: Lead {n:02d}, due: 01/11/2026}}"
        for n in range(leads)
    )
    return (
        "version: 1\npartnership:\n  name: Crowd CSP\n  slug: crowd\n"
        "  slack: {team_id: T0CROWD}\n"
        f"people:\n{people}\nactions:\n{actions}\n"
    )


@pytest.fixture
def crowd(database_url: str) -> Iterator[str]:
    prepare_database_text(database_url, [("crowd.yaml", crowd_plan())])
    yield database_url


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def _env(database_url: str, slack: FakeSlack) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": slack.base_url,
        "PYTHONPATH": str(REPO),
    }


# Runs started by the test running now; any left running at its end are killed.
_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _reap() -> Iterator[None]:
    """A test that failed mid-run leaves no ``run-due`` behind (waiting on a stopped fake)."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.communicate()


def run_due(database_url: str, slack: FakeSlack, at: str = MONDAY) -> subprocess.Popen[str]:
    """Start ``csp-bot run-due --at`` in a subprocess."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run-due", "--at", at],
        env=_env(database_url, slack),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _STARTED.append(process)
    return process


def finish(process: subprocess.Popen[str]) -> str:
    """Wait for a run to end successfully and return its output."""
    try:
        out, _ = process.communicate(timeout=WAIT_LIMIT)  # a safety net: the run's end is the event
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        raise AssertionError(f"the run was still going after {WAIT_LIMIT:.0f}s:\n{out}") from None
    assert process.returncode == 0, out
    return out


class Lines:
    """A process's output read line by line in a thread, so a test can wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.process = process
        self.lines: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream: Iterator[str]) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait_for(self, *texts: str) -> str:
        """The first line holding one of ``texts``; fails at once if the output ends first."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: self._ended or any(t in line for line in self.lines for t in texts),
                timeout=WAIT_LIMIT,
            )
            matching = [line for line in self.lines if any(t in line for t in texts)]
            if found and matching:
                return matching[0]
            why = "the process ended" if self._ended else f"{WAIT_LIMIT:.0f}s passed"
            raise AssertionError(f"waited for {texts} in the output, {why}:\n{self.text()}")

    def text(self) -> str:
        """Everything read so far."""
        with self._changed:
            return "".join(self.lines)

    def rest(self) -> str:
        """Everything, once the process has ended (waits for the end of its output)."""
        self._thread.join(WAIT_LIMIT)  # a safety net: the output's end is the event
        assert not self._thread.is_alive(), f"the output never ended:\n{self.text()}"
        return self.text()


def nudges_per_lead(slack: FakeSlack) -> Counter[str]:
    """How many nudge messages each lead's DM holds (by the key in their metadata)."""
    counts: Counter[str] = Counter()
    for n in range(LEADS):
        for message in slack.messages(f"U0P{n:02d}"):
            meta = message.get("metadata") or {}
            if meta.get("event_type") == EVENT_TYPE and meta["event_payload"]["key"].startswith(
                "nudge|"
            ):
                counts[f"U0P{n:02d}"] += 1
    return counts


def states(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        rows = session.execute(
            select(Notification.state, func.count()).group_by(Notification.state)
        ).all()
    engine.dispose()
    return {str(s): n for s, n in rows}


def test_run_due_sends_each_nudge_once_and_again_sends_nothing(
    crowd: str, slack: FakeSlack
) -> None:
    out = finish(run_due(crowd, slack))
    assert f"{LEADS} sent" in out
    # One JSON log line per send (stderr), with no message text and no token.
    sends = [json.loads(line) for line in out.splitlines() if '"event": "send"' in line]
    assert len(sends) == LEADS and {s["kind"] for s in sends} == {"nudge"}
    assert all(s["outcome"] == "sent" for s in sends)
    assert "Action 5" not in out and "xoxb-test-token" not in out
    assert nudges_per_lead(slack) == Counter({f"U0P{n:02d}": 1 for n in range(LEADS)})
    again = finish(run_due(crowd, slack, "2026-11-23T10:05"))
    assert "0 sent" in again
    assert sum(nudges_per_lead(slack).values()) == LEADS


def test_run_due_at_a_weekend_sends_nothing(crowd: str, slack: FakeSlack) -> None:
    out = finish(run_due(crowd, slack, "2026-11-21T10:00"))
    assert "0 sent" in out
    assert slack.calls("chat.postMessage") == []


@pytest.mark.parametrize("slack_took_it", [True, False], ids=["slack-took-it", "slack-lost-it"])
def test_killed_mid_sweep_then_run_again_sends_each_exactly_once(
    crowd: str, slack: FakeSlack, slack_took_it: bool
) -> None:
    victim = "U0P05"
    slack.hang("chat.postMessage", accept=slack_took_it, when={"channel": victim})
    process = run_due(crowd, slack)
    # Until the run makes that call (or fails at once, with its output, if it exits first).
    slack.wait_for(
        "chat.postMessage", where=lambda c: c.params.get("channel") == victim, process=process
    )
    process.send_signal(signal.SIGKILL)
    process.wait()  # SIGKILL cannot be refused
    assert process.stdout is not None
    process.stdout.close()
    slack.release()
    # The killed run left that one message claimed but not marked.
    assert states(crowd).get("claimed") == 1
    before = nudges_per_lead(slack)
    assert before[victim] == (1 if slack_took_it else 0)
    # Within the outbox's lease another run leaves the claim alone...
    finish(run_due(crowd, slack, "2026-11-23T10:05"))
    assert states(crowd).get("claimed") == 1
    # ...and after it, takes it over: sends it only if Slack never got it.
    out = finish(run_due(crowd, slack, "2026-11-23T10:15"))
    assert ("recovered" in out) == slack_took_it
    assert nudges_per_lead(slack) == Counter({f"U0P{n:02d}": 1 for n in range(LEADS)})
    assert states(crowd) == {"sent": LEADS}


def test_two_runs_at_the_same_moment_send_each_once(crowd: str, slack: FakeSlack) -> None:
    """A second clock by mistake (or run-due from cron beside the clock)."""
    first, second = run_due(crowd, slack), run_due(crowd, slack)
    finish(first)
    finish(second)
    assert nudges_per_lead(slack) == Counter({f"U0P{n:02d}": 1 for n in range(LEADS)})
    engine = make_engine(crowd)
    with session_factory(engine)() as session:
        assert (
            session.scalar(select(func.count()).where(Notification.state == NotificationState.SENT))
            == LEADS
        )
    engine.dispose()


def test_run_due_explains_a_bad_moment_and_a_missing_token(crowd: str, slack: FakeSlack) -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run-due", "--at", "next tuesday"],
        env=_env(crowd, slack),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=WAIT_LIMIT,  # a safety net: the run's end is the event
    )
    assert bad.returncode == 2 and "2027-01-04T09:30" in bad.stdout + bad.stderr
    env = _env(crowd, slack)
    del env["SLACK_BOT_TOKEN"]
    missing = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run-due", "--at", MONDAY],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=WAIT_LIMIT,  # a safety net: the run's end is the event
    )
    assert missing.returncode != 0
    assert "SLACK_BOT_TOKEN" in missing.stderr and "--dry-run" in missing.stderr
    assert "Traceback" not in missing.stderr
    dry = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run-due", "--at", MONDAY, "--dry-run"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=WAIT_LIMIT,  # a safety net: the run's end is the event
    )
    assert dry.returncode == 0, dry.stderr
    assert f"{LEADS} messages due" in dry.stdout and "Action 5" in dry.stdout
    assert states(crowd) == {}


def test_the_clock_has_one_fixed_job_in_london_time() -> None:
    scheduler = build_scheduler(lambda: None, start_now=False)
    [job] = scheduler.get_jobs()
    assert job.id == JOB_ID
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger.timezone) == "Europe/London"
    assert str(scheduler.timezone) == "Europe/London"
    fire = job.trigger.get_next_fire_time(None, dt.datetime(2027, 3, 28, 0, 58, tzinfo=ZONE))
    assert fire is not None and fire.minute % EVERY_MINUTES == 0


def test_the_clock_process_starts_and_stops_cleanly(crowd: str, slack: FakeSlack) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "clock"],
        env=_env(crowd, slack),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # stderr (JSON log lines: APScheduler adding the job...) is merged in.
        lines = Lines(process)
        lines.wait_for("Clock started")
        # The start-up sweep runs at once (on a weekend it sends nothing); stop after it.
        assert "sweep failed" not in lines.wait_for("sweep at ", "sweep failed"), lines.text()
        process.send_signal(signal.SIGTERM)
        out = lines.rest()
        process.wait(WAIT_LIMIT)  # its output has ended: it is exiting
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, out
    assert "Clock stopped." in out and "Traceback" not in out


def test_moments_are_london_wall_clock_unless_an_offset_is_given() -> None:
    assert parse_moment("2026-07-01T09:00") == dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert parse_moment("2026-12-01T09:00") == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert parse_moment("2026-07-01T09:00+00:00") == dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
