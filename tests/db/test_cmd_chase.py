"""``/csp chase``: who is messaged, what they read, what the coordinator is told.

The command finds who to chase and asks for the messages; the edge sends them
through the outbox (:func:`bot.schedule.finish.finish`), as these tests do with
a recording sender, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.console import Console
from bot.render.blocks import to_text
from bot.schedule.finish import finish
from bot.schedule.outbox import LEASE, Tally, key_of, retry_stale
from commands.framework.core import Delivery
from commands.framework.dispatch import Outcome
from commands.framework.registry import registry
from partnership.chasing import MAX_LISTED, STALE_DAYS
from partnership.context import Reply
from storage.models import (
    Action,
    Notification,
    NotificationState,
    Partnership,
    Person,
    Status,
)
from tests import kit
from tests.sweepkit import Post, RecordingSender

TODAY = "2026-11-21"  # kit.NOW's local date: the period of a chase that day
LEE, MO, HANA = "U0LEE", "U0MO", "U0HANA"


@dataclass
class Chased:
    """One chase: the command's outcome, the report shown and what was sent."""

    sender: RecordingSender
    report: str
    ok: bool
    reply: Reply
    pending: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to(self, address: str) -> str:
        """The text of the one message sent to ``address`` in this chase."""
        posts = self.sender.to(address, "chase")
        assert len(posts) == 1, (address, len(posts))
        return posts[0].text

    def blocks(self, address: str) -> list[dict[str, Any]]:
        """The blocks of the one message sent to ``address``."""
        [post] = self.sender.to(address, "chase")
        return [block for page in post.pages for block in page]

    @property
    def reached(self) -> list[str]:
        """The addresses messaged, in order."""
        return [p.address for p in self.sender.posts]


class Exploding(RecordingSender):
    """A sender whose post raises for the addresses named (a bug, not a Slack error)."""

    def __init__(self, explode: set[str]) -> None:
        super().__init__()
        self.explode = explode

    def post(self, address: str, payload: dict[str, Any], key: str) -> Delivery:
        """Raise for an exploding address, else record."""
        if address in self.explode:
            raise RuntimeError("connection reset")
        return super().post(address, payload, key)


def action(session: Session, slug: str, ref: str) -> Action:
    return session.scalars(
        select(Action)
        .join(Partnership, Partnership.id == Action.partnership_id)
        .where(Partnership.slug == slug, Action.ref == ref)
    ).one()


def person(session: Session, slug: str, name: str) -> Person:
    return session.scalars(
        select(Person)
        .join(Partnership, Partnership.id == Person.partnership_id)
        .where(Partnership.slug == slug, Person.name == name)
    ).one()


def change(factory: sessionmaker[Session], edit: Callable[[Session], object]) -> None:
    """Make a change to the plan in a transaction of its own."""
    with factory() as session:
        edit(session)
        session.commit()


def age(
    factory: sessionmaker[Session], *refs: str, days: int = 40, slug: str = "riverside"
) -> None:
    """Make actions stale: their last update ``days`` ago."""

    def edit(session: Session) -> None:
        for ref in refs:
            action(session, slug, ref).updated_at = kit.NOW - dt.timedelta(days=days)

    change(factory, edit)


def chase(
    factory: sessionmaker[Session],
    line: str = "chase",
    *,
    slug: str = "riverside",
    who: str | None = "Cora Coordinator",
    sender: RecordingSender | None = None,
    now: dt.datetime = kit.NOW,
) -> Chased:
    """Run a chase line as the edge does: the command, then its sends through the outbox."""
    sender = sender if sender is not None else RecordingSender()
    with factory() as session:
        ctx = kit.context(session, slug, who, now=now)
        outcome, pending = kit.run(ctx, line)
        kit.rendered(outcome)
    reply = outcome.result
    assert isinstance(reply, Reply)
    if outcome.ok:
        reply = finish(factory, sender, reply, now)
    blocks = kit.rendered(Outcome(reply, outcome.ok))
    return Chased(sender, to_text(blocks), outcome.ok, reply, pending, reply.data)


def notes(factory: sessionmaker[Session]) -> dict[str, Notification]:
    with factory() as session:
        rows = session.scalars(select(Notification)).all()
        session.expunge_all()
    return {n.target: n for n in rows}


def target(factory: sessionmaker[Session], name: str, slug: str = "riverside") -> str:
    with factory() as session:
        return f"person:{person(session, slug, name).id}"


@pytest.fixture
def plans(imported: sessionmaker[Session]) -> sessionmaker[Session]:
    """Both fixture plans, with A-2 (Olive), A-3 (Mo) and A-5 (no owner) gone stale."""
    age(imported, "A-2", "A-3", "A-5")
    return imported


def test_chase_is_registered_slow_and_for_coordinators() -> None:
    cmd = registry()["chase"]
    assert cmd.slow and cmd.coordinator_only
    assert cmd.keys == ("group",) and cmd.mention == "person"
    assert cmd.summary


