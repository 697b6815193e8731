"""The outbox: each message claimed once, sent once, retried after a failure or a crash."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import run as run_module
from bot.schedule.base import Message, Recipient
from bot.schedule.outbox import (
    ALREADY,
    BUSY,
    FAILED,
    LEASE,
    MAX_ATTEMPTS,
    RECOVERED,
    RETRY,
    SENT,
    deliver,
)
from partnership.context import Context, Reply
from storage.db import transaction
from storage.models import Notification, NotificationState, Partnership, Person
from tests.sweepkit import RecordingSender, at, sweep

MONDAY = "2026-11-23 10:00"


def _hello(ctx: Context) -> list[Message]:
    """A test sweep: one message to every person on Slack, once per local day."""
    people = ctx.session.scalars(
        select(Person).where(
            Person.partnership_id == ctx.partnership.id, Person.slack_user_id.is_not(None)
        )
    ).all()
    return [
        Message(
            "hello",
            Recipient.person(p),
            ctx.today.isoformat(),
            _note(f"Hello {p.name}"),
        )
        for p in people
    ]


def _note(text: str) -> Reply:
    """A one-line message (the error template is the simplest one there is)."""
    return Reply("error", {"message": text, "line": "", "example": ""}, text=text)


@pytest.fixture
def only_hello(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(run_module, "SWEEPS", (("hello", _hello),))
    yield


def _people_on_slack(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Person).where(Person.slack_user_id.is_not(None))
            )
            or 0
        )


def _states(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        rows = session.execute(
            select(Notification.state, func.count()).group_by(Notification.state)
        ).all()
    return {str(state): n for state, n in rows}


def test_each_message_sent_once_and_a_second_run_sends_nothing(
    imported: sessionmaker[Session], only_hello: None
) -> None:
    sender = RecordingSender()
    first = sweep(imported, sender, MONDAY)
    assert first.count(SENT) == len(sender.posts) == _people_on_slack(imported)
    second = sweep(imported, sender, "2026-11-23 10:05")
    assert second.count(SENT) == 0
    assert second.count(ALREADY) == len(sender.posts)
    assert len({p.key for p in sender.posts}) == len(sender.posts)
    # The next working day is a new period.
    sweep(imported, sender, "2026-11-24 09:00")
    assert len(sender.posts) == 2 * _people_on_slack(imported)


@pytest.mark.parametrize(
    "when",
    [
        "2026-11-21 10:00",  # Saturday
        "2026-11-22 12:00",  # Sunday
        "2026-12-25 10:00",  # Christmas Day
        "2026-12-28 10:00",  # Boxing Day (substitute day)
        "2026-11-23 08:59",  # before the working day opens
        "2026-11-23 18:00",  # quiet hours from 18:00
    ],
)
def test_nothing_sent_when_closed(
    imported: sessionmaker[Session], only_hello: None, when: str
) -> None:
    sender = RecordingSender()
    tally = sweep(imported, sender, when)
    assert tally.outcomes == [] and sender.posts == []


def test_a_concurrent_claim_is_not_sent_twice(
    imported: sessionmaker[Session], only_hello: None
) -> None:
    """Two runs at the same moment in threads (two clocks): every message exactly once."""
    sender = RecordingSender()
    barrier = threading.Barrier(2)
    results = []

    def go() -> None:
        barrier.wait()
        results.append(sweep(imported, sender, MONDAY))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [p.key for p in sender.posts]
    assert len(keys) == len(set(keys)) == _people_on_slack(imported)
    assert sum(r.count(SENT) for r in results) == len(keys)


def _one(factory: sessionmaker[Session]) -> tuple[Message, int, str]:
    with factory() as session:
        partnership = session.scalars(
            select(Partnership).where(Partnership.slug == "riverside")
        ).one()
        lee = session.scalars(
            select(Person).where(Person.name == "Lee Lead", Person.partnership_id == partnership.id)
        ).one()
        message = Message(
            "hello",
            Recipient.person(lee),
            "p1",
            _note(f"Hello {lee.name}"),
        )
        return message, partnership.id, partnership.slug


def test_a_crash_after_claim_is_sent_by_the_next_sweep_after_the_lease(
    imported: sessionmaker[Session],
) -> None:
    message, pid, slug = _one(imported)
    now = at(MONDAY)
    # A process claimed it and died before sending: the row stays "claimed".
    crashed = RecordingSender()
    crashed.post = lambda *a, **k: (_ for _ in ()).throw(SystemExit)  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        deliver(imported, crashed, message, pid, slug, now)
    sender = RecordingSender()
    # Within the lease another process leaves it alone (it may still be sending).
    assert deliver(imported, sender, message, pid, slug, now + LEASE / 2) == BUSY
    assert deliver(imported, sender, message, pid, slug, now + LEASE) == SENT
    assert len(sender.posts) == 1
    assert deliver(imported, sender, message, pid, slug, now + 2 * LEASE) == ALREADY


def test_a_crash_after_slack_accepted_is_not_sent_again(imported: sessionmaker[Session]) -> None:
    message, pid, slug = _one(imported)
    now = at(MONDAY)
    sender = RecordingSender()
    assert deliver(imported, sender, message, pid, slug, now) == SENT
    # Pretend the process died between Slack's answer and marking it sent.
    with transaction(imported) as session:
        session.execute(
            update(Notification).values(state=NotificationState.CLAIMED, sent_at=None, attempts=0)
        )
    assert deliver(imported, sender, message, pid, slug, now + LEASE) == RECOVERED
    assert len(sender.posts) == 1
    assert _states(imported) == {"sent": 1}


def test_a_transient_failure_is_retried_then_reported(imported: sessionmaker[Session]) -> None:
    message, pid, slug = _one(imported)
    assert message.recipient.address is not None
    sender = RecordingSender(fail={message.recipient.address: ("ratelimited", True)})
    now = at(MONDAY)
    outcomes = [deliver(imported, sender, message, pid, slug, now)]
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outcomes.append(deliver(imported, sender, message, pid, slug, now + attempt * LEASE))
    assert outcomes == [RETRY] * (MAX_ATTEMPTS - 1) + [FAILED, ALREADY]
    assert sender.attempts == MAX_ATTEMPTS
    assert _states(imported) == {"failed": 1}


def test_a_permanent_failure_is_not_retried(imported: sessionmaker[Session]) -> None:
    message, pid, slug = _one(imported)
    assert message.recipient.address is not None
    sender = RecordingSender(fail={message.recipient.address: ("account_inactive", False)})
    assert deliver(imported, sender, message, pid, slug, at(MONDAY)) == FAILED
    assert deliver(imported, sender, message, pid, slug, at(MONDAY) + 3 * LEASE) == ALREADY
    assert sender.attempts == 1


def test_one_recipient_failing_does_not_stop_the_others_and_coordinators_are_told(
    imported: sessionmaker[Session], only_hello: None
) -> None:
    sender = RecordingSender(fail={"U0LEE": ("account_inactive", False)})
    tally = sweep(imported, sender, MONDAY)
    assert tally.count(FAILED) == 2  # Lee is in Riverside and in Hillford
    assert not sender.to("U0LEE", "hello")
    assert sender.to("U0GINA", "hello") and sender.to("U0MO", "hello")
    report = sender.to("U0CORA", "undelivered")
    assert len(report) == 1
    assert "Lee Lead" in report[0].text and "deactivated" in report[0].text
    assert len(sender.to("U0HANA", "undelivered")) == 1  # each partnership its own
    # Reported once: the next run does not repeat it.
    sweep(imported, sender, "2026-11-23 10:05")
    assert len(sender.to("U0CORA", "undelivered")) == 1
    with imported() as session:
        failed = session.scalars(
            select(Notification).where(Notification.state == NotificationState.FAILED)
        ).all()
        assert [n.reported for n in failed] == [True, True]


def test_one_partnership_failing_does_not_stop_the_others(
    imported: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fussy(ctx: Context) -> list[Message]:
        if ctx.partnership.slug == "riverside":
            raise RuntimeError("a bug in one partnership's data")
        return _hello(ctx)

    monkeypatch.setattr(run_module, "SWEEPS", (("fussy", fussy),))
    sender = RecordingSender()
    tally = sweep(imported, sender, MONDAY)
    assert tally.count("error") == 1
    assert sender.to("U0HANA", "hello")


def test_dry_run_claims_nothing(imported: sessionmaker[Session], only_hello: None) -> None:
    lines: list[str] = []
    from bot.schedule.sender import PrintSender

    tally = run_module.run_due(
        imported, PrintSender(lines.append), at(MONDAY), dry_run=True, out=lines.append
    )
    assert tally.count("due") == _people_on_slack(imported)
    assert any("Lee Lead" in line for line in lines)
    assert _states(imported) == {}


def test_clock_changes_never_double_or_skip(
    imported: sessionmaker[Session], only_hello: None
) -> None:
    """Sweeps every 15 minutes across both 2027 clock changes, with round-the-clock hours."""
    with transaction(imported) as session:
        for p in session.scalars(select(Partnership)):
            p.settings = {"quiet_hours": "23:59-00:00"}
    sender = RecordingSender()
    for start in (
        dt.datetime(2027, 3, 27, 22, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 10, 30, 22, 0, tzinfo=dt.UTC),
    ):
        moment = start
        while moment < start + dt.timedelta(hours=64):
            sweep(imported, sender, moment)
            moment += dt.timedelta(minutes=15)
    days = sorted({p.key.rsplit("|", 1)[1] for p in sender.posts})
    # Only working days: 2027's spring change falls on Easter Sunday, so Easter
    # Monday (29 March) is a bank holiday and Tuesday is the first working day.
    assert days == ["2027-03-30", "2027-11-01", "2027-11-02"]
    keys = [p.key for p in sender.posts]
    assert len(keys) == len(set(keys)) == 3 * _people_on_slack(imported)
