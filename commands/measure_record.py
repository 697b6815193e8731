"""``/csp measure record``: add a measure's reading for a period (usually a quarter)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from sqlalchemy import select

from commands.framework.core import Result
from commands.framework.registry import NOTE_KEYS, Args, command
from partnership.context import Context, Refused, Reply, UserError
from partnership.edits import read_text
from partnership.lookup import find_measure
from partnership.measure_history import Replaced, keep_replaced, recorder_of
from partnership.measure_parts import read_parts, typed_parts
from partnership.measures import judge_measure, number
from partnership.messages import measures as say
from partnership.messages.people import coordinator_named
from partnership.perms import coordinators
from storage.dates import DateError, parse_period, quarter_label, uk
from storage.models import Direction, Measure, MeasureReading, Role

# 38, -3, 1,234, 1234.5, .5, 12.5% (a percentage sign is allowed, whatever the unit).
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?%?")
YES = ("yes", "y", "true")
NO = ("no", "n", "false")
RECORDERS = (Role.CHAIR, Role.LEAD)

EXAMPLE = '/csp measure record M-1 36 period:"Q2 2026/27"'
# Keys whose misspellings (``perod:``, ``replce:``) are refused rather than kept as note words.
KEYS_PEOPLE_MISSPELL = ("period", "replace", "quarter", "month")
MISSPELT_MIN = 4


@command(
    "measure record",
    usage="<measure> <value | part:value …> [period:<month or quarter>] [replace:yes] [<note>]",
    examples=(
        "/csp measure record M-1 36",
        '/csp measure record M-1 36 period:"Q2 2026/27" police recording change from July',
        '/csp measure record "Repeat victimisation" 27.5% period:"Q2 2026/27" replace:yes',
        '/csp measure record M-4 male:78.1 female:82.5 period:"Jan 2027"',
    ),
    positional=("measure", "value"),
    rest="note",
    keys=("period", "replace", "note"),
    aliases={
        "quarter": "period",
        "for": "period",
        "month": "period",
        "overwrite": "replace",
        **NOTE_KEYS,
    },
    date_keys=("period",),
    free_keys=True,
)
def measure_record(ctx: Context, args: Args) -> Result:
    """Record a measure's value for a period; the period defaults to the last full quarter.

    Name the measure by its reference (`M-1`) or its name in quotes. A period
    is a month (`Jan 2027`), a quarter (`Q2 2026/27`), a financial year
    (`2025/26`) or a calendar year (`2025`). A measure read in parts (the plan
    file lists them) takes a value per part: `male:78.1 female:82.5`, or
    `"male 78.1, female 82.5"`. A second value for the same period replaces the
    first only with `replace:yes`. Coordinators, chairs and leads may record readings.
    """
    require_recorder(ctx)
    measure = find_measure(ctx, _required(args, "measure"))
    _rest_of_name(args, measure)
    parts = [p.name for p in measure.parts]
    _refuse_misspelt_keys(args, parts)
    ref = measure.ref or f'"{measure.name}"'
    note_text: str | None
    if parts:
        values, note_text = _part_values(args, parts, ref)
    else:
        values, note_text = _whole_value(args, ref), args.get("note")
    label, period_end = read_period(ctx, args.get("period"))
    replace = read_yes(args.get("replace"))
    note = read_text(note_text, "note")
    held = _held(ctx, measure, label)
    if not replace:
        if not parts and "" in held:
            raise UserError(_already(ctx, measure, held[""], values[0][1]))
        clash = [f"{n} {number(held[n].value, measure.unit)}" for n, _ in values if n in held]
        if clash:
            raise UserError(say.parts_already(ref=ref, period=label, held=clash))
    previous = _previous(ctx, measure, period_end)
    now = ctx.now.astimezone(dt.UTC)
    replaced: dict[str, Replaced] = {}
    for part, value in values:
        existing = held.get(part)
        if existing is not None:
            # The reading as it stood goes to its history; the row holds the new value.
            replaced[part] = keep_replaced(ctx, measure, existing)
            existing.value = value
            existing.note = note
            existing.recorded_by_id = ctx.person.id if ctx.person else None
            existing.recorded_at = now
        else:
            ctx.session.add(
                MeasureReading(
                    partnership_id=ctx.partnership.id,
                    measure_id=measure.id,
                    period=label,
                    period_end=period_end,
                    part=part,
                    value=value,
                    note=note,
                    recorded_by_id=ctx.person.id if ctx.person else None,
                    recorded_at=now,
                )
            )
    ctx.session.flush()
    if not parts:
        value = values[0][1]
        data = recorded_view(
            ctx, measure, value, label, period_end, previous.get(""), replaced.get(""), note
        )
        shown = number(value, measure.unit)
    else:
        data = parts_view(ctx, measure, dict(values), label, period_end, previous, replaced, note)
        shown = ", ".join(f"{n} {number(v, measure.unit)}" for n, v in values)
    return Reply(
        "measure_recorded",
        data,
        text=say.recorded(measure=measure.ref or measure.name, shown=shown, label=label),
    )


def _rest_of_name(args: Args, measure: Measure) -> None:
    """The rest of a name typed unquoted (``Life expectancy male 78.1, female 82.5``) is
    the measure's, not the value: the first word found the measure, the others follow it."""
    typed = (args.get("measure") or "").split()
    name = measure.name.split()
    if len(typed) >= len(name) or [w.casefold() for w in name[: len(typed)]] != [
        w.casefold() for w in typed
    ]:
        return
    text = " ".join(w for w in (args.get("value"), args.get("note")) if w)
    words = r"\s+".join(re.escape(w) for w in name[len(typed) :])
    found = re.match(rf"\s*{words}\s+(\S+)\s*(.*)", text, re.IGNORECASE | re.DOTALL)
    if found is None:
        return
    args.values["value"] = found.group(1)
    args.values.pop("note", None)
    if found.group(2):
        args.values["note"] = found.group(2)


