"""A series of meetings in one line, the way people describe it, as dates (python-dateutil's rrule).

What is understood (case does not matter; commas, ``and`` and ``&`` separate months):

* ``every third Thursday of Jan, Mar, May, Jul, Sep and Nov`` — the nth (``first`` …
  ``fifth``, ``1st`` …, or ``last``) weekday of the months named, or of every
  month (``of the month``, or no months at all);
* ``every 2 months from 21/01/2027``, ``every month from …``, ``every other month``,
  ``every quarter`` — on the start date's day of the month (a month without that
  day, such as 31 February, is skipped, as rrule does);
* ``every 2 weeks on Tuesday``, ``every fortnight from …``, ``every Monday``;
* then where it starts (``from`` / ``starting`` a date; today when not said) and
  where it ends: ``until`` (or ``till``, ``to``) a date, or a count (``for 6
  meetings``, ``6 times``). With neither, the series runs for a year from its start.

Dates are UK dates (:func:`storage.dates.parse_date`). Anything else is refused with
a :class:`SeriesError` that says what was not understood and how to write it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from dateutil.rrule import weekdays as rrule_weekdays

from storage.dates import MONTHS, DateError, parse_date, uk

# More than this many meetings at once is a mistake (a weekly series for ten years).
MAX_SERIES = 60
# A series given as a count looks this many years ahead at most.
COUNT_YEARS = 3
EXAMPLES = (
    "`every third Thursday of Jan, Mar, May, Jul, Sep and Nov`, "
    "`every 2 months from 21/01/2027 until 30/11/2027` or "
    "`every first Monday from 04/01/2027 for 6 meetings`"
)
ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
}
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
DAYS = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "other": 2}
# The words that start a clause: where the series starts, ends, how many, what time.
_CLAUSE = re.compile(r"\b(from|starting(?:\s+(?:on|from))?|until|till|to|for)\b")
_COUNT = re.compile(r"^(\d{1,3})(?:\s+(?:meetings?|times|dates|occurrences))?$")
_TIMES = re.compile(r"(?<!for )\b(\d{1,3})\s+(?:meetings|times)\b")
_NTH = re.compile(r"^(\w+)\s+([a-z]+)(?:\s+(?:of|in)\s+(.+))?$")
_MONTHLY = re.compile(r"^(?:(\d{1,2}|[a-z]+)\s+)?months?$")
_WEEKLY = re.compile(r"^(?:(\d{1,2}|[a-z]+)\s+)?(weeks?|fortnight)(?:\s+on\s+([a-z]+))?$")
_WEEKDAY = re.compile(r"^(?:(other)\s+)?([a-z]+?)s?$")
_ALL_MONTHS = {"the month", "every month", "each month", "month", "the year"}


class SeriesError(ValueError):
    """A series that cannot be read; the message says how to write it."""


@dataclass(frozen=True)
class Series:
    """The dates a one-line series gives, and the rule in words."""

    dates: list[dt.date]
    words: str
    start: dt.date
    # The start was not typed (today was taken): a confirmation must say it.
    start_given: bool
    # No end was typed: the series runs for a year from its start.
    open_ended: bool
    # How it ends, in words: ``until 30/11/2027`` or ``for 6 meetings``.
    ends: str

    @property
    def anchored(self) -> str:
        """The rule with its start and end written in: read again, it gives the same dates."""
        return f"{self.words} from {uk(self.start)} {self.ends}"


def is_series(text: str) -> bool:
    """Whether typed text describes a series (it starts with ``every``)."""
    return text.strip().lower().startswith("every ")


def parse_series(text: str, *, today: dt.date) -> Series:
    """The dates of a series typed in one line; SeriesError when it cannot be read."""
    typed = " ".join(text.strip().split())
    s = typed.lower()
    if not s.startswith("every "):
        raise SeriesError(f"A series starts with `every`, such as {EXAMPLES}.")
    rest = s[len("every ") :]
    count: int | None = None
    if m := _TIMES.search(rest):  # "every month from 21/01/2027 6 times"
        count = _count(m[1])
        rest = (rest[: m.start()] + rest[m.end() :]).strip()
    head, clauses = _clauses(rest)
    start: dt.date | None = None
    until: dt.date | None = None
    for word, value in clauses:
        if word in ("until", "till", "to"):
            until = _date(value, word, today)
        elif word == "for":
            m = _COUNT.match(value)
            if not m:
                raise SeriesError(
                    f"`for {value}` is not a number of meetings: write `for 6 meetings`. "
                    f"For example {EXAMPLES}."
                )
            count = _count(m[1])
        else:
            start = _date(value, "from", today)
    if until is not None and count is not None:
        raise SeriesError(
            "Give an end date (`until 30/11/2027`) or a number of meetings (`for 6 meetings`), "
            "not both."
        )
    begin = start or today
    if until is not None and until < begin:
        raise SeriesError(f"The series ends on {uk(until)}, before it starts on {uk(begin)}.")
    rule, words = _rule(head, start)
    open_ended = until is None and count is None
    end = until if until is not None else begin + relativedelta(years=1, days=-1)
    dates = _expand(rule, begin, None if count is not None else end, count)
    if not dates:
        raise SeriesError(
            f"`{typed[:80]}` gives no date between {uk(begin)} and {uk(end)}: "
            "check the months and the end date."
        )
    ends = f"for {count} meetings" if count is not None else f"until {uk(end)}"
    return Series(dates, words, begin, start is not None, open_ended, ends)


def _clauses(rest: str) -> tuple[str, list[tuple[str, str]]]:
    """The rule's head and its (keyword, value) clauses: from, until, for."""
    parts = _CLAUSE.split(rest)
    head = parts[0].strip()
    clauses: list[tuple[str, str]] = []
    seen: set[str] = set()
    for word, value in zip(parts[1::2], parts[2::2], strict=True):
        word = word.split()[0]
        kind = {"starting": "from", "till": "until", "to": "until"}.get(word, word)
        value = value.strip(" ,")
        if not value:
            example = "for 6 meetings" if kind == "for" else f"{word} 30/11/2027"
            raise SeriesError(f"`{word}` needs something after it, such as `{example}`.")
        if kind in seen:
            raise SeriesError(f"`{word}` is given twice; give it once.")
        seen.add(kind)
        clauses.append((word, value))
    return head, clauses


