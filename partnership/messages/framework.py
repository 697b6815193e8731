"""What the command framework says: unknown commands, argument parsing, help."""

from __future__ import annotations


def quote_not_closed(*, shown: str) -> str:
    """A quote opened and never closed."""
    return (
        f"The quote that starts `{shown}` is never closed. Put a matching quote at the "
        'end of the phrase (`"like this"`), or leave the quotes out.'
    )


def key_without_value(*, key: str) -> str:
    """``due:`` with nothing after it."""
    return f"`{key}:` has nothing after it: give it a value, `{key}:<value>`, or leave it out."


def key_twice(*, key: str) -> str:
    """The same key given twice."""
    return f"`{key}:` is given twice; give it once."


def not_understood(*, shown: str, line: str) -> str:
    """Words left over that the command has no place for."""
    return f"I didn't understand `{shown}`. Type it as: `{line}`"


def keep_as_words(*, key: str, rest: str) -> str:
    """How to keep a ``word:`` as words of the command's free text."""
    return f' To keep `{key}:` as words of the {rest}, put them in quotes (`"{key}: …"`).'


def unknown_key(
    *, keys_typed: str, one: bool, command: str, near: str, keys: str, keep: str, line: str
) -> str:
    """A ``key:`` (or several) that the command does not know."""
    what = "is not something" if one else "are not things"
    mean = f" Did you mean `{near}`?" if near else ""
    has = f"Its keys are {keys}." if keys else "It takes no `key:value`."
    return (
        f"{keys_typed} {what} `/csp {command}` understands, so nothing was saved.{mean} "
        f"{has}{keep} Type it as: `{line}`"
    )


TYPED_BACK = "What you typed, to copy and change:"


def did_you_mean(*, near: str | None) -> str:
    """The hint after an unknown command, or nothing."""
    return f" Did you mean `/csp {near}`?" if near else ""


def not_a_command_in_topic(*, typed: str, hint: str, topic: str, names: str) -> str:
    """``/csp action lsit``: the topic is known, the command is not."""
    return f"`/csp {typed}` is not a command.{hint} The {topic} commands: {names}."


def not_a_command(*, typed: str, hint: str) -> str:
    """``/csp frobnicate``."""
    return f"`/csp {typed}` is not a command.{hint} Type `/csp help` to see them all."


def too_long(*, length: int, limit: int) -> str:
    """A command longer than Slack allows."""
    return (
        f"That command is {length:,} characters long; Slack allows {limit:,}. "
        "Shorten the note, or attach long reports to the quarterly return."
    )


def no_help_topic(*, topic: str, topics: str) -> str:
    """``/csp help`` of a topic that does not exist."""
    return f"There is no help topic `{topic[:40]}`. Topics: {topics}."


HELP_TEXT = "csp-bot help"
