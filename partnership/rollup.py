"""Where each priority stands: its RAG rolled up from its actions and measures.

Shared by ``/csp priority status``, the App Home tab and (later) the chairs'
digest; nothing here knows about Slack. :func:`rollup` runs a fixed number of
queries whatever the plan's size: action counts are aggregated in SQL, overdue
actions come from one query capped per priority with a window function, and
measures come with their latest reading in one more.

The roll-up rule
----------------

*Open* actions are those not started or in progress; complete actions are
counted separately (shown blue) and dropped ones are left out. An open action
is *overdue* when its due date is before today. A measure is judged by its
latest reading (see :func:`judge_measure`).

* **red** when any open action is rated red, or more than a quarter of the
  open actions that have a due date are overdue, or a measure's latest reading
  is worse than its baseline (moving the wrong way);
* otherwise **amber** when any open action is rated amber or is overdue, or a
  measure is off track;
* otherwise **green** when there is something to judge it by: an open action
  with a rating, a complete action, or a measure with a reading;
* otherwise **not rated**.

Each status carries the reasons for its colour, so a chair can see why a
priority is red without taking the rating on trust.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select

from partnership.context import Context
from partnership.measure_status import judged
from partnership.measures import NO_DATA, OFF_TRACK, MeasureStatus, short
from storage.dates import uk
from storage.models import Action, Person, Priority, Rag, Status
from storage.words import plural

OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)
# Overdue actions listed under each priority; the rest are counted.
OVERDUE_SHOWN = 5
# Measures listed under each priority; the rest are counted.
MEASURES_SHOWN = 6
# A priority turns red when more than this share of its dated open actions is overdue.
RED_OVERDUE_SHARE = 0.25

NOT_RATED = "not rated"

ICONS = {
    "red": ":red_circle:",
    "amber": ":large_orange_circle:",
    "green": ":large_green_circle:",
    NOT_RATED: ":white_circle:",
}


@dataclass
class OverdueAction:
    """An open action past its due date."""

    ref: str
    title: str
    owner: str
    due: dt.date
    days: int


@dataclass
class PriorityStatus:
    """One priority's rolled-up RAG, the counts behind it and what is overdue."""

    id: int
    code: str
    title: str
    rag: str = NOT_RATED  # "red", "amber", "green" or NOT_RATED
    reasons: list[str] = field(default_factory=list)
    # Open actions by rating ("unrated" for none), "blue" for complete, "dropped".
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("red", "amber", "green", "unrated", "blue"), 0)
    )
    dropped: int = 0
    open_dated: int = 0
    overdue_count: int = 0
    overdue: list[OverdueAction] = field(default_factory=list)
    measures: list[MeasureStatus] = field(default_factory=list)

    @property
    def open(self) -> int:
        """How many actions are not started or in progress."""
        return sum(self.counts[k] for k in ("red", "amber", "green", "unrated"))

    @property
    def total(self) -> int:
        """Every action under the priority, dropped ones included."""
        return self.open + self.counts["blue"] + self.dropped

    @property
    def more_overdue(self) -> int:
        """Overdue actions not listed."""
        return self.overdue_count - len(self.overdue)

    def view(self, today: dt.date, *, title_limit: int = 200) -> dict[str, Any]:
        """The priority as a plain view-model for templates."""
        return {
            "code": self.code,
            "title": short(self.title, title_limit),
            "rag": self.rag,
            "icon": ICONS[self.rag],
            "reasons": self.reasons,
            "counts": self.counts,
            "total": self.total,
            "open": self.open,
            "dropped": self.dropped,
            "overdue_count": self.overdue_count,
            "overdue": [
                {
                    "ref": o.ref,
                    "title": short(o.title, 120),
                    "owner": o.owner,
                    "due": uk(o.due),
                    "days": o.days,
                }
                for o in self.overdue
            ],
            "more_overdue": self.more_overdue,
            "measures": [m.view() for m in self.measures[:MEASURES_SHOWN]],
            "more_measures": max(len(self.measures) - MEASURES_SHOWN, 0),
        }


