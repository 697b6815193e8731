"""Reporting cycles as people write them: how often a sub-group reports to the partnership.

One of ``quarterly`` (the default), ``twice a year: September, March`` (the
halves of the financial year, each due after the month named for it),
``before each meeting: 5 working days`` (a report ahead of each Leadership
Group meeting) or ``monthly``; a group may also be ``not asked`` for reports.
Read here (the plan file, ``/csp settings`` and ``/csp group cycle`` all use
:func:`parse_cycle`, so the same words give the same cycle everywhere); what a
cycle's periods and deadlines are is ``partnership/cycles.py``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from storage.dates import fy_label, quarter_label, uk

QUARTERLY, TWICE, MEETING, MONTHLY, NONE = "quarterly", "twice", "meeting", "monthly", "none"
# A period is (year, number), stored as a return's (fy_start_year, quarter): see
# partnership/cycles.py. Numbers above these mark a half, a month, a meeting.
Period = tuple[int, int]
HALF, MONTH, MEETING_DAY = 10, 100, 10000
ACCEPTED = (
    "`quarterly`, `twice a year: September, March`, "
    "`before each meeting: 5 working days` or `monthly`"
)
# Each half's report is due after the half's last month or one of the three after it,
# counted as months of the financial year (1 is its first month): 6-9 for H1, 12-3 for H2.
HALF_MONTHS = ((6, 7, 8, 9), (12, 1, 2, 3))
_MONTHS = {
    **{name.lower(): i for i, name in enumerate(calendar.month_name) if name},
    **{name.lower(): i for i, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}
_TWICE = re.compile(r"^(?:twice\s+a\s+year|twice\s+yearly|half[\s-]*yearly|six[\s-]*monthly)\b")
_MEETING = re.compile(
    r"^(?:before\s+(?:each|every)\s+(?:leadership\s+group\s+|board\s+)?meeting)\s*(?::\s*)?"
    r"(?:(\d{1,2})\s+(?:working\s+)?days?(?:\s+before)?)?$"
)


@dataclass(frozen=True)
class Cycle:
    """A reporting cycle: its kind, the months a twice-yearly one names, a meeting one's days."""

    kind: str = QUARTERLY
    months: tuple[int, ...] = ()
    days: int = 0

    def __str__(self) -> str:
        if self.kind == TWICE:
            names = ", ".join(calendar.month_name[m] for m in self.months)
            return f"twice a year: {names}"
        if self.kind == MEETING:
            return f"before each meeting: {self.days} working day{'s' if self.days != 1 else ''}"
        return {NONE: "not asked"}.get(self.kind, self.kind)


DEFAULT = Cycle()


def _month(word: str) -> int:
    found = _MONTHS.get(word.strip().rstrip(".").lower())
    if found is None:
        raise ValueError(f"{word.strip()!r} is not a month; name two, e.g. `September, March`")
    return found


def parse_cycle(text: str, *, fy_month: int = 4, group: bool = False) -> Cycle:
    """``quarterly``, ``twice a year: September, March``, ``before each meeting: 5 working
    days``, ``monthly`` (and for a group, ``not asked``); a ValueError says what is accepted."""
    s = " ".join(str(text).strip().lower().split())
    if s in ("quarterly", "each quarter", "every quarter"):
        return DEFAULT
    if s in ("monthly", "each month", "every month"):
        return Cycle(MONTHLY)
    if group and s in ("not asked", "none", "no reports", "never"):
        return Cycle(NONE)
    if m := _TWICE.match(s):
        return _twice(s[m.end() :], fy_month)
    if m := _MEETING.match(s):
        if m[1] is None:
            raise ValueError(
                "say how many working days before each meeting the report is due: "
                "`before each meeting: 5 working days`"
            )
        days = int(m[1])
        if not 1 <= days <= 30:
            raise ValueError("give between 1 and 30 working days before each meeting")
        return Cycle(MEETING, days=days)
    also = " (or, for a group, `not asked`)" if group else ""
    raise ValueError(f"{str(text).strip()!r} is not a reporting cycle; write {ACCEPTED}{also}")


def _twice(rest: str, fy_month: int) -> Cycle:
    """The two months named after ``twice a year``: one after each half of the year."""
    words = [w for w in re.split(r"[\s,;:&/]+|\band\b", rest) if w.strip()]
    if len(words) != 2:
        raise ValueError(
            "name the two months the half-year reports are due after: "
            "`twice a year: September, March`"
        )
    months = tuple(_month(w) for w in words)
    for half, (month, allowed) in enumerate(zip(months, HALF_MONTHS, strict=True), start=1):
        # Months counted within the financial year: April is 1 when it starts in April.
        index = (month - fy_month) % 12 + 1
        if index not in allowed:
            names = ", ".join(calendar.month_name[(fy_month + i - 2) % 12 + 1] for i in allowed)
            raise ValueError(
                f"the {'first' if half == 1 else 'second'} half-year's report is due after "
                f"one of {names}, not {calendar.month_name[month]}"
            )
    return Cycle(TWICE, months=months)


def kind_of(period: Period) -> str:
    """Which cycle a period belongs to."""
    n = period[1]
    if n >= MEETING_DAY:
        return MEETING
    if n > MONTH:
        return MONTHLY
    if n > HALF:
        return TWICE
    return QUARTERLY


def meeting_day(period: Period) -> dt.date:
    """The day of a meeting period's meeting."""
    rest = period[1] - MEETING_DAY
    return dt.date(period[0], rest // 100, rest % 100)


def period_label(period: Period) -> str:
    """``Q3 2026/27``, ``H1 2027/28``, ``March 2027`` or ``the 18/03/2027 meeting``."""
    year, n = period
    kind = kind_of(period)
    if kind == MEETING:
        return f"the {uk(meeting_day(period))} meeting"
    if kind == MONTHLY:
        return f"{calendar.month_name[n - MONTH]} {year}"
    if kind == TWICE:
        return f"H{n - HALF} {fy_label(year)}"
    return quarter_label(year, n)
