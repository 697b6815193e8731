"""What a column header of an action table means.

Every partnership names its columns its own way ("Key action", "What are we
going to do?", "Lead Officer/Agency", "When by?"). This module maps a header to
an :class:`ActionIn` field by exact synonym first, then by a close spelling
(difflib, for typos), then by key words, finds the header row among a sheet's
first rows, and gives each field one column; :mod:`storage.table_rows` reads
the rows below it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from storage.cells import cell_text

LEAD = "lead"
"""Pseudo-field of a generic lead column: owner or lead organisation, decided per cell."""

# Exact header synonyms per field, written as people write them; normalised below.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": (
        "Action",
        "Actions",
        "Key action",
        "Key actions",
        "What are we going to do?",
        "What will we do?",
        "Initiative/Action",
        "Initiative",
        "Initiatives",
        "How will we achieve our aims?",
        "Task",
        "Tasks",
        "Activity",
        "Activities",
        "Action description",
        "Description of action",
    ),
    "owner": (
        "Action Owner",
        "Owner",
        "Nominated lead officer",
        "Lead Officer",
        "Lead officers",
        "Responsible officer",
        "Lead person",
        "Named lead",
        "Actioner",
        "Actioned by",
    ),
    "lead_organisation": (
        "Lead organisation",
        "Lead organization",
        "Lead agency",
        "Lead partner",
        "Lead body",
        "Organisation",
        "Organization",
        "Agency",
    ),
    LEAD: (
        "Lead",
        "Leads",
        "Lead(s)",
        "Lead Officer/Agency",
        "Lead agency/officer",
        "Who will lead?",
        "Who",
        "Led by",
        "Responsible",
        "Responsibility",
        "Who is responsible?",
    ),
    "due": (
        "Timescale",
        "Timescales",
        "Time scale",
        "When by?",
        "By when",
        "When",
        "Target completion date",
        "Completion Date",
        "Due",
        "Due date",
        "Deadline",
        "Target date",
        "Date due",
    ),
    "measure_of_success": (
        "Measure of success",
        "Measures of success",
        "How will we know we have succeeded?",
        "Outcome",
        "Outcomes",
        "Success measure",
        "Success measures",
        "Outcome measure",
        "Measures",
        "Measure",
        "How will we measure success?",
        "Expected outcome",
    ),
    "rag": ("RAG", "RAG Rating", "RAG status", "BRAG", "RAG rating (R/A/G)"),
    "status": ("Status", "Progress status", "Complete Y/N", "Complete?", "Completed?", "Done?"),
    "note": (
        "Progress Update",
        "Update",
        "Updates",
        "Notes",
        "Note",
        "Progress",
        "Comments",
        "Comment",
        "Latest update",
        "Commentary",
        "Progress to date",
        "Progress notes",
    ),
    "ref": ("Ref", "Ref.", "Reference", "No.", "Action ref", "Action No.", "ID", "#", "Ref no"),
    "priority": ("Priority", "Priority area", "Theme", "Strategic priority", "Priority theme"),
    "priority_title": ("Priority title", "Priority name", "Priority description"),
    "group": (
        "Sub-group",
        "Subgroup",
        "Group",
        "Action group",
        "Delivery group",
        "Working group",
        "Sub-group responsible",
    ),
    "objective": (
        "Objective",
        "Objectives",
        "Key objective",
        "Key objectives",
        "Aim",
        "Aims",
        "What will we aim to achieve?",
    ),
    "resources": ("Resources", "Funding", "Budget", "Resources required", "Cost"),
    "risks": ("Risks", "Associated risks", "Risk"),
    "partners": (
        "Partners",
        "Supporting partners",
        "Key partners",
        "Partner agencies",
        "Other partners",
        "Delivery partners",
    ),
    "sara": ("SARA", "SARA stage"),
}

# What the mapping report calls each field.
FIELD_LABELS: dict[str, str] = {
    "title": "action (title)",
    "owner": "owner, a person (owner)",
    "lead_organisation": "lead organisation (lead_organisation)",
    LEAD: "lead: a person becomes the owner, an organisation the lead organisation (per cell)",
    "due": "due date, or a free-text timescale (due)",
    "measure_of_success": "measure of success (measure_of_success)",
    "rag": "RAG rating (rag)",
    "status": "status (status)",
    "note": "latest progress update (note)",
    "ref": "reference (ref)",
    "priority": "priority (priority)",
    "priority_title": "priority's title, for a priority new to the bot (priority_title)",
    "group": "sub-group (group)",
    "objective": "objective (objective)",
    "resources": "resources (resources)",
    "risks": "risks (risks)",
    "partners": "partners (partners)",
    "sara": "SARA stage (sara)",
}

# Key-word fallback, checked in this order. The action itself comes last so
# that "Action ref" and "Action status" find their own field first, and a
# person or organisation word beats the generic lead and action words
# ("Action Owner" is an owner).
_PERSON_WORDS = r"\b(owners?|officers?|responsible|person|named|contact|actioner)\b"
_ORG_HEADER_WORDS = r"\b(organi[sz]ations?|agenc(y|ies)|body|bodies)\b"
_KEYWORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), target)
    for pattern, target in (
        (r"\bsara\b", "sara"),
        (r"\b(b?rag)\b", "rag"),
        (r"\b(ref|reference|id)\b|^(action )?(no|number)$", "ref"),
        (r"\b(sub ?groups?|groups?|forums?)\b", "group"),
        (r"\b(priorit(y|ies)|themes?)\b", "priority"),
        (r"\b(objectives?|aims?)\b", "objective"),
        (r"\b(measures?|success|outcomes?|kpis?|indicators?|evidence)\b", "measure_of_success"),
        (r"\brisks?\b", "risks"),
        (r"\b(resources?|funding|budget|costs?)\b", "resources"),
        (r"\b(due|deadline|time ?scales?|when|dates?|target)\b", "due"),
        (r"\b(updates?|notes?|comments?|commentary)\b", "note"),
        (r"\b(status|complete|completed|done)\b", "status"),
        (r"\bprogress\b", "note"),
        (r"\bpartners?\b", "partners"),
        (r"\b(leads?|led|who)\b", LEAD),
        (r"\b(actions?|initiatives?|activit(y|ies)|tasks?|what|how)\b", "title"),
    )
)
# Record-keeping dates ("Date raised", "Start date", "Last updated") are not due
# dates; checked before close spellings, as "start date" is close to "target date".
_IGNORED = re.compile(
    r"\b(start|started|raised|created|opened|logged|updated)\b"
    r"|\blast\b.*\bdates?\b|\bdates?\b.*\blast\b"
)
# Longer header text is a sentence or a title line, not a column name.
_KEYWORD_MAX_WORDS = 8


@dataclass(frozen=True)
class ColumnMatch:
    """One header cell and what the reader made of it.

    ``field`` is the ActionIn field the column fills, :data:`LEAD` for a generic
    lead column (owner or lead organisation, decided per cell), or None when the
    column is ignored; ``how`` says how the header was matched or why it was ignored.
    """

    column: int  # 1-based
    header: str  # as written in the file
    field: str | None
    how: str = ""

    @property
    def letter(self) -> str:
        """The column letter a spreadsheet shows (A, B, ... AA)."""
        return str(get_column_letter(self.column))

    @property
    def label(self) -> str:
        """The header as one line, for messages."""
        return " ".join(self.header.split())


def normalise_header(text: str) -> str:
    """Fold a header for matching: case, punctuation, '?', line breaks and spaces ignored."""
    s = text.lower().replace("&", " and ").replace("#", " no ")
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join(s.split())


_EXACT: dict[str, str] = {
    normalise_header(h): name for name, headers in SYNONYMS.items() for h in headers
}
_QUALITY = {"exact": 3, "close": 2, "keyword": 1}


@dataclass(frozen=True)
class _Guess:
    """What one header cell might mean, and how sure we are."""

    field: str | None
    quality: int
    how: str


def match_header(text: str) -> tuple[str | None, str]:
    """The field a header names (or None) and how it was matched, for one header cell."""
    guess = _guess(text)
    return (guess.field, guess.how) if guess else (None, "not a column the bot knows")


def _guess(text: str) -> _Guess | None:
    """Exact synonym, then a close spelling, then key words; None when unrecognised."""
    norm = normalise_header(text)
    if not norm:
        return None
    if norm in _EXACT:
        return _Guess(_EXACT[norm], _QUALITY["exact"], "exact")
    if len(norm.split()) > _KEYWORD_MAX_WORDS:
        return None
    if _IGNORED.search(norm):
        return _Guess(None, _QUALITY["keyword"], "record keeping, not imported")
    if len(norm) >= 4:
        close = difflib.get_close_matches(norm, list(_EXACT), n=1, cutoff=0.85)
        if close:
            return _Guess(_EXACT[close[0]], _QUALITY["close"], f'read as "{close[0]}"')
    person = re.search(_PERSON_WORDS, norm) is not None
    org = re.search(_ORG_HEADER_WORDS, norm) is not None
    for pattern, target in _KEYWORDS:
        if not pattern.search(norm):
            continue
        if target in (LEAD, "title") and (person or org):
            break  # "Action Owner", "Lead agency": the person/organisation words decide
        return _Guess(target, _QUALITY["keyword"], "key word")
    if person and org:
        return _Guess(LEAD, _QUALITY["keyword"], "key word")
    if person or org:
        return _Guess("owner" if person else "lead_organisation", _QUALITY["keyword"], "key word")
    return None


def header_score(row: Sequence[Any]) -> tuple[int, int, bool]:
    """(total match quality, distinct fields named, names the action) for a candidate row.

    Quality comes first: exact header names outweigh key words, so a title line
    such as "Action plan | Owner: Kath Rees | Status: draft" loses to a real
    header row that names fewer columns exactly.
    """
    fields: dict[str, int] = {}
    for value in row:
        if not isinstance(value, str):
            continue
        guess = _guess(value)
        if guess is None or guess.field is None:
            continue
        fields[guess.field] = max(fields.get(guess.field, 0), guess.quality)
    return sum(fields.values()), len(fields), "title" in fields


def find_header(rows: Sequence[tuple[int, Sequence[Any]]]) -> int | None:
    """Index into ``rows`` of the best header row that names the action, or None."""
    best: tuple[int, int] | None = None
    best_index = None
    for index, (_, row) in enumerate(rows):
        quality, count, has_title = header_score(row)
        if has_title and (best is None or (quality, count) > best):
            best, best_index = (quality, count), index
    return best_index


def map_columns(header: Sequence[Any]) -> list[ColumnMatch]:
    """One ColumnMatch per non-empty header cell; each field goes to its best column."""
    guesses: list[tuple[int, str, _Guess | None]] = []
    for col, value in enumerate(header, start=1):
        text = cell_text(value)
        if text is None:
            continue
        guesses.append((col, text, _guess(text)))
    winner: dict[str, tuple[int, int]] = {}  # field -> (quality, column)
    for col, _, g in guesses:
        if g is None or g.field is None:
            continue
        current = winner.get(g.field)
        # Best quality wins; among equals the first column (the one people read first).
        if current is None or g.quality > current[0]:
            winner[g.field] = (g.quality, col)
    out: list[ColumnMatch] = []
    headers = {col: text for col, text, _ in guesses}
    for col, text, g in guesses:
        if g is None:
            out.append(ColumnMatch(col, text, None, "not a column the bot knows"))
        elif g.field is None:
            out.append(ColumnMatch(col, text, None, g.how))
        elif winner[g.field][1] == col:
            out.append(ColumnMatch(col, text, g.field, g.how))
        else:
            other = winner[g.field][1]
            label = " ".join(headers[other].split())
            out.append(
                ColumnMatch(
                    col,
                    text,
                    None,
                    f'column {get_column_letter(other)} "{label}" already gives '
                    f"{FIELD_LABELS[g.field].split(' (')[0]}",
                )
            )
    return out


__all__ = [
    "FIELD_LABELS",
    "LEAD",
    "SYNONYMS",
    "ColumnMatch",
    "find_header",
    "header_score",
    "map_columns",
    "match_header",
    "normalise_header",
]
