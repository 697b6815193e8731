"""What reporting cycles say: naming a period of a cycle, setting a group's cycle."""

from __future__ import annotations

NO_MEETINGS = "none is set yet"
GROUP_CYCLE_NEEDED = (
    "Say the group's reporting cycle: "
    '`/csp group cycle "ASB Steering Group" twice a year: September, March`, '
    "`before each meeting: 5 working days`, `monthly`, `quarterly`, `not asked`, "
    "or `partnership` to follow the partnership's."
)


def not_a_period(*, typed: str, cycle: str, hint: str) -> str:
    """Text that does not name a period of the group's cycle."""
    return f"`{typed[:40]}` is not a period of this cycle ({cycle}); name {hint}."


def period_field(*, cycle: str) -> str:
    """A form field's short hint for a period of a cycle."""
    return f"A period of: {cycle}"[:150]


def not_started(*, period: str, current: str) -> str:
    """A period that has not begun."""
    now = f"; the current one is {current}" if current else ""
    return f"{period} has not started yet, so it has no report{now}."


def no_such_meeting(*, day: str, near: str) -> str:
    """A meeting date the Leadership Group does not meet on."""
    return (
        f"The Leadership Group has no meeting on {day}; "
        f"its meetings near then: {near}. `/csp meeting list` shows them all."
    )


def meeting_not_open(*, meeting: str, next: str) -> str:
    """A meeting after the next one: its report is not asked for yet."""
    return f"Reports for {meeting} are not asked for yet; the next is for {next}."


def no_period(*, group: str, cycle: str) -> str:
    """A group whose cycle has no period to report on (no meetings set, or not asked)."""
    if cycle == "not asked":
        return f"{group} is not asked for reports. {GROUP_CYCLE_NEEDED}"
    return (
        f"{group} reports {cycle}, but no Leadership Group meeting is set; "
        "a coordinator can add one with `/csp meeting add`."
    )


def not_owed(*, group: str, period: str, cycle: str) -> str:
    """A period the group is not asked to report on."""
    return f"{group} is not asked for a report for {period} (its cycle: {cycle})."


def bad_cycle(*, message: str) -> str:
    """A cycle that could not be read."""
    return f"{message[:300]}."


def group_cycle(*, group: str, cycle: str, own: bool) -> str:
    """A group's cycle set (or put back to the partnership's)."""
    if own:
        return f"{group} now reports {cycle}."
    return f"{group} now follows the partnership's reporting cycle ({cycle})."


def noun(*, kind: str) -> str:
    """What a period's report is called: ``quarterly return``, ``half-year return``..."""
    return {
        "quarterly": "quarterly return",
        "twice": "half-year return",
        "monthly": "monthly return",
    }.get(kind, "return")


def heading(*, kind: str) -> str:
    """The returns list's heading for a cycle: ``Quarterly returns``..."""
    return noun(kind=kind).capitalize() + "s"


def period_word(*, kind: str) -> str:
    """A cycle's period in one word: quarter, half-year, month, meeting."""
    return {"quarterly": "quarter", "twice": "half-year", "monthly": "month"}.get(kind, "meeting")
