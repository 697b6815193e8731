"""``/csp group reopen``: reopen a closed sub-group, the reverse of ``/csp group close``."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import groups
from partnership.context import Context, Reply
from partnership.messages import group_people as say
from storage.dates import uk


@command(
    "group reopen",
    usage="<group name>",
    examples=('/csp group reopen "Night Time Economy Group"',),
    rest="text",
    keys=("group",),
    coordinator_only=True,
)
def group_reopen(ctx: Context, args: Args) -> Result:
    """Reopen a sub-group closed by mistake, or whose work has started again.

    It is asked for its returns again, chased and listed as missing like any
    open group, and meetings and actions may name it again; the close and the
    reopening both stay in its history.
    """
    group = groups.find(ctx, args.get("group") or args.get("text"), open_only=False)
    was = groups.reopen(ctx, group)
    return Reply(
        "group_changed",
        {
            "verb": "reopened",
            "group": groups.view(group),
            "changes": ["reopened"],
            "was_closed": uk(was),
            "actions": [],
            "meetings": [],
        },
        text=say.reopened_text(group=group.name),
    )
