"""``/csp group cycle``: set how often a sub-group reports, over the partnership's cycle."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import cycles, groups
from partnership.context import Context, Reply, UserError
from partnership.messages import cycles as say
from storage.cycles import parse_cycle

# The words that put a group back on the partnership's cycle.
FOLLOW = ("partnership", "default", "reset", "same as the partnership")


@command(
    "group cycle",
    usage="<group name> cycle:<quarterly | twice a year: September, March | "
    "before each meeting: 5 working days | monthly | not asked | partnership>",
    examples=(
        '/csp group cycle "ASB Steering Group" cycle:"twice a year: September, March"',
        '/csp group cycle "Domestic Abuse Forum" cycle:"before each meeting: 5 working days"',
        '/csp group cycle "ASB Steering Group" cycle:partnership',
    ),
    rest="text",
    keys=("group", "cycle"),
    aliases={"reporting_cycle": "cycle", "reports": "cycle"},
    coordinator_only=True,
)
def group_cycle(ctx: Context, args: Args) -> Result:
    """Set a sub-group's reporting cycle; `cycle:partnership` follows the partnership's again.

    A group asked for reports on another cycle is reminded, chased and listed
    by that cycle's periods (`H1 2027/28`, `March 2027`, the report before each
    meeting); `not asked` means it is never asked for one or listed as missing.
    """
    named, words = args.get("group"), args.get("cycle")
    rest = args.get("text")
    if named is None and rest:
        if words is None:
            named, words = groups.split_named(ctx, rest)
            words = words or None
        else:
            named = rest
    group = groups.find(ctx, named)
    if not words:
        raise UserError(say.GROUP_CYCLE_NEEDED, fields={"cycle": "Required"})
    before = str(cycles.cycle_of(ctx, group)) if group.reporting_cycle else None
    if words.strip().lower() in FOLLOW:
        after = None
    else:
        try:
            after = str(parse_cycle(words, fy_month=ctx.fy.month, group=True))
        except ValueError as exc:
            raise UserError(say.bad_cycle(message=str(exc)), fields={"cycle": "A cycle"}) from None
    changes = []
    if before != after:
        group.reporting_cycle = after
        shown = [before or f"partnership's ({ctx.settings.cycle})", after or "partnership's"]
        groups.record(ctx, groups.GROUP, group.id, group.name, {"reporting_cycle": shown})
        changes = [f"reporting cycle: {shown[0]} → {shown[1]}"]
    now = after or str(ctx.settings.cycle)
    return Reply(
        "group_changed",
        {"verb": "cycle", "group": groups.view(group, ctx), "changes": changes},
        text=say.group_cycle(group=group.name, cycle=now, own=after is not None),
    )
