"""What is said about people: coordinators, refusals naming who can, ``person add``."""

from __future__ import annotations


def coordinator_named(*, names: list[str]) -> str:
    """``a coordinator (Cora Coordinator)``, naming them, or ``a coordinator``."""
    return f"a coordinator ({', '.join(names)})" if names else "a coordinator"


def coordinator_or_none(*, names: list[str]) -> str:
    """``a coordinator (Cora Coordinator)``, or that the plan names none yet."""
    if not names:
        return "a coordinator (none is named in the plan yet)"
    return "a coordinator (" + ", ".join(names) + ")"


def either(*, parts: list[str]) -> str:
    """``a, b or c``."""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def only_coordinators(*, coordinator: str, doing: str, partnership: str) -> str:
    """The refusal of something only a coordinator may do."""
    return f"Sorry, only {coordinator} can {doing} in {partnership}."


def did_you_mean(*, name: str | None) -> str:
    """The hint after a name that is not in the plan, or nothing."""
    return f" Did you mean {name}?" if name else ""


SLACK_USER_IS = "That Slack user is"


def not_in_plan(*, who: str, partnership: str, hint: str) -> str:
    """A person who is not in the plan; ``who`` is ``That Slack user is`` or the name and ``is``."""
    return (
        f"{who} not in {partnership}'s plan.{hint} Use a name from the plan "
        'in quotes (`owner:"Kath Rees"`) or @mention them; a coordinator can add people '
        "with `/csp person add`."
    )


def named_is(*, shown: str) -> str:
    """``\\`Kath\\` is``, the start of :func:`not_in_plan` for a typed name."""
    return f"`{shown[:60]}` is"


def already_linked(*, name: str, partnership: str) -> str:
    """A Slack account already linked to someone else."""
    return (
        f"That Slack account is already linked to {name} in {partnership}. "
        "One Slack account is one person: check whom you named."
    )


def already_linked_field(*, name: str) -> str:
    """The form field's note for :func:`already_linked`."""
    return f"Already linked to {name}"


def give_full_name(*, slack: bool, usage: str) -> str:
    """Someone named only by a Slack account or address that no one in the plan has."""
    start = "That Slack account is" if slack else "They are"
    return f"{start} not linked to anyone in the plan yet; give their full name: {usage}"


def one_at_a_time(*, usage: str) -> str:
    """More than one person mentioned."""
    return f"Mention one person at a time: {usage}"


EMAIL_TOO_LONG = "That email address is too long."


def name_twice(*, words: str, usage: str) -> str:
    """A name given both as words and as ``name:``."""
    return (
        f'I didn\'t understand `{words[:60]}`: give the name once, as `name:"Full Name"`. '
        f"Type it as: {usage}"
    )


def not_a_name(*, name: str, usage: str) -> str:
    """A name with mention characters in it."""
    return f"`{name[:60]}` is not a name; write it as the plan does, in quotes: {usage}"


def who(*, usage: str) -> str:
    """``person add`` naming nobody."""
    return f"Who? Mention them or give their name: {usage}"


def not_a_role(*, text: str) -> str:
    """A word that is not a role."""
    return (
        f"`{text[:30]}` is not a role; use `role:lead`, `role:member`, "
        "`role:chair` or `role:coordinator`."
    )


def not_an_email(*, text: str) -> str:
    """Text that is not an email address."""
    return f"`{text[:60]}` is not an email address; write `email:name@example.gov.uk`."


def only_coordinator(*, name: str, partnership: str) -> str:
    """Taking the coordinator role from the only coordinator."""
    return (
        f"{name} is {partnership}'s only coordinator. Make someone else "
        "a coordinator first (`role:coordinator`), then change this role."
    )


NO_SLACK_TO_ASK = "there is no Slack connection here to look the address up"


def added(*, name: str, created: bool) -> str:
    """The fallback text of ``person add``'s reply."""
    return f"{name} {'added' if created else 'updated'}"


def who_in(*, who: str, partnership: str) -> str:
    """The fallback text of ``whoami`` for someone not in the plan (or the operator)."""
    return f"{who} in {partnership}"


def who_as(*, name: str, role: str, partnership: str) -> str:
    """The fallback text of ``whoami``."""
    return f"{name} ({role}) in {partnership}"
