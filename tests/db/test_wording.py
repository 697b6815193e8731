"""Wording seen by a new user: counts that agree, humane spans, one label per field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy.orm import Session

from bot.render.environment import render
from partnership.plan import plan_overview
from storage import words
from tests.conftest import REPO
from tests.kit import NOW, context, load_plans, partnership, run


@pytest.fixture
def plans(session: Session) -> Session:
    """Riverside and Hillford loaded."""
    load_plans(session)
    return session


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (1, "action", "1 action"),
        (2, "action", "2 actions"),
        (0, "action", "0 actions"),
        (1, "message", "1 message"),
        (3, "person", "3 people"),
        (1, "person", "1 person"),
        (2, "older entry", "2 older entries"),
        (2, "responsible authority", "2 responsible authorities"),
        (2, "day", "2 days"),
        (2, "working day", "2 working days"),
        (2, "box", "2 boxes"),
    ],
)
def test_plural_agrees_with_its_count(count: int, word: str, expected: str) -> None:
    assert words.plural(count, word) == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, "1 day"),
        (12, "12 days"),
        (60, "60 days"),
        (61, "2 months"),
        (200, "6 months"),
        (729, "23 months"),
        (730, "2 years"),
        (2892, "7 years"),
    ],
)
def test_how_long_counts_long_spans_in_months_and_years(days: int, expected: str) -> None:
    assert words.how_long(days) == expected


def test_template_plural_filter_is_the_shared_helper() -> None:
    from bot.render import environment as render_module

    assert render_module.environment().filters["plural"] is words.plural


def test_no_python_module_keeps_its_own_plural_helper() -> None:
    """Counted nouns go through storage.words.plural, not a private copy or "(s)"."""
    offenders = []
    for folder in ("bot", "commands", "storage"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            # A private helper, or a count followed by a noun with "(s)": f"{n} row(s)".
            if re.search(r"def _?plural\b|\{[^{}]*\}[ \w]*\w\(s\)", text):
                offenders.append(path.name)
    assert offenders == ["words.py"]


def test_plan_show_counts_agree_and_name_is_said_once(plans: Session) -> None:
    p = partnership(plans, "riverside")
    p.plan_title = "Riverside Community Safety Partnership Action plan 2026 – 2029"
    p.plan_period = "2026-2029"
    plans.flush()
    text = render("plan_show.txt.j2", plan=plan_overview(plans, p, NOW.date()))
    first = text.splitlines()[0]
    assert first.count("Riverside Community Safety Partnership") == 1, first
    assert first.count("2026") == 1, first
    assert "Action plan 2026 – 2029" in first
    assert "1 actions" not in text and "1 people" not in text
    assert re.search(r"\b1 action\b|\b2 actions\b", text)


def test_an_action_overdue_for_years_says_years_not_thousands_of_days(plans: Session) -> None:
    later = dt.datetime(2034, 1, 5, 10, 0, tzinfo=dt.UTC)
    _, text = run(context(plans, now=later), "action list overdue")
    assert not re.search(r"overdue \d+d\b", text), text
    assert "overdue 7 years* (due 30/09/2026)" in text


def test_a_recent_overdue_action_counts_days(plans: Session) -> None:
    _, text = run(context(plans), "action list overdue")
    assert "overdue 52 days* (due 30/09/2026)" in text  # A-1, due 30/09, on 21/11/2026


def test_history_calls_each_field_what_the_details_call_it(plans: Session) -> None:
    _, text = run(context(plans), "action show A-4")
    assert "*Sub-group:* ASB Steering Group" in text
    assert "• Sub-group: none → ASB Steering Group" in text
    assert "subgroup" not in text.lower().replace("sub-group", "")


def test_change_lines_use_the_same_labels(plans: Session) -> None:
    _, text = run(context(plans), "action update A-4 due:31/01/2027 rag:red")
    assert "• Due: 31/10/2026 → 31/01/2027" in text
    assert "• RAG: none → red" in text


def test_marking_a_complete_action_done_again_says_so(plans: Session) -> None:
    ctx = context(plans, person="Lee Lead")
    run(ctx, "action done A-1")
    outcome, text = run(context(plans, person="Lee Lead"), "action done A-1")
    assert outcome.ok
    assert "already has those values" not in text
    assert "A-1* is already complete" in text
    assert "since 21/11/2026, by Lee Lead" in text
    assert "`/csp action update A-1 status:in_progress`" in text


def test_a_closing_note_on_a_complete_action_is_still_kept(plans: Session) -> None:
    run(context(plans, person="Lee Lead"), "action done A-1")
    _, text = run(context(plans, person="Lee Lead"), 'action done A-1 "evaluation report filed"')
    assert "evaluation report filed" in text
    assert "already complete" in text


def test_return_status_says_days_and_working_days_together(plans: Session) -> None:
    # Q2 2026/27 ended 30/09/2026; the deadline is 15 working days later (21/10/2026).
    _, text = run(context(plans), "return status Q2 2026/27")
    assert "passed 31 days ago (22 working days)\n" in text, text  # its own line
    assert "15 working days after quarter end" in text
    assert "_(15 working days" not in text  # the rule is not a second, bracketed figure
