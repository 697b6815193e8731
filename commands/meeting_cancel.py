"""``/csp meeting cancel``: take a meeting off the calendar, and its digest with it."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import meetings
from partnership.context import Context, Reply, UserError
from partnership.lookup import find_group
from partnership.meetings import MeetingError


@command(
    "meeting cancel",
    usage="<date> [group:<name>]",
    examples=(
        "/csp meeting cancel 21/01/2027",
        '/csp meeting cancel 04/02/2027 group:"ASB Steering Group"',
    ),
    rest="text",
    keys=("group",),
    coordinator_only=True,
)
def meeting_cancel(ctx: Context, args: Args) -> Result:
    """Cancel a meeting: it leaves the calendar and no digest goes out for it."""
    try:
        group = find_group(ctx, args.get("group") or "") if args.get("group") else None
        day = meetings.read_day(args.get("text") or "", ctx.today)
        meeting = meetings.find_meeting(ctx.session, ctx.partnership, day, group)
        shown = meetings.view(ctx.partnership, meeting)
        meetings.cancel(ctx.session, meeting)
    except MeetingError as exc:
        raise UserError(f"{exc} Nothing was changed.") from None
    except UserError as exc:  # no such sub-group
        raise UserError(f"{exc.message} Nothing was changed.", fields=exc.fields) from None
    return Reply(
        "meeting_changed",
        {"verb": "cancelled", "meetings": [shown], "taken": [], "past": False, "told": []},
        text=f"Meeting on {shown['date']} cancelled",
    )
