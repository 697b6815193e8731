"""What the bot says about sub-groups and people changed in Slack (``/csp group``, ``person``).

Plain text: the templates that show it escape it. Each sentence ends with what
to type instead, or who may do it.
"""

from __future__ import annotations

GROUP_ADD_USAGE = (
    '`/csp group add "Knife Crime Group" lead:@kath covers:P1,P2 task and finish until 31/03/2027`'
)
GROUP_NAME_NEEDED = f"Give the new group's name: {GROUP_ADD_USAGE}"
GROUP_NAME_CHARACTERS = (
    "A group's name can't hold `<`, `>`, `@` or `|`; write it as the plan does, such as "
    "`ASB Steering Group`."
)
WHICH_GROUP = "Which sub-group? Give its name as `/csp group list` shows it."
TASK_AND_FINISH_NEEDS_END = (
    "A task-and-finish group needs the day it ends, which is when it stops owing returns: "
    "`task and finish until 31/03/2027`."
)
COVERS_NEEDED = (
    "Which priorities does it cover? Give their codes after the group's name, separated by "
    'commas: `/csp group covers "ASB Steering Group" P1,P2` (or `none`).'
)
LEAD_NEEDED = (
    'Who leads it? Mention them or give their name: `/csp group lead "ASB Steering Group" @kath`.'
)
PERSON_NEEDED = 'Who? Mention them (`@kath`) or give their name in quotes (`"Kath Rees"`).'
ROLE_USAGE = '`/csp person role @kath lead` (or `person role "Kath Rees" coordinator`)'
LINK_USAGE = '`/csp person link "Olive Offline"`'
NOT_A_SLACK_USER = (
    "That is not a Slack account I can link: pick the person from the list in the form, "
    "and nothing else."
)


def near(name: str | None) -> str:
    """`` Did you mean X?`` when a name is close to one that exists, else nothing."""
    return f" Did you mean {name}?" if name else ""


def no_group(*, typed: str, partnership: str, names: list[str], close: str | None) -> str:
    """No sub-group of that name, with the nearest and the list."""
    listed = ", ".join(f"`{n}`" for n in names) or "none yet"
    return (
        f"There is no sub-group `{typed[:60]}` in {partnership}.{near(close)} "
        f"Its groups: {listed}. `/csp group list` shows them with their leads."
    )


def group_exists(*, name: str, closed: str | None) -> str:
    """A new group's name is taken (by an open or a closed group)."""
    if closed:
        return (
            f"There is already a group called {name} (closed on {closed}, and it keeps its "
            "name and history): choose another name for the new one."
        )
    return (
        f"There is already a group called {name}: `/csp group list` shows it. "
        f'Change its lead with `/csp group lead "{name}" @person`.'
    )


def group_closed(*, name: str, on: str) -> str:
    """A closed group cannot be changed."""
    return (
        f"{name} was closed on {on}, so it can't be changed: its history and past returns "
        "stay as they were. `/csp group add` starts a new group."
    )


def closed_for(*, name: str, on: str, what: str) -> str:
    """A closed group is named for a new meeting or action."""
    return (
        f"{name} was closed on {on}, so it can't be given {what}. "
        f'A coordinator can reopen it with `/csp group reopen "{name}"`, '
        "or name an open group (`/csp group list`)."
    )


def not_closed(*, name: str) -> str:
    """Only a closed group can be reopened."""
    return f"{name} is open already: nothing to reopen. `/csp group close` closes a group."


def end_in_past(*, day: str) -> str:
    """A task-and-finish group cannot end before it starts."""
    return f"A new task-and-finish group can't end on {day}, which has passed: give a later date."


def bad_end(*, typed: str, hint: str) -> str:
    """An end date that does not read."""
    return (
        f"`{typed[:40]}` is not a date I can read{': ' + hint if hint else ''}. Write the day "
        "the group ends, day first: `until 31/03/2027`."
    )


def no_priority(*, typed: str, partnership: str, codes: list[str], close: str | None) -> str:
    """A priority code that is not in the plan."""
    listed = ", ".join(f"`{c}`" for c in codes) or "none yet"
    return (
        f"There is no priority `{typed[:40]}` in {partnership}.{near(close)} "
        f"Its priorities: {listed}."
    )


