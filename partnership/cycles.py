"""Reporting periods of every cycle: what they are called, when they run, when each is due.

A period is a pair ``(year, number)``, stored as a return's
``(fy_start_year, quarter)`` so every quarterly row keeps its meaning and the
table's unique key keeps one report per group per period:

* a quarter: ``(2026, 3)`` is Q3 2026/27 (the financial year, quarter 1-4);
* a half: ``(2027, 11)`` is H1 2027/28, ``(2027, 12)`` H2 (the financial year);
* a month: ``(2027, 103)`` is March 2027 (the calendar year, 100 + month);
* a meeting: ``(2027, 10318)`` is the 18/03/2027 meeting (the calendar year,
  10000 + month × 100 + day), a report ahead of that Leadership Group meeting.

A cycle (storage/cycles.py) says which kind a group is asked for and when it
is due: a quarter, half or month by the partnership's ``return_deadline`` rule,
counted from the quarter's end, the end of the month a half names, or the
month's end; a meeting's report N working days before the meeting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from partnership.context import Context
from storage.cycles import (
    HALF,
    MEETING,
    MEETING_DAY,
    MONTH,
    MONTHLY,
    NONE,
    QUARTERLY,
    TWICE,
    Cycle,
    Period,
    kind_of,
    meeting_day,
    parse_cycle,
)
from storage.cycles import period_label as label
from storage.dates import month_end, uk
from storage.models import Meeting, SubGroup
from storage.partnership_settings import PartnershipSettings, parse_deadline

__all__ = ["HALF", "MEETING_DAY", "MONTH", "Period", "kind_of", "label", "meeting_day"]
# A review meeting further than this after the period's end is not its review.
REVIEW_WINDOW = dt.timedelta(days=120)
DEFAULT_RULE = parse_deadline(str(PartnershipSettings.model_fields["return_deadline"].default))
# A meeting's period starts the day after the meeting before; with none set, this long before.
FIRST_MEETING_SPAN = dt.timedelta(days=91)


@dataclass(frozen=True)
class Deadline:
    """A period's deadline, the rule that gave it, and why when the rule fell back."""

    day: dt.date
    rule: str
    note: str = ""
    meeting: dt.date | None = None


def cycle_of(ctx: Context, group: SubGroup | None = None) -> Cycle:
    """A group's own cycle, else the partnership's (an unreadable stored one: the partnership's)."""
    if group is not None and group.reporting_cycle:
        try:
            return parse_cycle(group.reporting_cycle, fy_month=ctx.fy.month, group=True)
        except ValueError:
            pass
    return ctx.settings.cycle


def half(fy: int, n: int) -> Period:
    """H1 or H2 of a financial year."""
    return (fy, HALF + n)


def month(year: int, number: int) -> Period:
    """A calendar month."""
    return (year, MONTH + number)


def meeting(day: dt.date) -> Period:
    """The report ahead of a Leadership Group meeting on ``day``."""
    return (day.year, MEETING_DAY + day.month * 100 + day.day)


def key(period: Period) -> str:
    """The outbox's name for a period: ``2026Q3``, ``2027H1``, ``2027M03``, ``2027-03-18``."""
    year, n = period
    kind = kind_of(period)
    if kind == MEETING:
        return meeting_day(period).isoformat()
    if kind == MONTHLY:
        return f"{year}M{n - MONTH:02d}"
    if kind == TWICE:
        return f"{year}H{n - HALF}"
    return f"{year}Q{n}"


def code(period: Period) -> str:
    """``2026-3``: how a form's metadata and a button carry a period."""
    return f"{period[0]}-{period[1]}"


def from_code(text: str) -> Period | None:
    """A form's or button's ``2026-3`` back as a period (None when it is not a valid one)."""
    year, _, n = text.partition("-")
    if not (year.isdigit() and n.isdigit() and len(year) == 4):
        return None
    period = (int(year), int(n))
    try:
        valid = label(period) != ""
    except ValueError:
        return None
    ok = (
        (kind_of(period) == QUARTERLY and 1 <= period[1] <= 4)
        or (kind_of(period) == TWICE and period[1] in (HALF + 1, HALF + 2))
        or (kind_of(period) == MONTHLY and MONTH < period[1] <= MONTH + 12)
        or kind_of(period) == MEETING
    )
    return period if valid and ok else None


def _meetings(ctx: Context) -> list[dt.date]:
    """The Leadership Group's meeting days, in order (one query)."""
    return list(
        ctx.session.scalars(
            select(Meeting.date)
            .where(Meeting.partnership_id == ctx.partnership.id, Meeting.subgroup_id.is_(None))
            .order_by(Meeting.date)
        )
    )


