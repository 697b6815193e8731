"""``/csp chase``: who is messaged, what they read, what the coordinator is told."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks import pages, to_text
from bot.render import render_blocks
from commands.chase import MAX_LISTED, STALE_DAYS, Owed, claim
from commands.core import Delivery, Reply, UserError
from commands.registry import registry
from storage.models import (
    Action,
    Notification,
    NotificationState,
    Partnership,
    Person,
    Status,
)

from . import kit

PERIOD = "2026-11-21T10:00Z"


class FakeNotifier:
    """Records each direct message (validating its blocks); fails for the people named."""

    def __init__(self, fail: dict[str, str] | None = None, explode: set[str] | None = None):
        self.fail = fail or {}
        self.explode = explode or set()
        self.attempts: list[tuple[Person, Reply]] = []

    def direct(self, person: Person, reply: Reply) -> Delivery:
        blocks = render_blocks(reply.template, reply.data)
        for page in pages(blocks):
            kit.valid_blocks(page)
        self.attempts.append((person, reply))
        if person.name in self.explode:
            raise RuntimeError("connection reset")
        if person.name in self.fail:
            return Delivery(person.name, False, self.fail[person.name])
        return Delivery(person.name, True)

    @property
    def reached(self) -> list[str]:
        """Names of the people who were sent a message successfully."""
        failed = set(self.fail) | self.explode
        return [p.name for p, _ in self.attempts if p.name not in failed]

    def blocks(self, name: str) -> list[dict[str, Any]]:
        """The blocks of the one message sent to ``name``."""
        replies = [r for p, r in self.attempts if p.name == name]
        assert len(replies) == 1, (name, len(replies))
        return render_blocks(replies[0].template, replies[0].data)

    def text(self, name: str) -> str:
        """The message sent to ``name`` as console text."""
        return to_text(self.blocks(name))


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


def age(session: Session, *refs: str, days: int = 40, slug: str = "riverside") -> None:
    """Make actions stale: their last update ``days`` ago."""
    for ref in refs:
        action(session, slug, ref).updated_at = kit.NOW - dt.timedelta(days=days)
    session.commit()


def chase(
    session: Session,
    line: str = "chase",
    *,
    slug: str = "riverside",
    who: str | None = "Cora Coordinator",
    notifier: FakeNotifier | None = None,
    now: dt.datetime = kit.NOW,
) -> tuple[FakeNotifier, str, bool]:
    """Run a chase line; the notifier, the report as text (validated) and whether it ran."""
    notifier = notifier if notifier is not None else FakeNotifier()
    ctx = kit.context(session, slug, who, notifier=notifier, now=now)
    outcome, text = kit.run(ctx, line)
    kit.rendered(outcome)
    return notifier, text, outcome.ok


def notes(session: Session) -> dict[str, Notification]:
    return {n.target: n for n in session.scalars(select(Notification))}


@pytest.fixture
def plans(session: Session) -> Session:
    """Both fixture plans, with A-2 (Olive), A-3 (Mo) and A-5 (no owner) gone stale."""
    kit.load_plans(session)
    age(session, "A-2", "A-3", "A-5")
    return session


def test_chase_is_registered_slow_and_for_coordinators() -> None:
    cmd = registry()["chase"]
    assert cmd.slow and cmd.coordinator_only
    assert cmd.keys == ("group",) and cmd.mention == "person"
    assert cmd.summary


def test_chase_messages_each_owner_on_slack_once(plans: Session) -> None:
    notifier, report, ok = chase(plans)
    assert ok
    assert notifier.reached == ["Lee Lead", "Mo Member"]
    assert "Chased *2 leads* about *3 actions*" in report
    assert "• Lee Lead: A-1, A-4" in report
    assert "• Mo Member: A-3" in report


def test_dm_names_the_chaser_lists_actions_with_buttons(plans: Session) -> None:
    notifier, _, _ = chase(plans)
    blocks = kit.valid_blocks(notifier.blocks("Lee Lead"))
    text = notifier.text("Lee Lead")
    assert "Hi Lee, Cora Coordinator is chasing updates for Riverside Community Safety" in text
    assert text.index("Overdue") < text.index("A-1") < text.index("A-4")
    assert "overdue 52 days" in text
    assert '`/csp action update A-1 rag:amber "' in text
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert {(e["action_id"], e["value"]) for e in buttons} == {
        (verb, ref)
        for verb in ("action_update", "action_done", "action_snooze")
        for ref in ("A-1", "A-4")
    }
    mo = notifier.text("Mo Member")
    assert f"No update for {STALE_DAYS} days" in mo
    assert "last update 12/10/2026, 40 days ago" in mo


def test_overdue_listed_before_stale(plans: Session) -> None:
    action(plans, "riverside", "A-3").owner = person(plans, "riverside", "Lee Lead")
    plans.commit()
    age(plans, "A-3")
    notifier, _, _ = chase(plans)
    text = notifier.text("Lee Lead")
    assert text.index("A-1") < text.index("A-4") < text.index("No update") < text.index("A-3")
    assert notifier.reached == ["Lee Lead"]


def test_owner_not_on_slack_is_listed_for_email(plans: Session) -> None:
    notifier, report, _ = chase(plans)
    assert "Olive Offline" not in notifier.reached
    assert "Chase by email" in report
    assert "• Olive Offline, olive@victimsupport.example: A-2" in report


def test_owner_with_no_email_says_so(plans: Session) -> None:
    person(plans, "riverside", "Olive Offline").email = None
    plans.commit()
    _, report, _ = chase(plans)
    assert "• Olive Offline, no email in the plan: A-2" in report


def test_unowned_action_is_reported_with_group_lead(plans: Session) -> None:
    _, report, _ = chase(plans)
    assert "No owner" in report
    assert "• A-5: group lead Gina Grouplead (ASB Steering Group)" in report
    assert 'owner:"Name"' in report


@pytest.mark.parametrize("line", ['chase group:"ASB Steering Group"', "chase group:asb"])
def test_group_filter(plans: Session, line: str) -> None:
    notifier, report, ok = chase(plans, line)
    assert ok
    assert notifier.reached == ["Lee Lead"]
    assert "A-1" not in notifier.text("Lee Lead")
    assert "A-4" in notifier.text("Lee Lead")
    assert "(ASB Steering Group)" in report
    assert "Olive" not in report and "Mo Member" not in report
    assert "A-5" in report


def test_unknown_group_is_an_error_and_sends_nothing(plans: Session) -> None:
    notifier, report, ok = chase(plans, "chase group:nonsense")
    assert not ok
    assert "no sub-group `nonsense`" in report
    assert notifier.attempts == []
    assert notes(plans) == {}


@pytest.mark.parametrize("line", ["chase <@U0LEE|lee>", "chase @Lee Lead", "chase @lee"])
def test_person_filter(plans: Session, line: str) -> None:
    notifier, report, ok = chase(plans, line)
    assert ok, report
    assert notifier.reached == ["Lee Lead"]
    assert "Lee Lead's actions" in report
    assert "A-5" not in report and "Olive" not in report


def test_person_filter_for_someone_offline(plans: Session) -> None:
    notifier, report, ok = chase(plans, "chase @Olive Offline")
    assert ok
    assert notifier.attempts == []
    assert "Chased *0 leads*" in report
    assert "olive@victimsupport.example: A-2" in report


def test_failed_delivery_is_reported_and_others_still_chased(plans: Session) -> None:
    notifier = FakeNotifier(fail={"Lee Lead": "account_inactive"})
    notifier, report, ok = chase(plans, notifier=notifier)
    assert ok
    assert [p.name for p, _ in notifier.attempts] == ["Lee Lead", "Mo Member"]
    assert notifier.reached == ["Mo Member"]
    assert "Chased *1 lead* about *1 action*" in report
    assert "Could not reach" in report
    assert "• Lee Lead: their Slack account is deactivated (account_inactive) (A-1, A-4)" in report
    rows = notes(plans)
    lee = rows[f"person:{person(plans, 'riverside', 'Lee Lead').id}"]
    assert lee.state == NotificationState.FAILED
    assert lee.last_error == "account_inactive" and lee.attempts == 1 and lee.sent_at is None
    # The chaser was told in the report: the scheduler does not report it again.
    assert lee.reported is True


def test_notifier_exception_is_a_failure_not_a_crash(plans: Session) -> None:
    notifier = FakeNotifier(explode={"Lee Lead"})
    notifier, report, ok = chase(plans, notifier=notifier)
    assert ok
    assert notifier.reached == ["Mo Member"]
    assert "• Lee Lead: RuntimeError (A-1, A-4)" in report


def test_notification_rows_record_each_chase(plans: Session) -> None:
    chase(plans, notifier=FakeNotifier(fail={"Mo Member": "user_not_found"}))
    lee = person(plans, "riverside", "Lee Lead")
    mo = person(plans, "riverside", "Mo Member")
    rows = notes(plans)
    assert set(rows) == {f"person:{lee.id}", f"person:{mo.id}"}
    for row in rows.values():
        assert row.kind == "chase" and row.period == PERIOD
        assert row.partnership_id == lee.partnership_id and row.attempts == 1
    sent = rows[f"person:{lee.id}"]
    assert sent.state == NotificationState.SENT and sent.sent_at == kit.NOW
    assert sent.last_error is None
    failed = rows[f"person:{mo.id}"]
    assert failed.state == NotificationState.FAILED and failed.last_error == "user_not_found"


def test_second_chase_in_the_same_minute_sends_nothing_new(plans: Session) -> None:
    chase(plans)
    again, report, ok = chase(plans, now=kit.NOW + dt.timedelta(seconds=40))
    assert ok
    assert again.attempts == []
    assert "Already chased this minute" in report
    assert "• Lee Lead: A-1, A-4" in report
    assert plans.scalar(select(func.count(Notification.id))) == 2
    later, _, _ = chase(plans, now=kit.NOW + dt.timedelta(minutes=1))
    assert later.reached == ["Lee Lead", "Mo Member"]
    assert plans.scalar(select(func.count(Notification.id))) == 4


def test_a_rival_claim_in_the_same_minute_refuses_before_sending(plans: Session) -> None:
    # Another chase claimed Lee after our check for existing rows: the unique
    # constraint stops the flush, before anything has been sent.
    lee = person(plans, "riverside", "Lee Lead")
    ctx = kit.context(plans, "riverside", "Cora Coordinator", notifier=FakeNotifier())
    plans.add(
        Notification(
            partnership_id=lee.partnership_id,
            kind="chase",
            target=f"person:{lee.id}",
            period=PERIOD,
        )
    )
    with plans.no_autoflush, pytest.raises(UserError, match="Another chase"):
        claim(ctx, [Owed(lee)], PERIOD)
    plans.rollback()


def test_snoozed_actions_are_skipped_and_counted(plans: Session) -> None:
    action(plans, "riverside", "A-4").snoozed_until = dt.date(2026, 11, 21)  # today counts
    action(plans, "riverside", "A-3").snoozed_until = dt.date(2026, 12, 1)
    action(plans, "riverside", "A-1").snoozed_until = dt.date(2026, 11, 20)  # has run out
    plans.commit()
    notifier, report, _ = chase(plans)
    assert notifier.reached == ["Lee Lead"]
    assert "A-1" in notifier.text("Lee Lead") and "A-4" not in notifier.text("Lee Lead")
    assert "Skipped 2 snoozed actions" in report


def test_closed_and_recent_actions_are_not_chased(plans: Session) -> None:
    action(plans, "riverside", "A-1").status = Status.COMPLETE
    action(plans, "riverside", "A-4").status = Status.DROPPED
    action(plans, "riverside", "A-3").updated_at = kit.NOW - dt.timedelta(days=STALE_DAYS - 1)
    plans.commit()
    notifier, report, _ = chase(plans)
    assert notifier.attempts == []
    assert "Chased *0 leads* about *0 actions*" in report
    assert "A-2" in report and "A-5" in report


def test_nothing_to_chase(session: Session) -> None:
    kit.load_plans(session)
    notifier, report, ok = chase(session, "chase @Mo Member")
    assert ok
    assert notifier.attempts == []
    assert "Nothing to chase in Mo Member's actions" in report


def test_long_list_is_cut_with_where_to_see_the_rest(plans: Session) -> None:
    lee = person(plans, "riverside", "Lee Lead")
    for n in range(20):
        plans.add(
            Action(
                partnership_id=lee.partnership_id,
                ref=f"B-{n + 1}",
                title=f"Extra overdue action {n + 1}",
                owner=lee,
                due_date=dt.date(2026, 11, 1),
            )
        )
    plans.commit()
    notifier, report, _ = chase(plans)
    blocks = notifier.blocks("Lee Lead")
    refs = [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"][:1]]
    assert len(refs) == MAX_LISTED
    assert refs[:2] == ["A-1", "A-4"]
    assert len(blocks) <= 50
    text = notifier.text("Lee Lead")
    assert "…and 7 more actions: see them all with `/csp action list mine`" in text
    assert "These 22 actions of yours need an update" in text
    assert "about *23 actions*" in report


def test_lead_is_refused_naming_the_coordinator(plans: Session) -> None:
    notifier, report, ok = chase(plans, who="Lee Lead")
    assert not ok
    assert "only a coordinator (Cora Coordinator) can use `/csp chase`" in report
    assert notifier.attempts == []
    assert notes(plans) == {}


def test_needs_a_way_to_send(plans: Session) -> None:
    ctx = kit.context(plans, "riverside", "Cora Coordinator")
    outcome, text = kit.run(ctx, "chase")
    assert not outcome.ok
    assert "sends Slack direct messages" in text and "Nothing was sent" in text
    assert notes(plans) == {}


def test_console_operator_may_chase(plans: Session) -> None:
    notifier, report, ok = chase(plans, who=None)
    assert ok and "Chased *2 leads*" in report
    assert notifier.reached == ["Lee Lead", "Mo Member"]
    assert "your coordinator is chasing updates" in notifier.text("Lee Lead")


def test_hillford_chase_reaches_only_hillford(plans: Session) -> None:
    age(plans, "A-1", slug="hillford")
    notifier, report, ok = chase(plans, slug="hillford", who="Hana Hillford")
    assert ok
    hillford = plans.scalars(select(Partnership).where(Partnership.slug == "hillford")).one()
    assert [(p.name, p.partnership_id) for p, _ in notifier.attempts] == [
        ("Hana Hillford", hillford.id)
    ]
    text = notifier.text("Hana Hillford")
    assert "Hillford covert operation" in text
    assert "youth diversion" not in text and "Riverside" not in text
    assert "A-4" not in report and "Olive" not in report and "A-5" not in report
    assert "your own need an update" in text


def test_riverside_chase_never_mentions_hillford(plans: Session) -> None:
    notifier, report, _ = chase(plans)
    riverside = plans.scalars(select(Partnership).where(Partnership.slug == "riverside")).one()
    assert {p.partnership_id for p, _ in notifier.attempts} == {riverside.id}
    for name in notifier.reached:
        assert "Hillford" not in notifier.text(name)
    assert "Hillford" not in report and "Hana" not in report


def test_same_slack_user_in_other_partnership_is_not_chased_across(plans: Session) -> None:
    notifier, report, ok = chase(plans, "chase <@U0LEE|lee>", slug="hillford", who="Hana Hillford")
    assert ok
    assert notifier.attempts == []
    assert "Nothing to chase in Lee Lead's actions" in report


def test_hostile_title_is_shown_as_text(plans: Session) -> None:
    action(plans, "riverside", "A-1").title = "<!channel> {{ 7*7 }} & co"
    plans.commit()
    notifier, _, _ = chase(plans)
    raw = json.dumps(kit.valid_blocks(notifier.blocks("Lee Lead")))
    assert "<!channel>" not in raw
    assert "&lt;!channel&gt; {{ 7*7 }} &amp; co" in raw  # escaped once, not twice
    assert "49" not in raw
    assert "<!channel> {{ 7*7 }} & co" in notifier.text("Lee Lead")
