"""What a partnership holds: the read behind ``csp-bot plan show`` (and, later, /csp plan).

Builds a plain view-model for the templates; a fixed handful of queries whatever
the plan's size (counts are aggregated in SQL, not by loading every action).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from storage.dates import uk
from storage.models import (
    Action,
    Measure,
    Meeting,
    Organisation,
    Partnership,
    Person,
    Priority,
    Rag,
    Status,
    SubGroup,
)


@dataclass
class PriorityLine:
    """One priority with its action counts."""

    code: str
    title: str
    actions: int
    by_rag: dict[str, int]
    complete: int


@dataclass
class GroupLine:
    """One sub-group."""

    name: str
    kind: str
    lead: str
    priorities: list[str]
    ends: str


@dataclass
class MeasureLine:
    """One measure with baseline and target as the plan states them."""

    name: str
    baseline: str
    target: str
    direction: str
    latest: str


@dataclass
class PlanOverview:
    """Everything ``plan show`` prints."""

    name: str
    slug: str
    plan_title: str
    plan_period: str
    parent: str
    children: list[str]
    leadership_group: str
    meeting_cadence: str
    organisations: int
    responsible_authorities: int
    people: int
    priorities: list[PriorityLine] = field(default_factory=list)
    groups: list[GroupLine] = field(default_factory=list)
    measures: list[MeasureLine] = field(default_factory=list)
    next_meetings: list[str] = field(default_factory=list)
    actions: int = 0
    unassigned_actions: int = 0
    overdue: int = 0
    undated: int = 0

    @property
    def heading(self) -> str:
        """The partnership, its plan's title and period, each said once.

        A plan title usually starts with the partnership's name ("Stroud District
        Community Safety Partnership Action plan 2023 – 2026"), and its period
        is often in the title too: repeating either reads as a mistake.
        """
        title = self.plan_title
        heading = title if title and self.name.casefold() in title.casefold() else self.name
        if title and heading != title:
            heading += f" — {title}"
        period = self.plan_period
        if period and not all(n in heading for n in re.findall(r"\d+", period)):
            heading += f" ({period})"
        return heading


def _number(value: float | None, text: str | None, unit: str | None) -> str:
    if value is None:
        return text or "—"
    shown = f"{value:g}"
    return f"{shown} {unit}" if unit else shown


def plan_overview(session: Session, partnership: Partnership, today: dt.date) -> PlanOverview:
    """Summarise one partnership's plan as of ``today`` (its own calendar date)."""
    pid = partnership.id
    orgs = session.execute(
        select(Organisation.kind, func.count())
        .where(Organisation.partnership_id == pid)
        .group_by(Organisation.kind)
    ).all()
    people = session.scalar(
        select(func.count()).select_from(Person).where(Person.partnership_id == pid)
    )
    counts: dict[int | None, dict[str, int]] = {}
    for priority_id, status, rag, n in session.execute(
        select(Action.priority_id, Action.status, Action.rag, func.count())
        .where(Action.partnership_id == pid)
        .group_by(Action.priority_id, Action.status, Action.rag)
    ):
        bucket = counts.setdefault(priority_id, {"total": 0, "complete": 0})
        bucket["total"] += n
        if status == Status.COMPLETE:
            bucket["complete"] += n
        if rag is not None:
            bucket[rag.value] = bucket.get(rag.value, 0) + n
    open_statuses = (Status.NOT_STARTED, Status.IN_PROGRESS)
    overdue = session.scalar(
        select(func.count())
        .select_from(Action)
        .where(
            Action.partnership_id == pid, Action.status.in_(open_statuses), Action.due_date < today
        )
    )
    undated = session.scalar(
        select(func.count())
        .select_from(Action)
        .where(Action.partnership_id == pid, Action.due_date.is_(None))
    )
    priorities = [
        PriorityLine(
            code=p.code,
            title=p.title,
            actions=counts.get(p.id, {}).get("total", 0),
            by_rag={r.value: counts.get(p.id, {}).get(r.value, 0) for r in Rag},
            complete=counts.get(p.id, {}).get("complete", 0),
        )
        for p in session.scalars(
            select(Priority).where(Priority.partnership_id == pid).order_by(Priority.position)
        )
    ]
    groups = [
        GroupLine(
            name=g.name,
            kind=g.kind.value.replace("_", " "),
            lead=g.lead.name if g.lead else "",
            priorities=[p.code for p in g.priorities],
            ends=uk(g.end_date),
        )
        for g in session.scalars(
            select(SubGroup)
            .where(SubGroup.partnership_id == pid)
            .options(selectinload(SubGroup.lead), selectinload(SubGroup.priorities))
            .order_by(SubGroup.name)
        )
    ]
    measures = [
        MeasureLine(
            name=m.name,
            baseline=_number(m.baseline, m.baseline_text, m.unit),
            target=_number(m.target, m.target_text, m.unit)
            + (f" by {uk(m.target_date)}" if m.target_date else ""),
            direction=f"{m.direction.value} is better" if m.direction else "",
            latest=(
                f"{m.readings[-1].value:g} in {m.readings[-1].period}"
                + (f" ({m.readings[-1].part})" if m.readings[-1].part else "")
                if m.readings
                else ""
            ),
        )
        for m in session.scalars(
            select(Measure)
            .where(Measure.partnership_id == pid)
            .options(selectinload(Measure.readings))
            .order_by(Measure.position)
        )
    ]
    board = partnership.leadership_group or "Leadership Group"
    meetings = [
        f"{uk(m.date)}{' ' + m.time.strftime('%H:%M') if m.time else ''}"
        f" — {m.subgroup.name if m.subgroup else board}"
        for m in session.scalars(
            select(Meeting)
            .where(Meeting.partnership_id == pid, Meeting.date >= today)
            .options(selectinload(Meeting.subgroup))
            .order_by(Meeting.date)
            .limit(3)
        )
    ]
    by_kind = {kind.value: n for kind, n in orgs}
    return PlanOverview(
        name=partnership.name,
        slug=partnership.slug,
        plan_title=partnership.plan_title or "",
        plan_period=partnership.plan_period or "",
        parent=partnership.parent.name if partnership.parent else "",
        children=sorted(c.name for c in partnership.children),
        leadership_group=partnership.leadership_group or "",
        meeting_cadence=partnership.meeting_cadence or "",
        organisations=sum(by_kind.values()),
        responsible_authorities=by_kind.get("responsible_authority", 0),
        people=people or 0,
        priorities=priorities,
        groups=groups,
        measures=measures,
        next_meetings=meetings,
        actions=sum(c["total"] for c in counts.values()),
        unassigned_actions=counts.get(None, {}).get("total", 0),
        overdue=overdue or 0,
        undated=undated or 0,
    )
