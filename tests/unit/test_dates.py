import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from storage.dates import (
    FinancialYear,
    InvalidDate,
    NotADate,
    TimeError,
    did_you_mean,
    parse_date,
    parse_fy_start,
    parse_moment,
    parse_period,
    parse_quarter,
    parse_time,
    quarter_label,
    uk,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-31", D(2027, 3, 31)),
        ("31/03/2027", D(2027, 3, 31)),
        ("03/04/2027", D(2027, 4, 3)),  # day first: 3 April
        ("3/4/27", D(2027, 4, 3)),
        ("03.04.2027", D(2027, 4, 3)),
        ("31 March 2027", D(2027, 3, 31)),
        ("31st March 2027", D(2027, 3, 31)),
        ("1st of June 2026", D(2026, 6, 1)),
        ("31 Mar 2027", D(2027, 3, 31)),
        ("  31   MARCH  2027 ", D(2027, 3, 31)),
        ("March 2027", D(2027, 3, 31)),
        ("February 2028", D(2028, 2, 29)),
        ("end of May 2027", D(2027, 5, 31)),
        ("Q1 2026/27", D(2026, 6, 30)),
        ("Q3 2026/27", D(2026, 12, 31)),
        ("Q4 2026/27", D(2027, 3, 31)),
        ("q4 2026-27", D(2027, 3, 31)),
        ("2026/27 Q2", D(2026, 9, 30)),
        ("Q3 FY2026/27", D(2026, 12, 31)),
        ("2020/21", D(2021, 3, 31)),
        ("2011/12", D(2012, 3, 31)),
        (D(2027, 1, 2), D(2027, 1, 2)),
        (dt.datetime(2027, 1, 2, 9, 30), D(2027, 1, 2)),
    ],
)
def test_parse_date_accepts_uk_iso_and_quarter_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2027",
        "2027-13-01",
        "29/02/2027",
        "00/01/2027",
        "12/31/2027",
        "Q5 2026/27",
        "Q1 2026/28",
        "31 February 2027",
        "1/2/3/4",
    ],
)
def test_impossible_dates_are_invalid_and_say_what_to_write(text: str) -> None:
    with pytest.raises(InvalidDate) as info:
        parse_date(text)
    assert text in str(info.value) or "quarter" in str(info.value)


@pytest.mark.parametrize(
    "text", ["Ongoing", "within six months", "April 2019 for 2 years", "TBC", ""]
)
def test_free_text_is_not_a_date(text: str) -> None:
    with pytest.raises(NotADate):
        parse_date(text)


def test_relative_forms_need_today() -> None:
    with pytest.raises(NotADate):
        parse_date("today")
    today = D(2026, 11, 21)
    assert parse_date("today", today=today) == today
    assert parse_date("+2w", today=today) == D(2026, 12, 5)
    assert parse_date("+10d", today=today) == D(2026, 12, 1)
    assert parse_date("+3m", today=today) == D(2027, 2, 21)
    assert parse_date("end of quarter", today=today) == D(2026, 12, 31)
    assert parse_date("end of year", today=today) == D(2027, 3, 31)
    assert parse_date("end of month", today=D(2027, 2, 3)) == D(2027, 2, 28)


def test_quarters_follow_the_financial_year() -> None:
    fy = FinancialYear()
    assert fy.quarter_of(D(2026, 4, 1)) == (2026, 1)
    assert fy.quarter_of(D(2026, 3, 31)) == (2025, 4)
    assert fy.quarter_of(D(2027, 1, 15)) == (2026, 4)
    assert fy.quarter_bounds(2026, 3) == (D(2026, 10, 1), D(2026, 12, 31))
    assert quarter_label(2026, 3) == "Q3 2026/27"
    assert quarter_label(2099, 1) == "Q1 2099/00"
    assert parse_quarter("Q2 2026/27") == (2026, 2)
    assert parse_quarter("15/08/2026") == (2026, 2)


