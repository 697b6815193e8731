"""Reporting cycles through the returns sweep and on the Home tab: twice a year and monthly.

Riverside (tests/fixtures/plans/riverside.yaml) has the ASB Steering Group led
by Gina (on Slack); returnskit adds its other groups. H2 2026/27 ends
31/03/2027; "twice a year: September, March" makes its report due 15 working
days later, Wednesday 21/04/2027 (Easter Monday 29/03 is before the count).
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.render.blocks import to_text
from bot.render.environment import render_blocks
from partnership.home import home
from tests import kit
from tests.db.returnskit import add_groups, configure, ctx_at, group
from tests.sweepkit import RecordingSender, at, sweep

KINDS = ("return_reminder", "return_chase", "returns_missing")


def setup(session: Session, cycle: str) -> None:
    """Both fixture plans, Riverside's extra groups, and its reporting cycle."""
    kit.load_plans(session)
    add_groups(session)
    configure(session, reporting_cycle=cycle)


def test_twice_a_year_reminds_chases_and_lists_the_half(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session, "twice a year: September, March")
    asb = group(session, "ASB Steering Group").id
    sender = RecordingSender()
    sweep(factory, sender, "2027-04-13 10:00")
    assert [p for p in sender.posts if p.kind in KINDS] == []  # before the first reminder
    sweep(factory, sender, "2027-04-14 10:00")  # five working days before 21/04
    reminders = [p for p in sender.posts if p.kind == "return_reminder"]
    assert f"2026H2:g{asb}:before5" in [p.key.split("|")[-1] for p in reminders]
    text = next(p.text for p in reminders if f"g{asb}:" in p.key)
    assert "half-year return for *H2 2026/27* (October 2026 to March 2027)" in text
    assert "Wednesday 21/04/2027" in text
    sweep(factory, sender, "2027-04-22 10:00")
    chases = [p for p in sender.posts if p.kind == "return_chase"]
    assert chases and all("2026H2:" in p.key for p in chases)
    missing = [p for p in sender.posts if p.kind == "returns_missing"]
    assert missing and "half-year returns for H2 2026/27" in missing[0].text
    assert "ASB Steering Group" in missing[0].text


def test_monthly_reminds_by_the_month(session: Session, factory: sessionmaker[Session]) -> None:
    setup(session, "monthly")
    asb = group(session, "ASB Steering Group").id
    sender = RecordingSender()
    # March 2027's report: 15 working days after 31/03 is 21/04; reminded on 14/04.
    sweep(factory, sender, "2027-04-14 10:00")
    keys = [p.key.split("|")[-1] for p in sender.posts if p.kind == "return_reminder"]
    assert f"2027M03:g{asb}:before5" in keys
    text = next(p.text for p in sender.posts if f"2027M03:g{asb}" in p.key)
    assert "monthly return for *March 2027*" in text


def test_the_home_tab_names_the_cycles_period(session: Session) -> None:
    setup(session, "twice a year: September, March")
    reply = home(ctx_at(session, "Gina Grouplead", at("2027-05-04 10:00")))
    text = to_text(render_blocks(reply.template, reply.data))
    assert "*My sub-group's half-year return · H1 2027/28*" in text
    configure(session, reporting_cycle="before each meeting: 5 working days")
    reply = home(ctx_at(session, "Gina Grouplead", at("2027-02-20 10:00")))
    text = to_text(render_blocks(reply.template, reply.data))
    assert "*My sub-group's return · the 11/03/2027 meeting*" in text
