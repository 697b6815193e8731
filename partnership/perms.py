"""Who may do what (DOMAIN.md, "What must never go wrong").

Anyone in the partnership may read. An action may be changed by its owner,
its sub-group's lead and the partnership's coordinators. Only coordinators may
chase, add people and import. A refusal names who can, so the person knows
whom to ask.
"""

from __future__ import annotations

from sqlalchemy import select

from partnership.context import Context, Refused
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
    names = coordinators(ctx)
    if not names:
        return "a coordinator (none is named in the plan yet)"
    return "a coordinator (" + ", ".join(names) + ")"


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
        who.append(f"its owner ({action.owner.name})")
    if action.subgroup is not None and action.subgroup.lead is not None:
        who.append(f"the lead of {action.subgroup.name} ({action.subgroup.lead.name})")
    who.append(_coordinator_phrase(ctx))
    raise Refused(
        f"Sorry, you can't change {action.ref}: only " + _or(who) + " can. "
        "You can still read it with `/csp action show " + action.ref + "`."
    )


def require_coordinator(ctx: Context, doing: str) -> None:
    """Refuse unless the asker is a coordinator; ``doing`` completes "only ... can ..."."""
    if ctx.is_coordinator:
        return
    raise Refused(f"Sorry, only {_coordinator_phrase(ctx)} can {doing} in {ctx.partnership.name}.")


def _or(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " or " + parts[-1]
