"""South Gloucestershire's year 2017/18 (seed 002): progress reviewed twice a year.

The plan: progress "will be considered by the Safer and Stronger Communities
Strategic Partnership twice a year". The example completed by
tests/fixtures/seed_years/south-gloucestershire-2017.yaml (fictional people,
the two reviews, a fictional delivery group per priority) runs from 1 April
2017 to 31 May 2018 through ``run_due`` (tests/db/seedyearkit.py).

The groups' reporting cycle is asserted only where it does not depend on the
cycle (every report asked is answered and held); the twice-yearly reports
themselves are for when the bot has that cycle (issue 15).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.db.seedyearkit import (
    Year,
    backend,
    d,
    year_of,
)
from tests.db.seedyearread import asked_not_held, clean, digests

__all__ = ["backend"]  # the fixture, shared through the kit

SLUG = "south-gloucestershire"
CHAIRS = ["Test Chair South Glos", "Test Vice Chair South Glos", f"{SLUG} board channel"]
GROUPS = {
    "Test Protecting People Delivery Group": "Test Lead Alpha",
    "Test Stronger Communities Delivery Group": "Test Lead Bravo",
    "Test Working Together Delivery Group": "Test Lead Charlie",
}
# The two reviews, and the day each digest goes (five working days before).
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
