"""The digest's pictures as plain data: measure charts, the RAG grid, the returns grid.

What is drawn is decided here, in the view-model; ``bot/render/charts.py``
only draws it. Each measure with readings gets a chart spec:

* ``series``: one line per part of the measure (a measure of one figure has
  one line; a measure with parts, such as male/female or districts, one per
  part), each a list of points (``x`` the ISO date of the period's last day,
  ``period`` its label, ``value`` and ``shown``);
* ``baseline`` and ``target`` (value, label, ISO date when known);
* ``path``: the straight line from the baseline to the target by its date, when
  the measure has both and a target date. It starts at the end of the
  baseline's period, the line :func:`partnership.measures.judge_measure`
  judges against, or at the first reading when the baseline's period is not
  known (then the measure is judged against its baseline alone);
* ``direction`` and ``better`` (the corner label that says which way is better);
* ``status``: the latest reading's state (on track, slightly off, off track, no
  data; a measure in parts stands as its worst part) with
  its word and reason, so the latest point is marked by shape, word and colour;
* ``alt``: the figures in words (:mod:`partnership.messages.charts`).

The RAG grid is each priority's RAG in the snapshots of the last
:data:`MEETINGS_SHOWN` meetings whose digest was sent, and now; the returns
grid is each sub-group's return in the last :data:`QUARTERS_SHOWN` quarters.
``slack`` says which measure charts the digest's Slack thread carries (at most
ten files, :func:`partnership.digest_uploads.slack_choice`) and names the rest;
the board papers show every chart.

Queries: measures and readings 1, snapshots 1, groups 1, returns 1 — four; a
"before review" deadline rule adds one per quarter shown, and a measure read in
parts one (its parts, to judge each).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from partnership import quarters
from partnership.context import Context
from partnership.digest_meetings import MeetingInfo
from partnership.digest_uploads import slack_choice
from partnership.measure_path import path_start
from partnership.measures import goal_of, judge_in_parts, judge_measure, number, short
from partnership.messages import charts as words
from partnership.quarters import Quarter
from partnership.rollup import PriorityStatus
from storage.dates import quarter_label, uk
from storage.models import DigestSnapshot, Measure, Priority, QuarterlyReturn
from storage.queries import ranked_readings

# The readings a chart shows (the latest ones): more do not read at Slack's image size.
POINTS_SHOWN = 12
# Earlier meetings in the RAG grid (besides "now").
MEETINGS_SHOWN = 4
# Quarters in the returns grid, up to the last one that ended before the meeting.
QUARTERS_SHOWN = 4
# How long a name may be in a chart's title and a grid's row label.
TITLE_CHARS = 90
LABEL_CHARS = 38


def charts(
    ctx: Context,
    meeting: MeetingInfo,
    meetings: list[MeetingInfo],
    statuses: list[PriorityStatus],
) -> dict[str, Any]:
    """Every picture of the digest for ``meeting`` as plain data (see the module docstring)."""
    found = {
        "measures": measure_charts(ctx),
        "rag": rag_grid(ctx, meeting, meetings, statuses),
        "returns": returns_grid(ctx, meeting),
    }
    # The ones the Slack thread carries (at most ten files), and the others named.
    found["slack"] = slack_choice(found)
    return found


# --------------------------------------------------------------------------- measures


def measure_charts(ctx: Context) -> list[dict[str, Any]]:
    """A chart spec for each measure with readings, in plan order: one query."""
    ranked = ranked_readings(ctx.partnership.id)
    rows = ctx.session.execute(
        select(Measure, ranked.c.part, ranked.c.value, ranked.c.period, ranked.c.period_end)
        .join(ranked, (ranked.c.measure_id == Measure.id) & (ranked.c.rank <= POINTS_SHOWN))
        .outerjoin(Priority, Priority.id == Measure.priority_id)
        .where(Measure.partnership_id == ctx.partnership.id)
        .order_by(
            Priority.position.is_(None),
            Priority.position,
            Measure.position,
            Measure.id,
            ranked.c.part,
            ranked.c.period_end,
        )
    )
    found: dict[int, tuple[Measure, list[Any]]] = {}
    for row in rows:
        found.setdefault(row.Measure.id, (row.Measure, []))[1].append(row)
    return [measure_chart(ctx, measure, readings) for measure, readings in found.values()]


def measure_chart(ctx: Context, measure: Measure, readings: list[Any]) -> dict[str, Any]:
    """One measure's chart spec from its readings (by part, oldest first; at least one)."""
    unit = measure.unit or ""
    # One line for a whole measure; a measure read in parts, one line per part.
    by_part: dict[str, list[Any]] = {}
    for r in readings:
        by_part.setdefault(r.part or "", []).append(r)
    series: list[dict[str, Any]] = [
        {"label": part, "points": [_point(r, unit) for r in rows]} for part, rows in by_part.items()
    ]
    if list(by_part) == [""]:
        latest = readings[-1]
        status = judge_measure(measure, latest.value, latest.period_end, latest.period, ctx.fy)
    else:
        # Each part judged on its own, the measure as its worst (loads its parts: one query).
        last = {part: (rows[-1].value, rows[-1].period_end, rows[-1].period)
                for part, rows in by_part.items()}  # fmt: skip
        status = judge_in_parts(measure, last, ctx.fy)
    baseline_end = path_start(goal_of(measure), ctx.fy)
    baseline = target = path = None
    if measure.baseline is not None:
        baseline = {
            "value": measure.baseline,
            "x": baseline_end.isoformat() if baseline_end else None,
            "label": words.baseline_label(
                number(measure.baseline, unit), measure.baseline_period or ""
            ),
        }
    if measure.target is not None:
        target = {
            "value": measure.target,
            "x": measure.target_date.isoformat() if measure.target_date else None,
            "date": uk(measure.target_date),
            "label": words.target_label(number(measure.target, unit), uk(measure.target_date)),
        }
    if measure.baseline is not None and measure.target is not None and measure.target_date:
        start = baseline_end or readings[0].period_end
        if measure.target_date > start:
            path = [
                {"x": start.isoformat(), "value": measure.baseline},
                {"x": measure.target_date.isoformat(), "value": measure.target},
            ]
    direction = measure.direction.value if measure.direction else ""
    name = short(measure.name, TITLE_CHARS)
    lines = [(s["label"], s["points"][-1]["shown"], s["points"][-1]["period"]) for s in series]
    earlier = (
        [(p["shown"], p["period"]) for p in series[0]["points"][:-1]] if len(series) == 1 else []
    )
    return {
        "key": f"measure-{measure.id}",
        "ref": measure.ref or "",
        "title": f"{measure.ref} {name}" if measure.ref else name,
        "unit": unit,
        "series": series,
        "baseline": baseline,
        "target": target,
        "path": path,
        "direction": direction,
        "better": words.better_label(direction),
        "status": {
            "state": status.state,
            "word": words.STATE_WORDS.get(status.state, status.state.upper()),
            "reason": status.reason,
        },
        "alt": words.measure_alt(
            name=name,
            latest=lines,
            earlier=earlier,
            baseline=number(measure.baseline, unit) if measure.baseline is not None else "",
            target=number(measure.target, unit) if measure.target is not None else "",
            target_date=uk(measure.target_date),
            direction=direction,
            state=status.state,
            reason=status.reason,
        ),
    }


