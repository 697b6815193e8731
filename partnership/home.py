"""The App Home tab: what one person needs to see when they open the bot.

Not a ``/csp`` command: the Slack edge calls :func:`home` when someone opens
the Home tab (and after they act from it) and publishes the rendered reply.
It shows the person's open actions (overdue first), the quarterly return of
each sub-group they lead, every priority's rolled-up status and the next
meetings; a coordinator's also lists who is not linked to Slack yet. Each
list is capped so the tab stays well under Slack's 100 blocks (about 45 at
most), and a fixed number of queries runs whatever the plan's size.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from partnership import board as county
from partnership import cycles
from partnership import quarters as quarterly
from partnership.context import Context, Reply
from partnership.cycles import Period
from partnership.edits import action_line
from partnership.measure_status import own_measures
from partnership.measures import short
from partnership.messages import cycles as say_cycles
from partnership.people import unlinked
from partnership.rollup import OPEN, rollup
from storage.dates import quarter_label, uk
from storage.models import Action, Meeting, SubGroup

ACTIONS_SHOWN = 20
PRIORITIES_SHOWN = 25
GROUPS_SHOWN = 10
# People not on Slack, each with a button to pick their account: coordinators only.
UNLINKED_SHOWN = 5
OWN_MEASURES_SHOWN = 12


def home(ctx: Context) -> Reply:
    """The Home tab for the asker: my actions, my groups' returns, priorities, meetings."""
    today = ctx.today
    actions, total, overdue = my_actions(ctx)
    groups = led_groups(ctx)
    statuses = rollup(ctx, overdue_cap=0)
    own = own_measures(ctx)
    shown_returns = returns(ctx, groups[:GROUPS_SHOWN])
    periods_shown = {r["period"] for r in shown_returns}
    kinds = {r["kind"] for r in shown_returns}
    data = {
        "partnership": ctx.partnership.name,
        "person": ctx.person.name if ctx.person is not None else ctx.who,
        "actions": [action_line(a, today) for a in actions],
        "open_actions": total,
        "overdue_actions": overdue,
        "more_actions": total - len(actions),
        "quarter": quarter_label(*ctx.fy.quarter_of(today)),
        "returns": shown_returns,
        # One heading when every group is in the same period; else each row names its own.
        "returns_period": periods_shown.pop() if len(periods_shown) == 1 else "",
        "returns_noun": say_cycles.noun(kind=kinds.pop()) if len(kinds) == 1 else "",
        "more_groups": max(len(groups) - GROUPS_SHOWN, 0),
        "priorities": [s.view(today, title_limit=80) for s in statuses[:PRIORITIES_SHOWN]],
        "more_priorities": max(len(statuses) - PRIORITIES_SHOWN, 0),
        # The partnership's own measures, under no priority: shown apart from the priorities.
        "own_measures": [m.view() for m in own[:OWN_MEASURES_SHOWN]],
        "more_own_measures": max(len(own) - OWN_MEASURES_SHOWN, 0),
        "meetings": next_meetings(ctx, groups),
        "empty": total == 0 and not groups,
        "slug": ctx.partnership.slug,
        "unlinked": [],
        "more_unlinked": 0,
        # A county board's districts under each countywide priority (None elsewhere).
        "districts": county.for_board(ctx, statuses),
    }
    if ctx.is_coordinator:
        waiting = unlinked(ctx)
        shown = waiting[:UNLINKED_SHOWN]
        data["unlinked"] = [{"name": p.name, "email": p.email or ""} for p in shown]
        data["more_unlinked"] = max(len(waiting) - UNLINKED_SHOWN, 0)
    text = f"{total} open actions, {overdue} overdue" if total else "Nothing assigned to you yet"
    return Reply("home", data, text=text)


