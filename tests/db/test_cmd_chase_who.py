"""``/csp chase``: who is messaged, what the DM says, and the group and person filters."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.outbox import key_of
from commands.framework.registry import registry
from partnership.chasing import STALE_DAYS
from tests import kit
from tests.db.chasekit import (
    LEE,
    MO,
    TODAY,
    action,
    age,
    change,
    chase,
    notes,
    person,
    plans,
    target,
)

__all__ = ["plans"]  # fixtures shared through the kit


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
