"""Sub-groups changed from Slack: add one, name its lead, set what it covers, close it, list them.

A group *covers* the priorities it reports on (its quarterly return gives each
a RAG); a *task-and-finish* group has an end date and owes no return for a
quarter that begins after it. A *closed* group (``closed_on`` set) owes no
return at all from then on, is not chased and is not listed as missing
(:mod:`partnership.quarters`), while its past returns and its history stay.
Every change here writes a :class:`~storage.models.PlanChange` entry, as an
action's changes write an ``ActionUpdate``. Names are found by the lookups of
:mod:`partnership.lookup`, so they never reach another partnership's rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from partnership import cycles
from partnership.context import Context, UserError
from partnership.lookup import by_name, find_priority, rows_of
from partnership.messages import group_people as say
from storage.dates import DateError, did_you_mean, parse_date, uk
from storage.models import (
    Action,
    GroupKind,
    Meeting,
    Person,
    PlanChange,
    Priority,
    Status,
    SubGroup,
)
from storage.words import fold, nearest

GROUP = "group"
PERSON = "person"
# "task and finish", "task-and-finish", "T&F" (Slack sends & as &amp;).
_TF = r"(?:task[\s-]*(?:and|&amp;|&)[\s-]*finish|\bt\s*(?:&amp;|&)\s*f\b)"
# Those words last (not "… Task and Finish Group", a name), then maybe "until <date>".
_TASK_AND_FINISH = re.compile(
    r"\s*(?:an?\s+)?" + _TF + r"(?:\s+(?:until|till|to|ending|ends?(?:\s+on)?)\s+(?P<end>.+))?\s*$",
    re.IGNORECASE,
)
_NAMED_TF = re.compile(_TF, re.IGNORECASE)
_UNTIL = re.compile(r"\s+(?:until|till)\s+(?P<end>.+?)\s*$", re.IGNORECASE)
_NOT_IN_NAME = re.compile(r"[<>@|]")


def record(
    ctx: Context,
    subject: str,
    row_id: int,
    name: str,
    changes: dict[str, list[Any]],
    note: str | None = None,
) -> PlanChange:
    """Write one history entry: who changed which group or person, and what."""
    entry = PlanChange(
        partnership_id=ctx.partnership.id,
        at=ctx.now.astimezone(dt.UTC),
        by=ctx.person,
        source=ctx.source,
        subject=subject,
        subject_id=row_id,
        name=name,
        changes=changes,
        note=note,
    )
    ctx.session.add(entry)
    return entry


def history(ctx: Context, subject: str, row_id: int) -> list[PlanChange]:
    """A group's or a person's history entries, oldest first."""
    return list(
        ctx.session.scalars(
            select(PlanChange)
            .where(
                PlanChange.partnership_id == ctx.partnership.id,
                PlanChange.subject == subject,
                PlanChange.subject_id == row_id,
            )
            .order_by(PlanChange.id)
        )
    )


# ------------------------------------------------------------------ finding and reading


def all_groups(ctx: Context) -> list[SubGroup]:
    """Every sub-group of the asker's partnership, open and closed, with lead and priorities."""
    return list(
        ctx.session.scalars(
            select(SubGroup)
            .where(SubGroup.partnership_id == ctx.partnership.id)
            .options(selectinload(SubGroup.lead), selectinload(SubGroup.priorities))
            .order_by(SubGroup.name)
        )
    )


def find(ctx: Context, text: str | None, *, open_only: bool = True) -> SubGroup:
    """The group named (any case and spacing, or a unique part), else "Did you mean …"."""
    typed = " ".join((text or "").split()).strip("\"'“”")
    if not typed:
        raise UserError(say.WHICH_GROUP, fields={"group": "Required"})
    rows = all_groups(ctx)
    found = by_name(rows, typed)
    if found is None:
        close = nearest(fold(typed), [fold(g.name) for g in rows], cutoff=0.6)
        raise UserError(
            say.no_group(
                typed=typed,
                partnership=ctx.partnership.name,
                names=[g.name for g in rows],
                close=next((g.name for g in rows if fold(g.name) == close), None),
            ),
            fields={"group": "Not a sub-group in this plan"},
        )
    if open_only and found.closed_on is not None:
        raise UserError(
            say.group_closed(name=found.name, on=uk(found.closed_on)),
            fields={"group": "Closed"},
        )
    return found


