"""``/csp chase`` in the real server, killed while Slack holds one of its direct messages.

The chase runs after the ack in ``csp-bot serve``; the fake Slack hangs the
DM to one lead (keeping it, as if Slack took it before the connection died,
or losing it), and the server is killed with SIGKILL at that moment: that
lead's claim is left unsent, the leads before it were sent and marked, those
after it never claimed. Then either the coordinator chases again on a
restarted server, or the clock's ``run-due`` runs: within the outbox's lease
the claim is left alone; after it, it is taken over, Slack is checked for the
message, and it is sent only if Slack never got it. Every lead ends with
exactly one chase message.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator

import holidays
import pytest
from sqlalchemy import func, select

from bot.schedule.outbox import LEASE
from bot.schedule.sender import EVENT_TYPE
from storage.db import make_engine, session_factory
from storage.models import Notification
from tests.e2e import BOT_TOKEN, REPO, Server, all_text, prepare_database_text
from tests.fakeslack import FakeSlack

LEADS = 6
VICTIM = "U0P03"  # the fourth lead in name order: three are sent before it
COORDINATOR = "U0BOSS"
TEAM, CHANNEL = "T0CHASE", "C0CHASE"
# Generous bounds on waits that end as soon as the event happens.
WAIT = 60.0


def chase_plan() -> str:
    """A coordinator and six leads on Slack, each owning one overdue action."""
    people = "\n".join(
        f"  - {{name: Lead {n:02d}, role: lead, slack: U0P{n:02d}}}" for n in range(LEADS)
    )
    actions = "\n".join(
        f"  - {{ref: A-{n}, title: Action {n}, owner: Lead {n:02d}, due: 01/11/2026}}"
        for n in range(LEADS)
    )
    return (
        "version: 1\npartnership:\n  name: Chase CSP\n  slug: chase\n"
        f"  slack: {{team_id: {TEAM}, channels: {{general: {CHANNEL}}}}}\n"
        f"people:\n  - {{name: Cass Coordinator, role: coordinator, slack: {COORDINATOR}}}\n"
        f"{people}\nactions:\n{actions}\n"
    )


@pytest.fixture
def plan(database_url: str) -> Iterator[str]:
    prepare_database_text(database_url, [("chase.yaml", chase_plan())])
    yield database_url


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def chases_per_lead(slack: FakeSlack) -> Counter[str]:
    """How many chase messages each lead's DM holds (by the key in their metadata)."""
    counts: Counter[str] = Counter()
    for n in range(LEADS):
        for message in slack.messages(f"U0P{n:02d}"):
            meta = message.get("metadata") or {}
            key = (meta.get("event_payload") or {}).get("key", "")
            if meta.get("event_type") == EVENT_TYPE and key.startswith("chase|"):
                counts[f"U0P{n:02d}"] += 1
    return counts


def states(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        rows = session.execute(
            select(Notification.state, func.count())
            .where(Notification.kind == "chase")
            .group_by(Notification.state)
        ).all()
    engine.dispose()
    return {str(s): n for s, n in rows}


def let_the_lease_pass(url: str) -> None:
    """Move every unsent claim back past the outbox's lease (instead of waiting ten minutes)."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        for row in session.scalars(select(Notification).where(Notification.state == "claimed")):
            row.claimed_at -= LEASE + dt.timedelta(minutes=1)
        session.commit()
    engine.dispose()


def chase_and_report(server: Server, slack: FakeSlack) -> str:
    """Type `/csp chase` as the coordinator and return the report posted to the response URL."""
    response = server.command(COORDINATOR, "chase", team=TEAM, channel=CHANNEL)
    assert response.status == 200 and "On it" in response.json["text"]
    [report] = slack.wait_for(
        "response_url", where=lambda c: c.path.endswith(response.token), timeout=WAIT
    )
    return all_text(report.params)


def kill_mid_chase(url: str, slack: FakeSlack, slack_took_it: bool) -> None:
    """Start the server, chase, and SIGKILL it while Slack holds the victim's DM."""
    slack.hang("chat.postMessage", accept=slack_took_it, when={"channel": VICTIM})
    server = Server(url, slack).start()
    try:
        response = server.command(COORDINATOR, "chase", team=TEAM, channel=CHANNEL)
        assert "On it" in response.json["text"]
        hung = slack.wait_for(
            "chat.postMessage", where=lambda c: c.params.get("channel") == VICTIM, timeout=WAIT
        )
        assert hung, "the chase never reached the hung message"
        assert server.process is not None
        os.killpg(server.process.pid, signal.SIGKILL)  # gunicorn's master and its worker
        server.process.wait(timeout=WAIT)
    finally:
        server.stop()
        slack.release()
    # The killed chase left the victim claimed; the three before it were sent.
    assert states(url) == {"sent": 3, "claimed": 1}
    assert not slack.calls("response_url")  # the coordinator never got a report


def next_working_morning() -> str:
    """10:00 on a weekday after today that is no bank holiday in England (for run-due --at)."""
    day = dt.date.today() + dt.timedelta(days=1)
    england = holidays.country_holidays("GB", subdiv="ENG", years=[day.year, day.year + 1])
    while day.weekday() >= 5 or day in england:
        day += dt.timedelta(days=1)
    return f"{day.isoformat()}T10:00"


def run_due(url: str, slack: FakeSlack, at: str) -> str:
    """``csp-bot run-due --at`` as the clock runs it; its output."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack.base_url,
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run-due", "--at", at],
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("slack_took_it", [True, False], ids=["slack-took-it", "slack-lost-it"])
def test_killed_mid_chase_then_chased_again_reaches_each_lead_exactly_once(
    plan: str, slack: FakeSlack, slack_took_it: bool
) -> None:
    kill_mid_chase(plan, slack, slack_took_it)
    with Server(plan, slack) as server:
        # Within the lease the victim's claim may still be in flight: left alone.
        report = chase_and_report(server, slack)
        assert "Being chased by another chase right now" in report
        assert "Already chased today" in report
        assert "Lead 04" in report and "Lead 05" in report  # never claimed: chased now
        assert states(plan) == {"sent": 5, "claimed": 1}
        # After it, the next chase takes the claim over, checking Slack first.
        let_the_lease_pass(plan)
        report = chase_and_report(server, slack)
        assert "Reached on Slack" in report and "Lead 03" in report
    assert chases_per_lead(slack) == Counter({f"U0P{n:02d}": 1 for n in range(LEADS)})
    assert states(plan) == {"sent": LEADS}
    # Looked for in Slack's history before anything was resent.
    assert slack.calls("conversations.history")


@pytest.mark.parametrize("slack_took_it", [True, False], ids=["slack-took-it", "slack-lost-it"])
def test_killed_mid_chase_then_the_clock_finishes_the_one_in_flight(
    plan: str, slack: FakeSlack, slack_took_it: bool
) -> None:
    kill_mid_chase(plan, slack, slack_took_it)
    let_the_lease_pass(plan)
    out = run_due(plan, slack, next_working_morning())
    assert ("recovered" in out) == slack_took_it, out
    # The three sent before the crash and the one in flight, once each; the two
    # never claimed wait for the coordinator's next chase.
    assert chases_per_lead(slack) == Counter({f"U0P{n:02d}": 1 for n in range(4)})
    assert states(plan) == {"sent": 4}
