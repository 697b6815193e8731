"""Reporting cycles: each cycle's periods, deadlines and names; submit, status, sweep, refusals.

Riverside (tests/fixtures/plans/riverside.yaml, imported 21/11/2026) has the
ASB Steering Group (Gina, on Slack) and Leadership Group meetings on
10/12/2026 and 11/03/2027; returnskit adds its other groups.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from commands.framework.dispatch import Outcome, dispatch_text
from partnership import cycles, periods, quarters
from partnership.context import Context, UserError
from storage.cycles import parse_cycle
from storage.models import QuarterlyReturn, SubGroup
from tests import kit
from tests.db.returnskit import add_groups, configure, ctx_at, group, partnership, text_of
from tests.sweepkit import RecordingSender, at, sweep

ASB = "ASB Steering Group"
RETURN = 'summary:"Patrols in the hotspots" rag:P1=green'


def setup(session: Session, **settings: str) -> None:
    """Both fixture plans, Riverside's extra groups, and its settings."""
    kit.load_plans(session)
    add_groups(session)
    if settings:
        configure(session, **settings)


def typed(ctx: Context, text: str) -> Outcome:
    """Run a typed command and commit (or roll back) as the runner does."""
    outcome = dispatch_text(ctx, text)
    if outcome.ok:
        ctx.session.commit()
    else:
        ctx.session.rollback()
    return outcome


def stored(session: Session, name: str = ASB) -> list[tuple[int, int]]:
    """The periods a group has a return row for."""
    return [
        (r.fy_start_year, r.quarter)
        for r in session.scalars(
            select(QuarterlyReturn).where(QuarterlyReturn.subgroup_id == group(session, name).id)
        )
    ]


def test_each_cycle_names_its_periods(session: Session) -> None:
    setup(session)
    ctx = ctx_at(session, "Cora Coordinator", at("2027-04-10 10:00"))
    assert cycles.label((2026, 3)) == "Q3 2026/27"
    assert cycles.label(cycles.half(2027, 1)) == "H1 2027/28"
    assert cycles.label(cycles.month(2027, 3)) == "March 2027"
    assert cycles.label(cycles.meeting(dt.date(2027, 3, 18))) == "the 18/03/2027 meeting"
    assert cycles.bounds(ctx, cycles.half(2026, 2)) == (dt.date(2026, 10, 1), dt.date(2027, 3, 31))
    assert cycles.bounds(ctx, cycles.month(2027, 2)) == (dt.date(2027, 2, 1), dt.date(2027, 2, 28))
    # A meeting's period runs from the day after the meeting before.
    assert cycles.bounds(ctx, cycles.meeting(dt.date(2027, 3, 11))) == (
        dt.date(2026, 12, 11),
        dt.date(2027, 3, 11),
    )
    for period in [(2026, 3), cycles.half(2026, 2), cycles.month(2027, 3)]:
        assert cycles.from_code(cycles.code(period)) == period


def test_deadlines_follow_the_cycle(session: Session) -> None:
    setup(session)
    ctx = ctx_at(session, "Cora Coordinator", at("2027-04-10 10:00"))
    twice = parse_cycle("twice a year: October, April")
    # H2's report is due 15 working days after the end of April, not of March.
    due = cycles.deadline(ctx, cycles.half(2026, 2), twice)
    assert due.day == ctx.calendar.shift(dt.date(2027, 4, 30), 15)
    monthly = cycles.deadline(ctx, cycles.month(2027, 3), parse_cycle("monthly"))
    assert monthly.day == ctx.calendar.shift(dt.date(2027, 3, 31), 15)
    assert "month end" in monthly.rule
    meeting = cycles.deadline(
        ctx, cycles.meeting(dt.date(2027, 3, 11)), parse_cycle("before each meeting: 5 days")
    )
    assert meeting.day == dt.date(2027, 3, 4)  # Thursday, five working days before
    assert meeting.rule == "5 working days before the meeting"