def test_other_financial_year_starts() -> None:
    fy = parse_fy_start("1 January")
    assert fy.quarter_of(D(2026, 4, 1)) == (2026, 2)
    assert parse_date("Q1 2026/27", fy=fy) == D(2026, 3, 31)
    assert parse_fy_start("04-06") == FinancialYear(4, 6)
    with pytest.raises(InvalidDate):
        parse_fy_start("30 February")


def test_periods() -> None:
    assert parse_period("Q1 2023/24") == ("Q1 2023/24", D(2023, 6, 30))
    assert parse_period("2022/23") == ("2022/23", D(2023, 3, 31))
    assert parse_period("2022") == ("2022", D(2022, 12, 31))


def test_uk_format() -> None:
    assert uk(D(2027, 4, 3)) == "03/04/2027"
    assert uk(None) == ""


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("04/13/2027", "13/04/2027"),
        ("4/13/27", "13/04/2027"),
        ("12-31-2026", "31/12/2026"),
        ("2027-13-04", "13/04/2027"),
    ],
)
def test_a_month_first_date_is_suggested_back(text: str, meant: str) -> None:
    assert (
        did_you_mean(text)
        == f"did you mean {meant} ({parse_date(meant).day} {parse_date(meant):%B %Y})?"
    )
    with pytest.raises(InvalidDate, match=f"did you mean {meant}"):
        parse_date(text)


@pytest.mark.parametrize(
    "text", ["31/02/2027", "02/31/2027", "13/13/2027", "04/05/2027", "Ongoing"]
)
def test_no_suggestion_unless_swapping_makes_a_date(text: str) -> None:
    assert did_you_mean(text) == ""


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/12/2026 09:30", dt.datetime(2026, 12, 3, 9, 30, tzinfo=LONDON)),
        ("03/12/2026", dt.datetime(2026, 12, 3, 9, 0, tzinfo=LONDON)),  # a date alone: 09:00
        ("3 December 2026 at 14.15", dt.datetime(2026, 12, 3, 14, 15, tzinfo=LONDON)),
        ("03/07/2026, 08:00:30", dt.datetime(2026, 7, 3, 8, 0, 30, tzinfo=LONDON)),
        ("2026-12-03T09:30", dt.datetime(2026, 12, 3, 9, 30, tzinfo=LONDON)),
        ("2026-12-03", dt.datetime(2026, 12, 3, 9, 0, tzinfo=LONDON)),
        ("2026-07-01T09:00+00:00", dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)),
        ("today 10:00", dt.datetime(2026, 11, 21, 10, 0, tzinfo=LONDON)),
    ],
)
def test_moments_take_uk_and_iso_forms(text: str, expected: dt.datetime) -> None:
    assert parse_moment(text, LONDON, today=D(2026, 11, 21)) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("next tuesday", "is not a date and time; write it as 04/01/2027 09:30"),
        ("03/12/2026 25:00", "25:00 is not a time of day"),
        ("04/13/2027 10:00", "did you mean 13/04/2027"),
    ],
)
def test_a_bad_moment_says_what_to_write(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_moment(text, LONDON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:00", dt.time(10)),
        ("14.30", dt.time(14, 30)),
        ("10am", dt.time(10)),
        ("2:30pm", dt.time(14, 30)),
        ("12am", dt.time(0)),
        (" 9.05 ", dt.time(9, 5)),
    ],
)
def test_a_time_of_day_as_people_write_it(text: str, expected: dt.time) -> None:
    """One reader of times for the plan file and the meeting commands alike."""
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("10", "shape"),
        ("noon", "shape"),
        ("13pm", "ampm"),
        ("0am", "ampm"),
        ("25:00", "range"),
        ("10:75", "range"),
    ],
)
def test_not_a_time_of_day_says_why(text: str, why: str) -> None:
    """The reason lets each caller word the refusal for where it was typed."""
    with pytest.raises(TimeError) as caught:
        parse_time(text)
    assert caught.value.why == why
