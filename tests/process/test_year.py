"""A year of the Stroud example plan through ``run_due`` on a frozen clock.

The Stroud plan (examples/stroud-2023.yaml) as transcribed has priorities,
actions and measures but no people, sub-groups, dates or meetings (the
document names none), so the test gives it what a coordinator would add in its
first week: a coordinator, two chairs, four sub-group leads (one not on
Slack), a board channel, six Leadership Group meetings and owners and due dates
for a handful of actions. Then it drives every day from 1 April 2026 to
14 May 2027 through the real sweeps, the real outbox and the real ``WebClient``
talking to the loopback fake Slack, with sweeps at 08:00 (closed), 09:00,
12:00, 17:00 and 20:00 (closed) London time, while leads update actions and
submit returns as scripted in tests/process/yearkit.py. It asserts which
messages went to whom, on which days: every return reminder, chase,
missing-returns list and digest by date; nudges and roll-ups by their rules;
nothing on a weekend, a bank holiday or outside working hours; every message
exactly once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter, defaultdict

from storage.workdays import WorkingCalendar
from tests.process.yearkit import (
    BOARD,
    CHAIR,
    CORA,
    DAN,
    END,
    EVE,
    FINN,
    LONDON,
    SECOND_CLOCK,
    START,
    VICE,
    Sent,
    d,
    of,
    year,
)

__all__ = ["year"]  # fixtures shared through the kit


def test_every_message_exactly_once_and_only_in_working_hours(year: list[Sent]) -> None:
    keys = [s.key for s in year]
    assert len(keys) == len(set(keys))
    calendar = WorkingCalendar()
    for s in year:
        assert calendar.is_working_day(s.day), s
        assert 9 <= s.hour < 18, s


def test_digests_go_to_both_chairs_and_the_board_channel_five_working_days_before(
    year: list[Sent],
) -> None:
    days = {
        d("20/05/2026"),  # the spring bank holiday (25/05) does not count
        d("09/07/2026"),
        d("10/09/2026"),
        d("12/11/2026"),
        d("30/12/2026"),  # New Year's Day does not count
        d("11/03/2027"),
    }
    got = of(year, "digest")
    assert sorted(got) == sorted((day, to) for day in days for to in (CHAIR, VICE, BOARD))


def test_return_reminders_chases_and_missing_lists(year: list[Sent]) -> None:
    reminders = {
        # Q1 (deadline Tue 21/07/2026): Dan was in early; Eve on the day; Finn late.
        (d("14/07/2026"), EVE),
        (d("14/07/2026"), FINN),
        (d("21/07/2026"), EVE),
        (d("21/07/2026"), FINN),
        # Q2 (deadline Wed 21/10/2026): only Finn owes it.
        (d("14/10/2026"), FINN),
        (d("21/10/2026"), FINN),
        # Q3 (deadline Fri 22/01/2027): all leads on Slack were early.
        # Q4 (deadline Wed 21/04/2027): Eve submitted after the reminder on 14/04.
        (d("14/04/2027"), DAN),
        (d("14/04/2027"), EVE),
        (d("14/04/2027"), FINN),
        (d("21/04/2027"), FINN),
    }
    assert sorted(of(year, "return_reminder")) == sorted(reminders)
    chases = {
        (d("22/07/2026"), FINN),
        (d("22/10/2026"), FINN),
        (d("29/10/2026"), FINN),
        (d("05/11/2026"), FINN),
        (d("22/04/2027"), FINN),
        (d("29/04/2027"), FINN),
        (d("07/05/2027"), FINN),  # May Day (03/05/2027) does not count
    }
    assert sorted(of(year, "return_chase")) == sorted(chases)
    missing = of(year, "returns_missing")
    assert missing == [
        (d("22/07/2026"), CORA),
        (d("22/10/2026"), CORA),
        (d("25/01/2027"), CORA),
        (d("22/04/2027"), CORA),
    ]
    texts = [s.text for s in year if s.kind == "returns_missing"]
    assert all("Serious Violence Group" in t for t in (texts[0], texts[2], texts[3]))
    assert "gail@stroud.example" in texts[0]


def test_nudges_once_a_day_never_the_same_action_within_a_week(year: list[Sent]) -> None:
    nudges = [s for s in year if s.kind == "nudge"]
    per_day = Counter((s.day, s.address) for s in nudges)
    assert max(per_day.values()) == 1
    named: dict[str, list[dt.date]] = defaultdict(list)
    for s in nudges:
        for ref in set(re.findall(r"\*(A-\d+)\*", s.text)):
            named[ref].append(s.day)
    for ref, days in named.items():
        gaps = [(b - a).days for a, b in itertools.pairwise(days)]
        assert all(gap >= 7 for gap in gaps), (ref, days)
    # Only owners on Slack are nudged; Gail is chased by email instead.
    assert {s.address for s in nudges} <= {DAN, EVE, FINN}
    assert "A-25" not in named
    # A-1, last updated 15/05, is stale from Monday 15/06 (weekly), overdue from 01/07
    # but named again only a week after its last (stale) nudge; finished on 10/07.
    assert named["A-1"] == [d("15/06/2026"), d("22/06/2026"), d("29/06/2026"), d("06/07/2026")]
    # A-10 was snoozed from 05/08 to 19/08 and finished on 24/08.
    assert not [day for day in named["A-10"] if d("05/08/2026") <= day <= d("19/08/2026")]
    assert not [day for day in named["A-10"] if day >= d("24/08/2026")]
    # A-31 is never updated: stale every Friday from 01/05 (30 days after the import),
    # still on that cadence once overdue (due 30/10), with no gap over 11 days; the
    # bank holidays move it to the next working day and the cadence with it.
    a31 = named["A-31"]
    assert a31[0] == d("01/05/2026")
    assert d("30/10/2026") in a31 and d("06/11/2026") in a31
    gaps = [(b - a).days for a, b in itertools.pairwise(a31)]
    assert all(7 <= gap <= 11 for gap in gaps), a31
    assert a31[-1] >= END - dt.timedelta(days=11)


def test_weekly_roll_up_on_the_first_working_day_of_each_week(year: list[Sent]) -> None:
    rollups = of(year, "rollup")
    calendar = WorkingCalendar()
    expected = []
    monday = START - dt.timedelta(days=START.weekday())
    while monday <= END:
        day = max(monday, START)
        while day < monday + dt.timedelta(days=7) and not calendar.is_working_day(day):
            day += dt.timedelta(days=1)
        if day <= END and day < monday + dt.timedelta(days=7):
            expected.append((day, CORA))
        monday += dt.timedelta(days=7)
    assert rollups == expected
    # Gail is not on Slack: the coordinator chases her by email.
    assert any("gail@stroud.example" in s.text for s in year if s.kind == "rollup")


def test_the_year_in_figures(year: list[Sent]) -> None:
    """The totals, printed for the closing note and held steady against regressions."""
    counts = Counter(s.kind for s in year)
    print("year figures:", dict(sorted(counts.items())), "total", len(year))
    assert counts["digest"] == 18
    assert counts["return_reminder"] == 10
    assert counts["return_chase"] == 7
    assert counts["returns_missing"] == 4
    assert counts["rollup"] == 59  # every ISO week from 1 April 2026 to 14 May 2027
    assert counts["nudge"] == 120
    assert not counts["undelivered"]


def test_each_digest_carries_its_charts_once_in_its_thread(year: list[Sent]) -> None:
    """Every digest's charts go into its own thread on its day, each file once.

    (Here, not in a new module: a module of its own would run the whole year again.)
    """
    digests = of(year, "digest")
    charts = [s for s in year if s.kind == "digest_charts"]
    threads: dict[tuple[str, str], list[Sent]] = defaultdict(list)
    for s in charts:
        threads[(s.address, s.key.split("|")[2])].append(s)
    # One thread of charts per digest sent, in the conversation it went to, on its day.
    assert len(threads) == len(digests) == 18
    conversation = {CHAIR: "D" + CHAIR[1:], VICE: "D" + VICE[1:], BOARD: BOARD}
    assert sorted({(files[0].day, address) for (address, _), files in threads.items()}) == sorted(
        (day, conversation[to]) for day, to in digests
    )
    for files in threads.values():
        names = [s.key.rsplit("|", 1)[1] for s in files]
        assert len(names) == len(set(names)) >= 1
        assert {s.day for s in files} == {files[0].day}
        # One upload per thread: every file of a meeting's charts went in the same sweep.
        assert {s.hour for s in files} == {files[0].hour}
    # Exactly once per meeting and conversation, though a second clock (a restarted
    # process) ran straight after each sweep that sent a digest or its charts.
    per_meeting = Counter((s.address, s.key.rsplit("|", 1)[1]) for s in charts)
    assert max(per_meeting.values()) == 1
    second = {when.astimezone(LONDON).date() for when in SECOND_CLOCK}
    assert {day for day, _ in digests} <= second