def _point(reading: Any, unit: str) -> dict[str, Any]:
    return {
        "x": reading.period_end.isoformat(),
        "period": reading.period,
        "value": reading.value,
        "shown": number(reading.value, unit),
    }


# --------------------------------------------------------------------------- RAG over time


def rag_grid(
    ctx: Context,
    meeting: MeetingInfo,
    meetings: list[MeetingInfo],
    statuses: list[PriorityStatus],
) -> dict[str, Any]:
    """Priorities × the last meetings' snapshots, then now: one query."""
    earlier = {m.id: m for m in meetings if m.date < meeting.date}
    kept: dict[int, dict[int, str]] = defaultdict(dict)
    if earlier:
        for meeting_id, priority_id, rag in ctx.session.execute(
            select(DigestSnapshot.meeting_id, DigestSnapshot.priority_id, DigestSnapshot.rag).where(
                DigestSnapshot.partnership_id == ctx.partnership.id,
                DigestSnapshot.meeting_id.in_(list(earlier)),
            )
        ):
            kept[meeting_id][priority_id] = rag
    shown = sorted((earlier[mid] for mid in kept), key=lambda m: m.date)[-MEETINGS_SHOWN:]
    columns = [words.rag_column(uk(m.date)) for m in shown] + [words.NOW_COLUMN]
    rows: list[dict[str, Any]] = []
    for s in statuses:
        rags = [kept[m.id].get(s.id, "") for m in shown] + [s.rag]
        rows.append(
            {
                "code": s.code,
                "label": f"{s.code} {short(s.title, LABEL_CHARS)}".strip(),
                "cells": [
                    {"state": rag, "word": words.RAG_WORDS.get(rag, words.NO_SNAPSHOT)}
                    for rag in rags
                ],
            }
        )
    return {
        "key": "rag-grid",
        "title": words.RAG_TITLE,
        "columns": columns,
        "rows": rows,
        "alt": words.rag_alt(
            columns=columns,
            rows=[(r["code"] or r["label"], [c["word"] for c in r["cells"]]) for r in rows],
        ),
    }


