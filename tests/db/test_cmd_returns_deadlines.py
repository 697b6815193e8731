"""Quarterly returns: the deadline rules, reading a quarter, which quarter is the default."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from partnership import quarters
from storage.models import Meeting
from tests import kit
from tests.db.returnskit import (
    AFTER,
    Q3,
    asb_form,
    configure,
    ctx_at,
    group,
    partnership,
    plans,
    submit,
)
from tests.sweepkit import at

__all__ = ["plans"]  # fixtures shared through the kit


@pytest.mark.parametrize(
    ("quarter", "rule", "expected"),
    [
        # 15 working days after 31/12/2026 skips New Year's Day: Friday 22/01/2027.
        ((2026, 3), "15 working days after quarter end", dt.date(2027, 1, 22)),
        ((2026, 2), "15 working days after quarter end", dt.date(2026, 10, 21)),
        ((2026, 4), "15 working days after quarter end", dt.date(2027, 4, 21)),
        # 4, 5, 6, 7, 8 January: the bank holiday on the 1st is not counted.
        ((2026, 3), "5 working days after quarter end", dt.date(2027, 1, 8)),
        # Ten working days before the Leadership Group on 10/12/2026 and on 11/03/2027.
        ((2026, 2), "10 working days before review", dt.date(2026, 11, 26)),
        ((2026, 3), "10 working days before review", dt.date(2027, 2, 25)),
    ],
)
def test_deadline_rules(
    session: Session, quarter: quarters.Quarter, rule: str, expected: dt.date
) -> None:
    kit.load_plans(session)
    configure(session, return_deadline=rule)
    due = quarters.deadline(ctx_at(session, None), *quarter)
    assert due.day == expected
    assert due.note == ""


def test_review_rule_falls_back_when_no_meeting_is_set(session: Session) -> None:
    kit.load_plans(session)
    configure(session, return_deadline="10 working days before review")
    # Q4 2026/27 ends 31/03/2027 and no meeting follows it; Q1's is 163 days away.
    for quarter, day in (((2026, 4), dt.date(2027, 4, 21)), ((2026, 1), dt.date(2026, 7, 21))):
        due = quarters.deadline(ctx_at(session, None), *quarter)
        assert due.day == day
        assert due.rule == "15 working days after quarter end"
        assert "No Riverside Leadership Group meeting is set within 120 days" in due.note
    # The fallback is said where people look.
    outcome, text = kit.run(ctx_at(session, None, at("2027-04-01 10:00")), "return status Q4")
    assert outcome.ok, text
    assert "Deadline Wednesday 21/04/2027" in text and "the default applies" in text


def test_review_too_soon_after_the_quarter_reviews_the_one_before(session: Session) -> None:
    kit.load_plans(session)
    configure(session, return_deadline="10 working days before review")
    pid = partnership(session).id
    # Ten working days before 05/01/2027 is 17/12/2026 (Christmas, Boxing Day observed
    # on the 28th and New Year's Day skipped): before Q3 ends, so the next meeting counts.
    session.add(Meeting(partnership_id=pid, date=dt.date(2027, 1, 5), title="Extra"))
    # A sub-group's own meeting is not the review.
    asb = group(session, "ASB Steering Group")
    session.add(Meeting(partnership_id=pid, subgroup_id=asb.id, date=dt.date(2027, 2, 1)))
    session.commit()
    due = quarters.deadline(ctx_at(session, None), *Q3)
    assert due.day == dt.date(2027, 2, 25) and due.meeting == dt.date(2027, 3, 11)
    assert due.rule == "10 working days before review on Thursday 11/03/2027"


def test_reading_a_quarter(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session)  # Saturday 21/11/2026, in Q3 2026/27
    assert quarters.read_quarter(ctx, "Q3") == (2026, 3)
    assert quarters.read_quarter(ctx, "q2") == (2026, 2)
    assert quarters.read_quarter(ctx, "Q4") == (2025, 4)  # Q4 2026/27 has not begun
    assert quarters.read_quarter(ctx, "Q1 2025/26") == (2025, 1)
    assert quarters.read_quarter(ctx, "2026/27 Q2") == (2026, 2)
    assert quarters.read_quarter(ctx, "2026-2") == (2026, 2)
    assert quarters.read_quarter(ctx, "30/09/2026") == (2026, 2)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Q5", "`Q5` is not a quarter; write `Q3` or `Q3 2026/27`"),
        ("soon", "`soon` is not a quarter"),
        ("Q4 2026/27", "Q4 2026/27 has not started yet"),
        ("Q1 2026/28", "is not a quarter"),
    ],
)
def test_bad_quarters_say_what_to_write(session: Session, text: str, says: str) -> None:
    kit.load_plans(session)
    outcome, shown = kit.run(kit.context(session), f"return status {text}")
    assert not outcome.ok and says in shown


def test_default_quarter_moves_on_once_the_return_is_in_and_closed(plans: Session) -> None:
    asb = group(plans, "ASB Steering Group")
    assert quarters.default_quarter(ctx_at(plans, None), asb) == Q3
    assert submit(ctx_at(plans, "Gina Grouplead"), asb_form(ctx_at(plans, None))).ok
    # Still Q3 until its deadline has passed (it may be amended until then)...
    assert quarters.default_quarter(ctx_at(plans, None, at("2027-01-22 17:00")), asb) == Q3
    # ...then the current quarter; other groups' defaults are still Q3, still missing.
    assert quarters.default_quarter(ctx_at(plans, None, AFTER), asb) == (2026, 4)
    assert quarters.default_quarter(ctx_at(plans, None, AFTER)) == Q3
    lee = group(plans, "Night-time Economy Group")
    assert quarters.default_quarter(ctx_at(plans, None, AFTER), lee) == Q3
