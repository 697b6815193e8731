"""``/csp action done``: mark an action complete, with an optional closing note."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from commands.framework.core import Result
from commands.framework.registry import NOTE_KEYS, Args, command
from partnership.context import Context
from partnership.edits import NOBODY, change_action, changed_reply, read_text
from partnership.lookup import find_action
from partnership.perms import require_change
from storage.dates import uk
from storage.models import Action, ActionUpdate, Status


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
    already = action.status == Status.COMPLETE
    entry = change_action(ctx, action, {"status": Status.COMPLETE}, note)
    reply = changed_reply(ctx, action, entry)
    if already:
        # Saying "nothing to change" would leave the lead wondering whether it worked.
        reply.data["already"] = completed(ctx, action)
        reply.text = f"{action.ref} is already complete"
    return reply


def completed(ctx: Context, action: Action) -> dict[str, Any]:
    """When and by whom the action was last marked complete, as far as its history says."""
    entries = ctx.session.scalars(
        select(ActionUpdate)
        .where(
            ActionUpdate.partnership_id == ctx.partnership.id,
            ActionUpdate.action_id == action.id,
        )
        .options(joinedload(ActionUpdate.by))
        .order_by(ActionUpdate.at.desc(), ActionUpdate.id.desc())
    )
    for entry in entries:
        status = entry.changes.get("status")
        if status and status[1] == Status.COMPLETE.value:
            by = entry.by.name if entry.by else NOBODY.get(entry.source.value, "")
            return {"since": uk(entry.at.astimezone(ctx.zone).date()), "by": by}
    return {"since": "", "by": ""}
