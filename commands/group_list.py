"""``/csp group list``: every sub-group with its lead, the priorities it covers, open or closed."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import groups
from partnership.context import Context, Reply
from partnership.messages import group_people as say


@command("group list", examples=("/csp group list",))
def group_list(ctx: Context, args: Args) -> Result:
    """List the sub-groups: lead, priorities covered, task-and-finish end date, open or closed."""
    rows = groups.listing(ctx)
    return Reply(
        "group_list",
        {
            "partnership": ctx.partnership.name,
            "groups": rows,
            "coordinator": ctx.is_coordinator,
        },
        text=say.groups_listed(n=len(rows)),
    )
