"""The straight path from baseline to target: on track, slightly off, off track (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from partnership.measure_path import (
    NO_DATA,
    OFF_TRACK,
    ON_TRACK,
    SLIGHTLY_OFF,
    Goal,
    judge,
    tolerance,
)
from storage.dates import UK_FY, DateError, parse_period
from storage.models import Direction

# Crime per 1,000 in Stronger Safer Gloucester 2019: 81.5 in April 2019, 55.2 by 2024.
CRIME = Goal(
    baseline=81.5,
    target=55.2,
    direction=Direction.LOWER,
    baseline_period="Apr 2019",  # ends 30/04/2019
    target_date=dt.date(2024, 12, 31),
)
# 30/09/2020 is 519 of the path's 2,072 days: the path expects 81.5 - 26.3 * 519/2072.
AUTUMN_2020 = dt.date(2020, 9, 30)
EXPECTED_2020 = 81.5 - 26.3 * 519 / 2072  # 74.91…


def test_crime_at_81_against_81_5_and_55_2_is_off_track_not_on_track() -> None:
    verdict = judge(CRIME, 81.0, AUTUMN_2020, UK_FY, "per 1,000")
    assert verdict.state == OFF_TRACK and not verdict.wrong_way
    assert verdict.reason == "behind the path to target, expected 74.9 by now"
    assert verdict.expected == pytest.approx(EXPECTED_2020)
    assert verdict.expected_words == (
        "expected 74.9 per 1,000 by now on the path to 55.2 per 1,000 by 31/12/2024"
    )


@pytest.mark.parametrize(
    ("value", "state", "reason"),
    [
        (70.0, ON_TRACK, "on the path to target"),  # ahead of the path
        (EXPECTED_2020, ON_TRACK, "on the path to target"),  # exactly on it
        (
            EXPECTED_2020 + 2.6,
            SLIGHTLY_OFF,
            "slightly behind the path to target, expected 74.9 by now",
        ),
        (EXPECTED_2020 + 2.7, OFF_TRACK, "behind the path to target, expected 74.9 by now"),
        (81.6, OFF_TRACK, "worse than the baseline"),
        (55.0, ON_TRACK, "target met"),
    ],
)
def test_lower_is_better_against_the_path(value: float, state: str, reason: str) -> None:
    verdict = judge(CRIME, value, AUTUMN_2020, UK_FY)
    assert (verdict.state, verdict.reason) == (state, reason)
    assert verdict.wrong_way is (value > 81.5)


def test_the_default_tolerance_is_a_tenth_of_the_way_and_the_plan_can_set_its_own() -> None:
    assert tolerance(CRIME) == pytest.approx(2.63)
    tight = Goal(**{**CRIME.__dict__, "tolerance": 0.5})
    assert judge(tight, EXPECTED_2020 + 0.4, AUTUMN_2020, UK_FY).state == SLIGHTLY_OFF
    assert judge(tight, EXPECTED_2020 + 0.6, AUTUMN_2020, UK_FY).state == OFF_TRACK


def test_higher_is_better_against_the_path() -> None:
    # Life expectancy (male) 77.9 in April 2019, 79.5 by the end of 2024: higher is better.
    male = Goal(77.9, 79.5, Direction.HIGHER, "Apr 2019", dt.date(2024, 12, 31))
    day = dt.date(2021, 12, 31)  # 976 of 2,072 days: expected 78.65
    assert judge(male, 78.9, day, UK_FY).state == ON_TRACK
    assert judge(male, 78.6, day, UK_FY).state == SLIGHTLY_OFF  # within 0.16
    got = judge(male, 78.1, day, UK_FY, "years")
    assert got.state == OFF_TRACK and "expected 78.7 years by now" in got.expected_words
    assert judge(male, 77.8, day, UK_FY).wrong_way
    assert judge(male, 79.5, day, UK_FY).reason == "target met"


def test_past_the_target_date_unmet_is_off_track() -> None:
    verdict = judge(CRIME, 60.0, dt.date(2024, 12, 31), UK_FY)
    assert (verdict.state, verdict.reason) == (OFF_TRACK, "target date passed, target not met")
    assert judge(CRIME, 55.2, dt.date(2025, 3, 31), UK_FY).state == ON_TRACK  # met, though late


def test_before_the_baseline_date_the_path_expects_the_baseline() -> None:
    verdict = judge(CRIME, 81.5, dt.date(2019, 3, 31), UK_FY)
    assert verdict.state == ON_TRACK and verdict.expected == pytest.approx(81.5)


def test_without_a_target_date_it_is_judged_against_the_baseline_and_says_so() -> None:
    plain = Goal(81.5, 55.2, Direction.LOWER, "Apr 2019", None)
    better = judge(plain, 81.0, AUTUMN_2020, UK_FY)
    assert (better.state, better.reason) == (ON_TRACK, "better than the baseline")
    assert better.basis == "no target date, so judged against the baseline"
    assert better.expected_words == ""
    same = judge(plain, 81.5, AUTUMN_2020, UK_FY)
    assert (same.state, same.reason) == (OFF_TRACK, "no change from the baseline")
    no_start = Goal(81.5, 55.2, Direction.LOWER, None, dt.date(2024, 12, 31))
    assert "no baseline period" in judge(no_start, 81.0, AUTUMN_2020, UK_FY).basis
    free = Goal(81.5, 55.2, Direction.LOWER, "year to September 2016", dt.date(2024, 12, 31))
    assert "'year to September 2016' is not" in judge(free, 81.0, AUTUMN_2020, UK_FY).basis


def test_nothing_to_judge_by_is_no_data() -> None:
    assert judge(CRIME, None, None, UK_FY).state == NO_DATA
    no_way = Goal(81.5, 55.2, None, "Apr 2019", dt.date(2024, 12, 31))
    assert judge(no_way, 80.0, AUTUMN_2020, UK_FY).state == NO_DATA


@pytest.mark.parametrize(
    ("typed", "label", "end"),
    [
        ("Jan 2027", "Jan 2027", dt.date(2027, 1, 31)),
        ("january 2027", "Jan 2027", dt.date(2027, 1, 31)),
        ("Sept 2026", "Sep 2026", dt.date(2026, 9, 30)),
        ("2028-02", "Feb 2028", dt.date(2028, 2, 29)),
        ("Q2 2026/27", "Q2 2026/27", dt.date(2026, 9, 30)),
        ("2025/26", "2025/26", dt.date(2026, 3, 31)),
        ("2025", "2025", dt.date(2025, 12, 31)),
    ],
)
def test_a_reading_period_may_be_a_month(typed: str, label: str, end: dt.date) -> None:
    assert parse_period(typed) == (label, end)


@pytest.mark.parametrize("typed", ["Smarch 2027", "2027-13", "Jan"])
def test_a_month_that_is_not_one_is_refused(typed: str) -> None:
    with pytest.raises(DateError):
        parse_period(typed)
