"""``/csp chase``: which actions are chased, who may chase, and partnerships kept apart."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session, sessionmaker

from bot.cli.console import Console
from partnership.chasing import MAX_LISTED, STALE_DAYS
from storage.models import Action, NotificationState, Status
from tests import kit
from tests.db.chasekit import HANA, LEE, MO, action, age, change, chase, notes, person, plans

__all__ = ["plans"]  # fixtures shared through the kit


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
