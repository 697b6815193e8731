"""What the action commands say: finding, adding, listing, snoozing and changing actions."""

from __future__ import annotations

WHICH_ACTION = (
    "Which action? Give its reference as `/csp action list` shows it (`A-17`, `7`, `1.2`)."
)


def not_a_reference(*, typed: str) -> str:
    """Text that cannot be an action's reference."""
    return (
        f"`{typed[:40]}` is not an action reference: a reference is one word of letters, "
        "digits, dots and dashes, such as `A-17`, `7` or `1.2` (see `/csp action list`)."
    )


def ambiguous_reference(*, typed: str, which: str, partnership: str) -> str:
    """A reference two actions' refs could be spelt as."""
    return (
        f"`{typed[:40]}` could be {which} in {partnership}; type the one you "
        "mean exactly as `/csp action list` shows it."
    )


def references_look_like(*, shown: str) -> str:
    """The hint after a reference that names no action."""
    return f" Its references look like {shown}."


def no_such_action(*, typed: str, partnership: str, like: str) -> str:
    """A reference that names no action."""
    return (
        f"There is no action `{typed[:40]}` in {partnership}.{like} "
        "`/csp action list` shows them all."
    )


def may_not_change(*, ref: str, who: str) -> str:
    """The refusal to change an action, naming who can."""
    return (
        f"Sorry, you can't change {ref}: only {who} can. "
        f"You can still read it with `/csp action show {ref}`."
    )


ANY_GROUPS_LEAD = "a sub-group's lead (for that group's actions)"
OWN_ACTION = "a lead or chair adding an action they own themselves"


def its_owner(*, name: str) -> str:
    """Who may change or add an action: its owner."""
    return f"its owner ({name})"


def group_lead(*, group: str, name: str) -> str:
    """Who may change or add an action: a named group's lead."""
    return f"the lead of {group} ({name})"


def may_not_add(*, partnership: str, who: list[str]) -> str:
    """The refusal to add an action, naming who can."""
    return (
        f"Sorry, you can't add that action to {partnership}: only "
        + ", ".join(who[:-1])
        + " or "
        + who[-1]
        + " can. Ask one of them to add it for you."
    )


NO_TITLE = "Give the action a title, such as `/csp action add Map ASB hotspots`."
MINE_AND_PERSON = "Give `mine` or a person, not both: `/csp action list mine`."
OPERATOR_OWNS_NOTHING = (
    "The console operator owns no actions. Name someone instead: "
    '`/csp action list owner:"Kath Rees"`, or `/csp action list` for every open action.'
)
SNOOZE_FUTURE = "Snooze until a day after today, such as `until:+2w`."


def snooze_too_long(*, days: int, ref: str) -> str:
    """A snooze further ahead than allowed."""
    return (
        f"Snooze for at most {days} days; change the due date instead "
        f"(`/csp action update {ref} due:<date>`)."
    )


def changed_meanwhile(*, ref: str) -> str:
    """A form submitted after someone else changed the action."""
    return (
        f"{ref} was changed by someone else while your form was open. "
        f"Nothing was saved: see `/csp action show {ref}` and update it again."
    )


FORM_WONT_OPEN = (
    "Slack would not open the form. Type the values instead (see `/csp help action update`)."
)


def added(*, ref: str, title: str) -> str:
    """The fallback text of ``action add``'s reply."""
    return f"{ref} added: {title}"


def shown(*, ref: str, title: str) -> str:
    """The fallback text of ``action show``'s reply."""
    return f"{ref}: {title}"


def list_title(*, kind: str, everything: bool) -> str:
    """``Open actions``, ``All actions``, ``Overdue and stale actions``."""
    if kind:
        return f"{kind.capitalize()} actions"
    return f"{'All' if everything else 'Open'} actions"


def list_heading(*, title: str, n: int) -> str:
    """The list's heading: ``Open actions (12)``."""
    return f"{title} ({n})"


def listed(*, title: str, n: int) -> str:
    """The fallback text of ``action list``'s reply."""
    return f"{title}: {n}"


ADD_FORM = "Add an action"


def update_form(*, ref: str) -> str:
    """The update form's title."""
    return f"Update {ref}"


def snooze_form(*, ref: str) -> str:
    """The snooze form's title."""
    return f"Snooze {ref}"


NO_SARA = "None (not problem-solving)"

# What a closed group cannot be given (partnership.lookup.find_open_group).
NEW_ACTION = "a new action"