def test_chase_messages_each_owner_on_slack_once(plans: sessionmaker[Session]) -> None:
    done = chase(plans)
    assert done.ok
    assert done.reached == [LEE, MO]
    assert "Chased *2 leads* about *3 actions*" in done.report
    assert "• Lee Lead: A-1, A-4" in done.report
    assert "• Mo Member: A-3" in done.report
    lee = target(plans, "Lee Lead")
    assert [p.key for p in done.sender.to(LEE)] == [key_of("chase", lee, TODAY)]


def test_the_command_alone_asks_and_sends_nothing(plans: sessionmaker[Session]) -> None:
    """Before the edge finishes it, the report says who is being chased and nothing is claimed."""
    with plans() as session:
        outcome, text = kit.run(kit.context(session), "chase")
    assert outcome.ok
    assert "Chasing 2 leads on Slack: Lee Lead, Mo Member…" in text
    assert notes(plans) == {}


def test_dm_names_the_chaser_lists_actions_with_buttons(plans: sessionmaker[Session]) -> None:
    done = chase(plans)
    blocks = kit.valid_blocks(done.blocks(LEE))
    text = done.to(LEE)
    assert "Hi Lee, Cora Coordinator is chasing updates for Riverside Community Safety" in text
    assert text.index("Overdue") < text.index("A-1") < text.index("A-4")
    assert "overdue 52 days" in text
    assert '`/csp action update A-1 rag:amber "' in text
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    # A DM has no channel to say which partnership: each button carries it.
    assert {(e["action_id"], e["value"]) for e in buttons} == {
        (verb, f"{ref}@riverside")
        for verb in ("action_update", "action_done", "action_snooze")
        for ref in ("A-1", "A-4")
    }
    mo = done.to(MO)
    assert f"No update for {STALE_DAYS} days" in mo
    assert "last update 12/10/2026, 40 days ago" in mo


def test_overdue_listed_before_stale(plans: sessionmaker[Session]) -> None:
    def give_lee(session: Session) -> None:
        action(session, "riverside", "A-3").owner = person(session, "riverside", "Lee Lead")

    change(plans, give_lee)
    age(plans, "A-3")
    done = chase(plans)
    text = done.to(LEE)
    assert text.index("A-1") < text.index("A-4") < text.index("No update") < text.index("A-3")
    assert done.reached == [LEE]


def test_owner_not_on_slack_is_listed_for_email(plans: sessionmaker[Session]) -> None:
    done = chase(plans)
    assert "Chase by email" in done.report
    assert "• Olive Offline, olive@victimsupport.example: A-2" in done.report


def test_owner_with_no_email_says_so(plans: sessionmaker[Session]) -> None:
    change(plans, lambda s: setattr(person(s, "riverside", "Olive Offline"), "email", None))
    assert "• Olive Offline, no email in the plan: A-2" in chase(plans).report


def test_unowned_action_is_reported_with_group_lead(plans: sessionmaker[Session]) -> None:
    report = chase(plans).report
    assert "No owner" in report
    assert "• A-5: group lead Gina Grouplead (ASB Steering Group)" in report
    assert 'owner:"Name"' in report


@pytest.mark.parametrize("line", ['chase group:"ASB Steering Group"', "chase group:asb"])
def test_group_filter(plans: sessionmaker[Session], line: str) -> None:
    done = chase(plans, line)
    assert done.ok
    assert done.reached == [LEE]
    assert "A-1" not in done.to(LEE)
    assert "A-4" in done.to(LEE)
    assert "(ASB Steering Group)" in done.report
    assert "Olive" not in done.report and "Mo Member" not in done.report
    assert "A-5" in done.report


def test_unknown_group_is_an_error_and_sends_nothing(plans: sessionmaker[Session]) -> None:
    done = chase(plans, "chase group:nonsense")
    assert not done.ok
    assert "no sub-group `nonsense`" in done.report
    assert done.sender.posts == []
    assert notes(plans) == {}


@pytest.mark.parametrize("line", ["chase <@U0LEE|lee>", "chase @Lee Lead", "chase @lee"])
def test_person_filter(plans: sessionmaker[Session], line: str) -> None:
    done = chase(plans, line)
    assert done.ok, done.report
    assert done.reached == [LEE]
    assert "Lee Lead's actions" in done.report
    assert "A-5" not in done.report and "Olive" not in done.report


def test_person_filter_for_someone_offline(plans: sessionmaker[Session]) -> None:
    done = chase(plans, "chase @Olive Offline")
    assert done.ok
    assert done.sender.posts == []
    assert "Chased *0 leads*" in done.report
    assert "olive@victimsupport.example: A-2" in done.report
    assert notes(plans) == {}


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


def test_snoozed_actions_are_skipped_and_counted(plans: sessionmaker[Session]) -> None:
    def snooze(session: Session) -> None:
        action(session, "riverside", "A-4").snoozed_until = dt.date(2026, 11, 21)  # today counts
        action(session, "riverside", "A-3").snoozed_until = dt.date(2026, 12, 1)
        action(session, "riverside", "A-1").snoozed_until = dt.date(2026, 11, 20)  # has run out

    change(plans, snooze)
    done = chase(plans)
    assert done.reached == [LEE]
    assert "A-1" in done.to(LEE) and "A-4" not in done.to(LEE)
    assert "Skipped 2 snoozed actions" in done.report


