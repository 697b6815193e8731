"""Reading a reporting period as people type it, for the cycle the group reports on.

``Q3 2026/27`` (quarterly), ``H1 2027/28`` (twice a year), ``March 2027``
(monthly), ``18/03/2027`` or ``the 18/03/2027 meeting`` (before each meeting),
each with its short form (``Q3``, ``H1``, ``March``: the latest that has begun),
and a form's or button's code (``2026-3``). A period of another cycle, or one
not yet open, is refused saying what to write instead.
"""

from __future__ import annotations

import re

from partnership import cycles, quarters
from partnership.context import Context, UserError
from partnership.cycles import Period
from partnership.messages import cycles as say
from storage.cycles import MEETING, MONTHLY, NONE, QUARTERLY, TWICE, Cycle
from storage.dates import MONTHS, DateError, parse_date, uk

_HALF_FIRST = re.compile(r"h\s*([12])(?:\s*,?\s*(?:fy\s*)?(\d{4})\s*/\s*(\d{2}|\d{4}))?")
_HALF_LAST = re.compile(r"(?:fy\s*)?(\d{4})\s*/\s*(\d{2}|\d{4})\s*,?\s*h\s*([12])")
_MONTH = re.compile(r"([a-z]+)\.?(?:\s*,?\s*(\d{4}))?")
_MONTH_NUMBERS = re.compile(r"(\d{1,2})\s*/\s*(\d{4})|(\d{4})-(\d{1,2})")
_MEETING_WORDS = re.compile(r"^(?:the\s+)?(?:meeting\s+(?:on\s+)?)?(.+?)(?:\s+meeting)?$")


def _fy(first: str, second: str) -> int | None:
    """``2027``/``28`` -> 2027 when the years follow each other."""
    start = int(first)
    end = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if len(second) == 2 and end < start:
        end += 100
    return start if end == start + 1 else None


def read(ctx: Context, text: str, cycle: Cycle, *, field: str = "quarter") -> Period:
    """The period of ``cycle`` that ``text`` names; refuse another cycle's or a future one."""
    if cycle.kind == QUARTERLY:
        return quarters.read_quarter(ctx, text, field=field)  # its words and refusals as ever
    typed = " ".join(text.split())
    found = cycles.from_code(typed)
    if found is None:
        found = _words(ctx, typed.lower(), cycle)
    if found is None or cycles.kind_of(found) != cycle.kind:
        raise UserError(
            say.not_a_period(typed=typed, cycle=str(cycle), hint=cycles.name_hint(cycle)),
            fields={field: say.period_field(cycle=str(cycle))},
        )
    _open(ctx, found, cycle, field)
    return found


def _words(ctx: Context, s: str, cycle: Cycle) -> Period | None:
    """A period in words, read the way ``cycle`` names its periods (None: not one)."""
    if cycle.kind == TWICE:
        if m := _HALF_FIRST.fullmatch(s):
            if m[2] is None:
                return _latest_begun(ctx, [cycles.half(fy, int(m[1])) for fy in _years(ctx)])
            fy = _fy(m[2], m[3])
            return cycles.half(fy, int(m[1])) if fy is not None else None
        if m := _HALF_LAST.fullmatch(s):
            fy = _fy(m[1], m[2])
            return cycles.half(fy, int(m[3])) if fy is not None else None
        return _a_day(ctx, s, TWICE)
    if cycle.kind == MONTHLY:
        if (m := _MONTH.fullmatch(s)) and m[1] in MONTHS:
            number = MONTHS[m[1]]
            if m[2] is not None:
                return cycles.month(int(m[2]), number)
            year = ctx.today.year
            return _latest_begun(ctx, [cycles.month(year, number), cycles.month(year - 1, number)])
        if m := _MONTH_NUMBERS.fullmatch(s):
            year, number = (int(m[2]), int(m[1])) if m[1] else (int(m[3]), int(m[4]))
            return cycles.month(year, number) if 1 <= number <= 12 else None
        return None
    if cycle.kind == MEETING:
        m = _MEETING_WORDS.fullmatch(s)
        try:
            day = parse_date(m[1] if m else s, fy=ctx.fy, today=ctx.today)
        except DateError:
            return None
        return cycles.meeting(day)
    return None


def _a_day(ctx: Context, s: str, kind: str) -> Period | None:
    """The period holding a date typed in full (``15/08/2027``)."""
    if not re.search(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}|\d{4}-\d{2}-\d{2}", s):
        return None
    try:
        return cycles.of_day(ctx, kind, parse_date(s, fy=ctx.fy))
    except DateError:
        return None


def _years(ctx: Context) -> list[int]:
    """This financial year and the one before, for a period named without its year."""
    fy = ctx.fy.start_year(ctx.today)
    return [fy, fy - 1]


def _latest_begun(ctx: Context, candidates: list[Period]) -> Period:
    """The first candidate that has begun (they come latest first), else the last."""
    for period in candidates:
        if cycles.bounds(ctx, period)[0] <= ctx.today:
            return period
    return candidates[-1]


def _open(ctx: Context, period: Period, cycle: Cycle, field: str) -> None:
    """Refuse a period that has not begun; a meeting must be set, and no later than the next."""
    if cycle.kind == MEETING:
        day = cycles.meeting_day(period)
        if not cycles.is_meeting(ctx, day):
            near = ", ".join(uk(d) for d in cycles.meetings_near(ctx, day)) or say.NO_MEETINGS
            raise UserError(
                say.no_such_meeting(day=uk(day), near=near),
                fields={field: say.period_field(cycle=str(cycle))},
            )
        nxt = cycles.current(ctx, cycle)
        if nxt is not None and day > cycles.meeting_day(nxt):
            raise UserError(
                say.meeting_not_open(meeting=cycles.label(period), next=cycles.label(nxt)),
                fields={field: say.period_field(cycle=str(cycle))},
            )
        return
    if cycles.bounds(ctx, period)[0] > ctx.today:
        now = cycles.current(ctx, cycle)
        raise UserError(
            say.not_started(period=cycles.label(period), current=cycles.label(now) if now else ""),
            fields={field: say.period_field(cycle=str(cycle))},
        )


def in_use(ctx: Context) -> list[Cycle]:
    """The partnership's cycle first, then every other cycle one of its open groups follows."""
    found = {str(ctx.settings.cycle): ctx.settings.cycle}
    for group in quarters.groups_with_leads(ctx):
        cycle = cycles.cycle_of(ctx, group)
        found.setdefault(str(cycle), cycle)
    return [c for c in found.values() if c.kind != NONE]


def read_any(ctx: Context, text: str, *, field: str = "quarter") -> tuple[Period, Cycle]:
    """A period of any cycle in use (the partnership's first), with that cycle."""
    tried = in_use(ctx) or [ctx.settings.cycle]
    first: UserError | None = None
    for cycle in tried:
        try:
            return read(ctx, text, cycle, field=field), cycle
        except UserError as exc:
            first = first or exc
    assert first is not None
    raise first
