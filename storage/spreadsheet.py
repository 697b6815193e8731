"""Read a partnership's action table (CSV or XLSX) into a :class:`PlanFile` of actions.

Coordinators already keep their action plan as a spreadsheet, and every
partnership names the columns its own way ("Key action", "What are we going to
do?", "Lead Officer/Agency", "When by?"). This module finds the header row,
works out what each column means, and turns each row into an :class:`ActionIn`
validated by the same pydantic model as YAML plan files. It never writes to the
database: the caller passes :meth:`TableRead.plan` to ``storage.sync.apply_plan``.

How it reads a sheet (also what :meth:`TableRead.mapping_report` tells the user):

* The header row is the one among the first 15 filled rows whose cells match
  known headers best (exact names count most); it must name the action
  itself. Title lines above it are skipped.
* A header maps to a field by exact synonym first, then by a close spelling
  (difflib, for typos), then by key words checked in an order chosen so that
  "Action Owner" is an owner and not the action. Each field takes one column;
  a second "Notes" column is ignored and reported.
* A generic "Lead" / "Who will lead?" column is decided per cell: an
  organisation-looking value is the lead organisation, a person is the owner,
  and further names become partners.
* Empty Priority and Sub-group cells take the value above (merged cells), and a
  lone "Priority 2: ..." heading row sets the priority for the rows below —
  except in a sheet laid out like our own export, where every row states its own.
* Each row is validated by constructing ``ActionIn``; a row that fails is a
  :class:`BadRow` with one plain sentence per problem, and the good rows are
  still available (importing "only the good rows" is the caller's decision).
* A due cell that is not a date at all ("Ongoing") is kept as a free-text
  timescale; one shaped like an impossible date (31/02/2027) is a bad row.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import ValidationError

from storage.dates import UK_FY, FinancialYear, uk
from storage.export import EXPORT_COLUMNS, unescape_formula
from storage.models import Rag, Status
from storage.planfile import RAG_WORDS, STATUS_WORDS, ActionIn, PlanFile, fold, problems_from

HEADER_SCAN_ROWS = 15
# A plan has tens or hundreds of actions; far more rows than this is some other file.
MAX_ROWS = 10_000
# Person, organisation and sub-group names are String(200) columns in the database.
NAME_MAX = 200

LEAD = "lead"
"""Pseudo-field of a generic lead column: owner or lead organisation, decided per cell."""

XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}

# Exact header synonyms per field, written as people write them; normalised below.
_SYNONYMS: dict[str, tuple[str, ...]] = {
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

# Organisation-looking cell values in a generic lead column.
_ORG_VALUE = re.compile(
    r"\b(police|constabulary|councils?|services?|trusts?|nhs|boards?|partnerships?|teams?"
    r"|support|housing|cic|ltd|limited|plc|probation|fire|opcc|pcc|icb|ccg|homes?|groups?"
    r"|projects?|agenc(y|ies)|authorit(y|ies)|departments?|public health|associations?"
    r"|charity|college|school|university|centre|center|forum|network|unit|office"
    r"|commissioner|foundation|hmpps|dwp|youth justice|trading standards|community safety)\b",
    re.IGNORECASE,
)
_PLACEHOLDERS = {"tbc", "tba", "tbd", "n/a", "na", "none", "-", "?", "unknown", "not known"}
# Collective or undecided answers to "who?" ("All partners", "others TBC"): kept
# as partners text rather than made into a person who would then be chased.
_COLLECTIVE = re.compile(
    r"\b(all|others?|various|partners|agencies|members|tbc|tba|tbd|etc)\b", re.IGNORECASE
)

# "A, B" / "A; B" / "A / B" / new lines always separate names; "&" and "and"
# only separate names when every piece looks like a person's name, so that
# "Fire & Rescue Service" stays whole.
_STRONG_SPLIT = re.compile(r"\s*(?:[,;/\n]|\s[-–]\s)\s*")
_WEAK_SPLIT = re.compile(r"\s+(?:&|and|\+)\s+", re.IGNORECASE)
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")

# A lone cell like this on a row of its own is a section heading, not an action.
_HEADING = re.compile(r"^(strategic\s+)?(priority|theme)\s*(\d+\b|[:\-–])", re.IGNORECASE)

# How a RAG or status cell may be written beyond planfile's tables.
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
_URGENCY = {"high", "medium", "med", "low", "h", "m", "l", "urgent", "critical", "very high"}

_EXCEL_ERRORS = {
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

# Text fields copied straight from a cell to ActionIn.
_TEXT_FIELDS = ("objective", "measure_of_success", "resources", "risks", "sara", "ref")


class SpreadsheetError(Exception):
    """A file that cannot be read as an action table at all; the message says what to do."""


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


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be imported, with one plain sentence per problem."""

    row: int
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"row {self.row}: " + "; ".join(self.problems)


