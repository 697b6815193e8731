"""UK dates and financial quarters.

``03/04/2027`` is 3 April 2027: day first, always. The financial year starts on
1 April unless a partnership says otherwise, so Q1 is April–June and
``Q3 2026/27`` means 31 December 2026, the last day of that quarter.

Parsing distinguishes two failures, because the spreadsheet importer treats
them differently: :class:`InvalidDate` is text shaped like a date that cannot
be one (``31/02/2027``) and is an error; :class:`NotADate` is text that is not a
date at all (``Ongoing``) and is kept as a free-text timescale.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

EXAMPLES = "31/03/2027, 2027-03-31, 31 March 2027, March 2027 or Q4 2026/27"

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9


class DateError(ValueError):
    """Text that could not be read as a date; the message says what to write."""


class InvalidDate(DateError):  # noqa: N818 (reads better at the call sites)
    """Text shaped like a date that names no real day (``31/02/2027``)."""


class NotADate(DateError):  # noqa: N818
    """Text that is not a date at all (``Ongoing``)."""


@dataclass(frozen=True)
class FinancialYear:
    """When a partnership's financial year starts (month, day)."""

    month: int = 4
    day: int = 1

    def start_year(self, day: dt.date) -> int:
        """The calendar year in which the financial year holding ``day`` starts."""
        start = dt.date(day.year, self.month, self.day)
        return day.year if day >= start else day.year - 1

    def quarter_of(self, day: dt.date) -> tuple[int, int]:
        """(financial year start year, quarter 1-4) for a day."""
        fy = self.start_year(day)
        months = (day.year - fy) * 12 + day.month - self.month
        if day.day < self.day:
            months -= 1
        return fy, months // 3 + 1

    def quarter_bounds(self, fy: int, quarter: int) -> tuple[dt.date, dt.date]:
        """First and last day of a financial quarter."""
        if quarter not in (1, 2, 3, 4):
            raise InvalidDate(f"there is no quarter {quarter}; quarters run Q1 to Q4")
        start = _add_months(dt.date(fy, self.month, self.day), 3 * (quarter - 1))
        end = _add_months(start, 3) - dt.timedelta(days=1)
        return start, end

    def year_end(self, fy: int) -> dt.date:
        """The last day of the financial year starting in ``fy``."""
        return self.quarter_bounds(fy, 4)[1]


UK_FY = FinancialYear()


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day-of-month ``months`` later, clipped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def fy_label(fy: int) -> str:
    """``2026`` -> ``2026/27``."""
    return f"{fy}/{(fy + 1) % 100:02d}"


def quarter_label(fy: int, quarter: int) -> str:
    """``(2026, 3)`` -> ``Q3 2026/27``."""
    return f"Q{quarter} {fy_label(fy)}"


def month_label(year: int, month: int) -> str:
    """``(2027, 1)`` -> ``Jan 2027``: a monthly reading's period."""
    return f"{calendar.month_abbr[month]} {year}"