def split_named(ctx: Context, text: str) -> tuple[str, str]:
    """(group name, what follows it) for ``<group name> <more words>``.

    The longest run of leading words that is a group's name (any case) wins, so
    a name with spaces needs no quotes; with none, the last word is what follows.
    """
    words = text.split()
    names = {fold(g.name) for g in all_groups(ctx)}
    for cut in range(len(words), 0, -1):
        if fold(" ".join(words[:cut])) in names:
            return " ".join(words[:cut]), " ".join(words[cut:])
    if len(words) < 2:
        return text.strip(), ""
    return " ".join(words[:-1]), words[-1]


def read_name(ctx: Context, text: str | None) -> tuple[str, dt.date | None, bool]:
    """A new group's name, and its end date and whether it is task-and-finish, from typed text."""
    typed = " ".join((text or "").split())
    end_text: str | None = None
    task = False
    m = _TASK_AND_FINISH.search(typed)
    if m is None and (until := _UNTIL.search(typed)) and _reads_as_date(ctx, until["end"]):
        m = until  # "… until 31/03/2027": a group with an end is task-and-finish
    if m is not None:
        typed, end_text, task = typed[: m.start()], m["end"], True
    name = typed.strip().strip("\"'“”").strip()
    task = task or bool(_NAMED_TF.search(name))  # "Knife Crime Task and Finish Group"
    if not name:
        raise UserError(say.GROUP_NAME_NEEDED, fields={"name": "Required"})
    if len(name) > 200:
        raise UserError(say.GROUP_NAME_TOO_LONG, fields={"name": "Too long"})
    if _NOT_IN_NAME.search(name):
        raise UserError(say.GROUP_NAME_CHARACTERS, fields={"name": "A group's name"})
    end = read_end(ctx, end_text) if end_text else None
    return name, end, task


def _reads_as_date(ctx: Context, text: str) -> bool:
    try:
        parse_date(text, fy=ctx.fy, today=ctx.today)
    except DateError:
        return False
    return True


def read_end(ctx: Context, text: str) -> dt.date:
    """A task-and-finish group's end date: a UK date, not in the past."""
    try:
        day = parse_date(text, fy=ctx.fy, today=ctx.today)
    except DateError:
        hint = did_you_mean(text, "`")
        raise UserError(
            say.bad_end(typed=text, hint=hint), fields={"until": "A date such as 31/03/2027"}
        ) from None
    if day < ctx.today:
        raise UserError(say.end_in_past(day=uk(day)), fields={"until": "A later date"})
    return day


def read_covers(ctx: Context, text: str | None) -> list[Priority]:
    """Priorities from ``P1,P2`` (or ``P1 P2``, ``none``), in plan order; every bad one named."""
    typed = (text or "").strip()
    if not typed:
        raise UserError(say.COVERS_NEEDED, fields={"covers": "Required"})
    if fold(typed) in ("none", "nothing", "-"):
        return []
    rows = rows_of(ctx, Priority, Priority.position)
    found: list[Priority] = []
    problems: list[str] = []
    for part in (p for p in re.split(r"[,;\s]+|\band\b", typed) if p.strip()):
        try:
            priority = find_priority(ctx, part)
        except UserError:
            keys = {fold(p.code): p.code for p in rows}
            close = nearest(fold(part), keys, cutoff=0.5)
            problems.append(
                say.no_priority(
                    typed=part,
                    partnership=ctx.partnership.name,
                    codes=[p.code for p in rows],
                    close=keys.get(close) if close else None,
                )
            )
            continue
        if priority not in found:
            found.append(priority)
    if problems:
        raise UserError(" ".join(problems), fields={"covers": "Not a priority in this plan"})
    return sorted(found, key=lambda p: p.position)


# ------------------------------------------------------------------ changing


def add(
    ctx: Context,
    name: str,
    lead: Person | None,
    covers: list[Priority],
    end: dt.date | None,
    task_and_finish: bool,
) -> SubGroup:
    """A new group (a name no group has, open or closed), with its history entry."""
    for g in all_groups(ctx):
        if fold(g.name) == fold(name):
            closed = uk(g.closed_on) if g.closed_on else None
            raise UserError(say.group_exists(name=g.name, closed=closed), fields={"name": "Taken"})
    if task_and_finish and end is None:
        raise UserError(say.TASK_AND_FINISH_NEEDS_END, fields={"until": "Required"})
    kind = GroupKind.TASK_AND_FINISH if task_and_finish else GroupKind.STANDING
    group = SubGroup(
        partnership_id=ctx.partnership.id,
        name=name,
        kind=kind,
        lead=lead,
        end_date=end,
        priorities=covers,
        created_on=ctx.today,
    )
    ctx.session.add(group)
    ctx.session.flush()  # its id, for the history entry
    changes: dict[str, list[Any]] = {"created": [None, name], "kind": [None, kind.value]}
    if lead is not None:
        changes["lead"] = [None, lead.name]
    if covers:
        changes["covers"] = [[], [p.code for p in covers]]
    if end is not None:
        changes["end_date"] = [None, end.isoformat()]
    record(ctx, GROUP, group.id, group.name, changes)
    return group


