"""The digest's sections after the priorities: history, overdue, returns, escalations, measures.

Each is built in one or two queries and returns plain values (see
:mod:`partnership.digest`, which puts them together).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeGuard

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from partnership import cycles, quarters
from partnership.context import Context
from partnership.digest_meetings import MeetingInfo
from partnership.digest_shown import TREND
from partnership.measure_status import parts_by_measure
from partnership.measures import better, judge_in_parts, number
from partnership.messages import cycles as say_cycles
from partnership.quarters import Deadline, Quarter
from partnership.rollup import OPEN
from storage.cycles import MEETING
from storage.dates import fy_label, uk
from storage.models import (
    Action,
    ActionUpdate,
    Measure,
    Organisation,
    Person,
    Priority,
    QuarterlyReturn,
    Status,
    SubGroup,
)
from storage.queries import ranked_readings

# The channel purpose of the board channel (plan file `slack.channels.board`).
# Better ratings rank higher; "not rated" has no rank (a change to or from it is
# reported in words, not as better or worse).
# Better ratings rank higher; "not rated" has no rank (a change to or from it is
# reported in words, not as better or worse).
RAG_RANK = {"red": 0, "amber": 1, "green": 2}
NO_OWNER = "No owner"
NO_ORGANISATION = "No organisation"
# How far back to look for the quarter whose returns the digest reports.
QUARTERS_BACK = 8


# --------------------------------------------------------------------------- history


def history(
    ctx: Context, window_start: dt.datetime, start: dt.date, today: dt.date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Actions completed, and actions that slipped, since ``start``: one query.

    Completed: a history entry in the window changed the status to complete
    (the entry that created an action does not count) and it is still complete.
    Slipped (still open): an entry in the window moved the due date later or
    worsened the RAG, or the due date itself fell in the window.

    At 10,000 actions this was most of the digest's time (benchmarks/digest_scaling.py),
    so the rows are fetched at once as plain tuples (not through the ORM's row loading),
    and each row's words and dates are made only for the rows kept, each date once.
    Matching the changes' keys in SQL (``changes LIKE '%"rag"%'``) made PostgreSQL's
    plan ten times slower, so the JSON is read here.
    """
    owner = aliased(Person)
    by = aliased(Person)
    query = (
        select(
            Action.id,
            Action.ref,
            Action.title,
            Action.status,
            Action.rag,
            Action.due_date,
            Priority.code.label("priority"),
            owner.name.label("owner"),
            ActionUpdate.at,
            ActionUpdate.changes,
            by.name.label("by"),
        )
        .select_from(Action)
        .outerjoin(
            ActionUpdate,
            (ActionUpdate.action_id == Action.id) & (ActionUpdate.at >= window_start),
        )
        .outerjoin(Priority, Priority.id == Action.priority_id)
        .outerjoin(owner, owner.id == Action.owner_id)
        .outerjoin(by, by.id == ActionUpdate.by_id)
        .where(
            Action.partnership_id == ctx.partnership.id,
            or_(
                ActionUpdate.id.is_not(None),
                (Action.due_date >= start) & (Action.due_date < today),
            ),
            Action.status != Status.DROPPED,
        )
        .order_by(Action.position, Action.id, ActionUpdate.at, ActionUpdate.id)
    )
    day = functools.cache(uk)  # a few hundred dates among thousands of rows
    completed: dict[int, dict[str, Any]] = {}
    slipped: dict[int, dict[str, Any]] = {}
    # The session's pending changes first, as its own execute would (autoflush).
    ctx.session.flush()
    rows = ctx.session.connection().execute(query).all()
    for aid, ref, title, status, rag, due, priority, owner_name, at, changes, by_name in rows:
        if status == Status.COMPLETE:
            change = changes.get("status") if changes else None
            if _pair(change) and change[0] is not None and change[1] == Status.COMPLETE.value:
                on = day(at.astimezone(ctx.zone).date())
                completed[aid] = _base(ref, title, priority, owner_name) | {
                    "on": on,
                    "by": by_name or "",
                }
            continue
        reasons = _slips(changes, day) if changes else []
        if due is not None and start <= due < today:
            reasons.append(f"overdue since {day(due + dt.timedelta(days=1))}")
        if not reasons:
            continue
        item = slipped.get(aid)
        if item is None:
            item = slipped[aid] = _base(ref, title, priority, owner_name) | {
                "status": status.value.replace("_", " "),
                "rag": rag.value if rag else "",
                "due": day(due),
                "reasons": [],
            }
        item["reasons"] += [r for r in reasons if r not in item["reasons"]]
    return list(completed.values()), list(slipped.values())


def _base(ref: str, title: str, priority: str | None, owner: str | None) -> dict[str, Any]:
    """What every completed or slipped action says: its ref, title, priority and owner."""
    return {"ref": ref, "title": title, "priority": priority or "", "owner": owner or ""}