def test_closed_and_recent_actions_are_not_chased(plans: sessionmaker[Session]) -> None:
    def close(session: Session) -> None:
        action(session, "riverside", "A-1").status = Status.COMPLETE
        action(session, "riverside", "A-4").status = Status.DROPPED
        recent = kit.NOW - dt.timedelta(days=STALE_DAYS - 1)
        action(session, "riverside", "A-3").updated_at = recent

    change(plans, close)
    done = chase(plans)
    assert done.sender.posts == []
    assert "Chased *0 leads* about *0 actions*" in done.report
    assert "A-2" in done.report and "A-5" in done.report


def test_nothing_to_chase(imported: sessionmaker[Session]) -> None:
    done = chase(imported, "chase @Mo Member")
    assert done.ok
    assert done.sender.posts == []
    assert "Nothing to chase in Mo Member's actions" in done.report


def test_long_list_is_cut_with_where_to_see_the_rest(plans: sessionmaker[Session]) -> None:
    def pile_on(session: Session) -> None:
        lee = person(session, "riverside", "Lee Lead")
        for n in range(20):
            session.add(
                Action(
                    partnership_id=lee.partnership_id,
                    ref=f"B-{n + 1}",
                    title=f"Extra overdue action {n + 1}",
                    owner=lee,
                    due_date=dt.date(2026, 11, 1),
                )
            )

    change(plans, pile_on)
    done = chase(plans)
    blocks = done.blocks(LEE)
    refs = [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"][:1]]
    assert len(refs) == MAX_LISTED
    assert refs[:2] == ["A-1@riverside", "A-4@riverside"]
    assert len(blocks) <= 50
    text = done.to(LEE)
    assert "…and 7 more actions: see them all with `/csp action list mine`" in text
    assert "These 22 actions of yours need an update" in text
    assert "about *23 actions*" in done.report


def test_lead_is_refused_naming_the_coordinator(plans: sessionmaker[Session]) -> None:
    done = chase(plans, who="Lee Lead")
    assert not done.ok
    assert "only a coordinator (Cora Coordinator) can use `/csp chase`" in done.report
    assert done.sender.posts == []
    assert notes(plans) == {}


def test_console_operator_may_chase(plans: sessionmaker[Session]) -> None:
    done = chase(plans, who=None)
    assert done.ok and "Chased *2 leads*" in done.report
    assert done.reached == [LEE, MO]
    assert "your coordinator is chasing updates" in done.to(LEE)


def test_the_console_prints_the_messages_and_records_them(plans: sessionmaker[Session]) -> None:
    lines: list[str] = []
    console = Console(
        plans, "riverside", "Cora Coordinator", out=lines.append, clock=lambda: kit.NOW
    )
    shown = console.run("chase")
    printed = "\n".join(lines)
    assert f"to {LEE} (chase|" in printed and "Hi Lee, Cora Coordinator is chasing" in printed
    assert "Chased 2 leads about 3 actions" in shown  # terminal text, not mrkdwn
    assert {n.state for n in notes(plans).values()} == {NotificationState.SENT}
    again = console.run("chase")
    assert "Already chased today" in again


def test_hillford_chase_reaches_only_hillford(plans: sessionmaker[Session]) -> None:
    age(plans, "A-1", slug="hillford")
    done = chase(plans, slug="hillford", who="Hana Hillford")
    assert done.ok
    assert done.reached == [HANA]
    with plans() as session:
        hillford = kit.partnership(session, "hillford").id
    assert {n.partnership_id for n in notes(plans).values()} == {hillford}
    text = done.to(HANA)
    assert "Hillford covert operation" in text
    assert "youth diversion" not in text and "Riverside" not in text
    assert "A-4" not in done.report and "Olive" not in done.report and "A-5" not in done.report
    assert "your own need an update" in text


def test_riverside_chase_never_mentions_hillford(plans: sessionmaker[Session]) -> None:
    done = chase(plans)
    for address in done.reached:
        assert "Hillford" not in done.to(address)
    assert "Hillford" not in done.report and "Hana" not in done.report


def test_same_slack_user_in_other_partnership_is_not_chased_across(
    plans: sessionmaker[Session],
) -> None:
    done = chase(plans, "chase <@U0LEE|lee>", slug="hillford", who="Hana Hillford")
    assert done.ok
    assert done.sender.posts == []
    assert "Nothing to chase in Lee Lead's actions" in done.report


def test_hostile_title_is_shown_as_text(plans: sessionmaker[Session]) -> None:
    change(
        plans,
        lambda s: setattr(action(s, "riverside", "A-1"), "title", "<!channel> {{ 7*7 }} & co"),
    )
    done = chase(plans)
    raw = json.dumps(kit.valid_blocks(done.blocks(LEE)))
    assert "<!channel>" not in raw
    assert "&lt;!channel&gt; {{ 7*7 }} &amp; co" in raw  # escaped once, not twice
    assert "49" not in raw
    assert "<!channel> {{ 7*7 }} & co" in done.to(LEE)


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
