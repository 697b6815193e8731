"""Measures judged from what the database holds: each one's latest reading, part by part.

Shared by the roll-up (a priority's measures), ``/csp priority status`` and the
Home tab (the partnership's own measures, which belong to no priority) and
the digest. Two queries whatever the plan's size: the measures with
their parts (one joined query), and every measure's latest reading of each part.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from partnership.context import Context
from partnership.measures import MeasureStatus, PartReading, judge_in_parts
from storage.models import Measure, MeasurePart
from storage.queries import ranked_readings

# Measures to a Block Kit section: a long run is split by the renderer, never cut.
MEASURES_PER_BLOCK = 5


def latest_by_part(ctx: Context) -> dict[int, dict[str, PartReading]]:
    """Each measure's latest reading of each of its parts ("" for a whole measure): one query."""
    ranked = ranked_readings(ctx.partnership.id)
    out: dict[int, dict[str, PartReading]] = defaultdict(dict)
    for row in ctx.session.execute(select(ranked).where(ranked.c.rank == 1)):
        out[row.measure_id][row.part] = (row.value, row.period_end, row.period)
    return out


def judged(
    ctx: Context, *, priority_id: int | None = None, own: bool = False
) -> list[tuple[Measure, MeasureStatus]]:
    """The partnership's measures, each judged: one priority's, the partnership's own (``own``:
    those under no priority), or every measure under a priority (neither given)."""
    query = (
        select(Measure, MeasurePart)
        .outerjoin(MeasurePart, MeasurePart.measure_id == Measure.id)
        .where(Measure.partnership_id == ctx.partnership.id)
        .order_by(Measure.position, Measure.id, MeasurePart.position, MeasurePart.id)
    )
    if own:
        query = query.where(Measure.priority_id.is_(None))
    elif priority_id is not None:
        query = query.where(Measure.priority_id == priority_id)
    else:
        query = query.where(Measure.priority_id.is_not(None))
    # Two queries whatever the plan's size (the roll-up's count is fixed): the measures
    # with their parts, and every latest reading.
    measures: dict[int, Measure] = {}
    parts: dict[int, list[MeasurePart]] = defaultdict(list)
    for measure, part in ctx.session.execute(query):
        measures.setdefault(measure.id, measure)
        if part is not None:
            parts[measure.id].append(part)
    latest = latest_by_part(ctx)
    return [
        (m, judge_in_parts(m, latest.get(m.id, {}), ctx.fy, parts.get(m.id, [])))
        for m in measures.values()
    ]


def parts_by_measure(ctx: Context) -> dict[int, list[MeasurePart]]:
    """Every measure's parts, in plan order: one query."""
    out: dict[int, list[MeasurePart]] = defaultdict(list)
    for part in ctx.session.scalars(
        select(MeasurePart)
        .where(MeasurePart.partnership_id == ctx.partnership.id)
        .order_by(MeasurePart.measure_id, MeasurePart.position, MeasurePart.id)
    ):
        out[part.measure_id].append(part)
    return out


def judged_one(ctx: Context, measure: Measure) -> MeasureStatus:
    """One measure judged from its latest reading of each part (``/csp measure show``)."""
    latest = latest_by_part(ctx).get(measure.id, {})
    return judge_in_parts(measure, latest, ctx.fy)


def own_measures(ctx: Context) -> list[MeasureStatus]:
    """The partnership's own measures (under no priority), judged, in plan order."""
    return [status for _, status in judged(ctx, own=True)]


def in_blocks(rows: list[dict[str, object]]) -> list[list[dict[str, object]]]:
    """Measure rows in runs short enough for one Block Kit block each."""
    return [rows[i : i + MEASURES_PER_BLOCK] for i in range(0, len(rows), MEASURES_PER_BLOCK)]
