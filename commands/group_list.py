"""``/csp group list``: every sub-group with its lead, the priorities it covers, open or closed."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import groups
from partnership.context import Context, Reply


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
        text=f"{len(rows)} sub-group{'s' if len(rows) != 1 else ''}",
    )
