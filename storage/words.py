"""Small wording helpers shared by the command line, the commands and the templates.

One place for counted nouns (``1 action``, ``2 actions``), spans of days as
people say them (``12 days``, ``5 months``, ``7 years``), the nearest known
word to a typo, and what each action field is called, so every reply, history
line and export says the same thing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Nouns whose plural is not the rule's.
_IRREGULAR = {"person": "people", "child": "children"}
_SIBILANT = ("s", "x", "z", "ch", "sh")

# Up to this many days a span is counted in days; then months, then years.
DAYS_UP_TO = 60
MONTHS_UP_TO = 730

# What each action field is called wherever it is shown (history, details, export).
FIELD_LABELS = {
    "ref": "Ref",
    "title": "Title",
    "objective": "Objective",
    "measure_of_success": "Measure of success",
    "owner": "Owner",
    "lead_organisation": "Lead organisation",
    "partners": "Partners",
    "priority": "Priority",
    "subgroup": "Sub-group",
    "due_date": "Due",
    "timescale": "Timescale",
    "status": "Status",
    "rag": "RAG",
    "sara_stage": "SARA stage",
    "resources": "Resources",
    "risks": "Risks",
    "snoozed_until": "Snoozed until",
}


def plural_of(word: str) -> str:
    """The plural of a noun or phrase (its last word changes): ``open entry`` → ``open entries``."""
    head, _, last = word.rpartition(" ")
    lower = last.lower()
    if lower in _IRREGULAR:
        many = _IRREGULAR[lower]
    elif lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        many = last[:-1] + "ies"
    elif lower.endswith(_SIBILANT):
        many = last + "es"
    else:
        many = last + "s"
    return f"{head} {many}" if head else many


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 action``, ``2 actions``, ``0 people``: the count and the noun that agrees with it."""
    return f"{count} {word if count == 1 else (many or plural_of(word))}"


def how_long(days: int) -> str:
    """A span of days as people say it: ``12 days``, ``5 months``, ``7 years``.

    Thousands of days (a plan's action from years ago) mean nothing to a reader;
    past two months the span is counted in whole months, past two years in years.
    """
    if days <= DAYS_UP_TO:
        return plural(days, "day")
    if days < MONTHS_UP_TO:
        return plural(days * 12 // 365, "month")
    return plural(days // 365, "year")


def days_and_working_days(days: int, after: str, working: int) -> str:
    """``31 days ago (22 working days)``: calendar days first, as people count, then working days.

    Deadlines are set in working days, so both figures matter; said together they
    read as one span, not two contradicting ones. ``after`` is the word that
    follows the days ("ago", "overdue").
    """
    said = f"{plural(days, 'day')} {after}"
    return said if working == days else f"{said} ({plural(working, 'working day')})"


def nearest(typed: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known word closest to what was typed, or None when nothing is close."""
    close = difflib.get_close_matches(typed, list(known), n=1, cutoff=cutoff)
    return close[0] if close else None


def field_label(name: str) -> str:
    """What an action field is called everywhere it is shown (``subgroup`` → ``Sub-group``)."""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
