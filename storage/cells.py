"""What a cell value of an action table means.

A cell becomes text as the spreadsheet shows it; a generic lead cell is told
apart as an organisation ("Gloucestershire Constabulary") or a person ("Kath
Rees") and split into names ("A, B", "A & B"); a RAG or status cell is read
however it is written ("Amber", "B", "Complete", "Amber/Red").
:mod:`storage.table_rows` uses these to turn each row into an action.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from storage.dates import uk
from storage.export import unescape_formula
from storage.models import Rag, Status
from storage.words import RAG_WORDS, STATUS_WORDS, fold

# Organisation-looking cell values in a generic lead column.
_ORG_VALUE = re.compile(
    r"\b(police|constabulary|councils?|services?|trusts?|nhs|boards?|partnerships?|teams?"
    r"|support|housing|cic|ltd|limited|plc|probation|fire|opcc|pcc|icb|ccg|homes?|groups?"
    r"|projects?|agenc(y|ies)|authorit(y|ies)|departments?|public health|associations?"
    r"|charity|college|school|university|centre|center|forum|network|unit|office"
    r"|commissioner|foundation|hmpps|dwp|youth justice|trading standards|community safety)\b",
    re.IGNORECASE,
)
PLACEHOLDERS = {"tbc", "tba", "tbd", "n/a", "na", "none", "-", "?", "unknown", "not known"}
# Collective or undecided answers to "who?" ("All partners", "others TBC"): kept
# as partners text rather than made into a person who would then be chased.
COLLECTIVE = re.compile(
    r"\b(all|others?|various|partners|agencies|members|tbc|tba|tbd|etc)\b", re.IGNORECASE
)

# "A, B" / "A; B" / "A / B" / new lines always separate names; "&" and "and"
# only separate names when every piece looks like a person's name, so that
# "Fire & Rescue Service" stays whole.
_STRONG_SPLIT = re.compile(r"\s*(?:[,;/\n]|\s[-–]\s)\s*")
_WEAK_SPLIT = re.compile(r"\s+(?:&|and|\+)\s+", re.IGNORECASE)
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")

# How a RAG or status cell may be written beyond the tables of storage.words.
_STATE_EXTRA: dict[str, tuple[Status | None, Rag | None]] = {
    "blue": (Status.COMPLETE, None),
    "b": (Status.COMPLETE, None),
    "y": (Status.COMPLETE, None),
    "yes": (Status.COMPLETE, None),
    "n": (None, None),
    "no": (None, None),
    "n/a": (None, None),
    "na": (None, None),
    "not applicable": (None, None),
    "-": (None, None),
    "tbc": (None, None),
    "on track": (None, Rag.GREEN),
    "off track": (None, Rag.RED),
    "at risk": (None, Rag.AMBER),
    "slipping": (None, Rag.AMBER),
    "delayed": (None, Rag.AMBER),
    "partial": (Status.IN_PROGRESS, None),
    "partially": (Status.IN_PROGRESS, None),
    "partly": (Status.IN_PROGRESS, None),
    "part complete": (Status.IN_PROGRESS, None),
}
_STATE_SPLIT = re.compile(r"\s*(?:/|,|;|&|\+|\(|\)|\s[-–]\s|\band\b|\bto\b|\bthen\b)\s*")
_RAG_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}
_STATE_HELP = (
    "write Red, Amber or Green (R, A, G; Blue when complete), "
    "or a status: not started, in progress, complete or dropped"
)

# Words of a Priority column that rates urgency instead of naming a plan priority.
URGENCY = {"high", "medium", "med", "low", "h", "m", "l", "urgent", "critical", "very high"}

EXCEL_ERRORS = {
    "#N/A",
    "#REF!",
    "#VALUE!",
    "#DIV/0!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
}


def cell_text(value: Any) -> str | None:
    """A cell as text: numbers without '.0', dates the UK way, formula escapes undone."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "Yes" if value else "No"
    elif isinstance(value, dt.datetime):
        text = uk(value.date())
    elif isinstance(value, dt.date):
        text = uk(value)
    elif isinstance(value, dt.time):
        text = value.strftime("%H:%M")
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else format(value, ".15g")
    else:
        text = str(value)
    text = text.strip()
    return unescape_formula(text) if text else None


def looks_like_organisation(name: str) -> bool:
    """True for "Gloucestershire Constabulary", "Victim Support", "SDC"; False for a person."""
    if _ORG_VALUE.search(name):
        return True
    letters = [ch for ch in name if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _person_like(text: str) -> bool:
    """Two to four name-like words and nothing organisational: "Kath Rees"."""
    words = text.split()
    return (
        2 <= len(words) <= 4
        and not looks_like_organisation(text)
        and all(_NAME_WORD.fullmatch(w) for w in words)
    )


def split_names(text: str) -> list[str]:
    """Split "Emily Bolland, Jennie Watkins" or "A & B" into names; placeholders dropped."""
    if fold(text) in PLACEHOLDERS:
        return []
    out: list[str] = []
    for part in _STRONG_SPLIT.split(text):
        part = part.strip()
        if not part or fold(part) in PLACEHOLDERS:
            continue
        pieces = [p.strip() for p in _WEAK_SPLIT.split(part) if p.strip()]
        if len(pieces) > 1 and all(_person_like(p) for p in pieces):
            out.extend(pieces)
        else:
            out.append(part)
    return out


def parse_state(text: str) -> tuple[Status | None, Rag | None]:
    """Read a RAG or status cell: "Amber", "B", "Complete", "Y", "Amber/Red" (the worse)."""
    key = fold(text).rstrip(".")
    found = _state_word(key)
    if found is not None:
        return found
    statuses: list[Status] = []
    rags: list[Rag] = []
    parts = [p for p in _STATE_SPLIT.split(key) if p.strip()]
    for part in parts:
        one = _state_word(part.strip())
        if one is None:
            raise ValueError(f"{text!r} is not a RAG rating or a status; {_STATE_HELP}")
        if one[0] is not None:
            statuses.append(one[0])
        if one[1] is not None:
            rags.append(one[1])
    if not parts:
        raise ValueError(f"{text!r} is not a RAG rating or a status; {_STATE_HELP}")
    rag = max(rags, key=_RAG_ORDER.__getitem__) if rags else None
    return (statuses[0] if statuses else None), rag


def _state_word(key: str) -> tuple[Status | None, Rag | None] | None:
    """One word or phrase from the status, RAG and extra tables, or None."""
    for candidate in (key, key.replace("-", " ")):
        if candidate in STATUS_WORDS:
            return STATUS_WORDS[candidate], None
        if candidate in RAG_WORDS:
            return None, RAG_WORDS[candidate]
        if candidate in _STATE_EXTRA:
            return _STATE_EXTRA[candidate]
    return None


__all__ = [
    "COLLECTIVE",
    "EXCEL_ERRORS",
    "PLACEHOLDERS",
    "URGENCY",
    "cell_text",
    "looks_like_organisation",
    "parse_state",
    "split_names",
]
