"""The one-line meeting series (partnership/series.py) and the day and time readers: no database."""

from __future__ import annotations

import datetime as dt

import pytest

from partnership.meetings import MeetingError, is_day, read_day, read_time
from partnership.series import MAX_SERIES, SeriesError, is_series, parse_series

TODAY = dt.date(2026, 12, 1)


def dates(text: str, today: dt.date = TODAY) -> list[str]:
    """The series' dates as ISO text."""
    return [d.isoformat() for d in parse_series(text, today=today).dates]


def test_the_nth_weekday_of_named_months() -> None:
    line = "every third Thursday of Jan, Mar, May, Jul, Sep and Nov"
    assert dates(line) == [
        "2027-01-21",
        "2027-03-18",
        "2027-05-20",
        "2027-07-15",
        "2027-09-16",
        "2027-11-18",
    ]
    series = parse_series(line, today=TODAY)
    assert series.open_ended and not series.start_given
    assert series.words == (
        "every third Thursday of January, March, May, July, September and November"
    )
    assert series.ends == "until 30/11/2027"  # a year from today when no end is said


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("every 2 months from 21/01/2027", ["2027-01-21", "2027-03-21", "2027-05-21"]),
        (
            "every month from 21/01/2027 until 21/03/2027",
            ["2027-01-21", "2027-02-21", "2027-03-21"],
        ),
        ("every 2 months from 21/01/2027 for 2 meetings", ["2027-01-21", "2027-03-21"]),
        ("every month from 21/01/2027 3 times", ["2027-01-21", "2027-02-21", "2027-03-21"]),
        ("every quarter starting 15/01/2027 for 2 meetings", ["2027-01-15", "2027-04-15"]),
        ("every other month from 21 January 2027 for 2", ["2027-01-21", "2027-03-21"]),
        (
            "every first Monday from 04/01/2027 for 3 meetings",
            ["2027-01-04", "2027-02-01", "2027-03-01"],
        ),
        ("every last Friday of the month till 31/01/2027", ["2026-12-25", "2027-01-29"]),
        ("every 2nd Wed of every month for 2 meetings", ["2026-12-09", "2027-01-13"]),
        ("every fortnight on Tue for 3 meetings", ["2026-12-01", "2026-12-15", "2026-12-29"]),
        ("every 2 weeks from 03/12/2026 for 2 meetings", ["2026-12-03", "2026-12-17"]),
        ("every Monday until 14/12/2026", ["2026-12-07", "2026-12-14"]),
        ("every other Thursday to 17/12/2026", ["2026-12-03", "2026-12-17"]),
        ("EVERY Third THURSDAY of January & March until March 2027", ["2027-01-21", "2027-03-18"]),
    ],
)
def test_phrasings_people_use(line: str, expected: list[str]) -> None:
    got = dates(line)
    assert got[: len(expected)] == expected
    if "until" in line or "till" in line or " to " in line or "for" in line or "times" in line:
        assert got == expected


def test_a_month_without_the_day_is_skipped_as_rrule_does() -> None:
    assert dates("every month from 31/01/2027 for 3 meetings") == [
        "2027-01-31",
        "2027-03-31",
        "2027-05-31",
    ]


def test_the_anchored_rule_gives_the_same_dates_on_a_later_day() -> None:
    """What the Confirm button runs has its start and end written in."""
    for line in (
        "every third Thursday of Jan, Mar, May, Jul, Sep and Nov",
        "every 2 months from 21/01/2027",
        "every fortnight on Tue for 3 meetings",
        "every last Friday of the month",
    ):
        first = parse_series(line, today=TODAY)
        later = parse_series(first.anchored, today=TODAY + dt.timedelta(days=9))
        assert later.dates == first.dates, (line, first.anchored)


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("every blue moon", "every third Thursday of Jan"),
        ("every day", "every 2 months from 21/01/2027"),
        ("every 2 months", "from 21/01/2027"),
        ("every week", "on Tuesday"),
        ("every third Funday of Jan", "`Thursday` or `Thu`"),
        ("every third Thursday of Jan, Foo", "`foo` is not a month"),
        ("every month from 21/01/2027 until 31/02/2027", "not a real date"),
        ("every month from 21/01/2027 until 01/01/2027", "before it starts"),
        ("every month from 21/01/2027 until 30/11/2027 for 3 meetings", "not both"),
        ("every month from 21/01/2027 for 0 meetings", f"between 1 and {MAX_SERIES}"),
        ("every month from 21/01/2027 for lots", "`for 6 meetings`"),
        ("every month from", "`from 30/11/2027`"),
        ("every month for", "`for 6 meetings`"),
        ("every month from 21/01/2027 from 22/01/2027", "given twice"),
        ("every 20 months from 21/01/2027", "`every 2 months`"),
        ("every week from 02/12/2026 until 30/12/2030", f"more than {MAX_SERIES}"),
        ("every fifth Friday of February until 01/01/2027", "gives no date"),
        ("monthly", "starts with `every`"),
        ("every month from 13/21/2027", "day first"),
    ],
)
def test_bad_series_are_refused_with_a_hint(line: str, hint: str) -> None:
    with pytest.raises(SeriesError) as caught:
        parse_series(line, today=TODAY)
    assert hint in str(caught.value), str(caught.value)


def test_a_count_never_searches_for_decades() -> None:
    """A fifth Friday in February next comes in 2036: a count looks three years ahead only."""
    with pytest.raises(SeriesError, match="gives no date"):
        parse_series("every fifth Friday of Feb for 1 meetings", today=TODAY)
    assert dates("every fifth Friday of Feb for 1 meetings", dt.date(2035, 6, 1)) == ["2036-02-29"]


def test_is_series() -> None:
    assert is_series("every month from 21/01/2027")
    assert is_series("  Every third Thursday")
    assert not is_series("21/01/2027 everyone welcome")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("21/01/2027", dt.date(2027, 1, 21)),
        ("21 January 2027", dt.date(2027, 1, 21)),
        ("2027-01-21", dt.date(2027, 1, 21)),
        ("tomorrow", dt.date(2026, 12, 2)),
        ("+2w", dt.date(2026, 12, 15)),
    ],
)
def test_a_meeting_day(text: str, day: dt.date) -> None:
    assert is_day(text)
    assert read_day(text, TODAY) == day


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("March 2027", "day first"),  # a month is not a day
        ("Q4 2026/27", "day first"),
        ("31/02/2027", "not a real date"),
        ("01/13/2027", "did you mean 13/01/2027"),
    ],
)
def test_not_a_meeting_day(text: str, hint: str) -> None:
    with pytest.raises(MeetingError) as caught:
        read_day(text, TODAY)
    assert hint in str(caught.value)


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("10:00", dt.time(10)),
        ("14.30", dt.time(14, 30)),
        ("10am", dt.time(10)),
        ("2:30pm", dt.time(14, 30)),
        ("12am", dt.time(0)),
    ],
)
def test_a_time(text: str, time: dt.time) -> None:
    assert read_time(text) == time


@pytest.mark.parametrize("text", ["10", "25:00", "10:75", "13pm", "noon"])
def test_not_a_time(text: str) -> None:
    with pytest.raises(MeetingError, match="time"):
        read_time(text)


def test_the_meeting_rules_know_nothing_of_slack_or_templates() -> None:
    """partnership/ is used alike by commands, sweeps, console and CLI."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "partnership"
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        for name in names:
            assert not name.startswith(("slack_bolt", "slack_sdk", "jinja2", "bot")), (path, name)
