"""``/csp meeting move``: a meeting to another day, its digest with it.

The digest is computed from the meeting's date, so one not yet sent simply
follows. One already sent is not sent again: the chairs and the board channel
it went to get a short "the meeting has moved" note instead, through the
outbox (partnership/meetings.py records it in this command's transaction;
bot/sweeps/moved.py sends it, right after this command and, should that be
cut short, on the next sweep).
"""

from __future__ import annotations

import re

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import meetings
from partnership.context import Context, Reply, UserError
from partnership.lookup import find_group
from partnership.meetings import MeetingError
from partnership.messages import meetings as say
from storage.dates import uk

# Between the two days: `to`, or an arrow.
_TO = re.compile(r"\s+(?:to|->|→)\s+", re.I)


@command(
    "meeting move",
    usage="<date> to <date> [group:<name>]",
    examples=(
        "/csp meeting move 21/01/2027 to 28/01/2027",
        '/csp meeting move 04/02/2027 to 11/02/2027 group:"ASB Steering Group"',
    ),
    rest="text",
    keys=("group",),
    slow=True,
    coordinator_only=True,
)
def meeting_move(ctx: Context, args: Args) -> Result:
    """Move a meeting to another day; its digest moves with it.

    If the digest has gone already, those it went to are told the new day
    instead of being sent a second digest.
    """
    text = args.get("text") or ""
    parts = _TO.split(text.strip(), maxsplit=1)
    if len(parts) != 2:
        raise UserError(say.SAY_WHICH_MOVE)
    try:
        group = find_group(ctx, args.get("group") or "") if args.get("group") else None
        old = meetings.read_day(parts[0], ctx.today)
        new = meetings.read_day(parts[1], ctx.today)
        meeting = meetings.find_meeting(ctx.session, ctx.partnership, old, group)
        moved = meetings.move(ctx.session, meeting, new, today=ctx.today, now=ctx.now)
    except MeetingError as exc:
        raise UserError(say.nothing_changed(problem=str(exc))) from None
    except UserError as exc:  # no such sub-group
        raise UserError(say.nothing_changed(problem=exc.message), fields=exc.fields) from None
    data = {
        "verb": "moved",
        "meetings": [meetings.view(ctx.partnership, meeting)],
        "old": meetings.view(ctx.partnership, meeting) | {"date": uk(moved.old)},
        "taken": [],
        "past": False,
        "told": [],
        "owed": len(moved.told),
        # Asks the edge to send the notes now, after this transaction (bot/sweeps/finish.py).
        "send": (
            {"partnership": ctx.partnership.slug, "meeting_id": meeting.id} if moved.told else None
        ),
    }
    return Reply("meeting_changed", data, text=say.moved(date=uk(moved.new)))
