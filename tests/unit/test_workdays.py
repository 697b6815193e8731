"""Working days, bank holidays and sending hours."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.workdays import WorkingCalendar
from tests.sweepkit import at

CAL = WorkingCalendar()


def d(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


@pytest.mark.parametrize(
    ("day", "working", "holiday"),
    [
        ("25/12/2026", False, "Christmas Day"),
        ("28/12/2026", False, "Boxing Day (observed)"),  # 26th is a Saturday
        ("01/01/2027", False, "New Year's Day"),
        ("26/03/2027", False, "Good Friday"),
        ("29/03/2027", False, "Easter Monday"),
        ("03/05/2027", False, "May Day"),
        ("31/08/2026", False, "Late Summer Bank Holiday"),
        ("21/11/2026", False, None),  # a Saturday
        ("23/11/2026", True, None),
        ("02/01/2027", False, None),  # Scotland's holiday is not England's (and a Saturday)
    ],
)
def test_bank_holidays_and_weekends(day: str, working: bool, holiday: str | None) -> None:
    assert CAL.is_working_day(d(day)) is working
    assert CAL.holiday(d(day)) == holiday


def test_scotlands_second_of_january_is_not_englands() -> None:
    monday = d("02/01/2023")  # New Year's Day (substitute) in England; 2 January too in Scotland
    assert not CAL.is_working_day(monday)
    assert CAL.is_working_day(d("03/01/2023"))


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("24/12/2026", 1, "29/12/2026"),  # over Christmas, Boxing Day observed, a weekend
        ("31/12/2026", 15, "22/01/2027"),  # a Q3 return deadline
        ("07/01/2027", -5, "30/12/2026"),  # a digest day before a meeting
        ("28/05/2026", -5, "20/05/2026"),  # skips the spring bank holiday
        ("21/11/2026", 0, "23/11/2026"),  # zero from a Saturday is the next working day
        ("23/11/2026", 0, "23/11/2026"),
    ],
)
def test_shift_counts_working_days(start: str, n: int, expected: str) -> None:
    assert CAL.shift(d(start), n) == d(expected)


def test_sending_hours_and_the_next_working_morning() -> None:
    assert not CAL.is_open(at("2026-11-23 08:59"))
    assert CAL.is_open(at("2026-11-23 09:00"))
    assert CAL.is_open(at("2026-11-23 17:59"))
    assert not CAL.is_open(at("2026-11-23 18:00"))
    assert CAL.next_open(at("2026-11-20 18:30")) == at("2026-11-23 09:00")
    assert CAL.next_open(at("2026-12-24 18:00")) == at("2026-12-29 09:00")
    assert CAL.next_open(at("2026-11-23 10:00")) == at("2026-11-23 10:00")


def test_hours_are_local_across_the_clock_changes() -> None:
    # 09:00 in London is 08:00 UTC in summer and 09:00 UTC in winter.
    summer = dt.datetime(2027, 3, 30, 8, 0, tzinfo=dt.UTC)
    winter = dt.datetime(2027, 11, 1, 9, 0, tzinfo=dt.UTC)
    assert CAL.is_open(summer) and CAL.is_open(winter)
    assert not CAL.is_open(summer - dt.timedelta(minutes=1))
    assert not CAL.is_open(winter - dt.timedelta(minutes=1))


def test_other_hours() -> None:
    early = WorkingCalendar(opens=dt.time(7, 30), closes=dt.time(20, 0))
    assert early.is_open(at("2026-11-23 07:30")) and early.is_open(at("2026-11-23 19:59"))
