"""``/csp group covers``: set which priorities a sub-group reports on (replacing the list)."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import groups
from partnership.context import Context, Reply, UserError
from partnership.messages import group_people as say


@command(
    "group covers",
    usage="<group name> <P1,P2|none>",
    examples=(
        '/csp group covers "ASB Steering Group" P1,P2',
        "/csp group covers ASB Steering Group none",
    ),
    rest="text",
    keys=("covers", "group"),
    aliases={"priorities": "covers"},
    coordinator_only=True,
)
def group_covers(ctx: Context, args: Args) -> Result:
    """Set the priorities a sub-group covers: its quarterly return gives a RAG for each.

    The list replaces what it covered before; the reply says what was added
    and what removed. `none` leaves it covering no priority.
    """
    named, wanted = args.get("group"), args.get("covers")
    rest = args.get("text")
    if named is None and wanted is None:
        if not rest:
            raise UserError(say.COVERS_NEEDED, fields={"covers": "Required"})
        named, wanted = groups.split_named(ctx, rest)
    elif named is None:
        named = rest
    elif wanted is None:
        wanted = rest
    group = groups.find(ctx, named)
    if not wanted:
        raise UserError(say.COVERS_NEEDED, fields={"covers": "Required"})
    priorities = groups.read_covers(ctx, wanted)
    added, removed = groups.set_covers(ctx, group, priorities)
    changes = []
    if added or removed:
        changes.append(f"covers: {', '.join(p.code for p in priorities) or 'no priority'}")
        changes.append(
            f"added: {', '.join(added) or 'none'} · removed: {', '.join(removed) or 'none'}"
        )
    return Reply(
        "group_changed",
        {"verb": "covers", "group": groups.view(group, ctx), "changes": changes},
        text=say.group_covers(group=group.name, codes=[p.code for p in priorities]),
    )
