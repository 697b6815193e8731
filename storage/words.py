"""The words people type and read: one vocabulary for the whole bot.

What people type: the words they write for a status, a RAG rating, a role and
the other enumerations (``STATUS_WORDS`` ... ``SARA_WORDS``, read alike from a
plan file, a spreadsheet cell or a slash command), :func:`fold` to match them
however they are spaced or capitalised, :func:`slugify` for a short identifier
made from a name, and the nearest known word to a typo.

What people read: counted nouns (``1 action``, ``2 actions``), spans of days as
people say them (``12 days``, ``5 months``, ``7 years``), and what each action
field is called, so every reply, history line and export says the same thing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from storage.models import Direction, GroupKind, OrgKind, Rag, Role, Sara, Status

# Words people write for our enumerations, folded to lower case with spaces.
STATUS_WORDS: dict[str, Status] = {
    "not started": Status.NOT_STARTED,
    "not yet started": Status.NOT_STARTED,
    "planned": Status.NOT_STARTED,
    "in progress": Status.IN_PROGRESS,
    "ongoing": Status.IN_PROGRESS,
    "on going": Status.IN_PROGRESS,
    "started": Status.IN_PROGRESS,
    "underway": Status.IN_PROGRESS,
    "under way": Status.IN_PROGRESS,
    "complete": Status.COMPLETE,
    "completed": Status.COMPLETE,
    "done": Status.COMPLETE,
    "closed": Status.COMPLETE,
    "achieved": Status.COMPLETE,
    "dropped": Status.DROPPED,
    "cancelled": Status.DROPPED,
    "canceled": Status.DROPPED,
    "withdrawn": Status.DROPPED,
    "no longer required": Status.DROPPED,
}
RAG_WORDS: dict[str, Rag] = {
    "r": Rag.RED,
    "red": Rag.RED,
    "a": Rag.AMBER,
    "amber": Rag.AMBER,
    "g": Rag.GREEN,
    "green": Rag.GREEN,
}
ROLE_WORDS: dict[str, Role] = {
    "chair": Role.CHAIR,
    "vice chair": Role.CHAIR,
    "vice-chair": Role.CHAIR,
    "coordinator": Role.COORDINATOR,
    "co-ordinator": Role.COORDINATOR,
    "lead": Role.LEAD,
    "member": Role.MEMBER,
}
ORG_WORDS: dict[str, OrgKind] = {
    "responsible authority": OrgKind.RESPONSIBLE_AUTHORITY,
    "responsible_authority": OrgKind.RESPONSIBLE_AUTHORITY,
    "statutory": OrgKind.RESPONSIBLE_AUTHORITY,
    "co-opted": OrgKind.CO_OPTED,
    "co_opted": OrgKind.CO_OPTED,
    "coopted": OrgKind.CO_OPTED,
    "co opted": OrgKind.CO_OPTED,
    "other": OrgKind.OTHER,
}
GROUP_WORDS: dict[str, GroupKind] = {
    "standing": GroupKind.STANDING,
    "task and finish": GroupKind.TASK_AND_FINISH,
    "task_and_finish": GroupKind.TASK_AND_FINISH,
    "task-and-finish": GroupKind.TASK_AND_FINISH,
    "task to finish": GroupKind.TASK_AND_FINISH,
}
DIRECTION_WORDS: dict[str, Direction] = {
    "higher": Direction.HIGHER,
    "higher is better": Direction.HIGHER,
    "up": Direction.HIGHER,
    "increase": Direction.HIGHER,
    "lower": Direction.LOWER,
    "lower is better": Direction.LOWER,
    "down": Direction.LOWER,
    "decrease": Direction.LOWER,
    "reduce": Direction.LOWER,
}
SARA_WORDS: dict[str, Sara] = {s.value: s for s in Sara}


def fold(text: str) -> str:
    """Lower-case and collapse white space, for matching what people type."""
    return " ".join(text.replace("_", " ").strip().lower().split())


def slugify(text: str) -> str:
    """A short lower-case identifier made from a name."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:64].rstrip("-") or "partnership"


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
