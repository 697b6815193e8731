"""``/csp action list``: the partnership's actions, filtered, overdue first."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Row, Select, and_, exists, or_, select
from sqlalchemy.orm import joinedload

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership.chasing import OPEN, stale_before
from partnership.context import Context, Reply, UserError
from partnership.edits import action_line
from partnership.lookup import find_group, find_person, find_priority
from partnership.messages import actions as say
from storage.models import Action, ActionUpdate, Status
from storage.words import plural

# At most this many actions in one answer (ten messages in Slack): a list of
# thousands helps nobody and takes Slack seconds to show; the rest are counted,
# with how to narrow the list or export the whole plan.
MAX_LISTED = 500


@command(
    "action list",
    usage="[mine|overdue|stale|open|all] [@person] [priority:<code>] [group:<name>]",
    examples=(
        "/csp action list",
        "/csp action list mine",
        "/csp action list overdue",
        "/csp action list @Kath Rees",
        '/csp action list all group:"ASB Steering Group"',
    ),
    keys=("priority", "group", "person"),
    aliases={"owner": "person", "subgroup": "group"},
    flags=("mine", "overdue", "stale", "open", "all"),
    mention="person",
    person_keys=("person",),
)
def action_list(ctx: Context, args: Args) -> Result:
    """List actions: open ones by default, or mine, overdue, stale, all, someone's.

    Filters combine: `/csp action list overdue priority:P1`. Overdue actions
    come first, then by due date. "Stale" means open with no update for
    30 days (the partnership's `stale_days` setting).
    """
    query, described = build_query(ctx, args)
    # Sort on four light columns of every match, then load (with owner, priority,
    # group, organisation) only the actions shown: a plan of 10,000 actions never
    # becomes 10,000 objects in a web worker's memory.
    keys = sorted(ctx.session.execute(query).all(), key=lambda k: _order(k, ctx.today))
    shown = [k.id for k in keys[:MAX_LISTED]]
    loaded = {a.id: a for a in ctx.session.scalars(_LINES.where(Action.id.in_(shown)))}
    rows = [action_line(loaded[i], ctx.today) for i in shown]
    kind = " and ".join(f for f in ("overdue", "stale") if f in args.flags)
    title = say.list_title(kind=kind, everything="all" in args.flags)
    data: dict[str, Any] = {
        "title": say.list_heading(title=title, n=len(keys)),
        "filters": described,
        "partnership": ctx.partnership.short_name or ctx.partnership.name,
        "actions": rows,
        "overdue": sum(1 for k in keys if not _order(k, ctx.today)[0]),
        "more": len(keys) - len(rows),
        "suggest": "all" if "all" not in args.flags and not kind else "open",
    }
    return Reply("action_list", data, text=say.listed(title=title, n=len(keys)))


# The shown actions, with everything their lines name.
_LINES = select(Action).options(
    joinedload(Action.owner),
    joinedload(Action.priority),
    joinedload(Action.subgroup),
    joinedload(Action.lead_organisation),
)


def build_query(
    ctx: Context, args: Args
) -> tuple[Select[int, str, dt.date | None, Status], list[str]]:
    """The sort keys of every action the filters match, and the filters described."""
    query = select(Action.id, Action.ref, Action.due_date, Action.status).where(
        Action.partnership_id == ctx.partnership.id
    )
    described: list[str] = []
    if "all" not in args.flags or args.flags & {"overdue", "stale"}:
        query = query.where(Action.status.in_(OPEN))
    if "overdue" in args.flags:
        query = query.where(Action.due_date < ctx.today)
    if "stale" in args.flags:
        query = query.where(_stale(ctx))
        described.append(f"no update for {plural(ctx.settings.stale_days, 'day')}")
    owner = _owner(ctx, args)
    if owner is not None:
        query = query.where(Action.owner_id == owner[0])
        described.append(owner[1])
    if (text := args.get("priority")) is not None:
        priority = find_priority(ctx, text)
        query = query.where(Action.priority_id == priority.id)
        described.append(f"priority {priority.code}")
    if (text := args.get("group")) is not None:
        group = find_group(ctx, text)
        query = query.where(Action.subgroup_id == group.id)
        described.append(group.name)
    return query, described


def _owner(ctx: Context, args: Args) -> tuple[int, str] | None:
    """(person id, description) when the list is for one person's actions."""
    text = args.get("person")
    if "mine" in args.flags and text is not None:
        raise UserError(say.MINE_AND_PERSON)
    if "mine" in args.flags:
        if ctx.person is None:
            raise UserError(say.OPERATOR_OWNS_NOTHING)
        return ctx.person.id, "owned by you"
    if text is None:
        return None
    person = find_person(ctx, text, field="person")
    return person.id, f"owned by {person.name}"


def _stale(ctx: Context) -> Any:
    """Open with neither an update nor a history entry within the stale_days setting."""
    cutoff = stale_before(ctx)
    recent = exists().where(
        ActionUpdate.partnership_id == ctx.partnership.id,
        ActionUpdate.action_id == Action.id,
        ActionUpdate.at >= cutoff,
    )
    return and_(or_(Action.updated_at.is_(None), Action.updated_at < cutoff), ~recent)


def _order(action: Row[int, str, dt.date | None, Status], today: dt.date) -> tuple[Any, ...]:
    """Overdue first, then by due date (undated last), then by ref (A-2 before A-10)."""
    due = action.due_date
    overdue = action.status in OPEN and due is not None and due < today
    return (not overdue, due is None, due or dt.date.max, _natural(action.ref))


def _natural(ref: str) -> tuple[Any, ...]:
    parts = re.split(r"(\d+)", ref.casefold())
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))
