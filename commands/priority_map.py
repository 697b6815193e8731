"""``/csp priority map <priority> to:<board priority>``: a district's priority onto the county's."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import board as county
from partnership.context import Context, Reply, UserError
from partnership.lookup import find_priority
from partnership.messages import board as say
from partnership.perms import require_coordinator

NONE = ("none", "off", "-")


@command(
    "priority map",
    usage="<priority> to:<county priority>|to:none",
    examples=("/csp priority map P1 to:P9", "/csp priority map P4 to:none"),
    positional=("priority",),
    rest="more",
    keys=("to",),
    aliases={"onto": "to", "maps": "to"},
)
def priority_map(ctx: Context, args: Args) -> Result:
    """Map one of this district's priorities onto a countywide priority of its county board.

    The board's `/csp board status`, status, Home tab and digest then show
    the priority's RAG and counts under that countywide priority; a priority
    with no mapping is listed as not mapped. `to:none` clears it. The plan
    file's `board_priority:` under a priority does the same.
    """
    words = " ".join(w for w in (args.get("priority"), args.get("more")) if w)
    board = ctx.partnership.parent
    if board is None:
        raise UserError(say.not_a_district(partnership=ctx.partnership.name))
    require_coordinator(ctx, say.DOING_MAP)
    to_text = (args.get("to") or "").strip()
    if not words:
        raise UserError(say.MAP_USAGE, fields={"priority": "Required"})
    if not to_text:
        raise UserError(say.MAP_USAGE, fields={"to": "Required"})
    priority = find_priority(ctx, words)
    target = None if to_text.lower() in NONE else county.find_board_priority(ctx, board, to_text)
    changed = county.set_mapping(ctx, priority, target)
    text = (
        say.mapped(code=priority.code, board_code=target.code, board=board.name)
        if target is not None
        else say.unmapped(code=priority.code)
    )
    return Reply(
        "priority_mapped",
        {
            "code": priority.code,
            "title": priority.title,
            "board": board.name,
            "board_code": target.code if target is not None else "",
            "board_title": target.title if target is not None else "",
            "changed": changed,
        },
        text=text,
    )