@dataclass
class TableRead:
    """What was read from one sheet: the column mapping, the good rows and the bad ones."""

    source: str
    sheet: str | None
    header_row: int
    columns: list[ColumnMatch]
    actions: list[tuple[int, ActionIn]] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    # field -> rows whose empty cell took the value from the row above
    carried: dict[str, list[int]] = field(default_factory=dict)
    # (row, text) of lone "Priority 2: ..." heading rows
    headings: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def plan(self) -> PlanFile:
        """The good rows as a plan file of top-level actions, for ``apply_plan``."""
        return PlanFile(actions=[action for _, action in self.actions])

    def column_for(self, name: str) -> ColumnMatch | None:
        """The column mapped to a field, if any."""
        return next((c for c in self.columns if c.field == name), None)

    def mapping_report(self) -> str:
        """What each column was taken to mean, what was ignored, and how many rows were read."""
        where = f'sheet "{self.sheet}" of {self.source}' if self.sheet else self.source
        lines = [f"Read {where}: header on row {self.header_row}."]
        used = [c for c in self.columns if c.field is not None]
        ignored = [c for c in self.columns if c.field is None]
        lines.append("Columns used:")
        for c in used:
            how = f" [{c.how}]" if c.how and c.how != "exact" else ""
            lines.append(f'  {c.letter}: "{c.label}" -> {FIELD_LABELS[c.field or ""]}{how}')
        if ignored:
            lines.append("Columns ignored:")
            lines.extend(f'  {c.letter}: "{c.label}" ({c.how})' for c in ignored)
        for name, rows in self.carried.items():
            column = self.column_for(name)
            header = f'"{column.label}"' if column else name
            lines.append(
                f"Empty {header} cells took the value from the row above "
                f"(merged cells): {_rows_text(rows)}."
            )
        for row, text in self.headings:
            lines.append(f'Row {row} "{text}" is a heading: the rows below take that priority.')
        lines.extend(self.notes)
        count = f"{len(self.actions)} action row(s) read"
        if self.bad_rows:
            count += (
                f"; {len(self.bad_rows)} row(s) need fixing "
                f"({_rows_text([b.row for b in self.bad_rows])})"
            )
        lines.append(count + ".")
        return "\n".join(lines)

    def bad_rows_report(self) -> str:
        """One line per bad row, with its number and what to write instead."""
        return "\n".join(str(b) for b in self.bad_rows)


def _rows_text(rows: Sequence[int]) -> str:
    """``[5, 6, 7, 9]`` -> ``rows 5-7, 9``."""
    spans: list[str] = []
    start = prev = None
    for r in [*sorted(rows), None]:
        if start is not None and prev is not None and (r is None or r != prev + 1):
            spans.append(str(start) if start == prev else f"{start}-{prev}")
            start = None
        if r is not None and start is None:
            start = r
        prev = r
    word = "row" if len(rows) == 1 else "rows"
    return f"{word} {', '.join(spans)}"


# --------------------------------------------------------------------------- headers


def normalise_header(text: str) -> str:
    """Fold a header for matching: case, punctuation, '?', line breaks and spaces ignored."""
    s = text.lower().replace("&", " and ").replace("#", " no ")
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join(s.split())