def test_twice_a_year_submit_and_status(session: Session) -> None:
    setup(session, reporting_cycle="twice a year: September, March")
    ctx = ctx_at(session, "Gina Grouplead", at("2027-04-12 10:00"))
    done = typed(ctx, f'return submit quarter:"H2 2026/27" {RETURN}')
    assert done.ok, text_of(done)
    assert "H2 2026/27" in text_of(done)
    assert stored(session) == [(2026, 12)]
    ctx = ctx_at(session, "Cora Coordinator", at("2027-04-12 10:00"))
    shown = text_of(typed(ctx, "return status"))
    assert "Half-year returns · H2 2026/27" in shown
    assert "ASB Steering Group" in shown
    # A quarter is not a period of this cycle: refused, saying what is.
    refused = typed(
        ctx_at(session, "Gina Grouplead", at("2027-04-12 10:00")), "return submit quarter:Q3"
    )
    assert not refused.ok
    assert refused.error is not None and "H1 2027/28" in refused.error.message


def test_monthly_submit_by_month_name(session: Session) -> None:
    setup(session, reporting_cycle="monthly")
    ctx = ctx_at(session, "Gina Grouplead", at("2027-04-06 10:00"))
    done = typed(ctx, f'return submit quarter:"March 2027" {RETURN}')
    assert done.ok, text_of(done)
    assert stored(session) == [(2027, 103)]
    later = typed(ctx, f'return submit quarter:"May 2027" {RETURN}')
    assert not later.ok and later.error is not None
    assert "has not started yet" in later.error.message


def test_before_each_meeting(session: Session, factory: sessionmaker[Session]) -> None:
    setup(session, reporting_cycle="before each meeting: 5 working days")
    ctx = ctx_at(session, "Cora Coordinator", at("2027-02-20 10:00"))
    assert quarters.default_quarter(ctx, group(session, ASB)) == cycles.meeting(
        dt.date(2027, 3, 11)
    )
    shown = text_of(typed(ctx, "return status"))
    assert "the 11/03/2027 meeting" in shown
    # Reminded five working days before the deadline (Thursday 04/03/2027).
    sender = RecordingSender()
    sweep(factory, sender, "2027-02-25 10:00")
    reminders = [p for p in sender.posts if p.kind == "return_reminder"]
    assert reminders and all(":before5" in p.key and "2027-03-11:g" in p.key for p in reminders)
    assert "for *the 11/03/2027 meeting*" in reminders[0].text
    # The missing list names the meeting; a day that is no meeting is refused.
    sweep(factory, sender, "2027-03-05 10:00")
    missing = [p for p in sender.posts if p.kind == "returns_missing"]
    assert missing and "the 11/03/2027 meeting" in missing[0].text
    gina = ctx_at(session, "Gina Grouplead", at("2027-03-05 10:00"))
    wrong = typed(gina, f"return submit quarter:12/03/2027 {RETURN}")
    assert not wrong.ok and wrong.error is not None and "11/03/2027" in wrong.error.message
    done = typed(gina, f'return submit quarter:"the 11/03/2027 meeting" {RETURN}')
    assert done.ok, text_of(done)
    # No chase once the meeting has been held.
    before = len(sender.posts)
    sweep(factory, sender, "2027-03-12 10:00")
    assert [p for p in sender.posts[before:] if p.kind == "return_chase"] == []


