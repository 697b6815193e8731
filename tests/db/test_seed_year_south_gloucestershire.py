"""South Gloucestershire's year 2017/18 (seed 002): progress reviewed twice a year.

The plan: progress "will be considered by the Safer and Stronger Communities
Strategic Partnership twice a year". The example completed by
tests/fixtures/seed_years/south-gloucestershire-2017.yaml (fictional people,
the two reviews, a fictional delivery group per priority) runs from 1 April
2017 to 31 May 2018 through ``run_due`` (tests/db/seedyearkit.py).

The example's cycle is "twice a year: September, March": each group is asked
for an H1 report (April to September) and an H2 report (October to March),
due by the partnership's default rule counted from the end of the month the
cycle names, and never for a quarter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.schedule.run import context as sweep_context
from partnership import cycles
from tests import kit
from tests.db.seedyearkit import (
    MORNING,
    Year,
    backend,
    d,
    moment,
    year_of,
)
from tests.db.seedyearread import asked_not_held, clean, digests, periods_asked, reports_in

__all__ = ["backend"]  # the fixture, shared through the kit

SLUG = "south-gloucestershire"
CHAIRS = ["Test Chair South Glos", "Test Vice Chair South Glos", f"{SLUG} board channel"]
GROUPS = {
    "Test Protecting People Delivery Group": "Test Lead Alpha",
    "Test Stronger Communities Delivery Group": "Test Lead Bravo",
    "Test Working Together Delivery Group": "Test Lead Charlie",
}
# The two reviews, and the day each digest goes (five working days before).
HALVES = ["H1 2017/18", "H2 2017/18"]
# Each half's deadline (15 working days after 30 September and 31 March, Easter 2018
# skipped) and its reminder's day (five working days before).
DEADLINES = {"H1 2017/18": d("20/10/2017"), "H2 2017/18": d("23/04/2018")}
REMINDED = [d("13/10/2017"), d("16/04/2018")]
REVIEWS = {d("12/10/2017"): d("05/10/2017"), d("22/03/2018"): d("15/03/2018")}


@pytest.fixture(scope="module")
def year(backend: str) -> Iterator[Year]:
    """South Gloucestershire's year, once per backend."""
    yield from year_of("south-gloucestershire-2017", backend)


def test_the_year_runs_clean(year: Year) -> None:
    assert not clean(year)


def test_two_reviews_each_get_their_digest_once_to_the_chairs(year: Year) -> None:
    assert digests(year, SLUG) == {
        meeting: [(day, to) for to in CHAIRS] for meeting, day in REVIEWS.items()
    }
    assert len(year.of("digest")) == 2 * len(CHAIRS)


def test_every_report_asked_is_answered_and_held(year: Year) -> None:
    assert not asked_not_held(year, SLUG, GROUPS)
    # Everyone answered on the day: nobody chased, the coordinator told of nothing missing.
    assert not year.of("return_chase") and not year.of("returns_missing")
    assert {s.to for s in year.sent if s.kind == "return_reminder"} == set(GROUPS.values())


def test_the_two_reviews_ask_for_h1_and_h2_reports_on_the_rules_dates(year: Year) -> None:
    for lead in GROUPS.values():
        assert periods_asked(year, lead) == HALVES, lead
        assert [s.day for s in year.of("return_reminder", lead)] == REMINDED, lead
    assert reports_in(year, SLUG) == {group: HALVES for group in GROUPS}
    # The dates are the ones partnership/cycles.py gives the halves, and the reminders say so.
    with year.factory() as session:
        ctx = sweep_context(session, kit.partnership(session, SLUG), moment(REMINDED[0], MORNING))
        halves = [cycles.half(2017, 1), cycles.half(2017, 2)]
        assert [cycles.label(h) for h in halves] == HALVES
        given = {cycles.label(h): cycles.deadline(ctx, h).day for h in halves}
    assert given == DEADLINES
    for s in year.of("return_reminder"):
        [half] = [h for h in HALVES if f"*{h}*" in s.text]
        assert f"{DEADLINES[half]:%A} {DEADLINES[half]:%d/%m/%Y}*" in s.text, s.text


def test_no_quarterly_report_is_asked_held_or_listed_missing(year: Year) -> None:
    asks = [s for s in year.sent if s.kind.startswith("return") or s.kind == "returns_missing"]
    quarterly = re.compile(r"\bQ[1-4] 20\d\d/\d\d\b")
    assert not [s.key for s in asks if quarterly.search(s.text)]
    assert not [k for s in asks for k in [s.key] if re.search(r"\d{4}Q[1-4]", k)]
    held = [p for periods in reports_in(year, SLUG).values() for p in periods]
    assert not [p for p in held if quarterly.search(p)]
