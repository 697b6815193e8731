"""Stronger Safer Gloucester's year 2019/20 (seed 003): projects report before each meeting.

The strategy: Street Aware's "reports to SSGP will be prior to each meeting";
crime statistics are "reviewed every other meeting". The example completed by
tests/fixtures/seed_years/stronger-safer-gloucester-2019.yaml (fictional
people, six meetings, fictional leads for the Safer Estates Steering Group
and Street Aware) runs from 1 April 2019 to 31 May 2020 through ``run_due``
(tests/db/seedyearkit.py).

The reports are asserted only where that does not depend on the reporting
cycle (every report asked is answered and held); reports asked before each
meeting are for when the bot has that cycle (issue 15).
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

SLUG = "stronger-safer-gloucester"
CHAIRS = ["Test Chair SSGP", f"{SLUG} board channel"]
GROUPS = {
    "Safer Estates Steering Group for Gloucester": "Test Lead Alpha",
    "Street Aware": "Test Lead Bravo",
}
# The six meetings, and the day each digest goes (five working days before).
MEETINGS = {
    d("23/05/2019"): d("16/05/2019"),
    d("18/07/2019"): d("11/07/2019"),
    d("19/09/2019"): d("12/09/2019"),
    d("21/11/2019"): d("14/11/2019"),
    d("23/01/2020"): d("16/01/2020"),
    d("19/03/2020"): d("12/03/2020"),
}


@pytest.fixture(scope="module")
def year(backend: str) -> Iterator[Year]:
    """Stronger Safer Gloucester's year, once per backend."""
    yield from year_of("stronger-safer-gloucester-2019", backend)


def test_the_year_runs_clean(year: Year) -> None:
    assert not clean(year)


def test_each_meeting_gets_its_digest_once_to_the_chair_and_the_board(year: Year) -> None:
    assert digests(year, SLUG) == {
        meeting: [(day, to) for to in CHAIRS] for meeting, day in MEETINGS.items()
    }


def test_every_report_asked_is_answered_and_held(year: Year) -> None:
    assert not asked_not_held(year, SLUG, GROUPS)
    assert not year.of("return_chase") and not year.of("returns_missing")