def _refuse_misspelt_keys(args: Args, parts: list[str]) -> None:
    """A ``word:`` spelt like one of the keys (``perod:``) and naming no part is refused.

    The framework leaves every unknown ``word:`` to this command (``free_keys``),
    since a part's name may look like a key (``north:`` beside ``note:``).
    """
    names = {p.casefold() for p in parts}
    for key in args.kept:
        if key.casefold() in names or len(key) < MISSPELT_MIN:
            continue
        near = difflib.get_close_matches(key.lower(), KEYS_PEOPLE_MISSPELL, n=1, cutoff=0.75)
        if near:
            raise UserError(say.misspelt_key(typed=key, near=near[0]))


def _whole_value(args: Args, ref: str) -> list[tuple[str, float]]:
    """The one number of a measure read whole; parts typed for it are refused."""
    typed = typed_parts(" ".join(w for w in (args.get("value"), args.get("note")) if w))
    if typed is not None and (args.get("value") is None or ":" in (args.get("value") or "")):
        raise UserError(say.no_parts(ref=ref, typed=typed[:40]), fields={"value": "One number"})
    return [("", read_number(_required(args, "value")))]


def _part_values(
    args: Args, parts: list[str], ref: str
) -> tuple[list[tuple[str, float]], str | None]:
    """The part values typed (as ``male:78.1`` or ``male 78.1, female 82.5``) and the note."""
    typed = " ".join(w for w in (args.get("value"), args.get("note")) if w)
    values, rest = read_parts(typed, parts, ref)
    if not values:
        raise UserError(say.in_parts_give_each(ref=ref, parts=parts), fields={"value": "Each part"})
    # The parts' `word:` were read here, not kept in the note.
    args.kept[:] = [k for k in args.kept if k.casefold() not in {p.casefold() for p in parts}]
    return values, rest or None


def _held(ctx: Context, measure: Measure, label: str) -> dict[str, MeasureReading]:
    """The readings already held for the period, by part ("" for a whole measure)."""
    rows = ctx.session.scalars(
        select(MeasureReading).where(
            MeasureReading.partnership_id == ctx.partnership.id,
            MeasureReading.measure_id == measure.id,
            MeasureReading.period == label,
        )
    )
    return {r.part: r for r in rows}


def _previous(ctx: Context, measure: Measure, before: dt.date) -> dict[str, MeasureReading]:
    """Each part's latest reading for a period that ended before ``before``."""
    rows = ctx.session.scalars(
        select(MeasureReading)
        .where(
            MeasureReading.partnership_id == ctx.partnership.id,
            MeasureReading.measure_id == measure.id,
            MeasureReading.period_end < before,
        )
        .order_by(MeasureReading.period_end, MeasureReading.id)
    )
    return {r.part: r for r in rows}  # the latest of each part wins


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
    """A finished period as typed (month, quarter, financial or calendar year), or the default."""
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


def _already(ctx: Context, measure: Measure, reading: MeasureReading, value: float) -> str:
    ref = measure.ref or f'"{measure.name}"'
    shown = number(reading.value, measure.unit)
    typed = number(value)
    return say.already(
        measure=measure.ref or measure.name,
        shown=shown,
        period=reading.period,
        by=recorder_of(ctx, reading),
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
    replaced: Replaced | None,
    note: str | None,
) -> dict[str, Any]:
    """What the person sees after recording: the value, the one before, the target, and
    what it replaced (kept in the reading's history)."""
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
            "replaced": replaced.value if replaced is not None else "",
            "replaced_by": replaced.by if replaced is not None else "",
            "note": note or "",
            "by": ctx.who,
        }
    )
    return {"measure": view}


def parts_view(
    ctx: Context,
    measure: Measure,
    values: dict[str, float],
    label: str,
    period_end: dt.date,
    previous: dict[str, MeasureReading],
    replaced: dict[str, Replaced],
    note: str | None,
) -> dict[str, Any]:
    """What the person sees after recording a measure's parts: each part judged on its own."""
    unit = measure.unit
    rows = []
    for part in measure.parts:
        if part.name not in values:
            continue
        value = values[part.name]
        row = judge_measure(measure, value, period_end, label, ctx.fy, part).view()
        before = previous.get(part.name)
        row.update(
            {
                "value": number(value, unit),
                "previous": _change(value, before, measure) if before is not None else None,
                "replaced": replaced[part.name].value if part.name in replaced else "",
            }
        )
        rows.append(row)
    view = judge_measure(measure, None, None, label, ctx.fy).view()
    view.update(
        {
            "name": measure.name,
            "value": ", ".join(f"{r['name']} {r['value']}" for r in rows),
            "period": label,
            "parts": rows,
            "previous": None,
            "replaced": ", ".join(f"{r['name']} {r['replaced']}" for r in rows if r["replaced"]),
            # Who recorded the values replaced, when one person did for every part.
            "replaced_by": bys.pop() if len(bys := {r.by for r in replaced.values()}) == 1 else "",
            "note": note or "",
            "by": ctx.who,
        }
    )
    return {"measure": view}


def _change(value: float, before: MeasureReading, measure: Measure) -> dict[str, str]:
    """The reading before this one and the change from it."""
    change = value - before.value
    return {
        "value": number(before.value, measure.unit),
        "period": before.period,
        "change": ("+" if change > 0 else "") + number(change, measure.unit),
        "travel": travel(value, before.value, measure.direction),
    }
