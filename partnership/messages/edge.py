"""What the doors into the bot say: who you are, forms that fail, errors that are ours.

Used by the Slack edge (``bot/slack/``) and the console; the front door's own
transport sentences (a request that came twice) stay with it.
"""

from __future__ import annotations

UNKNOWN_PERSON = (
    "I don't know you yet: you are not in any partnership's plan in this workspace. "
    "Ask your partnership's coordinator to add you (`/csp person add @you`)."
)


def not_in_partnership(*, slug: str, yours: list[str]) -> str:
    """``in:<slug>`` naming a partnership the person is not in."""
    return (
        f"You are not in a partnership called `{slug}`. Yours: "
        + ", ".join(f"`{s}`" for s in yours)
        + "."
    )


def which_partnership(*, names: str, first: str) -> str:
    """Someone in several partnerships typing outside their channels."""
    return (
        f"You are in several partnerships here: {names}. Type the command in the "
        f"partnership's channel, or start it with `in:<slug>`, e.g. "
        f"`/csp in:{first} action list mine`."
    )


ON_IT = ":hourglass_flowing_sand: On it — I'll post the result here shortly."
OPENS_NO_FORM = "That command opens no form."
FORM_FAILED = "Slack would not open the form. Type `/csp return submit` instead."
LINK_FORM_FAILED = (
    'Slack would not open the form. Press the button again, or type `/csp person link "Full Name"`.'
)
STALE_FORM = (
    "This form could not be read, so nothing was saved. Close it and open it again "
    "(or type the command instead)."
)


def apology(*, reference: str) -> str:
    """An error that is ours, not the person's, with the reference the log has."""
    return (
        "Sorry, something went wrong on our side and nothing was saved. "
        "Please try again in a minute; if it keeps happening, tell your coordinator "
        f"(reference {reference})."
    )


APOLOGY_TEXT = "Sorry, something went wrong"
ACTION_CLASHED = (
    "Someone else changed that action at the same moment, so nothing was "
    "saved. Look at it again (`/csp action show <ref>`) and repeat your update."
)
CLASHED = (
    "That clashed with a change made at the same moment, so nothing was saved. Please try again."
)
ACTED_AS_GONE = "The person you were acting as is no longer in the plan; use /as."


def no_partnership(*, slug: str, known: str) -> str:
    """The console's ``in:<slug>`` naming no partnership; ``known`` lists them."""
    return f"There is no partnership `{slug}`. {known}"


def partnerships_here(*, slugs: str) -> str:
    """The console's list of partnerships."""
    return f"Partnerships here: {slugs or 'none'}."


def cannot_act_there(*, name: str, partnership: str, slug: str) -> str:
    """The console acting as someone not in the partnership ``in:`` names."""
    return (
        f"{name} is not in {partnership}'s plan, so `in:{slug}` cannot act "
        "there. Use `/as NAME` for someone who is, or `/as operator`."
    )
