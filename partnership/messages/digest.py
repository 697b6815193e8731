"""What the digest commands say: who may preview, who would receive it, sending it."""

from __future__ import annotations


def may_not_preview(*, names: list[str], partnership: str) -> str:
    """The refusal to preview the digest; ``names`` the coordinators."""
    who = f" ({', '.join(names)})" if names else ""
    return (
        f"Sorry, only the chairs and coordinators{who} of {partnership} can preview "
        "the digest before it is sent. It goes to the chairs and the board channel a few "
        "working days before each meeting; `/csp priority status` shows where every "
        "priority stands now."
    )


def by_dm(*, name: str) -> str:
    """A chair the digest goes to."""
    return f"{name} (direct message)"


THE_BOARD_CHANNEL = "the board channel"


def sent_to(*, name: str, when: str, state: str) -> str:
    """One line of where a digest went: ``to Chris Chair on … (sent)``."""
    return f"to {name} on {when} ({state})"


def preview(*, summary: str) -> str:
    """The fallback text of a preview."""
    return "Preview — " + summary


SEND_IN_SLACK_ONLY = (
    "`/csp digest send` posts to the chairs and the board channel in Slack, so it works "
    "only in Slack. Here, preview it with `/csp digest preview`, or write the board "
    "papers with `csp-bot digest --format html`. Nothing was sent."
)


def next_one_first(*, first: str, asked: str) -> str:
    """A send asked for a meeting after the next one."""
    return (
        f"The meeting on {first} comes before the one on {asked}; "
        "a digest reports what changed since the meeting before it, so only the next "
        f"meeting's digest can be sent: `/csp digest send {first}`. Nothing was sent."
    )


def sent_already(*, when: str) -> str:
    """The fallback text of a send that went before."""
    return f"The digest for {when} was sent already"


def nobody_to_send_to(*, offline: list[str], partnership: str) -> str:
    """No chair on Slack and no board channel; ``offline`` the chairs not on Slack."""
    missing = f" ({', '.join(offline)} not on Slack)" if offline else ""
    return (
        f"Nobody would receive the digest: no chair is on Slack{missing} and "
        f"{partnership} has no board channel. Add a chair's Slack id "
        "(`/csp person add @name role:chair`) or a board channel "
        "(`/csp settings board_channel:#csp-board`), then try again. Nothing was sent."
    )


def sending(*, when: str) -> str:
    """The fallback text of a send under way."""
    return f"Sending the digest for {when}"