def bounds(ctx: Context, period: Period) -> tuple[dt.date, dt.date]:
    """A period's first and last day (a meeting's: from the day after the meeting before)."""
    year, n = period
    kind = kind_of(period)
    if kind == MEETING:
        day = meeting_day(period)
        before = [d for d in _meetings(ctx) if d < day]
        return (before[-1] + dt.timedelta(days=1) if before else day - FIRST_MEETING_SPAN), day
    if kind == MONTHLY:
        return dt.date(year, n - MONTH, 1), month_end(year, n - MONTH)
    if kind == TWICE:
        first = (n - HALF - 1) * 2 + 1
        return ctx.fy.quarter_bounds(year, first)[0], ctx.fy.quarter_bounds(year, first + 1)[1]
    return ctx.fy.quarter_bounds(year, n)


def span(ctx: Context, period: Period) -> str:
    """The period as people say it: ``October to December 2026``, ``March 2027``."""
    start, end = bounds(ctx, period)
    if kind_of(period) == MEETING:
        return f"from {uk(start)} to the meeting on {end:%A} {uk(end)}"
    if kind_of(period) == MONTHLY:
        return f"{end:%B %Y}"
    first = f"{start:%B}" if start.year == end.year else f"{start:%B %Y}"
    return f"{first} to {end:%B %Y}"


def of_day(ctx: Context, kind: str, day: dt.date) -> Period:
    """The quarter, half or month that holds ``day`` (a meeting cycle: the next meeting's)."""
    if kind == MONTHLY:
        return month(day.year, day.month)
    fy, q = ctx.fy.quarter_of(day)
    if kind == TWICE:
        return half(fy, 1 if q <= 2 else 2)
    return (fy, q)


def previous(ctx: Context, period: Period) -> Period | None:
    """The period before (None: no meeting before)."""
    kind = kind_of(period)
    if kind == MEETING:
        day = meeting_day(period)
        before = [d for d in _meetings(ctx) if d < day]
        return meeting(before[-1]) if before else None
    start = bounds(ctx, period)[0]
    return of_day(ctx, kind, start - dt.timedelta(days=1))


def following(ctx: Context, period: Period) -> Period | None:
    """The period after (None: no meeting after)."""
    kind = kind_of(period)
    if kind == MEETING:
        day = meeting_day(period)
        after = [d for d in _meetings(ctx) if d > day]
        return meeting(after[0]) if after else None
    return of_day(ctx, kind, bounds(ctx, period)[1] + dt.timedelta(days=1))


def current(ctx: Context, cycle: Cycle) -> Period | None:
    """The period running today (a meeting cycle: the next meeting's, else the last one's)."""
    if cycle.kind == NONE:
        return None
    if cycle.kind != MEETING:
        return of_day(ctx, cycle.kind, ctx.today)
    days = _meetings(ctx)
    ahead = [d for d in days if d >= ctx.today]
    if ahead:
        return meeting(ahead[0])
    return meeting(days[-1]) if days else None


def reporting(ctx: Context, cycle: Cycle) -> Period | None:
    """The period reports are asked for now: the latest ended one, or the next meeting's."""
    now = current(ctx, cycle)
    if now is None or cycle.kind == MEETING:
        return now
    return previous(ctx, now)


def latest_ended(ctx: Context, cycle: Cycle) -> Period | None:
    """The latest period of a cycle that has ended (a meeting cycle: the last meeting held).

    None when the cycle asks for nothing, or no meeting is held yet.
    """
    now = current(ctx, cycle)
    if now is None:
        return None
    if cycle.kind == MEETING and meeting_day(now) < ctx.today:
        return now  # the last meeting set is behind us
    return previous(ctx, now)


def looked_at(ctx: Context, cycle: Cycle) -> list[Period]:
    """The periods whose reminders or chases may be due today, latest last."""
    if cycle.kind == NONE:
        return []
    if cycle.kind == MEETING:
        # Every meeting from a season ago to the next one: a chase stops at its meeting.
        low = ctx.today - dt.timedelta(days=60)
        days = [d for d in _meetings(ctx) if d >= low]
        ahead = [d for d in days if d >= ctx.today][:1]
        return [meeting(d) for d in [*(d for d in days if d < ctx.today), *ahead]]
    # A month's chases run on into the months after; a quarter's or half's into the next one.
    back = 3 if cycle.kind == MONTHLY else 2
    found: list[Period] = []
    period = current(ctx, cycle)
    for _ in range(back):
        assert period is not None
        period = previous(ctx, period)
        assert period is not None
        found.insert(0, period)
    return found