def month_end(year: int, month: int) -> dt.date:
    """The last day of a calendar month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def uk(day: dt.date | None) -> str:
    """Format a date the UK way (``31/03/2027``); empty for None."""
    return "" if day is None else day.strftime("%d/%m/%Y")


def period_words(period: str | None) -> str:
    """An outbox period key in words: ``2026-03-31`` -> ``31/03/2026``, ``2026-W09`` -> week 9."""
    p = period or ""
    if len(p) == 10 and p[4] == "-" and p[7] == "-":
        return f"{p[8:10]}/{p[5:7]}/{p[0:4]}"
    if len(p) == 8 and p[4:6] == "-W":
        week = int(p[6:8]) if p[6:8].isdigit() else 0  # as Jinja's int filter read it
        return f"week {week} of {p[0:4]}"
    return p


def _make(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        hint = did_you_mean(text)
        raise InvalidDate(
            f"{text!r} is not a real date (day {day} of month {month} in {year})"
            + (f": {hint} Dates are day first; " if hint else "; ")
            + f"write a date such as {EXAMPLES}"
        ) from None


def swapped(text: str) -> dt.date | None:
    """The day a month-first date means, when read day first it names no day.

    ``04/13/2027`` (month first, as in the US) cannot be day 4 of month 13, so it
    means 13 April 2027; ``2027-13-04`` likewise. A date that reads day first
    (``04/05/2027``) is never second-guessed: UK dates are day first.
    """
    s = " ".join(text.strip().split())
    if m := _NUMERIC.fullmatch(s):
        day, month, year = int(m[1]), int(m[2]), _year(m[3])
    elif m := _ISO.fullmatch(s):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        return None
    if month <= 12 or day > 12:
        return None  # the month is a month, or swapping would not make it one
    try:
        return dt.date(year, day, month)
    except ValueError:
        return None


def did_you_mean(text: str, quote: str = "") -> str:
    """``did you mean 13/04/2027 (13 April 2027)?`` for a month-first date, else empty.

    ``quote`` goes either side of the suggested date (a backtick, for Slack).
    """
    day = swapped(text)
    if day is None:
        return ""
    return f"did you mean {quote}{uk(day)}{quote} ({day.day} {day:%B %Y})?"


def _year(text: str) -> int:
    """A four-digit year, or a two-digit one read as 20xx."""
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _fy_from(first: str, second: str, text: str) -> int:
    """The start year of a financial year written ``2026/27`` or ``2026-2027``."""
    start = _year(first)
    end = int(second)
    end_full = start - start % 100 + end if len(second) == 2 else end
    if end_full < start:  # 2099/00
        end_full += 100
    if end_full != start + 1:
        raise InvalidDate(
            f"{text!r}: a financial year runs over two consecutive years, such as 2026/27"
        )
    return start


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})")
_WORDS = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?,?\s+(\d{4})")
_MONTH_YEAR = re.compile(r"(?:end\s+of\s+)?([a-z]+)\.?,?\s+(\d{4})")
_FY = r"(?:fy\s*)?(\d{4}|\d{2})\s*[/\-]\s*(\d{2}|\d{4})"
_QUARTER_FIRST = re.compile(r"q([0-9])\s*,?\s*" + _FY)
_QUARTER_LAST = re.compile(_FY + r"\s*,?\s*q([0-9])")
_FY_ONLY = re.compile(r"(?:end\s+of\s+)?(?:fy\s*)?(\d{4})\s*/\s*(\d{2}|\d{4})")
_RELATIVE = re.compile(r"\+\s*(\d{1,3})\s*([dwm])")


def parse_date(
    text: str | dt.date | dt.datetime,
    *,
    fy: FinancialYear = UK_FY,
    today: dt.date | None = None,
) -> dt.date:
    """Read a UK date, a month, a financial quarter or year (its last day).

    Relative forms (``today``, ``tomorrow``, ``+2w``, ``+10d``, ``+1m``,
    ``end of quarter``, ``end of year``) are accepted only when ``today`` is
    given: a plan file must mean the same thing whenever it is imported.
    """
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    raw = text
    s = " ".join(text.strip().lower().split())
    if not s:
        raise NotADate("no date given")
    if m := _ISO.fullmatch(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _NUMERIC.fullmatch(s):
        return _make(_year(m[3]), int(m[2]), int(m[1]), raw)
    if (m := _WORDS.fullmatch(s)) and m[2] in MONTHS:
        return _make(int(m[3]), MONTHS[m[2]], int(m[1]), raw)
    if (m := _MONTH_YEAR.fullmatch(s)) and m[1] in MONTHS:
        year, month = int(m[2]), MONTHS[m[1]]
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if m := _QUARTER_FIRST.fullmatch(s):
        return fy.quarter_bounds(_fy_from(m[2], m[3], raw), int(m[1]))[1]
    if m := _QUARTER_LAST.fullmatch(s):
        return fy.quarter_bounds(_fy_from(m[1], m[2], raw), int(m[3]))[1]
    if m := _FY_ONLY.fullmatch(s):
        return fy.year_end(_fy_from(m[1], m[2], raw))
    if today is not None:
        relative = _relative(s, today, fy)
        if relative is not None:
            return relative
    if re.search(r"\d", s) and re.fullmatch(r"[\d\s/.\-]+", s):
        # Digits and separators only, but no form above matched: a mistyped date.
        raise InvalidDate(f"{raw!r} is not a date we can read; write a date such as {EXAMPLES}")
    raise NotADate(f"{raw!r} is not a date; write a date such as {EXAMPLES}")


# A moment: a date (any form parse_date reads), then a time: "04/01/2027 09:30",
# "2027-01-04T09:30", "4 January 2027 at 9.30".
_MOMENT = re.compile(r"(.+?)(?:\s*t\s*|\s*,\s*|\s+at\s+|\s+)(\d{1,2})[:.](\d{2})(?::(\d{2}))?")


class TimeError(ValueError):
    """Why a text is not a time of day: ``shape``, ``ampm`` (hour not 1-12) or ``range``."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?")