def my_actions(ctx: Context) -> tuple[list[Action], int, int]:
    """The asker's open actions to show (overdue first, then by due date), how many, overdue."""
    if ctx.person is None:
        return [], 0, 0
    today = ctx.today
    mine = (
        Action.partnership_id == ctx.partnership.id,
        Action.owner_id == ctx.person.id,
        Action.status.in_(OPEN),
    )
    late = case((Action.due_date < today, 1), else_=0)
    total, overdue = ctx.session.execute(
        select(func.count(), func.coalesce(func.sum(late), 0)).select_from(Action).where(*mine)
    ).one()
    if not total:
        return [], 0, 0
    shown = ctx.session.scalars(
        select(Action)
        .where(*mine)
        .options(  # many-to-one: joined into the one query, whatever is shown
            joinedload(Action.owner),
            joinedload(Action.priority),
            joinedload(Action.subgroup),
            joinedload(Action.lead_organisation),
        )
        .order_by(
            case((Action.due_date < today, 0), else_=1),
            case((Action.due_date.is_(None), 1), else_=0),
            Action.due_date,
            Action.id,
        )
        .limit(ACTIONS_SHOWN)
    )
    return list(shown), int(total), int(overdue)


def led_groups(ctx: Context) -> list[SubGroup]:
    """The sub-groups the asker leads, by name."""
    if ctx.person is None:
        return []
    return list(
        ctx.session.scalars(
            select(SubGroup)
            .where(
                SubGroup.partnership_id == ctx.partnership.id,
                SubGroup.lead_id == ctx.person.id,
                SubGroup.closed_on.is_(None),
            )
            .options(joinedload(SubGroup.lead))
            .order_by(SubGroup.name)
        )
    )


def returns(ctx: Context, groups: list[SubGroup]) -> list[dict[str, Any]]:
    """Each group's return for the period its cycle is in: submitted, awaited or not set up."""
    if not groups:
        return []
    rows = []
    # By cycle (most groups share the partnership's): the current quarter, half, month or
    # next meeting; the deadline and state come from partnership.quarters, as in status.
    by_period: dict[Period, list[SubGroup]] = {}
    for group in groups:
        period = cycles.current(ctx, cycles.cycle_of(ctx, group))
        if period is not None:
            by_period.setdefault(period, []).append(group)
    found = [
        (period, standing)
        for period, members in by_period.items()
        for standing in quarterly.standings(ctx, period, members)
    ]
    for period, standing in sorted(found, key=lambda f: f[1].group.lower()):
        row: dict[str, Any] = {
            "period": cycles.label(period),
            "kind": cycles.kind_of(period),
            "group": short(standing.group, 100),
            "state": "none",
            "submitted_on": "",
            "by": "",
            "deadline": "",
            "late": False,
        }
        if standing.state == quarterly.SUBMITTED:
            row["state"] = "submitted"
            row["submitted_on"] = uk(standing.submitted_on)
            row["by"] = standing.by or ""
            row["deadline"] = uk(standing.deadline)
        elif standing.exists:
            row["state"] = "awaited"
            row["deadline"] = uk(standing.deadline)
            row["late"] = standing.state == quarterly.OVERDUE
        rows.append(row)
    return rows


def next_meetings(ctx: Context, groups: list[SubGroup]) -> list[dict[str, Any]]:
    """The next Leadership Group meeting, then the next meeting of a group the asker leads."""
    board = ctx.partnership.leadership_group or "Leadership Group"
    upcoming = (Meeting.partnership_id == ctx.partnership.id, Meeting.date >= ctx.today)
    found = [
        ctx.session.scalars(
            select(Meeting).where(*upcoming, Meeting.subgroup_id.is_(None)).order_by(Meeting.date)
        ).first()
    ]
    if groups:
        found.append(
            ctx.session.scalars(
                select(Meeting)
                .where(*upcoming, Meeting.subgroup_id.in_([g.id for g in groups]))
                .options(joinedload(Meeting.subgroup))
                .order_by(Meeting.date, Meeting.id)
            ).first()
        )
    return [
        {
            "date": uk(m.date),
            "weekday": m.date.strftime("%A"),
            "time": m.time.strftime("%H:%M") if m.time else "",
            "title": short(m.title or (m.subgroup.name if m.subgroup else board), 150),
            "group": short(m.subgroup.name, 100) if m.subgroup else board,
            "location": short(m.location, 150) if m.location else "",
            "days": (m.date - ctx.today).days,
        }
        for m in found
        if m is not None
    ]