_EXACT: dict[str, str] = {
    normalise_header(h): name for name, headers in _SYNONYMS.items() for h in headers
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


def _header_score(row: Sequence[Any]) -> tuple[int, int, bool]:
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


def _find_header(rows: Sequence[tuple[int, Sequence[Any]]]) -> int | None:
    """Index into ``rows`` of the best header row that names the action, or None."""
    best: tuple[int, int] | None = None
    best_index = None
    for index, (_, row) in enumerate(rows):
        quality, count, has_title = _header_score(row)
        if has_title and (best is None or (quality, count) > best):
            best, best_index = (quality, count), index
    return best_index


def _map_columns(header: Sequence[Any]) -> list[ColumnMatch]:
    """One ColumnMatch per non-empty header cell; each field goes to its best column."""
    guesses: list[tuple[int, str, _Guess | None]] = []
    for col, value in enumerate(header, start=1):
        text = _text(value)
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


# --------------------------------------------------------------------------- cells


def _text(value: Any) -> str | None:
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
    if fold(text) in _PLACEHOLDERS:
        return []
    out: list[str] = []
    for part in _STRONG_SPLIT.split(text):
        part = part.strip()
        if not part or fold(part) in _PLACEHOLDERS:
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


# --------------------------------------------------------------------------- rows


@dataclass
class _Context:
    """Per-sheet state while rows are read."""

    columns: list[ColumnMatch]
    fy: FinancialYear
    carry: bool
    by_field: dict[str, ColumnMatch] = field(default_factory=dict)
    carried_values: dict[str, str] = field(default_factory=dict)
    carried_rows: dict[str, list[int]] = field(default_factory=dict)
    headings: list[tuple[int, str]] = field(default_factory=list)
    refs: dict[str, int] = field(default_factory=dict)
    headed: set[int] = field(default_factory=set)
    unheaded: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.by_field = {c.field: c for c in self.columns if c.field is not None}
        self.headed = {c.column for c in self.columns}


def _where(column: ColumnMatch) -> str:
    """``column D "Target date"`` for messages."""
    return f'column {column.letter} "{column.label}"'


def _read_row(number: int, cells: Sequence[Any], ctx: _Context) -> ActionIn | BadRow | None:
    """One data row: an action, a bad row, or None for an empty or heading row."""
    nonempty = [(i, v) for i, v in enumerate(cells, start=1) if _text(v) is not None]
    ctx.unheaded |= {i for i, _ in nonempty} - ctx.headed
    if ctx.carry and len(nonempty) == 1 and isinstance(nonempty[0][1], str):
        heading = _text(nonempty[0][1]) or ""
        if _HEADING.match(heading):
            # A title row across the table ("Priority 2: Reduce reoffending"),
            # whichever column its merged cell starts in.
            ctx.carried_values["priority"] = heading
            ctx.carried_values.pop("group", None)
            ctx.headings.append((number, " ".join(heading.split())))
            return None
    raw: dict[str, str] = {}
    problems: list[str] = []
    for name, column in ctx.by_field.items():
        value = cells[column.column - 1] if column.column <= len(cells) else None
        text = _text(value)
        if text is None:
            continue
        if text in _EXCEL_ERRORS:
            problems.append(
                f"{_where(column)} holds the Excel error {text}; fix the formula or type the value"
            )
            continue
        raw[name] = text
    if not raw and not problems:
        return None  # content only in ignored columns is not an action row
    if ctx.carry:
        if set(raw) <= {"priority", "group"} and not problems:
            _carry(number, raw, ctx, record=False)  # a merged section cell on its own row
            return None
        _carry(number, raw, ctx, record=True)

    data: dict[str, Any] = {}
    for name in (*_TEXT_FIELDS, "title", "priority", "group", "due", "note"):
        if name in raw:
            data[name] = raw[name]
    partners = _people(raw, data)
    if partners:
        data["partners"] = ", ".join(partners)
    _state(raw, data, ctx, problems)

    if "title" not in raw:
        problems.append(
            f"there is no action text in {_where(ctx.by_field['title'])}; write what will "
            "be done there, or delete the row"
        )
        data["title"] = "(missing)"  # still validate the rest, so every problem is listed
    if "ref" in raw:
        first = ctx.refs.setdefault(raw["ref"].upper(), number)
        if first != number:
            problems.append(
                f"{_where(ctx.by_field['ref'])}: ref {raw['ref']!r} is also used on row "
                f"{first}; give each action its own ref"
            )
    for name in ("owner", "lead_organisation", "group"):
        if len(data.get(name) or "") > NAME_MAX:
            problems.append(
                f"{_where(_column_of(name, ctx))}: {data[name][:40]!r}... is too long for a "
                f"name; write at most {NAME_MAX} characters"
            )
            data.pop(name)
    try:
        action = ActionIn.model_validate(data, context={"fy": ctx.fy})
    except ValidationError as exc:
        for p in problems_from(exc):
            name = str(p.path[0]) if p.path else ""
            problems.append(f"{_where(_column_of(name, ctx))}: {p.message}")
    if problems:
        return BadRow(number, tuple(problems))
    return action


def _column_of(name: str, ctx: _Context) -> ColumnMatch:
    """The column a field's value came from (the generic lead column for owner/organisation)."""
    if name in ctx.by_field:
        return ctx.by_field[name]
    if name in ("owner", "lead_organisation", "partners") and LEAD in ctx.by_field:
        return ctx.by_field[LEAD]
    if name in ("status", "rag"):
        return ctx.by_field.get("status") or ctx.by_field.get("rag") or ctx.by_field["title"]
    return ctx.by_field["title"]


def _carry(number: int, raw: dict[str, str], ctx: _Context, *, record: bool) -> None:
    """Fill empty priority/group cells from the row above, as merged cells mean."""
    group_col = ctx.by_field.get("group")
    priority_col = ctx.by_field.get("priority")
    # A new priority ends a merged group cell only when the group column sits
    # inside the priority (to its right); a group to the left spans priorities.
    group_inside = (
        group_col is None or priority_col is None or group_col.column > priority_col.column
    )
    new_priority = "priority" in raw and raw["priority"] != ctx.carried_values.get("priority")
    if new_priority and group_inside and "group" not in raw:
        ctx.carried_values.pop("group", None)
    for name in ("priority", "group"):
        if name in raw:
            ctx.carried_values[name] = raw[name]
        elif name in ctx.carried_values:
            raw[name] = ctx.carried_values[name]
            if record and name in ctx.by_field:
                ctx.carried_rows.setdefault(name, []).append(number)


def _people(raw: dict[str, str], data: dict[str, Any]) -> list[str]:
    """Set owner and lead organisation from their columns; return the extra names (partners)."""
    extra: list[str] = []
    if "lead_organisation" in raw and fold(raw["lead_organisation"]) not in _PLACEHOLDERS:
        # Organisation names keep "&", "/" and commas ("Fire & Rescue Service").
        data["lead_organisation"] = raw["lead_organisation"]
    if "owner" in raw:
        for name in split_names(raw["owner"]):
            if "owner" not in data and not _COLLECTIVE.search(name):
                data["owner"] = name
            else:
                extra.append(name)
    if LEAD in raw:
        for name in split_names(raw[LEAD]):
            if _COLLECTIVE.search(name):
                extra.append(name)
            elif looks_like_organisation(name):
                if "lead_organisation" not in data:
                    data["lead_organisation"] = name
                else:
                    extra.append(name)
            elif "owner" not in data:
                data["owner"] = name
            else:
                extra.append(name)
    if "partners" in raw:
        extra.append(raw["partners"])
    seen: set[str] = set()
    unique = []
    for name in extra:
        if fold(name) not in seen:
            seen.add(fold(name))
            unique.append(name)
    return unique


def _state(raw: dict[str, str], data: dict[str, Any], ctx: _Context, problems: list[str]) -> None:
    """Status and RAG from either column; each column's own kind of value wins."""
    found: dict[str, tuple[Status | None, Rag | None]] = {}
    for name in ("status", "rag"):
        if name not in raw:
            continue
        try:
            found[name] = parse_state(raw[name])
        except ValueError as exc:
            problems.append(f"{_where(ctx.by_field[name])}: {exc}")
    from_status = found.get("status", (None, None))
    from_rag = found.get("rag", (None, None))
    status = from_status[0] or from_rag[0]
    rag = from_rag[1] or from_status[1]
    if status is not None:
        data["status"] = status.value.replace("_", " ")
    if rag is not None:
        data["rag"] = rag.value


# --------------------------------------------------------------------------- files


Rows = list[tuple[int, tuple[Any, ...]]]


def _read_rows(source: str, sheet: str | None, rows: Rows, fy: FinancialYear) -> TableRead:
    """Header detection, column mapping and row reading for one sheet's non-empty rows."""
    index = _find_header(rows[:HEADER_SCAN_ROWS])
    if index is None:
        raise SpreadsheetError(_no_header_message(source, sheet, rows))
    header_number, header = rows[index]
    columns = _urgency_is_not_a_priority(_map_columns(header), rows[index + 1 :])
    headers = {normalise_header(c.header) for c in columns}
    # Our own export states every row's priority and group; carrying values
    # down there would give a group to an action that has none.
    is_export = {normalise_header(c) for c in EXPORT_COLUMNS} <= headers
    ctx = _Context(columns=columns, fy=fy, carry=not is_export)
    table = TableRead(source=source, sheet=sheet, header_row=header_number, columns=columns)
    for number, cells in rows[index + 1 :]:
        result = _read_row(number, cells, ctx)
        if isinstance(result, BadRow):
            table.bad_rows.append(result)
        elif result is not None:
            table.actions.append((number, result))
    table.carried = ctx.carried_rows
    table.headings = ctx.headings
    if is_export:
        table.notes.append("Laid out like a csp-bot export: every row states its own values.")
    if ctx.unheaded:
        letters = ", ".join(get_column_letter(c) for c in sorted(ctx.unheaded))
        table.notes.append(f"Column(s) {letters} hold values but have no header; ignored.")
    return table


def _urgency_is_not_a_priority(columns: list[ColumnMatch], rows: Rows) -> list[ColumnMatch]:
    """Ignore a Priority column that only says High/Medium/Low: an urgency, not a plan priority.

    Importing those as priorities would either fail ("no priority 'High'") or
    create priorities called High and Low in a new partnership.
    """
    column = next((c for c in columns if c.field == "priority"), None)
    if column is None:
        return columns
    values = {
        fold(text)
        for _, cells in rows
        if column.column <= len(cells) and (text := _text(cells[column.column - 1]))
    }
    if not values or not values <= _URGENCY:
        return columns
    how = "holds High/Medium/Low, an urgency rather than one of the plan's priorities"
    return [replace(c, field=None, how=how) if c is column else c for c in columns]


def _no_header_message(source: str, sheet: str | None, rows: Rows) -> str:
    """Why no header row was found, with what the top of the sheet holds."""
    where = f'sheet "{sheet}" of {source}' if sheet else source
    if not rows:
        return f"{where} is empty; save the action table in it and try again."
    for number, row in rows[:HEADER_SCAN_ROWS]:
        _, count, _ = _header_score(row)
        if count >= 2:
            named = ", ".join(f'"{_text(v)}"' for v in row if _text(v))
            return (
                f"{where}: row {number} looks like the header ({named}) but has no column "
                'for the action itself; call that column "Action" and try again.'
            )
    first_number, first = rows[0]
    seen = ", ".join(f'"{_text(v)}"' for v in first[:6] if _text(v))
    return (
        f"{where}: no header row found in the first {HEADER_SCAN_ROWS} rows (row "
        f"{first_number} has {seen}). The header row names the columns and needs one for "
        'the action, such as "Action", "Key action" or "What are we going to do?".'
    )


def _non_empty(rows: Iterable[Sequence[Any]]) -> Rows:
    """Rows with any value, numbered from 1 as the spreadsheet shows them."""
    out: Rows = []
    for number, row in enumerate(rows, start=1):
        if any(_text(v) is not None for v in row):
            out.append((number, tuple(row)))
            if len(out) > MAX_ROWS:
                raise SpreadsheetError(
                    f"more than {MAX_ROWS} filled rows; is this the action plan? "
                    "Save only the action table and try again."
                )
    return out


def _decode(data: bytes, source: str) -> str:
    """Text of a CSV: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" format.
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data:
        raise SpreadsheetError(
            f"{source} is not a text CSV file; open it in Excel and save it as "
            "CSV UTF-8 (.csv) or Excel Workbook (.xlsx)."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves plain "CSV" in Windows-1252; its five unused
        # bytes become U+FFFD instead of an exception.
        return data.decode("cp1252", errors="replace")


def _csv_rows(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    """Parse CSV text with one delimiter (the first ``limit`` records only, if given)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return list(islice(reader, limit)) if limit is not None else list(reader)


def _read_csv(path: Path, fy: FinancialYear) -> TableRead:
    """Read a CSV, trying comma, semicolon and tab and keeping the one with the best header."""
    source = path.name
    data = _read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(
            f"{source} is an Excel workbook with a .csv name; rename it to .xlsx and try again."
        )
    text = _decode(data, source)
    if not text.strip():
        raise SpreadsheetError(f"{source} is empty; save the action table in it and try again.")
    try:
        best: tuple[tuple[int, int, bool], str] | None = None
        for delimiter in (",", ";", "\t"):
            sample = _non_empty(_csv_rows(text, delimiter, limit=HEADER_SCAN_ROWS * 4))
            index = _find_header(sample[:HEADER_SCAN_ROWS])
            if index is None:
                continue
            score = _header_score(sample[index][1])
            if best is None or score > best[0]:
                best = (score, delimiter)
        delimiter = best[1] if best else ","
        rows = _non_empty(_csv_rows(text, delimiter))
    except csv.Error as exc:
        raise SpreadsheetError(
            f"{source} is not a CSV file we can read ({exc}); open it in Excel and save it "
            "as CSV UTF-8 or .xlsx."
        ) from None
    return _read_rows(source, None, rows, fy)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SpreadsheetError(f"{path}: no such file.") from None
    except OSError as exc:
        raise SpreadsheetError(f"{path}: cannot be read ({exc.strerror}).") from None


# openpyxl reports a damaged or mislabelled workbook through many exception
# types; all of them mean "this is not a workbook we can read".
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    EOFError,
    SyntaxError,  # xml.etree's ParseError
)