def parse_time(text: str) -> dt.time:
    """A time of day as people write it: ``10:00``, ``14.30``, ``10am``, ``2:30pm``.

    Raises :class:`TimeError`; each caller words the refusal for where it was typed.
    """
    m = _CLOCK.fullmatch(text.strip().lower())
    if not m or not (m[2] or m[3]):
        raise TimeError("shape")
    hour, minute = int(m[1]), int(m[2] or 0)
    if m[3]:
        if not 1 <= hour <= 12:
            raise TimeError("ampm")
        hour = hour % 12 + (12 if m[3] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise TimeError("range")
    return dt.time(hour, minute)


MOMENT_EXAMPLES = "04/01/2027 09:30, 4 January 2027 09:30, 2027-01-04T09:30 or 04/01/2027"
DAY_STARTS = dt.time(9, 0)  # a date given alone means this time: the working day's start


def parse_moment(text: str, zone: dt.tzinfo, *, today: dt.date | None = None) -> dt.datetime:
    """A date and time as typed on the command line, as an aware datetime.

    UK dates first (``03/12/2026 09:30``), ISO too, with or without an offset
    (``2026-12-03T09:30+00:00``); a time without an offset is wall-clock time
    in ``zone``; a date alone means 09:00 (when the working day starts).
    """
    s = " ".join(text.strip().split())
    try:
        moment = dt.datetime.fromisoformat(s)
        if not _ISO.fullmatch(s):  # a bare ISO date is read below, at DAY_STARTS
            return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    except ValueError:
        pass
    if m := _MOMENT.fullmatch(s.lower()):
        day = parse_date(m[1], today=today)
        hour, minute, second = int(m[2]), int(m[3]), int(m[4] or 0)
        try:
            clock = dt.time(hour, minute, second)
        except ValueError:
            raise InvalidDate(
                f"{text!r}: {hour:02d}:{minute:02d} is not a time of day; "
                f"write it as {MOMENT_EXAMPLES}"
            ) from None
        return dt.datetime.combine(day, clock, tzinfo=zone)
    try:
        day = parse_date(s, today=today)
    except NotADate:
        raise NotADate(
            f"{text!r} is not a date and time; write it as {MOMENT_EXAMPLES} (London time)"
        ) from None
    return dt.datetime.combine(day, DAY_STARTS, tzinfo=zone)


def _relative(s: str, today: dt.date, fy: FinancialYear) -> dt.date | None:
    """The relative forms a person types in a command."""
    if s == "today":
        return today
    if s == "tomorrow":
        return today + dt.timedelta(days=1)
    if m := _RELATIVE.fullmatch(s):
        n, unit = int(m[1]), m[2]
        if unit == "d":
            return today + dt.timedelta(days=n)
        if unit == "w":
            return today + dt.timedelta(weeks=n)
        return _add_months(today, n)
    if s in ("end of quarter", "eoq", "end of the quarter"):
        return fy.quarter_bounds(*fy.quarter_of(today))[1]
    if s in ("end of year", "end of the year", "year end", "eoy"):
        return fy.year_end(fy.start_year(today))
    if s in ("end of month", "end of the month", "eom"):
        return dt.date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    return None


def parse_quarter(text: str, *, fy: FinancialYear = UK_FY) -> tuple[int, int]:
    """Read ``Q3 2026/27`` (or ``2026/27 Q3``) as (2026, 3)."""
    s = " ".join(text.strip().lower().split())
    if m := _QUARTER_FIRST.fullmatch(s):
        fy_start, quarter = _fy_from(m[2], m[3], text), int(m[1])
    elif m := _QUARTER_LAST.fullmatch(s):
        fy_start, quarter = _fy_from(m[1], m[2], text), int(m[3])
    else:
        # A date stands for the quarter that holds it.
        return fy.quarter_of(parse_date(text, fy=fy))
    fy.quarter_bounds(fy_start, quarter)  # validates the quarter number
    return fy_start, quarter


_PERIOD_MONTH = re.compile(r"([a-z]+)\.?,?\s+(\d{4})")
_PERIOD_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_period(text: str, *, fy: FinancialYear = UK_FY) -> tuple[str, dt.date]:
    """Read a reading's period: a month (``Jan 2027``), a quarter (``Q1 2023/24``), a
    financial year (``2022/23``) or a calendar year (``2022``); return its label and
    last day. A single date stands for the quarter that holds it."""
    s = " ".join(text.strip().lower().split())
    if m := re.fullmatch(r"(?:cy\s*)?(\d{4})", s):
        return m[1], dt.date(int(m[1]), 12, 31)
    if (m := _PERIOD_MONTH.fullmatch(s)) and m[1] in MONTHS:
        year, month = int(m[2]), MONTHS[m[1]]
        return month_label(year, month), month_end(year, month)
    if (m := _PERIOD_ISO_MONTH.fullmatch(s)) and 1 <= int(m[2]) <= 12:
        year, month = int(m[1]), int(m[2])
        return month_label(year, month), month_end(year, month)
    if m := _FY_ONLY.fullmatch(s):
        start = _fy_from(m[1], m[2], text)
        return fy_label(start), fy.year_end(start)
    fy_start, quarter = parse_quarter(text, fy=fy)
    return quarter_label(fy_start, quarter), fy.quarter_bounds(fy_start, quarter)[1]


def parse_fy_start(text: str) -> FinancialYear:
    """Read a financial-year start such as ``1 April`` or ``04-01``."""
    s = " ".join(text.strip().lower().split())
    if (m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)", s)) and m[2] in MONTHS:
        day, month = int(m[1]), MONTHS[m[2]]
    elif m := re.fullmatch(r"(\d{1,2})-(\d{1,2})", s):
        month, day = int(m[1]), int(m[2])
    else:
        raise InvalidDate(f"{text!r}: write the day and month the year starts, such as 1 April")
    _make(2001, month, day, text)  # a non-leap year: 29 February cannot start a year
    return FinancialYear(month, day)