def _pair(value: Any) -> TypeGuard[list[Any]]:
    return isinstance(value, list) and len(value) == 2


def _iso(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _slips(changes: dict[str, Any], day: Callable[[dt.date | None], str] = uk) -> list[str]:
    """What in one history entry counts as slipping: a later due date, a worse RAG."""
    reasons = []
    due = changes.get("due_date")
    if _pair(due):
        old, new = _iso(due[0]), _iso(due[1])
        if old is not None and new is not None and new > old:
            reasons.append(f"due date moved from {day(old)} to {day(new)}")
    rag = changes.get("rag")
    if _pair(rag):
        old_rag, new_rag = rag
        if old_rag in RAG_RANK and new_rag in RAG_RANK and RAG_RANK[new_rag] < RAG_RANK[old_rag]:
            reasons.append(f"RAG {old_rag} → {new_rag}")
    return reasons


# --------------------------------------------------------------------------- overdue


def overdue(ctx: Context, today: dt.date) -> dict[str, Any]:
    """Open actions past their due date, by owner and by organisation: one query.

    An action counts against its owner's organisation, else its lead
    organisation; with neither it is under "No organisation".
    """
    owner_org = aliased(Organisation)
    lead_org = aliased(Organisation)
    rows = ctx.session.execute(
        select(
            Action.ref,
            Action.title,
            Action.due_date,
            Priority.code.label("priority"),
            Person.name.label("owner"),
            owner_org.name.label("owner_org"),
            lead_org.name.label("lead_org"),
        )
        .select_from(Action)
        .outerjoin(Priority, Priority.id == Action.priority_id)
        .outerjoin(Person, Person.id == Action.owner_id)
        .outerjoin(owner_org, owner_org.id == Person.organisation_id)
        .outerjoin(lead_org, lead_org.id == Action.lead_organisation_id)
        .where(
            Action.partnership_id == ctx.partnership.id,
            Action.status.in_(OPEN),
            Action.due_date < today,
        )
        .order_by(Action.due_date, Action.position, Action.id)
    )
    owners: dict[str, list[dict[str, Any]]] = defaultdict(list)
    orgs: dict[str, list[str]] = defaultdict(list)
    count = 0
    for row in rows:
        count += 1
        item = {
            "ref": row.ref,
            "title": row.title,
            "priority": row.priority or "",
            "due": uk(row.due_date),
            "days": (today - row.due_date).days,
        }
        owners[row.owner or NO_OWNER].append(item)
        orgs[row.owner_org or row.lead_org or NO_ORGANISATION].append(row.ref)

    def order(name: str, size: int, unnamed: str) -> tuple[int, int, str]:
        # Most overdue first; the "no owner"/"no organisation" bucket last.
        return (name == unnamed, -size, name.lower())

    by_owner = [
        {"name": name, "none": name == NO_OWNER, "count": len(items), "actions": items}
        for name, items in sorted(owners.items(), key=lambda kv: order(kv[0], len(kv[1]), NO_OWNER))
    ]
    by_org = [
        {"name": name, "none": name == NO_ORGANISATION, "count": len(refs), "refs": refs}
        for name, refs in sorted(
            orgs.items(), key=lambda kv: order(kv[0], len(kv[1]), NO_ORGANISATION)
        )
    ]
    return {"count": count, "by_owner": by_owner, "by_org": by_org}


# --------------------------------------------------------------------------- returns


def report_quarter(ctx: Context, meeting: MeetingInfo) -> tuple[Quarter, Deadline] | None:
    """The latest period (of the partnership's cycle) whose returns were due by the meeting.

    The deadline is the one every returns command uses (:func:`partnership.cycles.deadline`);
    a partnership reporting before each meeting reports this meeting's period.
    """
    cycle = ctx.settings.cycle
    if cycle.kind == MEETING:
        period = cycles.meeting(meeting.date)
        return period, cycles.deadline(ctx, period, cycle)
    found: Quarter | None = cycles.of_day(ctx, cycle.kind, meeting.date)
    for _ in range(QUARTERS_BACK):
        if found is None:
            break
        due = cycles.deadline(ctx, found, cycle)
        if due.day <= meeting.date:
            return found, due
        found = cycles.previous(ctx, found)
    return None


def returns(ctx: Context, meeting: MeetingInfo) -> dict[str, Any] | None:
    """Which sub-groups' returns for the reported quarter are in and which are missing."""
    found = report_quarter(ctx, meeting)
    if found is None:
        return None
    quarter, due = found
    # Each group's own deadline: a twice-yearly group may name other months than the partnership.
    standings = quarters.standings(ctx, quarter, known=due)
    if not standings:
        return None
    came_in: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for s in standings:
        if s.state == quarters.SUBMITTED:
            came_in.append(
                {
                    "group": s.group,
                    "submitted": uk(s.submitted_on),
                    "by": s.by or "",
                    "late": s.late,
                }
            )
        else:
            # Overdue, or not due yet (a group given an extension, or a deadline still ahead).
            missing.append(
                {
                    "group": s.group,
                    "lead": s.lead or "",
                    "overdue": s.state == quarters.OVERDUE,
                    "deadline": uk(s.deadline),
                }
            )
    return {
        "quarter": cycles.label(quarter),
        "heading": say_cycles.heading(kind=cycles.kind_of(quarter)),
        "year": fy_label(quarter[0]),
        "deadline": uk(due.day),
        "rule": due.rule,
        "passed": due.day < ctx.today,
        "expected": len(standings),
        "in": came_in,
        "missing": missing,
    }


def escalations(ctx: Context, window_start: dt.datetime) -> list[dict[str, Any]]:
    """Escalations for the board in returns submitted since the window's start: one query."""
    rows = ctx.session.execute(
        select(
            SubGroup.name,
            QuarterlyReturn.fy_start_year,
            QuarterlyReturn.quarter,
            QuarterlyReturn.submitted_at,
            QuarterlyReturn.escalations,
        )
        .join(SubGroup, SubGroup.id == QuarterlyReturn.subgroup_id)
        .where(
            QuarterlyReturn.partnership_id == ctx.partnership.id,
            QuarterlyReturn.submitted_at >= window_start,
            QuarterlyReturn.escalations.is_not(None),
            func.length(func.trim(QuarterlyReturn.escalations)) > 0,
        )
        .order_by(QuarterlyReturn.submitted_at, QuarterlyReturn.id)
    )
    out: list[dict[str, Any]] = []
    for name, fy, quarter, at, text in rows:
        lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
        out.append(
            {
                "group": name,
                "quarter": cycles.label((fy, quarter)),
                "submitted": uk(at.astimezone(ctx.zone).date()) if at is not None else "",
                "text": " ".join(lines),
                "lines": lines,
            }
        )
    return out


# --------------------------------------------------------------------------- measures


def measures(ctx: Context, codes: dict[int, str]) -> list[dict[str, Any]]:
    """Every measure against its target, with the trend of its last few readings (each part's,
    for a measure read in parts): three queries. ``own`` marks the partnership's own measures,
    which belong to no priority."""
    pid = ctx.partnership.id
    ranked = ranked_readings(pid)
    readings: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for reading in ctx.session.execute(
        select(ranked).where(ranked.c.rank <= TREND).order_by(ranked.c.measure_id, ranked.c.rank)
    ):
        readings[(reading.measure_id, reading.part)].append(reading)
    measures = ctx.session.scalars(
        select(Measure)
        .outerjoin(Priority, Priority.id == Measure.priority_id)
        .where(Measure.partnership_id == pid)
        .order_by(Priority.position.is_(None), Priority.position, Measure.position, Measure.id)
    )
    parts = parts_by_measure(ctx)
    out: list[dict[str, Any]] = []
    for measure in measures:
        names = [p.name for p in parts.get(measure.id, [])] or [""]
        latest = {
            name: (rows[0].value, rows[0].period_end, rows[0].period)
            for name in names
            if (rows := readings.get((measure.id, name)))
        }
        row = judge_in_parts(measure, latest, ctx.fy, parts.get(measure.id, [])).view()
        row["name"] = measure.name
        row["priority"] = codes.get(measure.priority_id or 0, "")
        row["own"] = measure.priority_id is None
        for name, each in zip(names, row["parts"] or [row], strict=True):
            newest_first = readings.get((measure.id, name), [])
            prior = newest_first[1] if len(newest_first) > 1 else None
            each["previous"] = number(prior.value, measure.unit) if prior is not None else ""
            each["previous_period"] = prior.period if prior is not None else ""
            values = [r.value for r in reversed(newest_first)]
            each["trend"] = _trend(values, measure)
            each["recent"] = _recent(values, measure)
        row.setdefault("previous", "")
        row.setdefault("previous_period", "")
        row.setdefault("trend", _trend([], measure))
        row.setdefault("recent", "")
        out.append(row)
    return out


def _recent(values: list[float], measure: Measure) -> str:
    """The last few readings, oldest first, as one line: ``72 → 75.5 → 78.1 years``."""
    return " → ".join(
        [number(v) for v in values[:-1]] + [number(v, measure.unit) for v in values[-1:]]
    )


def _trend(values: list[float], measure: Measure) -> dict[str, str]:
    """Which way the last two of the readings (oldest first) moved (the arrow) and whether
    that is good (the word)."""
    if len(values) < 2:
        return {"arrow": "", "word": ""}
    prior, latest = values[-2], values[-1]
    if latest == prior:
        return {"arrow": "→", "word": "no change"}
    arrow = "↑" if latest > prior else "↓"
    if measure.direction is None:
        return {"arrow": arrow, "word": "up" if latest > prior else "down"}
    return {
        "arrow": arrow,
        "word": "better" if better(latest, prior, measure.direction) else "worse",
    }