def _sheet_rows(ws: Any) -> Iterator[tuple[Any, ...]]:
    """Every row of a read-only sheet as values, ignoring the size the file claims."""
    # Some producers write a wrong dimension ("A1:A1"); without this openpyxl
    # would cut the sheet to that size.
    ws.reset_dimensions()
    for row in ws.iter_rows(values_only=True):
        yield tuple(row)


def _read_xlsx(path: Path, sheet: str | None, fy: FinancialYear) -> TableRead:
    """Read the named sheet, or the first sheet with a recognisable header row."""
    source = path.name
    if not path.is_file():
        raise SpreadsheetError(f"{path}: no such file.")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except _XLSX_ERRORS as exc:
        raise SpreadsheetError(
            f"{source} cannot be opened as an Excel workbook ({type(exc).__name__}); "
            "open it in Excel and save it again as Excel Workbook (.xlsx), or as CSV."
        ) from None
    try:
        # Worksheets only: a chart sheet has no cells.
        names: list[str] = [ws.title for ws in wb.worksheets]
        if sheet is not None:
            chosen = _pick_sheet(source, names, sheet)
            rows = _load_sheet(source, wb[chosen])
            return _read_rows(source, chosen, rows, fy)
        for name in names:
            top = _load_sheet(source, wb[name], limit=HEADER_SCAN_ROWS)
            if _find_header(top) is not None:
                return _read_rows(source, name, _load_sheet(source, wb[name]), fy)
        listed = ", ".join(f'"{n}"' for n in names)
        raise SpreadsheetError(
            f"{source}: no sheet has a header row with an action column in its first "
            f"{HEADER_SCAN_ROWS} rows (sheets: {listed}). The header row needs a column such "
            'as "Action", "Key action" or "What are we going to do?".'
        )
    finally:
        wb.close()


