"""``/csp chase`` delivery: failures, retries, once a day, claims in flight, the outbox rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.outbox import LEASE, Tally, key_of, retry_stale
from storage.models import Notification, NotificationState
from tests import kit
from tests.db.chasekit import LEE, MO, TODAY, Exploding, change, chase, notes, person, plans, target
from tests.sweepkit import Post, RecordingSender

__all__ = ["plans"]  # fixtures shared through the kit


def test_failed_delivery_is_reported_and_others_still_chased(plans: sessionmaker[Session]) -> None:
    sender = RecordingSender(fail={LEE: ("account_inactive", False)})
    done = chase(plans, sender=sender)
    assert done.ok
    assert sender.attempts == 2
    assert done.reached == [MO]
    assert "Chased *1 lead* about *1 action*" in done.report
    assert "Could not reach" in done.report
    assert (
        "• Lee Lead: their Slack account is deactivated (account_inactive) (A-1, A-4)"
        in done.report
    )
    lee = notes(plans)[target(plans, "Lee Lead")]
    assert lee.state == NotificationState.FAILED
    assert lee.last_error == "account_inactive" and lee.attempts == 1 and lee.sent_at is None
    # The chaser was told in the report: the scheduler does not report it again.
    assert lee.reported is True


def test_a_failed_lead_is_tried_again_by_the_next_chase(plans: sessionmaker[Session]) -> None:
    """The coordinator fixes Lee's Slack id after a failure and chases again the same day."""
    chase(plans, sender=RecordingSender(fail={LEE: ("user_not_found", False)}))
    change(plans, lambda s: setattr(person(s, "riverside", "Lee Lead"), "slack_user_id", "U0LEE2"))
    again = chase(plans, now=kit.NOW + dt.timedelta(minutes=5))
    assert again.reached == ["U0LEE2"]
    assert "• Lee Lead: A-1, A-4" in again.report
    assert "Already chased today" in again.report and "• Mo Member, at 10:00: A-3" in again.report
    lee = notes(plans)[target(plans, "Lee Lead")]
    assert lee.state == NotificationState.SENT and lee.address == "U0LEE2"
    assert lee.last_error is None and lee.attempts == 1


def test_a_sender_exception_is_a_failure_not_a_crash(plans: sessionmaker[Session]) -> None:
    done = chase(plans, sender=Exploding({LEE}))
    assert done.ok
    assert done.reached == [MO]
    assert "• Lee Lead: something went wrong on our side" in done.report
    # Left claimed: the clock takes it over after the lease, checking Slack first.
    assert notes(plans)[target(plans, "Lee Lead")].state == NotificationState.CLAIMED


def test_notification_rows_record_each_chase(plans: sessionmaker[Session]) -> None:
    chase(plans, sender=RecordingSender(fail={MO: ("user_not_found", False)}))
    lee, mo = target(plans, "Lee Lead"), target(plans, "Mo Member")
    rows = notes(plans)
    assert set(rows) == {lee, mo}
    for row in rows.values():
        assert row.kind == "chase" and row.period == TODAY and row.attempts == 1
        assert row.payload and row.payload["pages"]  # what a take-over would resend
    sent = rows[lee]
    assert sent.state == NotificationState.SENT and sent.sent_at == kit.NOW
    assert sent.address == LEE and sent.last_error is None
    failed = rows[mo]
    assert failed.state == NotificationState.FAILED and failed.last_error == "user_not_found"


def test_a_second_chase_the_same_day_says_when_and_sends_nothing(
    plans: sessionmaker[Session],
) -> None:
    chase(plans)
    again = chase(plans, now=kit.NOW + dt.timedelta(hours=3, minutes=25))
    assert again.ok
    assert again.sender.attempts == 0
    assert "Chased *0 leads*" in again.report
    assert "Already chased today* (not messaged again: a lead gets one chase a day)" in again.report
    assert "• Lee Lead, at 10:00: A-1, A-4" in again.report
    assert "• Mo Member, at 10:00: A-3" in again.report
    assert again.reply.text == "Chased 0 leads about 0 actions; 2 already chased today"
    assert len(notes(plans)) == 2
    # A narrower chase names them again: still one message a day.
    narrow = chase(plans, "chase @Lee Lead", now=kit.NOW + dt.timedelta(hours=4))
    assert narrow.sender.attempts == 0 and "• Lee Lead, at 10:00" in narrow.report
    tomorrow = chase(plans, now=kit.NOW + dt.timedelta(days=1))
    assert tomorrow.reached == [LEE, MO]