# --------------------------------------------------------------------------- returns


def returns_grid(ctx: Context, meeting: MeetingInfo) -> dict[str, Any]:
    """Each sub-group's return (in, late, missing, not due) per quarter: two queries.

    The quarters end with the last one that ended before the meeting. A cell's
    state follows :func:`partnership.quarters.standings`: in when submitted (late
    after its deadline), missing once the deadline has passed, otherwise not due;
    a group that had ended before a quarter began owes nothing for it.
    """
    last = quarters.previous(ctx.fy.quarter_of(meeting.date))
    shown: list[Quarter] = [last]
    while len(shown) < QUARTERS_SHOWN:
        shown.insert(0, quarters.previous(shown[0]))
    columns = [quarter_label(*q) for q in shown]
    groups = quarters.groups_with_leads(ctx)
    rows: list[dict[str, Any]] = []
    if groups:
        dues = {q: quarters.deadline(ctx, *q).day for q in shown}
        got = {
            (r.subgroup_id, r.fy_start_year, r.quarter): r
            for r in ctx.session.execute(
                select(
                    QuarterlyReturn.subgroup_id,
                    QuarterlyReturn.fy_start_year,
                    QuarterlyReturn.quarter,
                    QuarterlyReturn.deadline,
                    QuarterlyReturn.submitted_at,
                ).where(
                    QuarterlyReturn.partnership_id == ctx.partnership.id,
                    QuarterlyReturn.fy_start_year >= shown[0][0],
                    QuarterlyReturn.fy_start_year <= shown[-1][0],
                )
            )
        }
        for group in groups:
            cells = []
            for q in shown:
                state = _return_state(ctx, group.end_date, q, dues[q], got.get((group.id, *q)))
                cells.append({"state": state, "word": words.RETURN_WORDS[state]})
            rows.append({"label": short(group.name, LABEL_CHARS), "cells": cells})
    return {
        "key": "returns-grid",
        "title": words.RETURNS_TITLE,
        "columns": columns,
        "rows": rows,
        "alt": words.returns_alt(
            columns=columns, rows=[(r["label"], [c["word"] for c in r["cells"]]) for r in rows]
        ),
    }


def _return_state(
    ctx: Context, end_date: dt.date | None, quarter: Quarter, due: dt.date, row: Any
) -> str:
    if not quarters.owes(ctx, end_date, quarter):
        return "none"
    day = row.deadline if row is not None and row.deadline is not None else due
    if row is not None and row.submitted_at is not None:
        return "late" if row.submitted_at.astimezone(ctx.zone).date() > day else "in"
    return "missing" if ctx.today > day else "due"
