"""Stronger Safer Gloucester's year 2019/20 (seed 003): projects report before each meeting.

The strategy: Street Aware's "reports to SSGP will be prior to each meeting";
crime statistics are "reviewed every other meeting". The example completed by
tests/fixtures/seed_years/stronger-safer-gloucester-2019.yaml (fictional
people, six meetings, fictional leads for the Safer Estates Steering Group
and Street Aware) runs from 1 April 2019 to 31 May 2020 through ``run_due``
(tests/db/seedyearkit.py).

The example's cycle is "before each meeting: 5 working days": each group is
asked for a report ahead of each of the six meetings ("the 23/05/2019
meeting"), due five working days before it, and never for a quarter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.db.seedyearkit import (
    Year,
    backend,
    d,
    year_of,
)
from tests.db.seedyearread import asked_not_held, clean, digests, periods_asked, reports_in

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


def test_reports_are_asked_before_each_of_the_six_meetings(year: Year) -> None:
    named = [f"the {meeting:%d/%m/%Y} meeting" for meeting in MEETINGS]
    for lead in GROUPS.values():
        assert periods_asked(year, lead) == named, lead
    assert reports_in(year, SLUG) == {group: named for group in GROUPS}
    # Each due on the digest's day (five working days before the meeting), asked a week before.
    for lead in GROUPS.values():
        reminders = year.of("return_reminder", lead)
        assert len(reminders) == len(MEETINGS), lead
        for s, (meeting, due) in zip(reminders, MEETINGS.items(), strict=True):
            assert f"*the {meeting:%d/%m/%Y} meeting*" in s.text
            assert f"is due by *{due:%A} {due:%d/%m/%Y}*" in s.text, s.text


def test_no_report_is_listed_missing_for_a_period_not_asked(year: Year) -> None:
    asked = {p for lead in GROUPS.values() for p in periods_asked(year, lead)}
    for s in year.of("returns_missing"):
        assert [p for p in asked if p in s.text], s.text
    asks = [s for s in year.sent if s.kind.startswith("return")]
    assert not [s.key for s in asks if re.search(r"\bQ[1-4] 20\d\d/\d\d\b", s.text)]
