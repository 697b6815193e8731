"""A measure's readings and what each replaced: kept when a reading is replaced, shown later.

``/csp measure record … replace:yes`` (and a plan file stating another value
for a period already read) keeps the reading as it stood in
:class:`~storage.models.ReadingChange` before changing it, as an action's
changes are kept; ``/csp measure show`` lists a measure's readings, newest
first, each with who recorded it and when, and the values it replaced. Two
queries whatever the measure's size: its newest readings (with their
recorders' names and how many there are), and the history of those readings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from partnership.context import Context
from partnership.measures import number
from partnership.messages import measures as say
from storage.dates import uk
from storage.models import Measure, MeasureReading, Person, ReadingChange

# How many readings ``/csp measure show`` lists, and how many replaced values of each;
# older ones are counted, not listed.
READINGS_SHOWN = 12
REPLACED_SHOWN = 5


@dataclass(frozen=True)
class Replaced:
    """What a replaced reading held: its value shown with the unit, and who recorded it when."""

    value: str
    by: str  # "recorded by Lee Lead on 21/11/2026", as far as it is known


def keep_replaced(ctx: Context, measure: Measure, reading: MeasureReading) -> Replaced:
    """Keep ``reading`` as it stands in its history, before the caller changes it."""
    by_id = ctx.person.id if ctx.person is not None else None
    at = ctx.now.astimezone(dt.UTC)
    ctx.session.add(ReadingChange.of(reading, by_id=by_id, at=at, source=ctx.source))
    name = _name(ctx, reading.recorded_by_id)
    when = _day(ctx, reading.recorded_at)
    return Replaced(number(reading.value, measure.unit), say.recorded_when(name=name, when=when))


def recorder_of(ctx: Context, reading: MeasureReading) -> str:
    """`` recorded by X on dd/mm/yyyy`` (the partnership's day) for a reading, as far as known."""
    return say.by(name=_name(ctx, reading.recorded_by_id), when=_day(ctx, reading.recorded_at))


def _name(ctx: Context, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    return ctx.session.scalar(select(Person.name).where(Person.id == person_id))


def _day(ctx: Context, at: dt.datetime | None) -> str:
    return uk(at.astimezone(ctx.zone).date()) if at is not None else ""


def readings(
    ctx: Context, measure: Measure, limit: int = READINGS_SHOWN
) -> tuple[list[dict[str, Any]], int]:
    """A measure's newest readings as view rows (each with what it replaced), and how many
    readings it has in all."""
    recorder = aliased(Person)
    rows = ctx.session.execute(
        select(MeasureReading, recorder.name, func.count().over())
        .outerjoin(recorder, recorder.id == MeasureReading.recorded_by_id)
        .where(
            MeasureReading.partnership_id == ctx.partnership.id,
            MeasureReading.measure_id == measure.id,
        )
        .order_by(MeasureReading.period_end.desc(), MeasureReading.part, MeasureReading.id.desc())
        .limit(limit)
    ).all()
    earlier = _history(ctx, [r.id for r, _, _ in rows], measure.unit)
    out = [
        {
            "period": reading.period,
            "part": reading.part,
            "value": number(reading.value, measure.unit),
            "by": name or "",
            "on": _day(ctx, reading.recorded_at),
            "note": reading.note or "",
            "replaced": earlier.get(reading.id, [])[:REPLACED_SHOWN],
            "replaced_more": max(len(earlier.get(reading.id, [])) - REPLACED_SHOWN, 0),
        }
        for reading, name, _ in rows
    ]
    return out, (rows[0][2] if rows else 0)


def _history(ctx: Context, ids: list[int], unit: str | None) -> dict[int, list[dict[str, str]]]:
    """Each reading's replaced values, newest first: one query."""
    if not ids:
        return {}
    recorder = aliased(Person)
    replacer = aliased(Person)
    out: dict[int, list[dict[str, str]]] = defaultdict(list)
    for change, by, replaced_by in ctx.session.execute(
        select(ReadingChange, recorder.name, replacer.name)
        .outerjoin(recorder, recorder.id == ReadingChange.recorded_by_id)
        .outerjoin(replacer, replacer.id == ReadingChange.replaced_by_id)
        .where(
            ReadingChange.partnership_id == ctx.partnership.id,
            ReadingChange.reading_id.in_(ids),
        )
        .order_by(ReadingChange.replaced_at.desc(), ReadingChange.id.desc())
    ):
        out[change.reading_id].append(
            {
                "value": number(change.value, unit),
                "by": by or "",
                "on": _day(ctx, change.recorded_at),
                "note": change.note or "",
                "replaced_by": replaced_by or say.REPLACED_BY_NOBODY[change.source.value],
                "replaced_on": _day(ctx, change.replaced_at),
            }
        )
    return out