def rollup(
    ctx: Context, priority_id: int | None = None, *, overdue_cap: int = OVERDUE_SHOWN
) -> list[PriorityStatus]:
    """Each priority's rolled-up status (or one priority's), in a fixed number of queries."""
    pid = ctx.partnership.id
    today = ctx.today
    query = select(Priority.id, Priority.code, Priority.title).where(Priority.partnership_id == pid)
    if priority_id is not None:
        query = query.where(Priority.id == priority_id)
    statuses = {
        row.id: PriorityStatus(id=row.id, code=row.code, title=row.title)
        for row in ctx.session.execute(query.order_by(Priority.position, Priority.id))
    }
    if not statuses:
        return []
    in_scope = (
        Action.priority_id == priority_id
        if priority_id is not None
        else Action.priority_id.is_not(None)
    )
    _count_actions(ctx, statuses, in_scope, today)
    if overdue_cap > 0:
        _overdue_actions(ctx, statuses, in_scope, today, overdue_cap)
    _measures(ctx, statuses, priority_id)
    for status in statuses.values():
        _rate(status)
    return list(statuses.values())


def _count_actions(
    ctx: Context, statuses: dict[int, PriorityStatus], in_scope: Any, today: dt.date
) -> None:
    """Counts by priority, status and RAG, with how many are dated and overdue: one query."""
    dated = func.sum(case((Action.due_date.is_not(None), 1), else_=0))
    late = func.sum(case((Action.due_date < today, 1), else_=0))
    rows = ctx.session.execute(
        select(Action.priority_id, Action.status, Action.rag, func.count(), dated, late)
        .where(Action.partnership_id == ctx.partnership.id, in_scope)
        .group_by(Action.priority_id, Action.status, Action.rag)
    )
    for priority_id, status, rag, n, n_dated, n_late in rows:
        target = statuses.get(priority_id)
        if target is None:
            continue
        if status == Status.COMPLETE:
            target.counts["blue"] += n
        elif status == Status.DROPPED:
            target.dropped += n
        else:
            target.counts[rag.value if isinstance(rag, Rag) else "unrated"] += n
            target.open_dated += int(n_dated or 0)
            target.overdue_count += int(n_late or 0)


def _overdue_actions(
    ctx: Context, statuses: dict[int, PriorityStatus], in_scope: Any, today: dt.date, cap: int
) -> None:
    """The most overdue open actions of each priority, at most ``cap`` each: one query."""
    rank = (
        func.row_number()
        .over(partition_by=Action.priority_id, order_by=(Action.due_date, Action.id))
        .label("rank")
    )
    ranked = (
        select(
            Action.priority_id,
            Action.ref,
            Action.title,
            Action.due_date,
            Person.name.label("owner"),
            rank,
        )
        .outerjoin(Person, Person.id == Action.owner_id)
        .where(
            Action.partnership_id == ctx.partnership.id,
            in_scope,
            Action.status.in_(OPEN),
            Action.due_date < today,
        )
        .subquery()
    )
    rows = ctx.session.execute(
        select(ranked).where(ranked.c.rank <= cap).order_by(ranked.c.priority_id, ranked.c.rank)
    )
    for row in rows:
        target = statuses.get(row.priority_id)
        if target is not None:
            target.overdue.append(
                OverdueAction(
                    ref=row.ref,
                    title=row.title,
                    owner=row.owner or "",
                    due=row.due_date,
                    days=(today - row.due_date).days,
                )
            )


def _measures(ctx: Context, statuses: dict[int, PriorityStatus], priority_id: int | None) -> None:
    """Each measure under a priority with its latest reading of each part: a fixed few queries."""
    for measure, status in judged(ctx, priority_id=priority_id):
        target = statuses.get(measure.priority_id) if measure.priority_id is not None else None
        if target is not None:
            target.measures.append(status)


def _rate(s: PriorityStatus) -> None:
    """Apply the roll-up rule (module docstring) to one priority."""
    c = s.counts
    wrong_way = [m for m in s.measures if m.wrong_way]
    off = [m for m in s.measures if m.state == OFF_TRACK and not m.wrong_way]
    red: list[str] = []
    if c["red"]:
        red.append(plural(c["red"], "open action") + " rated red")
    if s.overdue_count and s.overdue_count > RED_OVERDUE_SHARE * s.open_dated:
        red.append(f"{s.overdue_count} of {s.open_dated} dated open actions overdue")
    red += [f"{m.ref or m.name}: worse than the baseline" for m in wrong_way]
    if red:
        s.rag, s.reasons = "red", red
        return
    amber: list[str] = []
    if c["amber"]:
        amber.append(plural(c["amber"], "open action") + " rated amber")
    if s.overdue_count:
        amber.append(plural(s.overdue_count, "action") + " overdue")
    amber += [f"{m.ref or m.name}: off track ({m.reason})" for m in off]
    if amber:
        s.rag, s.reasons = "amber", amber
        return
    measured = any(m.state != NO_DATA for m in s.measures)
    if c["green"] or c["blue"] or measured:
        s.rag, s.reasons = "green", []
        return
    s.rag, s.reasons = NOT_RATED, []