def test_a_group_on_its_own_cycle_and_one_not_asked(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    cora = ctx_at(session, "Cora Coordinator", at("2027-01-25 10:00"))
    done = typed(
        cora, 'group cycle "Night-time Economy Group" cycle:"twice a year: September, March"'
    )
    assert done.ok, text_of(done)
    assert typed(cora, 'group cycle "Youth Forum" cycle:"not asked"').ok
    assert group(session, "Night-time Economy Group").reporting_cycle == (
        "twice a year: September, March"
    )
    names = [s.group for s in quarters.standings(cora, (2026, 3))]
    assert ASB in names
    assert "Night-time Economy Group" not in names and "Youth Forum" not in names
    sender = RecordingSender()
    sweep(factory, sender, "2027-01-25 10:00")
    missing = [p for p in sender.posts if p.kind == "returns_missing"]
    assert missing and all("Youth Forum" not in p.text for p in missing)
    assert all("Night-time Economy Group" not in p.text for p in missing)
    back = typed(cora, 'group cycle "Night-time Economy Group" cycle:partnership')
    assert back.ok and group(session, "Night-time Economy Group").reporting_cycle is None


def test_a_group_created_late_owes_nothing_before_it(session: Session) -> None:
    setup(session)
    cora = ctx_at(session, "Cora Coordinator", at("2027-03-01 10:00"))
    assert typed(cora, 'group add "Hate Crime Forum" lead:"Lee Lead"').ok
    assert group(session, "Hate Crime Forum").created_on == dt.date(2027, 3, 1)
    names = [s.group for s in quarters.standings(cora, (2026, 3))]
    assert "Hate Crime Forum" not in names and ASB in names
    # Q4's deadline is after it was created: that one it owes.
    assert "Hate Crime Forum" in [s.group for s in quarters.standings(cora, (2026, 4))]
    lee = ctx_at(session, "Lee Lead", at("2027-03-01 10:00"))
    refused = typed(lee, f'return submit group:"Hate Crime Forum" quarter:Q3 {RETURN}')
    assert not refused.ok and refused.error is not None
    assert "not asked for a report for Q3 2026/27" in refused.error.message


def test_settings_refuse_a_cycle_saying_what_is_accepted(session: Session) -> None:
    setup(session)
    cora = ctx_at(session, "Cora Coordinator")
    for bad, words in [
        ('reporting_cycle:"every so often"', "quarterly"),
        ('reporting_cycle:"twice a year: September"', "two months"),
        ('reporting_cycle:"twice a year: June, March"', "September"),
        ('reporting_cycle:"before each meeting"', "working days"),
    ]:
        out = typed(cora, f"settings {bad}")
        assert not out.ok and out.error is not None, bad
        assert words in out.error.message, (bad, out.error.message)
    assert partnership(session).settings is None  # nothing written
    out = typed(cora, 'group cycle "Youth Forum" cycle:fortnightly')
    assert not out.ok and out.error is not None and "monthly" in out.error.message
    assert group(session, "Youth Forum").reporting_cycle is None
    ok = typed(cora, 'settings reporting_cycle:"twice a year: Sept, Mar"')
    assert ok.ok
    assert partnership(session).settings == {"reporting_cycle": "twice a year: September, March"}


def test_period_words_are_read_for_each_cycle(session: Session) -> None:
    setup(session)
    ctx = ctx_at(session, "Cora Coordinator", at("2027-04-12 10:00"))
    twice = parse_cycle("twice a year: September, March")
    assert periods.read(ctx, "H2 2026/27", twice) == cycles.half(2026, 2)
    assert periods.read(ctx, "2026/27 H1", twice) == cycles.half(2026, 1)
    assert periods.read(ctx, "H2", twice) == cycles.half(2026, 2)
    monthly = parse_cycle("monthly")
    assert periods.read(ctx, "Feb 2027", monthly) == cycles.month(2027, 2)
    assert periods.read(ctx, "03/2027", monthly) == cycles.month(2027, 3)
    try:
        periods.read(ctx, "H2 2027/28", twice)
    except UserError as exc:
        assert "has not started yet" in exc.message
    else:
        raise AssertionError("a half-year not begun was read")


PLAN = """
version: 1
partnership:
  name: Cycle Test CSP
  slug: cycletest
  settings:
    reporting_cycle: "before each meeting: 5 working days"
groups:
  - name: Review Group
    cycle: "twice a year: September, March"
  - name: Quiet Group
meetings:
  - date: 18/03/2027
"""


def test_the_plan_file_sets_cycles_and_a_reimport_keeps_them(session: Session) -> None:
    from storage.planfile import load_plan_text
    from storage.sync import apply_plan

    for _ in range(2):
        apply_plan(session, load_plan_text(PLAN, "cycles.yaml"), source_name="cycles", now=kit.NOW)
        session.commit()
    row = partnership(session, "cycletest")
    assert row.settings == {"reporting_cycle": "before each meeting: 5 working days"}
    found = {
        g.name: g.reporting_cycle
        for g in session.scalars(select(SubGroup).where(SubGroup.partnership_id == row.id))
    }
    assert found == {"Review Group": "twice a year: September, March", "Quiet Group": None}
    bad = PLAN.replace("September, March", "May, March")
    try:
        load_plan_text(bad, "cycles.yaml")
    except Exception as exc:
        assert "September" in str(exc)
    else:
        raise AssertionError("a bad cycle was read")
