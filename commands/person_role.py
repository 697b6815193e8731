"""``/csp person role``: give someone in the plan a role (coordinator, chair, lead, member)."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import people
from partnership.context import Context, Reply, UserError
from partnership.messages import group_people as say
from storage.words import ROLE_WORDS, fold


@command(
    "person role",
    usage='<@person|"Full Name"> <coordinator|chair|lead|member>',
    examples=("/csp person role @kath coordinator", '/csp person role "Olive Offline" member'),
    rest="text",
    keys=("role", "who"),
    aliases={"user": "who", "name": "who", "as": "role"},
    mention="who",
    coordinator_only=True,
)
def person_role(ctx: Context, args: Args) -> Result:
    """Change someone's role: coordinators run the plan, chairs get the digest, leads own actions.

    The partnership always keeps at least one coordinator.
    """
    who, role_text, rest = args.get("who"), args.get("role"), args.get("text")
    if role_text is None and rest:
        words = rest.split()
        take = 2 if len(words) >= 2 and fold(" ".join(words[-2:])) in ROLE_WORDS else 1
        role_text, rest = " ".join(words[-take:]), " ".join(words[:-take])
    if who is None:
        who = rest or None
    elif rest:
        raise UserError(say.role_not_understood(rest=rest))
    if who is None:
        raise UserError(say.role_who(), fields={"who": "Required"})
    role = people.read_role(role_text)
    person = people.find(ctx, who)
    before = people.set_role(ctx, person, role)
    changes = [f"role: {before.value} → {role.value}"] if before is not None else []
    return Reply(
        "person_changed",
        {
            "verb": "role",
            "name": person.name,
            "slack": person.slack_user_id,
            "role": person.role.value,
            "changes": changes,
            "actions": [],
            "groups": [],
            "partnership": ctx.partnership.name,
        },
        text=say.role_set(name=person.name, role=role.value),
    )
