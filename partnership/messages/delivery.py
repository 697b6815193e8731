"""What the scheduler says: the fallback text of each message it sends, and its outcomes.

A notification's fallback ``text`` is what Slack shows in a push notification
and to screen readers; the message itself is its template's Block Kit.
"""

from __future__ import annotations


def _n(n: int, word: str) -> str:
    """``1 lead``, ``2 leads`` (the words here all take an ``s``)."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def rollup(*, partnership: str, overdue: int) -> str:
    """The weekly roll-up to coordinators."""
    if overdue:
        return f"Weekly roll-up for {partnership}: {overdue} overdue"
    return f"Weekly roll-up for {partnership}: nothing overdue"


NO_GROUP = "Not in a sub-group"
NO_ORGANISATION = "No organisation named"

OUTCOME_WORDS = {
    "sent": "sent",
    "recovered": "sent",
    "already": "already sent earlier — not sent again",
    "busy": "being sent by another process right now",
    "retry": "Slack did not take it; the bot will try again in a few minutes",
    "failed": "could not be delivered; the coordinators will be told why",
}


def digest_sent(*, when: str, sent: int, recipients: int) -> str:
    """``/csp digest send`` done."""
    return f"Digest for the meeting on {when} sent to {sent} of {_n(recipients, 'recipient')}"


def return_due(*, group: str, quarter: str, overdue: bool, weekday: str, deadline: str) -> str:
    """A reminder or chase to a group's lead about its return."""
    what = "overdue" if overdue else f"due {weekday} {deadline}"
    return f"{group}: {quarter} return {what}"


def returns_missing(*, n: int, quarter: str) -> str:
    """The coordinators' list of returns missing."""
    return f"{n} {quarter} return{'s' if n != 1 else ''} missing"


def _count(n: int, one: str, many: str) -> str:
    return f"One {one}" if n == 1 else f"{n} {many}"


def nudge_overdue(*, n: int, partnership: str) -> str:
    """An owner's nudge about overdue actions."""
    return f"{_count(n, 'of your actions is', 'of your actions are')} overdue in {partnership}"


def nudge_stale(*, n: int, days: int, partnership: str) -> str:
    """An owner's nudge about actions with no update."""
    return (
        f"{_count(n, 'of your actions has', 'of your actions have')} "
        f"had no update for {_n(days, 'day')} in {partnership}"
    )


CHASE_OUR_SIDE = (
    "something went wrong on our side; chase again in a few minutes (nobody is messaged twice)"
)


def chased(*, leads: int, actions: int, already: int) -> str:
    """``/csp chase`` done; ``already`` the leads chased earlier today."""
    text = f"Chased {_n(leads, 'lead')} about {_n(actions, 'action')}"
    if already:
        text += f"; {already} already chased today"
    return text


def meeting_moved(*, group: str, old: str, new: str) -> str:
    """Those the digest went to, told the meeting moved."""
    return f"The {group} meeting on {old} has moved to {new}"


def undelivered(*, n: int) -> str:
    """The coordinators told scheduled messages could not be delivered."""
    return f"{n} scheduled message{'s' if n != 1 else ''} could not be delivered"


def meeting_cancelled(*, group: str, date: str) -> str:
    """Those the digest went to, told the meeting is cancelled."""
    return f"The {group} meeting on {date} is cancelled"
