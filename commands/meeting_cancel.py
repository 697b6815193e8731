"""``/csp meeting cancel``: take a meeting off the calendar, and its digest with it."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import meeting_cancelled, meetings
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
    slow=True,
)
def meeting_cancel(ctx: Context, args: Args) -> Result:
    """Cancel a meeting: it leaves the calendar and no digest goes out for it.

    If its digest has gone already, those it went to are told it is cancelled.
    """
    try:
        group = find_group(ctx, args.get("group") or "") if args.get("group") else None
        day = meetings.read_day(args.get("text") or "", ctx.today)
        meeting = meetings.find_meeting(ctx.session, ctx.partnership, day, group)
        shown = meetings.view(ctx.partnership, meeting)
        key = meeting_cancelled.cancel(ctx.session, meeting, now=ctx.now)
    except MeetingError as exc:
        raise UserError(say.nothing_changed(problem=str(exc))) from None
    except UserError as exc:  # no such sub-group
        raise UserError(say.nothing_changed(problem=exc.message), fields=exc.fields) from None
    owed = (
        len(meeting_cancelled.notes_due(ctx.session, ctx.partnership, ctx.today, key)) if key else 0
    )
    return Reply(
        "meeting_changed",
        {
            "verb": "cancelled",
            "meetings": [shown],
            "taken": [],
            "past": False,
            "told": [],
            "owed": owed,
            # Asks the edge to send the notes now, after this transaction (bot/schedule/finish.py).
            "send": {"partnership": ctx.partnership.slug, "cancelled": key} if key else None,
        },
        text=say.cancelled(date=shown["date"]),
    )
