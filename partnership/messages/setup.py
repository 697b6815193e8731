"""What the bot says about setting a partnership up from Slack (``/csp setup``)."""

from __future__ import annotations

WHO_MAY = (
    "the person who installed csp-bot in this workspace, a workspace admin or owner, "
    "a coordinator of a partnership already set up here, or someone the bot's operator "
    "named (in CSP_SETUP_USERS, or with a one-time code from `csp-bot setup-code`)"
)
CODE_INVALID = (
    "That set-up code is not one the bot issued. Check it with whoever runs the bot "
    "(they print one with `csp-bot setup-code`), then type `/csp setup code:XXXX-XXXX-XXXX`."
)
CODE_EXPIRED = (
    "That set-up code has expired (a code lasts a day). Ask whoever runs the bot for a "
    "new one (`csp-bot setup-code`)."
)
CODE_USED = (
    "That set-up code has already been used, and a code works once. Ask whoever runs the "
    "bot for a new one (`csp-bot setup-code`)."
)
SETUP_USAGE = "Type `/csp setup` to open the set-up form, or `/csp setup code:XXXX-XXXX-XXXX`."
FORM_FAILED = "Slack would not open the set-up form. Please type `/csp setup` again."
NAME_MISSING = "Give the partnership's name, e.g. Riverside Community Safety Partnership."
SLUG_MISSING = "Give a short name: lower-case letters, digits and hyphens, e.g. riverside."
SLUG_BAD = (
    "A short name is lower-case letters, digits and hyphens (at most 64), starting with a "
    "letter or digit, e.g. riverside or north-district."
)
NATION_BAD = "Choose England or Wales (it decides the bank holidays)."
BOARD_NAME_MISSING = "Give the Leadership Group's name, e.g. Leadership Group or Board."
MAIN_MISSING = "Choose the partnership's main channel."
CHANNEL_BAD = "Choose a channel from the list."
COUNTY_BAD = "Choose a county board from the list (a partnership in this workspace)."
YOUR_NAME_MISSING = "Give your name as the plan should show it."
CONSOLE = (
    "The set-up form opens in Slack: type `/csp setup` there. On the command line, start "
    "a partnership with `csp-bot import PLAN.yaml`, or a table with `csp-bot import "
    'TABLE.xlsx --partnership "Name" --create --coordinator "Full Name"`.'
)
FIX_FIELDS = "Some values need fixing; nothing was saved."


def too_long(*, label: str, limit: int) -> str:
    """A value longer than its field allows."""
    return f"{label} can be at most {limit} characters; shorten it."


def slug_taken(*, slug: str) -> str:
    """The short name is another partnership's."""
    return f"`{slug}` is already another partnership's short name; choose another, e.g. {slug}-2."


def channel_taken() -> str:
    """The channel belongs to another partnership (which is not named: it may not be yours)."""
    return (
        "That channel already belongs to another partnership; choose a different one, or "
        "ask that partnership's coordinator to release it."
    )


def refused(*, action: str = "set up a partnership") -> str:
    """Someone who may not set up a partnership tried to."""
    return f"Sorry, you can't {action} in this workspace: only {WHO_MAY} can."


def set_up(*, name: str, slug: str) -> str:
    """The short confirmation line once a partnership is set up."""
    return f"{name} ({slug}) is set up, and you are its coordinator."


def code_printed(*, code: str, hours: int) -> str:
    """What ``csp-bot setup-code`` prints."""
    return (
        f"Set-up code: {code}\n"
        f"Valid for {hours} hours, once. Give it to the person who will set the partnership "
        f"up; they type in Slack:\n  /csp setup code:{code}"
    )


# The welcome's notification text.
WELCOME_TEXT = "csp-bot: getting started"
