"""``/csp group lead``: name who leads a sub-group (and so is reminded of its return)."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import groups, people
from partnership.context import Context, Reply, UserError
from partnership.messages import group_people as say


@command(
    "group lead",
    usage="<group name> <@person>",
    examples=(
        '/csp group lead "ASB Steering Group" @kath',
        '/csp group lead ASB Steering Group lead:"Olive Offline"',
    ),
    rest="text",
    keys=("lead", "group"),
    aliases={"chair": "lead"},
    mention="lead",
    person_keys=("lead",),
    coordinator_only=True,
)
def group_lead(ctx: Context, args: Args) -> Result:
    """Name a sub-group's lead: reminded of its quarterly return, they may change its actions."""
    named, lead_text = args.get("group"), args.get("lead")
    rest = args.get("text")
    if named is None:
        if lead_text is None and rest:  # `group lead ASB Steering Group Olive Offline`
            named, lead_text = groups.split_named(ctx, rest)
            lead_text = lead_text or None
        else:
            named = rest
    elif rest:
        raise UserError(say.lead_not_understood(rest=rest), fields={"lead": "Who?"})
    group = groups.find(ctx, named)
    if lead_text is None:
        raise UserError(say.LEAD_NEEDED, fields={"lead": "Required"})
    lead = people.find(ctx, lead_text, field="lead")
    before = groups.set_lead(ctx, group, lead)
    changed = before is None or before != lead.name
    changes = [f"lead: {before or 'none'} → {lead.name}"] if changed else []
    return Reply(
        "group_changed",
        {"verb": "lead", "group": groups.view(group, ctx), "changes": changes},
        text=say.group_lead(group=group.name, lead=lead.name),
    )
