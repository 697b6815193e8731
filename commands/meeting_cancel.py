"""``/csp meeting cancel``: take a meeting off the calendar, and its digest with it."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import meetings
from partnership.context import Context, Reply, UserError
from partnership.lookup import find_group
from partnership.meetings import MeetingError
from partnership.messages import meetings as say


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
        raise UserError(say.nothing_changed(problem=str(exc))) from None
    except UserError as exc:  # no such sub-group
        raise UserError(say.nothing_changed(problem=exc.message), fields=exc.fields) from None
    return Reply(
        "meeting_changed",
        {"verb": "cancelled", "meetings": [shown], "taken": [], "past": False, "told": []},
        text=say.cancelled(date=shown["date"]),
    )
