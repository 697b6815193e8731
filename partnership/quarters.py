"""Returns: a period's deadline, which period and group are meant, who owes one.

The periods are quarters unless the partnership or a group reports on another
cycle (partnership/cycles.py holds every cycle's periods, names and deadlines;
the quarter-only helpers here keep the quarterly words as they were).

Shared by ``/csp return submit``, ``/csp return status``, the Home tab and the
returns sweep, so all four agree on one deadline and one state for each
group's return. A return's own stored ``deadline`` (frozen when it is first
submitted, or set for one group as an extension) wins over the partnership's
rule; otherwise the rule decides:

* ``N working days after quarter end``: counted from the quarter's last day;
* ``N working days before review``: counted back from the first Leadership
  Group meeting after the quarter ends (within :data:`REVIEW_WINDOW`), falling
  back to the default rule when no such meeting is set, and saying so.

A group owes a return for every quarter that begins before it ends; its lead
or a coordinator submits it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from partnership import cycles
from partnership.context import Context, Refused, UserError
from partnership.cycles import DEFAULT_RULE, REVIEW_WINDOW, Deadline, Period
from partnership.lookup import find_group
from partnership.messages import cycles as say_cycles
from partnership.messages import returns as say
from partnership.messages.people import coordinator_named
from partnership.perms import coordinators
from storage.cycles import NONE, Cycle
from storage.dates import parse_quarter
from storage.models import Person, QuarterlyReturn, ReturnRevision, SubGroup

Quarter = Period  # (year, number): a quarter, or any cycle's period (partnership/cycles.py)

# Where a group's return stands for a quarter.
SUBMITTED, OVERDUE, DUE, OPEN = "submitted", "overdue", "due", "open"
STATES = (SUBMITTED, OVERDUE, DUE, OPEN)
__all__ = ["DEFAULT_RULE", "REVIEW_WINDOW", "Deadline"]


@dataclass(frozen=True)
class Standing:
    """One group's return for one quarter, as plain values (safe after the session ends)."""

    group_id: int
    group: str
    lead_id: int | None
    lead: str | None
    lead_slack: str | None
    lead_email: str | None
    deadline: dt.date
    state: str
    exists: bool = False
    submitted_on: dt.date | None = None
    by: str | None = None
    late: bool = False
    version: int = 0
    escalations: bool = False


def previous(quarter: Quarter) -> Quarter:
    """The quarter before."""
    fy, q = quarter
    return (fy, q - 1) if q > 1 else (fy - 1, 4)


def following(quarter: Quarter) -> Quarter:
    """The quarter after."""
    fy, q = quarter
    return (fy, q + 1) if q < 4 else (fy + 1, 1)


def current(ctx: Context) -> Quarter:
    """The quarter today falls in."""
    return ctx.fy.quarter_of(ctx.today)


def latest_ended(ctx: Context) -> Quarter:
    """The most recent quarter that has ended."""
    return previous(current(ctx))


def code(quarter: Quarter) -> str:
    """``(2026, 2)`` -> ``2026-2``: how a form's metadata and a button carry a period."""
    return cycles.code(quarter)


def label(quarter: Quarter) -> str:
    """``(2026, 3)`` -> ``Q3 2026/27`` (and every other cycle's name: ``H1 2027/28``)."""
    return cycles.label(quarter)


def span(ctx: Context, quarter: Quarter) -> str:
    """The period's months as people say them: ``October to December 2026``."""
    return cycles.span(ctx, quarter)


def ends(ctx: Context, quarter: Quarter) -> dt.date:
    """The period's last day."""
    return cycles.bounds(ctx, quarter)[1]


def deadline(ctx: Context, fy: int, quarter: int, cycle: Cycle | None = None) -> Deadline:
    """The partnership's deadline for a period's returns, from its cycle and deadline rule."""
    return cycles.deadline(ctx, (fy, quarter), cycle)


def read_quarter(ctx: Context, text: str, *, field: str = "quarter") -> Quarter:
    """``Q3``, ``Q3 2026/27``, ``2026/27 Q3``, a date, or a form's ``2026-3``; not a future one."""
    typed = " ".join(text.split())
    if m := re.fullmatch(r"(\d{4})-([1-4])", typed):
        quarter = (int(m[1]), int(m[2]))
    elif m := re.fullmatch(r"[qQ]\s*([1-4])", typed):
        # A bare quarter number is the latest such quarter that has begun.
        fy = current(ctx)[0]
        quarter = (fy, int(m[1]))
        if ctx.fy.quarter_bounds(*quarter)[0] > ctx.today:
            quarter = (fy - 1, int(m[1]))
    else:
        try:
            quarter = parse_quarter(typed, fy=ctx.fy)
        except ValueError:
            raise UserError(
                say.not_a_quarter(typed=typed),
                fields={field: "Write a quarter such as Q3 2026/27"},
            ) from None
    if ctx.fy.quarter_bounds(*quarter)[0] > ctx.today:
        raise UserError(
            say.not_started(quarter=label(quarter), current=label(current(ctx))),
            fields={field: "A quarter that has started"},
        )
    return quarter


