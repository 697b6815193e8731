"""``/csp action snooze``: pause nudges about an action for a week or until a date."""

from __future__ import annotations

import datetime as dt

from commands.core import Context, Result, UserError
from commands.edits import change_action, changed_reply, read_due
from commands.lookup import find_action
from commands.perms import require_change
from commands.registry import Args, command

# Snoozing is for a pause, not for silencing an action for good.
MAX_SNOOZE_DAYS = 92


@command(
    "action snooze",
    usage="<ref> [until:<date>]",
    examples=("/csp action snooze A-17", "/csp action snooze A-17 until:30/06/2027"),
    positional=("ref",),
    keys=("until",),
    aliases={"till": "until", "to": "until"},
    date_keys=("until",),
)
def action_snooze(ctx: Context, args: Args) -> Result:
    """Stop overdue and stale nudges about an action for a week, or until a date."""
    action = find_action(ctx, args.get("ref"))
    require_change(ctx, action)
    until_text = args.get("until")
    until = read_due(ctx, until_text) if until_text else ctx.today + dt.timedelta(weeks=1)
    if until <= ctx.today:
        raise UserError(
            "Snooze until a day after today, such as `until:+2w`.",
            fields={"until": "A future date"},
        )
    if (until - ctx.today).days > MAX_SNOOZE_DAYS:
        raise UserError(
            f"Snooze for at most {MAX_SNOOZE_DAYS} days; change the due date instead "
            f"(`/csp action update {action.ref} due:<date>`).",
            fields={"until": "At most three months ahead"},
        )
    entry = change_action(ctx, action, {"snoozed_until": until}, None)
    return changed_reply(ctx, action, entry)
