"""``/csp person remove``: take someone out of the partnership; history keeps their name."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import people
from partnership.context import Context, Reply, UserError
from partnership.messages import group_people as say


@command(
    "person remove",
    usage='<@person|"Full Name">',
    examples=("/csp person remove @kath", '/csp person remove "Olive Offline"'),
    rest="text",
    keys=("who",),
    aliases={"user": "who", "name": "who"},
    mention="who",
    coordinator_only=True,
)
def person_remove(ctx: Context, args: Args) -> Result:
    """Remove someone who has left: they can no longer act and are not chased.

    Their name stays in every action's history and past return. Their open
    actions lose their owner and the groups they led their lead; the reply
    lists them, to give to someone else.
    """
    who, rest = args.get("who"), args.get("text")
    if who is not None and rest:
        raise UserError(say.name_one_person(rest=rest))
    person = people.find(ctx, who or rest)
    left = people.remove(ctx, person)
    return Reply(
        "person_changed",
        {
            "verb": "removed",
            "name": person.name,
            "slack": None,
            "role": person.role.value,
            "changes": ["removed"],
            "actions": [{"ref": ref, "title": title} for ref, title in left.actions],
            "groups": left.groups,
            "partnership": ctx.partnership.name,
        },
        text=say.removed(name=person.name),
    )