def owes(ctx: Context, end_date: dt.date | None, quarter: Quarter) -> bool:
    """Whether a group that ends on ``end_date`` (None: standing) owes a return for a period."""
    return end_date is None or end_date >= cycles.bounds(ctx, quarter)[0]


def asked(ctx: Context, group: SubGroup) -> bool:
    """Whether a group is asked for reports now: its cycle has a period it has not ended before."""
    cycle = cycles.cycle_of(ctx, group)
    since = cycles.reporting(ctx, cycle) if cycle.kind != NONE else None
    return since is not None and owes(ctx, group.end_date, since)


def groups_with_leads(ctx: Context, *, closed: bool = False) -> list[SubGroup]:
    """Every open sub-group of the partnership with its lead, by name: one query.

    A closed group (``/csp group close``) owes nothing, so it is left out
    unless ``closed`` asks for those too.
    """
    query = select(SubGroup).where(SubGroup.partnership_id == ctx.partnership.id)
    if not closed:
        query = query.where(SubGroup.closed_on.is_(None))
    return list(
        ctx.session.scalars(query.options(joinedload(SubGroup.lead)).order_by(SubGroup.name))
    )


def _with_returns(ctx: Context, quarter: Quarter) -> set[int]:
    """The groups that have a return for a quarter (a closed group's past returns stay shown)."""
    fy, q = quarter
    return set(
        ctx.session.scalars(
            select(QuarterlyReturn.subgroup_id).where(
                QuarterlyReturn.partnership_id == ctx.partnership.id,
                QuarterlyReturn.fy_start_year == fy,
                QuarterlyReturn.quarter == q,
                QuarterlyReturn.submitted_at.is_not(None),
            )
        )
    )


def resolve_group(ctx: Context, named: str | None, words: str | None, gid: str | None) -> SubGroup:
    """The group named (by a form or button's id, or by name), else the one the asker leads."""
    if named and words:
        raise UserError(
            say.group_twice(named=named, words=words),
            fields={"group": "Name the group once"},
        )
    if gid is not None:
        found = None
        if gid.strip().isdigit():
            found = ctx.session.scalars(
                select(SubGroup).where(
                    SubGroup.partnership_id == ctx.partnership.id, SubGroup.id == int(gid)
                )
            ).first()
        if found is None:
            raise UserError(say.group_gone(partnership=ctx.partnership.name))
        return found
    if named or words:
        return find_group(ctx, str(named or words))
    everyone = groups_with_leads(ctx)
    led = [g for g in everyone if ctx.person is not None and g.lead_id == ctx.person.id]
    led = [g for g in led if asked(ctx, g)]
    if len(led) == 1:
        return led[0]
    if led:
        names = ", ".join(f'`group:"{g.name}"`' for g in led)
        raise UserError(
            say.which_of_yours(n=len(led), names=names),
            fields={"group": "Which group?"},
        )
    if ctx.is_coordinator:
        names = ", ".join(f"`{g.name}`" for g in everyone) or "none yet"
        raise UserError(
            say.which_group(partnership=ctx.partnership.name, names=names),
            fields={"group": "Which group?"},
        )
    raise Refused(
        say.no_group_of_yours(partnership=ctx.partnership.name, coordinator=coordinator_phrase(ctx))
    )


def coordinator_phrase(ctx: Context) -> str:
    """``a coordinator (Cora Coordinator)``, naming them."""
    return coordinator_named(names=coordinators(ctx))


def require_submit(ctx: Context, group: SubGroup) -> None:
    """Refuse, saying who can, unless the asker leads the group or is a coordinator."""
    if ctx.is_coordinator or (
        ctx.person is not None and group.lead_id is not None and group.lead_id == ctx.person.id
    ):
        return
    lead = say.its_lead(name=group.lead.name) if group.lead is not None else ""
    raise Refused(
        say.may_not_submit(group=group.name, lead=lead, coordinator=coordinator_phrase(ctx))
    )


