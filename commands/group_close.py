"""``/csp group close``: close a sub-group; it owes no more returns, and keeps its history."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import groups
from partnership.context import Context, Reply
from partnership.messages import group_people as say


@command(
    "group close",
    usage="<group name>",
    examples=('/csp group close "Night Time Economy Group"',),
    rest="text",
    keys=("group",),
    coordinator_only=True,
)
def group_close(ctx: Context, args: Args) -> Result:
    """Close a sub-group (a task-and-finish group whose work is done, or one wound up).

    It is no longer asked for quarterly returns, chased or listed as missing;
    its past returns and history stay. The reply names its open actions and
    meetings still in the calendar, to move or cancel.
    """
    group = groups.find(ctx, args.get("group") or args.get("text"))
    left = groups.close(ctx, group)
    return Reply(
        "group_changed",
        {
            "verb": "closed",
            "group": groups.view(group, ctx),
            "changes": ["closed"],
            "actions": left.open_actions,
            "meetings": left.meetings,
        },
        text=say.closed_text(group=group.name),
    )
