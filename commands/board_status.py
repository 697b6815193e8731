"""``/csp board status [<district>]``: the county board's districts side by side."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import board as county
from partnership.context import Context, Refused, Reply, UserError
from partnership.messages import board as say
from partnership.perms import require_coordinator


@command(
    "board status",
    usage="[<district>]",
    examples=("/csp board status", "/csp board status Stroud"),
    rest="district",
)
def board_status(ctx: Context, args: Args) -> Result:
    """Show each countywide priority with every district's RAG, counts and returns beside it.

    For the county board's people: each of the board's priorities with its
    own actions and, per district, the rolled-up RAG of the district
    priorities mapped onto it, their open and overdue actions and their
    sub-groups' returns. A district's action titles and owners show only if
    it shares them (`/csp settings share_with_board:actions`). Name a
    district for just that one. A district's coordinator sees only their own
    district, as the board sees it.
    """
    named = (args.get("district") or "").strip()
    where = county.link(ctx)
    if where.is_board:
        if ctx.person is None and not ctx.operator:
            raise Refused(say.board_members_only(board=ctx.partnership.name))
        only = None
        if named:
            only = county.named_district(where.districts, named)
            if only is None:
                names = ", ".join(county.label(d) for d in where.districts)
                raise UserError(
                    say.no_district(text=named, board=ctx.partnership.name, names=names),
                    fields={"district": "Not a district of this board"},
                )
        data = county.districts(ctx, ctx.partnership, only=only, detail=True)
        board_name = ctx.partnership.name
    elif where.board is not None:
        require_coordinator(ctx, say.DOING_BOARD_STATUS)
        own = ctx.partnership
        # Any other name is refused the same way, whether or not it exists.
        if named and county.named_district([own], named) is None:
            raise Refused(say.own_district_only(district=own.name))
        data = county.districts(ctx, where.board, only=own)
        board_name = where.board.name
    else:
        raise UserError(say.not_linked(partnership=ctx.partnership.name))
    return Reply(
        "board_status",
        {"districts": data},
        text=say.board_status(board=board_name, districts=len(data["districts"])),
    )