def removed_person(*, name: str, on: str) -> str:
    """Someone named who was taken out of the plan."""
    return (
        f"{name} was removed from the partnership on {on}, so they can't be given anything. "
        f'A coordinator can put them back with `/csp person add "{name}"`.'
    )


def not_a_role(*, typed: str) -> str:
    """A role word that is not one."""
    return (
        f"`{typed[:30]}` is not a role; give one of `coordinator`, `chair`, `lead` or `member`: "
        f"{ROLE_USAGE}."
    )


def only_coordinator(*, name: str, partnership: str, doing: str) -> str:
    """The last coordinator cannot step down or be removed."""
    return (
        f"{name} is {partnership}'s only coordinator, so I can't {doing}. Make someone else "
        "a coordinator first (`/csp person role @someone coordinator`)."
    )


def already_removed(*, name: str, on: str) -> str:
    """Removing someone twice."""
    return f"{name} was already removed on {on}: nothing to change."


def slack_taken(*, other: str, partnership: str) -> str:
    """A Slack account already linked to someone else in the partnership."""
    return (
        f"That Slack account is already linked to {other} in {partnership}. One Slack account "
        "is one person: pick the right account, or unlink the other first by removing them "
        "(`/csp person remove`)."
    )


def link_stale(*, partnership: str) -> str:
    """A link form for a person who is no longer in the plan."""
    return (
        f"That person is no longer in {partnership}'s plan, so nothing was linked. "
        f"Open the form again: {LINK_USAGE}."
    )


# --------------------------------------------------------------------------- fallback texts


def group_added(*, group: str) -> str:
    """The fallback text of ``group add``."""
    return f"Sub-group {group} added"


def closed_text(*, group: str) -> str:
    """The fallback text of ``group close``."""
    return f"{group} closed"


def reopened_text(*, group: str) -> str:
    """The fallback text of ``group reopen``."""
    return f"{group} reopened"


def group_covers(*, group: str, codes: list[str]) -> str:
    """The fallback text of ``group covers``."""
    return f"{group} covers {', '.join(codes) or 'no priority'}"


def group_lead(*, group: str, lead: str) -> str:
    """The fallback text of ``group lead``."""
    return f"{group}: lead {lead}"


def groups_listed(*, n: int) -> str:
    """The fallback text of ``group list``."""
    return f"{n} sub-group{'s' if n != 1 else ''}"


def lead_not_understood(*, rest: str) -> str:
    """Words ``group lead`` has no place for."""
    return f"I didn't understand `{rest[:60]}`: {LEAD_NEEDED}"


def whom_to_link() -> str:
    """``person link`` with an account and no one to link it to."""
    return f"Whom should that account be linked to? {LINK_USAGE}"


def linked(*, name: str) -> str:
    """The fallback text of ``person link``."""
    return f"{name} linked to Slack"


def not_linked(*, n: int) -> str:
    """The fallback text of the list of people not linked to Slack."""
    return f"{n} not linked to Slack"


LINK_FORM = "Link to Slack"


def name_one_person(*, rest: str) -> str:
    """``person remove`` naming more than one."""
    return f"I didn't understand `{rest[:60]}`: name one person."


def removed(*, name: str) -> str:
    """The fallback text of ``person remove``."""
    return f"{name} removed"


def role_not_understood(*, rest: str) -> str:
    """Words ``person role`` has no place for."""
    return f"I didn't understand `{rest[:60]}`. Type it as: {ROLE_USAGE}."


def role_who() -> str:
    """``person role`` naming nobody."""
    return f"{PERSON_NEEDED} {ROLE_USAGE}."


def role_set(*, name: str, role: str) -> str:
    """The fallback text of ``person role``."""
    return f"{name}: {role}"


GROUP_NAME_TOO_LONG = "A group's name is at most 200 characters."


def not_found_near(*, message: str, near: str) -> str:
    """A person not found, and the nearest first name."""
    return f"{message}{near}"
