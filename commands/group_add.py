"""``/csp group add``: a new sub-group, with its lead, the priorities it covers and an end date."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import groups, people
from partnership.context import Context, Reply
from partnership.messages import group_people as say


@command(
    "group add",
    usage="<name> [lead:@person] [covers:P1,P2] [task and finish until <date>]",
    examples=(
        '/csp group add "Knife Crime Group" lead:@kath covers:P1,P2',
        "/csp group add Night Time Economy Group covers:P3 task and finish until 31/03/2027",
    ),
    rest="text",
    keys=("lead", "covers", "until", "name"),
    aliases={"priorities": "covers", "covering": "covers", "ends": "until", "chair": "lead"},
    mention="lead",
    person_keys=("lead",),
    date_keys=("until",),
    coordinator_only=True,
)
def group_add(ctx: Context, args: Args) -> Result:
    """Add a sub-group: its lead is reminded of its quarterly return on the priorities it covers.

    A name with spaces needs no quotes. `task and finish until <date>` (or
    `until:<date>`) makes it a task-and-finish group, which owes no return for
    a quarter that starts after that day.
    """
    text = args.get("name") or args.get("text")
    if args.get("name") and args.get("text"):
        text = f"{args.get('name')} {args.get('text')}"
    name, end, task = groups.read_name(ctx, text)
    if (typed := args.get("until")) is not None:
        end, task = groups.read_end(ctx, typed), True
    lead = people.find(ctx, args.get("lead"), field="lead") if args.get("lead") else None
    covers = groups.read_covers(ctx, args.get("covers")) if args.get("covers") else []
    group = groups.add(ctx, name, lead, covers, end, task)
    return Reply(
        "group_changed",
        {"verb": "added", "group": groups.view(group, ctx), "changes": ["added"]},
        text=say.group_added(group=group.name),
    )
