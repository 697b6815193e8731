"""``/csp action snooze``: pause nudges about an action for a week or until a date.

Typed with a date (``until:30/06/2027``) it snoozes at once; typed with the
bare word ``until`` (what the nudge's "Snooze until a date…" button runs) it
opens a form with a date picker, whose submission comes back here.
"""

from __future__ import annotations

import datetime as dt

from commands.framework.core import Form, Result
from commands.framework.registry import Args, command
from partnership.context import Context, UserError
from partnership.edits import change_action, changed_reply, read_due
from partnership.lookup import find_action
from partnership.messages import actions as say
from partnership.perms import require_change
from storage.dates import uk
from storage.models import Action

# Snoozing is for a pause, not for silencing an action for good.
MAX_SNOOZE_DAYS = 92
# What a bare snooze (the "Snooze a week" button) pauses for.
DEFAULT_SNOOZE = dt.timedelta(weeks=1)


@command(
    "action snooze",
    usage="<ref> [until:<date>]",
    examples=(
        "/csp action snooze A-17",
        "/csp action snooze A-17 until:30/06/2027",
        "/csp action snooze A-17 until",
    ),
    # `until 30/06/2027`, as people write it: the bare word is the flag, the date fills `until`.
    positional=("ref", "until"),
    keys=("until", "ref"),
    aliases={"till": "until", "to": "until"},
    flags=("until",),
    date_keys=("until",),
)
def action_snooze(ctx: Context, args: Args) -> Result:
    """Stop overdue and stale nudges about an action for a week, or until a date.

    `until` on its own opens a form to pick the date.
    """
    action = find_action(ctx, args.get("ref"))
    require_change(ctx, action)
    until_text = args.get("until")
    if until_text is None and "until" in args.flags:
        return snooze_form(ctx, action)
    until = _read_until(ctx, until_text) if until_text else ctx.today + DEFAULT_SNOOZE
    if until <= ctx.today:
        raise UserError(
            say.SNOOZE_FUTURE,
            fields={"until": "A future date"},
        )
    if (until - ctx.today).days > MAX_SNOOZE_DAYS:
        raise UserError(
            say.snooze_too_long(days=MAX_SNOOZE_DAYS, ref=action.ref),
            fields={"until": "At most three months ahead"},
        )
    entry = change_action(ctx, action, {"snoozed_until": until}, None)
    return changed_reply(ctx, action, entry)


def snooze_form(ctx: Context, action: Action) -> Form:
    """The "snooze until a date" form: a date picker, a week ahead to start with."""
    current = action.snoozed_until
    return Form(
        name="action_snooze",
        title=say.snooze_form(ref=action.ref),
        values={
            "ref": action.ref,
            "title": action.title,
            "until": (ctx.today + DEFAULT_SNOOZE).isoformat(),
            "snoozed": uk(current) if current is not None and current >= ctx.today else "",
            "latest": uk(ctx.today + dt.timedelta(days=MAX_SNOOZE_DAYS)),
        },
        meta={"ref": action.ref},
    )


def _read_until(ctx: Context, text: str) -> dt.date:
    """A snooze date; its error points at the form's ``until`` field, not ``due``."""
    try:
        return read_due(ctx, text)
    except UserError as exc:
        raise UserError(exc.message, fields={"until": "Write a date such as 31/03/2027"}) from None
