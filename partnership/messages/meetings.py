"""What the meeting commands say, and choosing the meeting a digest is for."""

from __future__ import annotations


def nothing_saved(*, problem: str) -> str:
    """A meeting problem, and that nothing was saved."""
    return f"{problem} Nothing was saved."


def nothing_changed(*, problem: str) -> str:
    """A meeting problem, and that nothing was changed."""
    return f"{problem} Nothing was changed."


GIVE_DATE = "Give the meeting's date, such as `/csp meeting add 21/01/2027 10:00`."
SAY_WHICH_MOVE = (
    "Say which meeting and where it moves: `/csp meeting move 21/01/2027 to 28/01/2027`. "
    "Nothing was changed."
)


def already_meets(*, label: str, dates: str) -> str:
    """Every day asked for is in the calendar already."""
    return (
        f"The {label} already meets on {dates}: nothing was "
        "added. Move a meeting with `/csp meeting move <date> to <date>`."
    )


def count_meetings(*, n: int) -> str:
    """``3 meetings``."""
    return f"{n} meeting{'s' if n != 1 else ''}"


def added(*, n: int) -> str:
    """The fallback text of ``meeting add``'s reply."""
    return f"{count_meetings(n=n)} added"


def to_confirm(*, n: int) -> str:
    """The fallback text of a series waiting to be confirmed."""
    return f"{n} meetings to confirm"


def cancelled(*, date: str) -> str:
    """The fallback text of ``meeting cancel``'s reply."""
    return f"Meeting on {date} cancelled"


def moved(*, date: str) -> str:
    """The fallback text of ``meeting move``'s reply."""
    return f"Meeting moved to {date}"


ADD_THEM = (
    "Add the meeting dates with `/csp meeting add` (a series: `/csp meeting add every "
    "third Thursday of Jan, Mar and May`), or in the plan file's `meetings:` section and "
    "import it again (`csp-bot import PLAN.yaml`)."
)


def none_coming(*, group: str, partnership: str, last: str | None) -> str:
    """No meeting ahead for a digest; ``last`` is the last one's date, if any."""
    was = f" (the last was on {last})" if last else ""
    return f"No {group} meeting is coming up in {partnership}{was}. {ADD_THEM}"


def not_a_meeting_date(*, text: str, hint: str, example: str) -> str:
    """A meeting date that does not read."""
    said = f": {hint} " if hint else ". "
    return (
        f"`{text[:40]}` is not a date I can read{said}"
        f"Give the meeting's date, day first, such as `{example}`."
    )


def coming_up(*, dates: str) -> str:
    """The meetings ahead, or how to add some."""
    return f"Coming up: {dates}." if dates else "None is coming up. " + ADD_THEM


def meeting_passed(*, day: str, coming: str) -> str:
    """A digest asked for a meeting that has been held."""
    return (
        f"The meeting on {day} has passed; a digest shows where things stand before "
        f"a meeting. {coming}"
    )


def no_meeting_on(*, group: str, day: str, coming: str) -> str:
    """A digest asked for a day with no meeting."""
    return f"There is no {group} meeting on {day}. {coming}"


# What a closed group cannot be given (partnership.lookup.find_open_group).
NEW_MEETING = "a new meeting"
