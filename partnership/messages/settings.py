"""What ``/csp settings`` says."""

from __future__ import annotations


def no_setting(*, key: str, keys: list[str]) -> str:
    """A ``reset:`` of a setting that does not exist."""
    return (
        f"There is no setting `{key}` to reset; the settings are "
        f"{', '.join(keys)}. Nothing was changed."
    )


def for_example(*, key: str, example: str) -> str:
    """`` For example `stale_days:45`.``, or nothing when there is no example."""
    return f" For example `{key}:{example}`." if example else ""


def bad_value(*, problem: str, hint: str) -> str:
    """A value the setting refuses (``problem`` is the setting's own words)."""
    return f"{problem}.{hint} Nothing was changed."


BOARD_ABOUT = "where the pre-meeting digest is posted (besides the chairs' DMs)"


def changed(*, keys: list[str]) -> str:
    """The fallback text of a reply that changed settings."""
    return f"Settings changed: {', '.join(keys)}"


def shown(*, partnership: str) -> str:
    """The fallback text of a reply that shows the settings."""
    return f"Settings of {partnership}"


def not_a_channel(*, text: str) -> str:
    """A ``board_channel:`` that is not a channel."""
    return (
        f"{text!r} is not a channel. Pick it in the message box with `#` "
        "(`board_channel:#csp-board`), or write `board_channel:none`. Nothing was changed."
    )


def channel_taken(*, taken: str) -> str:
    """A board channel another partnership uses; ``taken`` is storage's description."""
    return (
        f"That channel is {taken}; choose a different channel, or ask that "
        "partnership's coordinator to release it (`/csp settings board_channel:none`, or "
        "their plan file's `slack: channels:`). Nothing was changed."
    )
