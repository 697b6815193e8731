"""``/csp measure record``: add a measure's reading for a period (usually a quarter)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from commands.framework.core import Result
from commands.framework.registry import NOTE_KEYS, Args, command
from partnership.context import Context, Refused, Reply, UserError
from partnership.edits import read_text
from partnership.lookup import find_measure
from partnership.measures import judge_measure, number
from partnership.messages import measures as say
from partnership.messages.people import coordinator_named
from partnership.perms import coordinators
from storage.dates import DateError, parse_period, quarter_label, uk
from storage.models import Direction, Measure, MeasureReading, Person, Role

# 38, -3, 1,234, 1234.5, .5, 12.5% (a percentage sign is allowed, whatever the unit).
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?%?")
YES = ("yes", "y", "true")
NO = ("no", "n", "false")
RECORDERS = (Role.CHAIR, Role.LEAD)

EXAMPLE = '/csp measure record M-1 36 period:"Q2 2026/27"'


@command(
    "measure record",
    usage="<measure> <value> [period:<quarter>] [replace:yes] [<note>]",
    examples=(
        "/csp measure record M-1 36",
        '/csp measure record M-1 36 period:"Q2 2026/27" police recording change from July',
        '/csp measure record "Repeat victimisation" 27.5% period:"Q2 2026/27" replace:yes',
    ),
    positional=("measure", "value"),
    rest="note",
    keys=("period", "replace", "note"),
    aliases={"quarter": "period", "for": "period", "overwrite": "replace", **NOTE_KEYS},
    date_keys=("period",),
)
def measure_record(ctx: Context, args: Args) -> Result:
    """Record a measure's value for a period; the period defaults to the last full quarter.

    Name the measure by its reference (`M-1`) or its name in quotes. A period
    is a quarter (`Q2 2026/27`), a financial year (`2025/26`) or a calendar
    year (`2025`). A second value for the same period replaces the first only
    with `replace:yes`. Coordinators, chairs and leads may record readings.
    """
    require_recorder(ctx)
    measure = find_measure(ctx, _required(args, "measure"))
    value = read_number(_required(args, "value"))
    label, period_end = read_period(ctx, args.get("period"))
    replace = read_yes(args.get("replace"))
    note = read_text(args.get("note"), "note")
    existing = ctx.session.scalars(
        select(MeasureReading).where(
            MeasureReading.partnership_id == ctx.partnership.id,
            MeasureReading.measure_id == measure.id,
            MeasureReading.period == label,
        )
    ).first()
    previous = ctx.session.scalars(
        select(MeasureReading)
        .where(
            MeasureReading.partnership_id == ctx.partnership.id,
            MeasureReading.measure_id == measure.id,
            MeasureReading.period_end < period_end,
        )
        .order_by(MeasureReading.period_end.desc(), MeasureReading.id.desc())
        .limit(1)
    ).first()
    now = ctx.now.astimezone(dt.UTC)
    replaced: float | None = None
    if existing is not None:
        if not replace:
            raise UserError(_already(ctx, measure, existing, value))
        replaced = existing.value
        was = say.replaces(shown=number(existing.value, measure.unit), by=_by(ctx, existing))
        existing.value = value
        existing.note = say.replaces_note(note=note, was=was)
        existing.recorded_by_id = ctx.person.id if ctx.person else None
        existing.recorded_at = now
    else:
        ctx.session.add(
            MeasureReading(
                partnership_id=ctx.partnership.id,
                measure_id=measure.id,
                period=label,
                period_end=period_end,
                value=value,
                note=note,
                recorded_by_id=ctx.person.id if ctx.person else None,
                recorded_at=now,
            )
        )
    ctx.session.flush()
    data = recorded_view(ctx, measure, value, label, period_end, previous, replaced, note)
    shown = number(value, measure.unit)
    return Reply(
        "measure_recorded",
        data,
        text=say.recorded(measure=measure.ref or measure.name, shown=shown, label=label),
    )


def _required(args: Args, name: str) -> str:
    value = args.get(name)
    if value is None:
        what = say.WHAT_VALUE if name == "value" else say.WHICH_MEASURE
        raise UserError(say.required(what=what, example=EXAMPLE), fields={name: "Required"})
    return value


def require_recorder(ctx: Context) -> None:
    """Refuse unless the asker is a coordinator, a chair or a lead."""
    if ctx.is_coordinator or (ctx.person is not None and ctx.person.role in RECORDERS):
        return
    who = coordinator_named(names=coordinators(ctx))
    raise Refused(say.may_not_record(coordinator=who, partnership=ctx.partnership.name))


def read_number(text: str) -> float:
    """A reading typed as ``38``, ``1,234``, ``12.5`` or ``12.5%``."""
    cleaned = text.strip()
    if not cleaned or not _NUMBER.fullmatch(cleaned) or not re.search(r"\d", cleaned):
        quote = say.QUOTE_THE_NAME if re.search(r"[A-Za-z]", cleaned) else ""
        raise UserError(
            say.not_a_number(text=text, example=EXAMPLE, quote=quote),
            fields={"value": "Type a number"},
        )
    return float(cleaned.rstrip("%").replace(",", ""))


def default_period(ctx: Context) -> tuple[str, dt.date]:
    """The last complete financial quarter before today: its label and last day."""
    fy_start, quarter = ctx.fy.quarter_of(ctx.today)
    fy_start, quarter = (fy_start - 1, 4) if quarter == 1 else (fy_start, quarter - 1)
    return quarter_label(fy_start, quarter), ctx.fy.quarter_bounds(fy_start, quarter)[1]


def read_period(ctx: Context, text: str | None) -> tuple[str, dt.date]:
    """A finished period as typed (quarter, financial or calendar year), or the default."""
    if text is None:
        return default_period(ctx)
    try:
        label, end = parse_period(text, fy=ctx.fy)
    except DateError:
        raise UserError(
            say.not_a_period(text=text),
            fields={"period": "Write a quarter such as Q2 2026/27"},
        ) from None
    if end > ctx.today:
        last, _ = default_period(ctx)
        raise UserError(
            say.not_finished(label=label, end=uk(end), last=last),
            fields={"period": say.not_over_field(label=label)},
        )
    return label, end


def read_yes(text: str | None) -> bool:
    """``replace:yes`` or ``replace:no``."""
    if text is None:
        return False
    word = text.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise UserError(
        say.not_yes_or_no(text=text),
        fields={"replace": "yes or no"},
    )


def _by(ctx: Context, reading: MeasureReading) -> str:
    """`` recorded by X on dd/mm/yyyy`` for a reading, as far as it is known."""
    name = (
        ctx.session.scalar(select(Person.name).where(Person.id == reading.recorded_by_id))
        if reading.recorded_by_id is not None
        else None
    )
    when = uk(reading.recorded_at.astimezone(ctx.zone).date()) if reading.recorded_at else ""
    return say.by(name=name, when=when)


def _already(ctx: Context, measure: Measure, reading: MeasureReading, value: float) -> str:
    ref = measure.ref or f'"{measure.name}"'
    shown = number(reading.value, measure.unit)
    typed = number(value)
    return say.already(
        measure=measure.ref or measure.name,
        shown=shown,
        period=reading.period,
        by=_by(ctx, reading),
        ref=ref,
        typed=typed,
    )


def travel(new: float, old: float, direction: Direction | None) -> str:
    """Direction of travel from ``old`` to ``new``: improving, worsening, up, down, no change."""
    if new == old:
        return "no change"
    if direction is None:
        return "up" if new > old else "down"
    improving = new < old if direction == Direction.LOWER else new > old
    return "improving" if improving else "worsening"


def recorded_view(
    ctx: Context,
    measure: Measure,
    value: float,
    label: str,
    period_end: dt.date,
    previous: MeasureReading | None,
    replaced: float | None,
    note: str | None,
) -> dict[str, Any]:
    """What the person sees after recording: the value, the one before, the target."""
    unit = measure.unit
    judged = judge_measure(measure, value, period_end, label, ctx.fy)
    prev: dict[str, Any] | None = None
    if previous is not None:
        change = value - previous.value
        prev = {
            "value": number(previous.value, unit),
            "period": previous.period,
            "change": ("+" if change > 0 else "") + number(change, unit),
            "travel": travel(value, previous.value, measure.direction),
        }
    view = judged.view()
    view.update(
        {
            "name": measure.name,
            "value": number(value, unit),
            "period": label,
            "previous": prev,
            "replaced": number(replaced, unit) if replaced is not None else "",
            "note": note or "",
            "by": ctx.who,
        }
    )
    return {"measure": view}
