"""``/csp whoami``: who the bot thinks you are, where, and what you may do."""

from __future__ import annotations

from sqlalchemy import func, select

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership.context import Context, Reply
from partnership.messages import people as say
from storage.models import Action, Role, Status, SubGroup

# What each role may do, as the reply states it (partnership/perms.py enforces it).
_OWN = ["read everything in the plan", "update the actions you own"]
MAY = {
    Role.COORDINATOR: [
        "read everything in the plan",
        "change any action and add actions",
        "add people and link their Slack accounts",
        "chase leads and import the plan",
    ],
    Role.LEAD: [*_OWN, "add actions you own"],
    Role.CHAIR: [*_OWN, "add actions you own"],
    Role.MEMBER: _OWN,
}


@command("whoami", examples=("/csp whoami",))
def whoami(ctx: Context, args: Args) -> Result:
    """Show who the bot thinks you are, your role, and what you may do."""
    me = ctx.person
    partnership = ctx.partnership.name
    if me is None:
        data = {
            "name": ctx.who,
            "partnership": partnership,
            "role": "coordinator rights" if ctx.operator else "",
            "organisation": "",
            "known": ctx.operator,
            "may": MAY[Role.COORDINATOR] if ctx.operator else ["read nothing until you are added"],
            "groups": [],
            "open_actions": 0,
        }
        return Reply("whoami", data, text=say.who_in(who=ctx.who, partnership=partnership))
    groups = list(
        ctx.session.scalars(
            select(SubGroup.name)
            .where(SubGroup.partnership_id == ctx.partnership.id, SubGroup.lead_id == me.id)
            .order_by(SubGroup.name)
        )
    )
    owned = ctx.session.scalar(
        select(func.count(Action.id)).where(
            Action.partnership_id == ctx.partnership.id,
            Action.owner_id == me.id,
            Action.status.in_((Status.NOT_STARTED, Status.IN_PROGRESS)),
        )
    )
    may = list(MAY[me.role])
    if groups and me.role != Role.COORDINATOR:
        may.append("update and add actions of the groups you lead")
    data = {
        "name": me.name,
        "partnership": partnership,
        "role": me.role.value,
        "organisation": me.organisation.name if me.organisation else "",
        "known": True,
        "may": may,
        "groups": groups,
        "open_actions": owned or 0,
    }
    return Reply(
        "whoami", data, text=say.who_as(name=me.name, role=me.role.value, partnership=partnership)
    )
