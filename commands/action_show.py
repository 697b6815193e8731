"""``/csp action show``: one action with every field and its history, newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership.context import Context, Reply
from partnership.edits import NOBODY, action_line, describe_change
from partnership.lookup import find_action
from partnership.messages import actions as say
from partnership.perms import may_change
from storage.dates import uk
from storage.models import Action, ActionUpdate, Status
from storage.words import field_label

# How many history entries a reply shows; older ones are counted, not listed.
HISTORY_SHOWN = 20
SOURCES = {
    "import": "plan import",
    "command": "/csp",
    "modal": "form",
    "button": "button",
    "console": "console",
    "scheduler": "the bot",
}


@command(
    "action show",
    usage="<ref>",
    examples=("/csp action show A-17",),
    positional=("ref",),
    keys=("ref",),
)
def action_show(ctx: Context, args: Args) -> Result:
    """Show an action with all its details and its history of updates.

    The latest 20 entries of the history are shown, newest first, with who
    made each change, when, and through what.
    """
    action = find_action(ctx, args.get("ref"))
    entries, total = history(ctx, action)
    data = {
        "action": action_line(action, ctx.today),
        "fields": fields(action),
        "history": [entry_view(ctx, e) for e in entries],
        "older": max(total - len(entries), 0),
        "shown": len(entries),
        "can_change": may_change(ctx, action),
        "open": action.status in (Status.NOT_STARTED, Status.IN_PROGRESS),
    }
    return Reply("action_show", data, text=say.shown(ref=action.ref, title=action.title))


def history(ctx: Context, action: Action) -> tuple[list[ActionUpdate], int]:
    """The newest entries with who made them, and how many entries there are, in one query."""
    rows = ctx.session.execute(
        select(ActionUpdate, func.count().over())
        .where(
            ActionUpdate.partnership_id == ctx.partnership.id,
            ActionUpdate.action_id == action.id,
        )
        .options(joinedload(ActionUpdate.by), joinedload(ActionUpdate.on_behalf_of))
        .order_by(ActionUpdate.at.desc(), ActionUpdate.id.desc())
        .limit(HISTORY_SHOWN)
    ).all()
    return [entry for entry, _ in rows], (rows[0][1] if rows else 0)


def fields(action: Action) -> list[tuple[str, str]]:
    """The action's details as (label, text) pairs, leaving out the empty ones."""
    priority = f"{action.priority.code} {action.priority.title}" if action.priority else None
    due = uk(action.due_date) if action.due_date else None
    if due and action.timescale:
        due = f"{due} ({action.timescale})"
    pairs = [
        ("objective", action.objective),
        ("measure_of_success", action.measure_of_success),
        ("owner", action.owner.name if action.owner else "no owner yet"),
        ("lead_organisation", action.lead_organisation.name if action.lead_organisation else None),
        ("partners", action.partners),
        ("priority", priority),
        ("subgroup", action.subgroup.name if action.subgroup else None),
        ("due_date", due or action.timescale or "no due date"),
        ("status", action.status.value.replace("_", " ")),
        ("rag", action.rag.value if action.rag else "not rated"),
        ("sara_stage", action.sara_stage.value if action.sara_stage else None),
        ("resources", action.resources),
        ("risks", action.risks),
        ("snoozed_until", uk(action.snoozed_until) if action.snoozed_until else None),
    ]
    return [(field_label(name), text) for name, text in pairs if text]


def entry_view(ctx: Context, entry: ActionUpdate) -> dict[str, Any]:
    """One history entry as plain values: who, on whose behalf, when, how, what."""
    created = "created" in entry.changes
    lines = [
        line.replace(": none → ", ": ", 1) if created else line
        for name, line in zip(entry.changes, describe_change(entry), strict=True)
        if name != "created"
    ]
    return {
        "by": entry.by.name if entry.by else NOBODY.get(entry.source.value, "someone"),
        "on_behalf_of": entry.on_behalf_of.name if entry.on_behalf_of else "",
        "at": entry.at.astimezone(ctx.zone).strftime("%d/%m/%Y %H:%M"),
        "source": SOURCES.get(entry.source.value, entry.source.value),
        "created": created,
        "changes": lines,
        "note": entry.note or "",
    }
