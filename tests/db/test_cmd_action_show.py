"""``/csp action show``: every field, history, buttons, not found, isolation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.db.actionskit import action, count_queries, plans
from tests.kit import NOW, context, rendered, run

__all__ = ["plans"]  # fixtures shared through the kit


def test_show_every_field_and_history_newest_first(plans: Session) -> None:
    a1 = action(plans, "A-1")
    a1.objective = "Fewer first-time entrants"
    a1.measure_of_success = "50 young people referred"
    a1.partners = "Youth service"
    plans.commit()
    summer = dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.UTC)  # 10:05 in London (BST)
    outcome, text = run(
        context(plans, person="Lee Lead", now=summer), 'action update A-1 "venue booked"'
    )
    assert outcome.ok, text
    outcome, text = run(context(plans), "action update A-1 rag:red slipping")
    assert outcome.ok, text
    outcome, text = run(context(plans, person="Mo Member"), "action show a1")
    assert outcome.ok, text
    for shown in (
        "Action A-1",
        "*Objective:* Fewer first-time entrants",
        "*Measure of success:* 50 young people referred",
        "*Owner:* Lee Lead",
        "*Lead organisation:* Riverside Police",
        "*Partners:* Youth service",
        "*Priority:* P1 Reduce anti-social behaviour",
        "*Due:* 30/09/2026",
        "*Status:* in progress",
        "*RAG:* red",
        "01/07/2026 10:05* · Lee Lead · via /csp",
        "21/11/2026 10:00* · Cora Coordinator · via /csp",
        "RAG: amber → red",
        "> venue booked",
        "> slipping",
        "the plan import · via plan import",
    ):
        assert shown in text, shown
    assert text.index("slipping") < text.index("venue booked")  # newest first
    assert text.index("21/11/2026 10:00") < text.index("01/07/2026 10:05")
    blocks = rendered(outcome)
    assert not [b for b in blocks if b["type"] == "actions"]  # Mo may not change A-1


def test_show_on_behalf_of_and_buttons_for_those_who_may_change(plans: Session) -> None:
    outcome, text = run(context(plans), "action update A-2 rag:green surveyed")
    assert outcome.ok, text
    outcome, text = run(context(plans, person="Olive Offline"), "action show A-2")
    assert "Cora Coordinator on behalf of Olive Offline" in text
    blocks = rendered(outcome)
    [buttons] = [b for b in blocks if b["type"] == "actions"]
    assert {e["action_id"] for e in buttons["elements"]} == {
        "action_update",
        "action_done",
        "action_snooze",
    }


def test_show_created_and_snoozed(plans: Session) -> None:
    run(context(plans), "action add New thing owner:Lee")
    run(context(plans), "action snooze A-6")
    _, text = run(context(plans), "action show A-6")
    assert "Added to the plan." in text
    assert "• Owner: Lee Lead" in text
    assert "*Snoozed until:* 28/11/2026" in text


def test_show_long_history_shows_latest_twenty(plans: Session) -> None:
    for i in range(25):
        outcome, _ = run(
            context(plans, now=NOW + dt.timedelta(minutes=i)), f"action update A-3 note {i}"
        )
        assert outcome.ok
    with count_queries(plans) as statements:
        outcome, text = run(context(plans), "action show A-3")
    assert outcome.ok
    assert "> note 24" in text and "> note 5" in text and "> note 4" not in text
    assert "…and 6 older entries not shown." in text  # 4 more notes and the import
    assert len(statements) <= 8
    assert len(rendered(outcome)) < 50


@pytest.mark.parametrize(
    ("slug", "person", "line", "says"),
    [
        ("hillford", "Hana Hillford", "action show A-4", "There is no action `A-4` in Hillford"),
        ("riverside", "Mo Member", "action show A-99", "There is no action `A-99`"),
        ("riverside", "Mo Member", "action show", "Which action?"),
        ("riverside", "Mo Member", "action show hello", "There is no action `hello`"),
        ("riverside", "Mo Member", "action show hello", "Its references look like `A-1`"),
        ("riverside", "Mo Member", 'action show "hello world"', "is not an action reference"),
    ],
)
def test_show_not_found(plans: Session, slug: str, person: str, line: str, says: str) -> None:
    outcome, text = run(context(plans, slug, person), line)
    assert not outcome.ok
    assert says in text
    rendered(outcome)


def test_show_isolation(plans: Session) -> None:
    _, text = run(context(plans, "hillford", "Lee Lead"), "action show A-1")
    assert "Hillford covert operation" in text and "youth diversion" not in text
    _, text = run(context(plans, person="Lee Lead"), "action show A-1")
    assert "youth diversion" in text and "covert" not in text