def set_lead(ctx: Context, group: SubGroup, lead: Person) -> str | None:
    """Name the group's lead; the previous lead's name (None: it had none). Records it."""
    before = group.lead
    if before is not None and before.id == lead.id:
        return lead.name
    group.lead = lead
    record(ctx, GROUP, group.id, group.name, {"lead": [before.name if before else None, lead.name]})
    return before.name if before else None


def set_covers(
    ctx: Context, group: SubGroup, wanted: list[Priority]
) -> tuple[list[str], list[str]]:
    """Replace what the group covers; (codes added, codes removed). Records it when it changed."""
    before = [p.code for p in group.priorities]
    after = [p.code for p in wanted]
    added = [c for c in after if c not in before]
    removed = [c for c in before if c not in after]
    if added or removed:
        group.priorities = list(wanted)
        record(ctx, GROUP, group.id, group.name, {"covers": [before, after]})
    return added, removed


@dataclass(frozen=True)
class Closed:
    """What closing a group left behind, for the coordinator to tidy."""

    open_actions: list[str]
    meetings: list[str]


def close(ctx: Context, group: SubGroup) -> Closed:
    """Close the group today: no more returns; its open actions and meetings are named."""
    group.closed_on = ctx.today
    record(ctx, GROUP, group.id, group.name, {"closed_on": [None, ctx.today.isoformat()]})
    refs = list(
        ctx.session.scalars(
            select(Action.ref)
            .where(
                Action.partnership_id == ctx.partnership.id,
                Action.subgroup_id == group.id,
                Action.status.in_((Status.NOT_STARTED, Status.IN_PROGRESS)),
            )
            .order_by(Action.position, Action.id)
        )
    )
    days = list(
        ctx.session.scalars(
            select(Meeting.date)
            .where(
                Meeting.partnership_id == ctx.partnership.id,
                Meeting.subgroup_id == group.id,
                Meeting.date >= ctx.today,
            )
            .order_by(Meeting.date)
        )
    )
    return Closed(refs, [uk(d) for d in days])


def reopen(ctx: Context, group: SubGroup) -> dt.date:
    """Reopen a closed group (the reverse of :func:`close`); the day it had been closed."""
    was = group.closed_on
    if was is None:
        raise UserError(say.not_closed(name=group.name), fields={"group": "Open already"})
    group.closed_on = None
    record(ctx, GROUP, group.id, group.name, {"closed_on": [was.isoformat(), None]})
    return was


# ------------------------------------------------------------------ showing


def own_cycle(ctx: Context, group: SubGroup) -> str:
    """A group's reporting cycle when it differs from the partnership's, else ""."""
    cycle = str(cycles.cycle_of(ctx, group))
    return cycle if cycle != str(ctx.settings.cycle) else ""


def view(group: SubGroup, ctx: Context | None = None) -> dict[str, Any]:
    """A group as a plain view-model row (list and confirmation templates).

    With ``ctx``, ``cycle`` names the group's own reporting cycle when it is
    not the partnership's ("" when it follows the partnership's).
    """
    lead = group.lead
    return {
        "name": group.name,
        "lead": lead.name if lead is not None else "",
        "lead_slack": lead.slack_user_id if lead is not None else None,
        "covers": [p.code for p in group.priorities],
        "task_and_finish": group.kind == GroupKind.TASK_AND_FINISH,
        "ends": uk(group.end_date) if group.end_date else "",
        "closed": uk(group.closed_on) if group.closed_on else "",
        "cycle": own_cycle(ctx, group) if ctx is not None else "",
    }


def listing(ctx: Context) -> list[dict[str, Any]]:
    """Every group as a row, open ones first (by name), then the closed ones."""
    rows = all_groups(ctx)
    counts = dict(
        ctx.session.execute(
            select(Action.subgroup_id, func.count())
            .where(
                Action.partnership_id == ctx.partnership.id,
                Action.status.in_((Status.NOT_STARTED, Status.IN_PROGRESS)),
                Action.subgroup_id.is_not(None),
            )
            .group_by(Action.subgroup_id)
        ).all()
    )
    ordered = sorted(rows, key=lambda g: (g.closed_on is not None, fold(g.name)))
    return [{**view(g, ctx), "open_actions": counts.get(g.id, 0)} for g in ordered]