def anchor(ctx: Context, period: Period, cycle: Cycle) -> dt.date:
    """The day a quarter's, half's or month's deadline is counted from.

    A quarter's or month's last day; a half's: the end of the month its cycle
    names for it (``twice a year: September, March``: 30 September for H1).
    """
    end = bounds(ctx, period)[1]
    if kind_of(period) != TWICE or len(cycle.months) != 2:
        return end
    named = cycle.months[period[1] - HALF - 1]
    ahead = (named - end.month) % 12  # 0-3 months after the half's last month
    year, index = divmod(end.year * 12 + end.month - 1 + ahead, 12)
    return month_end(year, index + 1)


def deadline(ctx: Context, period: Period, cycle: Cycle | None = None) -> Deadline:
    """When a period's reports are due, by the cycle and the partnership's deadline rule."""
    cycle = cycle or ctx.settings.cycle
    if kind_of(period) == MEETING:
        days = cycle.days if cycle.kind == MEETING else ctx.settings.digest_days
        day = meeting_day(period)
        plural = "s" if days != 1 else ""
        return Deadline(
            ctx.calendar.shift(day, -days),
            f"{days} working day{plural} before the meeting",
            "",
            day,
        )
    rule = ctx.settings.deadline_rule
    end = anchor(ctx, period, cycle)
    if rule.anchor == "quarter_end":
        return Deadline(ctx.calendar.shift(end, rule.days), _after(str(rule), period))
    meetings = [d for d in _meetings(ctx) if end < d <= end + REVIEW_WINDOW]
    for day in meetings:
        due = ctx.calendar.shift(day, -rule.days)
        # A review too soon after the period to give notice reviews the one before;
        # a return cannot be due before its period has ended.
        if due > end:
            return Deadline(due, f"{rule} on {day:%A} {uk(day)}", meeting=day)
    board = ctx.partnership.leadership_group or "Leadership Group"
    note = (
        f"No {board} meeting is set within {REVIEW_WINDOW.days} days after {uk(end)} "
        f"with {rule.days} working days' notice, so the default applies: "
        f"{_after(str(DEFAULT_RULE), period)}. A coordinator can add the meeting to the plan."
    )
    return Deadline(
        ctx.calendar.shift(end, DEFAULT_RULE.days), _after(str(DEFAULT_RULE), period), note
    )


def _after(rule: str, period: Period) -> str:
    """The deadline rule in the period's own words (``after month end``)."""
    kind = kind_of(period)
    if kind == QUARTERLY:
        return rule
    return rule.replace("quarter end", "month end" if kind == MONTHLY else "the named month")


def owes(
    ctx: Context,
    group: SubGroup,
    period: Period,
    cycle: Cycle | None = None,
    dues: dict[str, Deadline] | None = None,
) -> bool:
    """Whether an open group is asked for a report for a period.

    Only for its own cycle's periods, not after it ends, and not for a period
    whose deadline passed before it was created. ``dues`` (deadlines by cycle)
    is filled and reused, so a list of groups costs one deadline per cycle.
    """
    cycle = cycle or cycle_of(ctx, group)
    if cycle.kind != kind_of(period) or group.closed_on is not None:
        return False
    if group.end_date is not None and group.end_date < bounds(ctx, period)[0]:
        return False
    if group.created_on is None:
        return True
    known = dues if dues is not None else {}
    if str(cycle) not in known:
        known[str(cycle)] = deadline(ctx, period, cycle)
    return known[str(cycle)].day >= group.created_on


def name_hint(cycle: Cycle) -> str:
    """How to name a period of a cycle, for the messages that refuse one."""
    return {
        QUARTERLY: "a quarter such as `Q3` or `Q3 2026/27`",
        TWICE: "a half-year such as `H1` or `H1 2027/28` (H1 is April–September)",
        MONTHLY: "a month such as `March` or `March 2027`",
        MEETING: "a Leadership Group meeting by its date, such as `18/03/2027`",
    }.get(cycle.kind, "no period: it is not asked for reports")


def meetings_near(ctx: Context, day: dt.date) -> list[dt.date]:
    """The Leadership Group meetings either side of a day, to offer when one is mistyped."""
    days = _meetings(ctx)
    before = [d for d in days if d < day][-2:]
    return [*before, *[d for d in days if d >= day][:2]]


def is_meeting(ctx: Context, day: dt.date) -> bool:
    """Whether the Leadership Group meets on ``day``."""
    return day in _meetings(ctx)
