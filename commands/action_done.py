"""``/csp action done``: mark an action complete, with an optional closing note."""

from __future__ import annotations

from commands.core import Context, Result
from commands.edits import change_action, changed_reply, read_text
from commands.lookup import find_action
from commands.perms import require_change
from commands.registry import NOTE_KEYS, Args, command
from storage.models import Status


@command(
    "action done",
    usage="<ref> [<note>]",
    examples=('/csp action done A-17 "launched on 12/05/2027, 40 attended"',),
    positional=("ref",),
    rest="note",
    keys=("note", "ref"),
    aliases=NOTE_KEYS,
)
def action_done(ctx: Context, args: Args) -> Result:
    """Mark an action complete; any words after the reference are the closing note."""
    action = find_action(ctx, args.get("ref"))
    require_change(ctx, action)
    note = read_text(args.get("note"), "note")
    entry = change_action(ctx, action, {"status": Status.COMPLETE}, note)
    return changed_reply(ctx, action, entry)