def _pick_sheet(source: str, names: list[str], wanted: str) -> str:
    """The sheet named (case and spacing ignored), or an error listing the sheets."""
    for name in names:
        if fold(name) == fold(wanted):
            return name
    listed = ", ".join(f'"{n}"' for n in names)
    raise SpreadsheetError(f'{source} has no sheet called "{wanted}"; its sheets are: {listed}.')


def _load_sheet(source: str, ws: Any, limit: int | None = None) -> Rows:
    """A sheet's non-empty rows (the first ``limit`` rows only, if given)."""
    try:
        rows = _sheet_rows(ws)
        return _non_empty(islice(rows, limit) if limit is not None else rows)
    except _XLSX_ERRORS as exc:
        raise SpreadsheetError(
            f"{source}: sheet {ws.title!r} is damaged ({type(exc).__name__}); open it in "
            "Excel and save it again as .xlsx, or as CSV."
        ) from None


def read_table(path: Path, *, sheet: str | None = None, fy: FinancialYear = UK_FY) -> TableRead:
    """Read an action table from a .csv or .xlsx file; raise SpreadsheetError if unreadable."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet, fy)
    if suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise SpreadsheetError(f"{path.name} is a CSV file: it has no sheets; drop --sheet.")
        return _read_csv(path, fy)
    save = "save it as .xlsx (Excel Workbook) or .csv (CSV UTF-8) and import that."
    if suffix == ".xls":
        message = f"{path.name} is in the old Excel 97-2003 format (.xls); {save}"
    elif suffix in (".ods", ".fods"):
        message = f"{path.name} is an OpenDocument spreadsheet; {save}"
    elif suffix in (".doc", ".docx", ".odt", ".pdf", ".rtf"):
        message = (
            f"{path.name} is a document, not a spreadsheet; copy the action table into a "
            f"spreadsheet, then {save}"
        )
    else:
        message = f"{path.name}: the bot reads .xlsx and .csv files only; {save}"
    raise SpreadsheetError(message)


__all__ = [
    "LEAD",
    "BadRow",
    "ColumnMatch",
    "SpreadsheetError",
    "TableRead",
    "looks_like_organisation",
    "match_header",
    "normalise_header",
    "parse_state",
    "read_table",
    "split_names",
]
