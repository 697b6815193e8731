"""Export a partnership's actions as a spreadsheet in the standard template columns.

The columns are the Stroud template (objective, action, measure of success,
timescale, lead partner, resources, risks) plus what the bot adds (ref, owner,
status, RAG, SARA stage, latest update). The importer in
:mod:`storage.spreadsheet` reads these columns back, so a coordinator can
export, edit in Excel and import again: an unedited export imports as "no
changes".

Each row carries its priority's code and title, so a partnership started
from an export (``import --create``) gets the same priorities. What an action
export does not carry (so importing it into a new, empty partnership gives the
same rows but not the same plan): priority aims, group details, people's Slack
ids and roles, organisation kinds, measures, meetings, and every history
entry except the latest note. An action with both a due date and a free-text
timescale exports its date only. Owner
names that the importer would split ("A & B", "A, B") or treat as nobody in
particular ("TBC", "All partners") come back split or as partners text.

Spreadsheet formula injection: a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is run as a formula by Excel when the file
is opened. CSV cells like that get a leading apostrophe (which the importer
strips again); XLSX cells are written with the string data type, which Excel
never evaluates.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storage.dates import uk
from storage.models import Action, Partnership
from storage.queries import latest_notes

EXPORT_COLUMNS = [
    "Ref",
    "Priority",
    "Priority title",
    "Sub-group",
    "Objective",
    "Action",
    "Lead organisation",
    "Owner",
    "Partners",
    "Due date",
    "Status",
    "RAG",
    "SARA stage",
    "Measure of success",
    "Resources",
    "Risks",
    "Latest update",
]

# Columns later exports added: a file without them still reads as an export.
ADDED_COLUMNS = frozenset({"Priority title"})

# Apostrophes first, so that text which itself starts with "'=" survives the
# escape/unescape pair unchanged (it gains one apostrophe and loses one).
_FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
_UK_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")

# Widths in characters: wide enough to read, narrow enough that long text wraps.
_MIN_WIDTH = 8
_MAX_WIDTH = 60


def escape_formula(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula."""
    return "'" + text if _FORMULA_START.match(text) else text


def unescape_formula(text: str) -> str:
    """Undo :func:`escape_formula`: drop the apostrophe it added, and only that one."""
    if text.startswith("'") and _FORMULA_START.match(text[1:]):
        return text[1:]
    return text


def _natural(text: str) -> tuple[str | int, ...]:
    """Sort key in which A-2 comes before A-10 (digits compared as numbers)."""
    parts = re.split(r"(\d+)", text.casefold())
    # re.split with one group alternates text and digits, so positions always
    # compare like with like (str with str, int with int).
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def _sort_key(action: Action) -> tuple[object, ...]:
    """Priority order first (actions under no priority last), then plan order."""
    p = action.priority
    return (
        p is None,
        p.position if p is not None else 0,
        _natural(p.code) if p is not None else (),
        action.position,
        _natural(action.ref),
    )


def export_rows(session: Session, partnership: Partnership) -> list[dict[str, str]]:
    """The partnership's actions as rows keyed by :data:`EXPORT_COLUMNS` (two queries)."""
    pid = partnership.id
    # Many-to-one joins: one query whatever the number of actions (no lazy load per row).
    actions = list(
        session.scalars(
            select(Action)
            .where(Action.partnership_id == pid)
            .options(
                joinedload(Action.priority),
                joinedload(Action.subgroup),
                joinedload(Action.lead_organisation),
                joinedload(Action.owner),
            )
        )
    )
    notes = latest_notes(session, pid)
    rows = []
    for a in sorted(actions, key=_sort_key):
        due = uk(a.due_date) if a.due_date is not None else (a.timescale or "")
        rows.append(
            {
                "Ref": a.ref,
                "Priority": a.priority.code if a.priority else "",
                "Priority title": a.priority.title if a.priority else "",
                "Sub-group": a.subgroup.name if a.subgroup else "",
                "Objective": a.objective or "",
                "Action": a.title,
                "Lead organisation": a.lead_organisation.name if a.lead_organisation else "",
                "Owner": a.owner.name if a.owner else "",
                "Partners": a.partners or "",
                "Due date": due,
                "Status": a.status.value.replace("_", " "),
                "RAG": a.rag.value.capitalize() if a.rag else "",
                "SARA stage": a.sara_stage.value.capitalize() if a.sara_stage else "",
                "Measure of success": a.measure_of_success or "",
                "Resources": a.resources or "",
                "Risks": a.risks or "",
                "Latest update": notes.get(a.id, ""),
            }
        )
    return rows


def write_csv(path: Path, rows: Iterable[Mapping[str, str]]) -> None:
    """Write rows as CSV in UTF-8 with a byte-order mark, so Excel reads £ and accents right."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow([escape_formula(row.get(name, "")) for name in EXPORT_COLUMNS])


def _sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\ characters, at most 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title)
    cleaned = " ".join(cleaned.split()).strip("'")[:31].strip()
    return cleaned or "Action plan"


def _width(values: Iterable[str]) -> float:
    """A column width from the longest line in it, clipped so long text wraps."""
    longest = max((len(line) for v in values for line in v.splitlines() or [""]), default=0)
    return min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH)


def write_xlsx(path: Path, rows: Iterable[Mapping[str, str]], *, title: str) -> None:
    """Write rows as an Excel workbook: bold frozen header, filters, wrapped text, UK dates."""
    materialised = [dict(row) for row in rows]
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(title)
    wb.properties.title = title
    wrap = Alignment(wrap_text=True, vertical="top")
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    for col, name in enumerate(EXPORT_COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = wrap
    for r, row in enumerate(materialised, start=2):
        for col, name in enumerate(EXPORT_COLUMNS, start=1):
            text = ILLEGAL_CHARACTERS_RE.sub("", row.get(name, ""))
            if not text:
                continue
            cell = ws.cell(row=r, column=col)
            if name == "Due date" and _UK_DATE.fullmatch(text):
                # A real date cell sorts and filters as a date in Excel.
                cell.value = dt.datetime.strptime(text, "%d/%m/%Y").date()
                cell.number_format = "DD/MM/YYYY"
            else:
                # Apostrophe-led formula-like text keeps its escape so the importer's
                # unescape gives it back exactly; everything else is stored verbatim.
                cell.value = escape_formula(text) if text.startswith("'") else text
                # openpyxl turns text starting with "=" into a formula (and "#N/A" into
                # an error); the string type makes Excel show it and never run it.
                cell.data_type = "s"
            cell.alignment = wrap
    for col, name in enumerate(EXPORT_COLUMNS, start=1):
        values = [name] + [row.get(name, "") for row in materialised]
        ws.column_dimensions[get_column_letter(col)].width = _width(values)
    ws.freeze_panes = "A2"
    last = get_column_letter(len(EXPORT_COLUMNS))
    ws.auto_filter.ref = f"A1:{last}{max(len(materialised) + 1, 2)}"
    # Printing for the annual report: landscape, one page wide, header on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    wb.save(path)
