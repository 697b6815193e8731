"""``/csp person link``: link someone in the plan to their Slack account by picking it.

Typed with a name it opens a form with Slack's people picker; the form's
submission (the picked user, and the person it was opened for in its
metadata) comes back here and links them. Bare, it lists who is not linked.
"""

from __future__ import annotations

from commands.framework.core import Form, Result
from commands.framework.registry import Args, command
from partnership import people
from partnership.context import Context, Reply, UserError
from partnership.messages import group_people as say


@command(
    "person link",
    usage='["Full Name"]',
    examples=('/csp person link "Olive Offline"', "/csp person link"),
    rest="text",
    keys=("who", "user", "person"),
    coordinator_only=True,
)
def person_link(ctx: Context, args: Args) -> Result:
    """Link someone in the plan to their Slack account: pick them in a form.

    Once linked they can update their actions in Slack and get their reminders
    there. Without a name, lists who is not linked yet.
    """
    if args.get("person") is not None:  # the form's submission
        person = people.by_id(ctx, args.get("person"))
        slack_id = people.read_slack_id(args.get("user"))
        before = people.link(ctx, person, slack_id)
        changes = (
            [] if before == slack_id else ["Slack account " + ("changed" if before else "linked")]
        )
        return Reply(
            "person_changed",
            {
                "verb": "linked",
                "name": person.name,
                "slack": person.slack_user_id,
                "role": person.role.value,
                "changes": changes,
                "actions": [],
                "groups": [],
                "partnership": ctx.partnership.name,
            },
            text=say.linked(name=person.name),
        )
    who = args.get("who") or args.get("text")
    if who is None:
        if args.get("user") is not None:
            raise UserError(say.whom_to_link())
        waiting = people.unlinked(ctx)
        return Reply(
            "person_unlinked",
            {
                "partnership": ctx.partnership.name,
                "people": [{"name": p.name, "email": p.email or ""} for p in waiting],
                "slug": ctx.partnership.slug,
            },
            text=say.not_linked(n=len(waiting)),
        )
    person = people.find(ctx, who)
    return Form(
        name="person_link",
        title=say.LINK_FORM,
        values={
            "name": person.name,
            "user": person.slack_user_id or "",
            "email": person.email or "",
        },
        meta={"person": str(person.id)},
    )