def test_the_day_is_londons(plans: sessionmaker[Session]) -> None:
    """The day is London's: chases at 23:30 and 00:15 BST (both 1 June in UTC) fall on two."""
    evening = dt.datetime(2027, 6, 1, 22, 30, tzinfo=dt.UTC)  # 23:30 BST, 1 June
    first = chase(plans, now=evening)
    late = chase(plans, now=evening + dt.timedelta(minutes=45))  # 00:15 BST, 2 June
    assert first.reached and late.reached == first.reached
    with plans() as session:
        periods = session.scalars(select(Notification.period).distinct()).all()
    assert sorted(periods) == ["2027-06-01", "2027-06-02"]
    assert "at 23:30" not in late.report


def test_a_chase_in_flight_elsewhere_is_not_sent_twice(plans: sessionmaker[Session]) -> None:
    """Another chase claimed Lee a moment ago and is sending: this one leaves Lee alone."""
    lee = target(plans, "Lee Lead")
    with plans() as session:
        pid = person(session, "riverside", "Lee Lead").partnership_id
        session.add(
            Notification(
                partnership_id=pid,
                kind="chase",
                target=lee,
                period=TODAY,
                state=NotificationState.CLAIMED,
                claimed_at=kit.NOW - dt.timedelta(seconds=5),
                address=LEE,
                payload={"pages": [[]], "text": "x"},
            )
        )
        session.commit()
    done = chase(plans)
    assert done.reached == [MO]
    assert "Being chased by another chase right now" in done.report
    assert "• Lee Lead: A-1, A-4" in done.report


@pytest.mark.parametrize("slack_took_it", [True, False], ids=["slack-took-it", "slack-lost-it"])
def test_a_claim_left_by_a_crash_is_taken_over_by_the_next_chase(
    plans: sessionmaker[Session], slack_took_it: bool
) -> None:
    """A chase died after claiming Lee: past the lease, the next one checks Slack first."""
    first = RecordingSender(fail={LEE: ("request_timeout", True)})
    chase(plans, sender=first)  # Lee left claimed, as a crash leaves it
    lee = target(plans, "Lee Lead")
    key = key_of("chase", lee, TODAY)
    later = RecordingSender()
    if slack_took_it:
        later.posts.append(Post(LEE, key, "sent before the crash", []))
    done = chase(plans, sender=later, now=kit.NOW + LEASE + dt.timedelta(minutes=1))
    assert [p.key for p in later.to(LEE)] == [key]  # one message, whichever way
    assert "• Lee Lead: A-1, A-4" in done.report and "Reached on Slack" in done.report
    assert "• Mo Member, at 10:00: A-3" in done.report
    assert notes(plans)[lee].state == NotificationState.SENT


def test_slack_busy_is_retried_by_the_clock_after_the_lease(plans: sessionmaker[Session]) -> None:
    """A rate limit after the client's own retries: the report says so; the clock resends."""
    done = chase(plans, sender=RecordingSender(fail={LEE: ("ratelimited", True)}))
    assert "Slack did not take it yet" in done.report and "• Lee Lead: A-1, A-4" in done.report
    assert "Could not reach" not in done.report
    with plans() as session:
        pid = kit.partnership(session).id
    clock = RecordingSender()
    tally = Tally()
    retry_stale(plans, clock, pid, kit.NOW + dt.timedelta(minutes=5), tally)
    assert tally.outcomes == []  # within the lease: left alone
    retry_stale(plans, clock, pid, kit.NOW + LEASE, tally)
    [post] = clock.posts
    assert post.address == LEE and "A-1" in post.text and "Cora Coordinator" in post.text
    assert notes(plans)[target(plans, "Lee Lead")].state == NotificationState.SENT


def test_old_minute_keyed_chases_are_left_alone(plans: sessionmaker[Session]) -> None:
    """Rows from before chases used the outbox (no address) are never resent by the clock."""
    with plans() as session:
        pid = kit.partnership(session).id
        session.add(
            Notification(
                partnership_id=pid,
                kind="chase",
                target=target(plans, "Lee Lead"),
                period="2026-11-20T10:00Z",
                state=NotificationState.CLAIMED,
                claimed_at=kit.NOW - dt.timedelta(days=1),
            )
        )
        session.commit()
    clock = RecordingSender()
    retry_stale(plans, clock, pid, kit.NOW, Tally())
    assert clock.posts == []
