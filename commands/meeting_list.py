"""``/csp meeting list``: the meetings coming up (everyone may look)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import meetings
from partnership.context import Context, Reply
from partnership.lookup import find_group
from partnership.messages import meetings as say
from storage.models import Meeting


@command(
    "meeting list",
    usage="[all] [group:<name>]",
    examples=("/csp meeting list", '/csp meeting list group:"ASB Steering Group"'),
    keys=("group",),
    flags=("all",),
)
def meeting_list(ctx: Context, args: Args) -> Result:
    """List the meetings coming up; `all` shows past ones too, `group:` one group's."""
    group = find_group(ctx, args.get("group") or "") if args.get("group") else None
    query = select(Meeting).where(Meeting.partnership_id == ctx.partnership.id)
    if "all" not in args.flags:
        query = query.where(Meeting.date >= ctx.today)
    if group is not None:
        query = query.where(Meeting.subgroup_id == group.id)
    rows = ctx.session.scalars(
        query.options(selectinload(Meeting.subgroup)).order_by(
            Meeting.date, Meeting.subgroup_id.is_not(None), Meeting.id
        )
    ).all()
    return Reply(
        "meeting_list",
        {
            "partnership": ctx.partnership.name,
            "meetings": [meetings.view(ctx.partnership, m) for m in rows],
            "all": "all" in args.flags,
            "group": group.name if group else "",
            "coordinator": ctx.is_coordinator,
        },
        text=say.count_meetings(n=len(rows)),
    )