def _date(value: str, word: str, today: dt.date) -> dt.date:
    try:
        return parse_date(value, today=today)
    except DateError as exc:
        raise SeriesError(
            f"`{word} {value[:40]}`: {exc}. Dates are day first, such as `{word} 30/11/2027`."
        ) from None


def _count(text: str) -> int:
    count = int(text)
    if not 1 <= count <= MAX_SERIES:
        raise SeriesError(f"A series has between 1 and {MAX_SERIES} meetings, not {count}.")
    return count


def _interval(text: str | None, unit: str) -> int:
    if text is None:
        return 1
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    if text in NUMBERS:
        return NUMBERS[text]
    raise SeriesError(f"`every {text} {unit}` is not a number I can read: write `every 2 {unit}`.")


def _day(text: str) -> int:
    day = DAYS.get(text.rstrip("s")) if text not in DAYS else DAYS[text]
    if day is None:
        raise SeriesError(f"`{text}` is not a day of the week: write `Thursday` or `Thu`.")
    return day


def _months(text: str | None) -> tuple[int, ...]:
    """The months named (``Jan, Mar and Nov``); every month when none is named."""
    if text is None or text.strip() in _ALL_MONTHS:
        return ()
    found: list[int] = []
    for word in re.split(r"[\s,&/]+|\band\b", text):
        word = word.strip(". ")
        if not word:
            continue
        if word not in MONTHS:
            raise SeriesError(
                f"`{word}` is not a month: name months like `Jan, Mar, May and Nov` "
                "(or leave them out for every month)."
            )
        found.append(MONTHS[word])
    return tuple(sorted(set(found)))


_Rule = dict[str, object]


def _rule(head: str, start: dt.date | None) -> tuple[_Rule, str]:
    """The rrule arguments for the rule's head, and the rule in words."""
    if head == "quarter":
        head = "3 months"
    if m := _MONTHLY.match(head):
        every = _interval(m[1], "months")
        if start is None:
            raise SeriesError(
                f"Say which day the series starts on, so I know the day of the month: "
                f"`every {head} from 21/01/2027`."
            )
        words = "every month" if every == 1 else f"every {every} months"
        return {"freq": MONTHLY, "interval": every}, words
    if m := _WEEKLY.match(head):
        every = 2 if m[2] == "fortnight" else _interval(m[1], "weeks")
        day = _day(m[3]) if m[3] else None
        if day is None and start is None:
            raise SeriesError(
                f"Say which day: `every {head} on Tuesday`, or where it starts: "
                f"`every {head} from 05/01/2027`."
            )
        words = "every week" if every == 1 else f"every {every} weeks"
        if day is not None:
            words += f" on {DAY_NAMES[day]}"
        rule: _Rule = {"freq": WEEKLY, "interval": every}
        if day is not None:
            rule["byweekday"] = (rrule_weekdays[day],)
        return rule, words
    if (m := _NTH.match(head)) and m[1] in ORDINALS:
        nth = ORDINALS[m[1]]
        day = _day(m[2])
        months = _months(m[3])
        names = _and([dt.date(2000, n, 1).strftime("%B") for n in months]) or "the month"
        words = f"every {ORDINAL_WORDS[nth]} {DAY_NAMES[day]} of {names}"
        rule = {"freq": MONTHLY, "byweekday": (weekday(day, nth),)}
        if months:
            rule["bymonth"] = months
        return rule, words
    if (m := _WEEKDAY.match(head)) and (m[2] in DAYS or m[2].rstrip("s") in DAYS):
        day = _day(m[2])
        every = 2 if m[1] else 1
        words = f"every {'other ' if every == 2 else ''}{DAY_NAMES[day]}"
        return {"freq": WEEKLY, "interval": every, "byweekday": (rrule_weekdays[day],)}, words
    raise SeriesError(f"I can't read `every {head[:60]}` as a series. Write it like {EXAMPLES}.")


def _and(names: list[str]) -> str:
    """``January, March and May``."""
    return " and ".join(filter(None, [", ".join(names[:-1]), *names[-1:]]))


def _expand(rule: _Rule, begin: dt.date, end: dt.date | None, count: int | None) -> list[dt.date]:
    """The rule's dates from ``begin``, until ``end`` or ``count`` of them (at most MAX_SERIES)."""
    start = dt.datetime.combine(begin, dt.time())
    # rrule takes an end date or a count, never both (RFC 5545): a count is taken
    # from a rule that ends after COUNT_YEARS, so "the fifth Friday of February"
    # cannot search for decades, and a series of dates is cut one past the limit.
    last = end if end is not None else begin + relativedelta(years=COUNT_YEARS)
    until = dt.datetime.combine(last, dt.time())
    dates = rrule(dtstart=start, until=until, **rule)  # type: ignore[arg-type]
    found = [d.date() for d in itertools.islice(dates, count or MAX_SERIES + 1)]
    if len(found) > MAX_SERIES:
        raise SeriesError(
            f"That makes more than {MAX_SERIES} meetings: give an earlier end date "
            "(`until 30/11/2027`) or a number (`for 12 meetings`)."
        )
    return found
