"""Who may do what (DOMAIN.md, "What must never go wrong").

Anyone in the partnership may read. An action may be changed by its owner,
its sub-group's lead and the partnership's coordinators. Only coordinators may
chase, add people and import. A refusal names who can, so the person knows
whom to ask.
"""

from __future__ import annotations

from sqlalchemy import select

from partnership.context import Context, Refused
from partnership.messages import actions
from partnership.messages import people as say
from storage.models import Action, Person, Role


def coordinators(ctx: Context) -> list[str]:
    """Names of the partnership's coordinators."""
    return list(
        ctx.session.scalars(
            select(Person.name)
            .where(
                Person.partnership_id == ctx.partnership.id,
                Person.role == Role.COORDINATOR,
                Person.removed_at.is_(None),
            )
            .order_by(Person.name)
        )
    )


def _coordinator_phrase(ctx: Context) -> str:
    return say.coordinator_or_none(names=coordinators(ctx))


def may_change(ctx: Context, action: Action) -> bool:
    """Whether the asker may change ``action``."""
    if ctx.is_coordinator:
        return True
    if ctx.person is None:
        return False
    if action.owner_id is not None and action.owner_id == ctx.person.id:
        return True
    group = action.subgroup
    return group is not None and group.lead_id is not None and group.lead_id == ctx.person.id


def require_change(ctx: Context, action: Action) -> None:
    """Refuse, politely and saying who can, unless the asker may change ``action``."""
    if may_change(ctx, action):
        return
    who = []
    if action.owner is not None:
        who.append(actions.its_owner(name=action.owner.name))
    if action.subgroup is not None and action.subgroup.lead is not None:
        who.append(actions.group_lead(group=action.subgroup.name, name=action.subgroup.lead.name))
    who.append(_coordinator_phrase(ctx))
    raise Refused(actions.may_not_change(ref=action.ref, who=say.either(parts=who)))


def require_coordinator(ctx: Context, doing: str) -> None:
    """Refuse unless the asker is a coordinator; ``doing`` completes "only ... can ..."."""
    if ctx.is_coordinator:
        return
    raise Refused(
        say.only_coordinators(
            coordinator=_coordinator_phrase(ctx), doing=doing, partnership=ctx.partnership.name
        )
    )