def standings(
    ctx: Context,
    quarter: Quarter,
    groups: list[SubGroup] | None = None,
    due: Deadline | None = None,
    *,
    known: Deadline | None = None,
) -> list[Standing]:
    """Where each group's return stands (default: every group that owes one); fixed queries.

    ``due`` holds every group to one deadline; ``known`` is the partnership
    cycle's deadline for the period when the caller has it (each group on
    another cycle still gets its own).
    """
    # Deadlines by cycle, each worked out once for the whole list.
    dues: dict[str, Deadline] = {str(ctx.settings.cycle): known} if known is not None else {}
    if groups is None:
        everyone = groups_with_leads(ctx, closed=True)
        shown = _with_returns(ctx, quarter) if any(g.closed_on for g in everyone) else set()
        groups = [g for g in everyone if cycles.owes(ctx, g, quarter, dues=dues) or g.id in shown]
    if not groups:
        return []
    fy, q = quarter
    scope = (
        QuarterlyReturn.partnership_id == ctx.partnership.id,
        QuarterlyReturn.fy_start_year == fy,
        QuarterlyReturn.quarter == q,
    )
    rows = {
        row.subgroup_id: row
        for row in ctx.session.execute(
            select(
                QuarterlyReturn.subgroup_id,
                QuarterlyReturn.deadline,
                QuarterlyReturn.submitted_at,
                QuarterlyReturn.escalations,
                Person.name.label("by"),
            )
            .outerjoin(Person, Person.id == QuarterlyReturn.submitted_by_id)
            .where(*scope, QuarterlyReturn.subgroup_id.in_([g.id for g in groups]))
        )
    }
    revisions: dict[int, int] = {
        subgroup_id: count
        for subgroup_id, count in ctx.session.execute(
            select(QuarterlyReturn.subgroup_id, func.count(ReturnRevision.id))
            .join(ReturnRevision, ReturnRevision.return_id == QuarterlyReturn.id)
            .where(*scope)
            .group_by(QuarterlyReturn.subgroup_id)
        )
    }
    ended = ends(ctx, quarter) < ctx.today
    out = []
    for group in groups:
        row = rows.get(group.id)
        if due is None:
            # Each group's own cycle gives its deadline (twice a year may name other months).
            cycle = cycles.cycle_of(ctx, group)
            if cycles.kind_of(quarter) != cycle.kind:
                cycle = ctx.settings.cycle
            if str(cycle) not in dues:
                dues[str(cycle)] = cycles.deadline(ctx, quarter, cycle)
        own = due or dues[str(cycle)]
        day = row.deadline if row is not None and row.deadline is not None else own.day
        # Someone removed from the partnership leads nothing (a re-import may name them).
        lead = group.lead if group.lead is not None and group.lead.removed_at is None else None
        base = Standing(
            group_id=group.id,
            group=group.name,
            lead_id=lead.id if lead is not None else None,
            lead=lead.name if lead is not None else None,
            lead_slack=lead.slack_user_id if lead is not None else None,
            lead_email=lead.email if lead is not None else None,
            deadline=day,
            state=OPEN,
            exists=row is not None,
        )
        if row is not None and row.submitted_at is not None:
            on = row.submitted_at.astimezone(ctx.zone).date()
            out.append(
                replace(
                    base,
                    state=SUBMITTED,
                    submitted_on=on,
                    by=row.by,
                    late=on > day,
                    version=1 + revisions.get(group.id, 0),
                    escalations=bool(row.escalations),
                )
            )
        elif ctx.today > day:
            out.append(replace(base, state=OVERDUE))
        elif ended:
            out.append(replace(base, state=DUE))
        else:
            out.append(base)
    return out


def default_quarter(ctx: Context, group: SubGroup | None = None) -> Quarter:
    """The period a return is for when none is named, by the group's (or partnership's) cycle.

    The latest ended period (a meeting cycle: the next meeting's); once its
    return is in (for one group, or for every group when none is named) and
    its deadline has passed, the one after.
    """
    cycle = cycles.cycle_of(ctx, group)
    last = cycles.reporting(ctx, cycle)
    if last is None:
        name = group.name if group is not None else ctx.partnership.name
        raise UserError(say_cycles.no_period(group=name, cycle=str(cycle)))
    groups = [group] if group is not None else None
    found = standings(ctx, last, groups)
    done = all(s.state == SUBMITTED and ctx.today > s.deadline for s in found)
    after = cycles.following(ctx, last) if found and done else None
    return after or last


def working_days_between(ctx: Context, start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when end is earlier)."""
    sign = 1 if end >= start else -1
    low, high = (start, end) if sign > 0 else (end, start)
    count = 0
    day = low + dt.timedelta(days=1)
    while day <= high:
        count += ctx.calendar.is_working_day(day)
        day += dt.timedelta(days=1)
    return sign * count


def again(group: str, quarter: Quarter) -> str:
    """The typed command that opens a group's return for a quarter."""
    return f'/csp return submit group:"{group}" quarter:"{label(quarter)}"'
