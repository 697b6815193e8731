"""``/csp action add``: add an action to the plan in one line, or in a form."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from commands.framework.core import Form, Result
from commands.framework.registry import Args, command
from partnership.context import MAX_TITLE, Context, Refused, Reply, UserError
from partnership.edits import action_line, read_due, read_sara, read_title
from partnership.lookup import find_open_group, find_person, find_priority, people
from partnership.messages import actions as say
from partnership.messages.people import coordinator_named
from partnership.perms import coordinators
from storage.models import Action, ActionUpdate, Person, Priority, Role, Status, SubGroup
from storage.queries import history_value

FIELDS = ("title", "owner", "due", "priority", "group", "sara")
# Who may add an action they own themselves (members update, leads and chairs plan).
OWNER_ROLES = (Role.LEAD, Role.CHAIR)
_NUMBERED = re.compile(r"A-(\d{1,6})", re.IGNORECASE)


@command(
    "action add",
    usage="<title> [owner:@person] [due:<date>] [priority:<code>] [group:<name>] [sara:<stage>]",
    examples=(
        "/csp action add Map ASB hotspots owner:@lee due:31/03/2027 priority:P1",
        '/csp action add "Review CCTV coverage" group:"ASB Steering Group" due:end of quarter',
        "/csp action add",
    ),
    rest="title",
    keys=FIELDS,
    aliases={"by": "due", "date": "due", "for": "owner", "subgroup": "group", "stage": "sara"},
    date_keys=("due",),
    person_keys=("owner",),
)
def action_add(ctx: Context, args: Args) -> Result:
    """Add an action to the plan; with nothing typed, open a form.

    The words that are not `key:value` are the title. A lead or chair who
    names no owner owns the new action; coordinators and a sub-group's lead
    may add actions for others. The new action gets the next free reference.
    Problem-solving work may start with its SARA stage (`sara:scanning`).
    """
    if not args.values and not args.flags:
        require_may_add_any(ctx)
        return add_form(ctx)
    wanted = read_new(ctx, args)
    if wanted.get("owner") is None and not ctx.is_coordinator and ctx.person is not None:
        wanted["owner"] = ctx.person
    require_add(ctx, wanted.get("owner"), wanted.get("subgroup"))
    action = create(ctx, wanted)
    return Reply(
        "action_added",
        {"action": action_line(action, ctx.today), "by": ctx.who},
        text=say.added(ref=action.ref, title=action.title),
    )


def read_new(ctx: Context, args: Args) -> dict[str, Any]:
    """Validate every field at once, so a form shows all its problems together."""
    readers: dict[str, tuple[str, Callable[[str], Any]]] = {
        "owner": ("owner", lambda v: find_person(ctx, v)),
        "due": ("due_date", lambda v: read_due(ctx, v)),
        "priority": ("priority", lambda v: find_priority(ctx, v)),
        "group": ("subgroup", lambda v: find_open_group(ctx, v, what=say.NEW_ACTION)),
        "sara": ("sara_stage", read_sara),
    }
    wanted: dict[str, Any] = {}
    errors: dict[str, str] = {}
    messages: list[str] = []
    try:
        wanted["title"] = read_title(args.get("title"))
    except UserError as exc:
        errors.update(exc.fields)
        messages.append(exc.message if "title" in args else say.NO_TITLE)
    for name, (target, reader) in readers.items():
        value = args.get(name)
        if value is None:
            continue
        try:
            wanted[target] = reader(value)
        except UserError as exc:
            errors.update(exc.fields or {name: exc.message})
            messages.append(exc.message)
    if errors:
        raise UserError(" ".join(messages), fields=errors)
    return wanted


def may_add(ctx: Context, owner: Person | None, group: SubGroup | None) -> bool:
    """Coordinators; the lead of the chosen group; a lead or chair adding their own action."""
    if ctx.is_coordinator:
        return True
    me = ctx.person
    if me is None:
        return False
    if group is not None and group.lead_id == me.id:
        return True
    return owner is not None and owner.id == me.id and me.role in OWNER_ROLES


def require_add(ctx: Context, owner: Person | None, group: SubGroup | None) -> None:
    """Refuse, saying who can, unless the asker may add this action."""
    if may_add(ctx, owner, group):
        return
    who = [_coordinator_phrase(ctx)]
    if group is not None and group.lead is not None:
        who.append(say.group_lead(group=group.name, name=group.lead.name))
    elif group is None:
        who.append(say.ANY_GROUPS_LEAD)
    who.append(say.OWN_ACTION)
    raise Refused(say.may_not_add(partnership=ctx.partnership.name, who=who))


def require_may_add_any(ctx: Context) -> None:
    """Refuse the empty form to someone who could not add any action."""
    me = ctx.person
    if ctx.is_coordinator or (me is not None and me.role in OWNER_ROLES):
        return
    if me is not None and ctx.session.scalar(
        select(SubGroup.id).where(
            SubGroup.partnership_id == ctx.partnership.id, SubGroup.lead_id == me.id
        )
    ):
        return
    require_add(ctx, None, None)


def _coordinator_phrase(ctx: Context) -> str:
    return coordinator_named(names=coordinators(ctx))


def next_ref(ctx: Context) -> tuple[str, int]:
    """The next free ``A-N`` above the highest numbered one, and the next plan position."""
    rows = ctx.session.execute(
        select(Action.ref, Action.position).where(Action.partnership_id == ctx.partnership.id)
    ).all()
    numbers = [int(m[1]) for ref, _ in rows if (m := _NUMBERED.fullmatch(ref))]
    position = max((pos for _, pos in rows), default=-1) + 1
    return f"A-{max(numbers, default=0) + 1}", position


def create(ctx: Context, wanted: dict[str, Any]) -> Action:
    """Insert the action and its creation entry in the history."""
    ref, position = next_ref(ctx)
    now = ctx.now.astimezone(dt.UTC)
    action = Action(
        partnership_id=ctx.partnership.id,
        ref=ref,
        position=position,
        status=Status.NOT_STARTED,
        created_at=now,
        updated_at=now,
        **wanted,
    )
    changes: dict[str, list[Any]] = {"created": [None, ref]}
    changes.update({n: [None, history_value(v)] for n, v in wanted.items() if v is not None})
    ctx.session.add(action)
    ctx.session.add(
        ActionUpdate(
            partnership_id=ctx.partnership.id,
            action=action,
            at=now,
            by=ctx.person,
            source=ctx.source,
            changes=changes,
        )
    )
    # Two actions added at the same moment may both pick the next ref: the unique
    # key refuses the second, and bot/slack/runner.py runs its command again, which
    # then takes the ref after.
    ctx.session.flush()
    return action


def add_form(ctx: Context) -> Form:
    """The add form: owners, priorities and groups to choose from."""
    priorities = ctx.session.scalars(
        select(Priority)
        .where(Priority.partnership_id == ctx.partnership.id)
        .order_by(Priority.position)
    )
    groups = ctx.session.scalars(
        select(SubGroup)
        .where(SubGroup.partnership_id == ctx.partnership.id, SubGroup.closed_on.is_(None))
        .order_by(SubGroup.name)
    )
    me = ctx.person
    return Form(
        name="action_add",
        title=say.ADD_FORM,
        values={
            "title": "",
            "owner": me.name if me is not None and not ctx.is_coordinator else "",
            "due": "",
            "priority": "",
            "group": "",
            "max_length": str(MAX_TITLE),
        },
        options={
            "priority": [(f"{p.code} {p.title[:60]}", p.code) for p in priorities],
            "group": [(g.name, g.name) for g in groups],
            "owner": [(p.name, p.name) for p in people(ctx)],
        },
    )
