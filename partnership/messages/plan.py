"""What finding a thing in the plan says: priorities, sub-groups, measures, organisations."""

from __future__ import annotations


def no_priority(*, text: str, partnership: str, codes: str) -> str:
    """A priority the plan does not have."""
    return f"There is no priority `{text[:40]}` in {partnership}. Its priorities: {codes}."


def no_group(*, text: str, partnership: str, names: str) -> str:
    """A sub-group the plan does not have."""
    return (
        f"There is no sub-group `{text[:60]}` in {partnership}. Its groups: {names}. "
        'Quote a name with spaces: `group:"ASB Steering Group"`.'
    )


def no_measure(*, text: str, several: bool, partnership: str, listed: str, more: int) -> str:
    """A measure the plan does not have, or that several match; ``more`` beyond those listed."""
    why = "matches several measures" if several else "is not a measure"
    tail = f" and {more} more" if more else ""
    return f"`{text[:60]}` {why} in {partnership}. Measures: {listed}{tail}."


def no_organisation(*, text: str, partnership: str, names: str) -> str:
    """An organisation the plan does not have."""
    return (
        f"There is no organisation `{text[:60]}` in {partnership}. Its organisations: "
        f'{names}. Quote a name with spaces: `org:"Riverside Police"`; new partners are '
        "added through the plan file."
    )


NO_PRIORITIES_YET = "no priorities yet"


def priority_status(*, summary: str) -> str:
    """The fallback text of ``priority status``: ``P1 red, P2 green``."""
    return f"Priority status: {summary or NO_PRIORITIES_YET}"
