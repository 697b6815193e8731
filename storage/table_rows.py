"""From a sheet's rows to actions: the header row found, the columns mapped, each row read.

:func:`read_rows` takes a sheet's non-empty rows, finds the header
(:mod:`storage.headers`), reads each row below it into an
:class:`~storage.planfile.ActionIn` or a :class:`~storage.table_read.BadRow`
(cell values by :mod:`storage.cells`), and carries merged Priority and
Sub-group cells down. How it decides is told in :mod:`storage.spreadsheet`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from storage.cells import (
    COLLECTIVE,
    EXCEL_ERRORS,
    PLACEHOLDERS,
    URGENCY,
    cell_text,
    looks_like_organisation,
    parse_state,
    split_names,
)
from storage.dates import FinancialYear
from storage.export import ADDED_COLUMNS, EXPORT_COLUMNS
from storage.headers import (
    LEAD,
    ColumnMatch,
    find_header,
    header_score,
    map_columns,
    normalise_header,
)
from storage.models import Rag, Status
from storage.plan_problems import problems_from
from storage.planfile import ActionIn, PlanFile
from storage.table_read import BadRow, SpreadsheetError, TableRead
from storage.words import fold

HEADER_SCAN_ROWS = 15
# Person, organisation and sub-group names are String(200) columns in the database.
NAME_MAX = 200

# A lone cell like this on a row of its own is a section heading, not an action.
_HEADING = re.compile(r"^(strategic\s+)?(priority|theme)\s*(\d+\b|[:\-–])", re.IGNORECASE)

# Text fields copied straight from a cell to ActionIn.
_TEXT_FIELDS = ("objective", "measure_of_success", "resources", "risks", "sara", "ref")

Rows = list[tuple[int, tuple[Any, ...]]]


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
    priority_titles: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_field = {c.field: c for c in self.columns if c.field is not None}
        self.headed = {c.column for c in self.columns}


def _where(column: ColumnMatch) -> str:
    """``column D "Target date"`` for messages."""
    return f'column {column.letter} "{column.label}"'


def _read_row(number: int, cells: Sequence[Any], ctx: _Context) -> ActionIn | BadRow | None:
    """One data row: an action, a bad row, or None for an empty or heading row."""
    nonempty = [(i, v) for i, v in enumerate(cells, start=1) if cell_text(v) is not None]
    ctx.unheaded |= {i for i, _ in nonempty} - ctx.headed
    if ctx.carry and len(nonempty) == 1 and isinstance(nonempty[0][1], str):
        heading = cell_text(nonempty[0][1]) or ""
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
        text = cell_text(value)
        if text is None:
            continue
        if text in EXCEL_ERRORS:
            problems.append(
                f"{_where(column)} holds the Excel error {text}; fix the formula or type the value"
            )
            continue
        raw[name] = text
    if not raw and not problems:
        return None  # content only in ignored columns is not an action row
    if "priority_title" in raw:
        title = raw.pop("priority_title")
        ctx.priority_titles.setdefault(fold(raw.setdefault("priority", title)), title)
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
        for p in problems_from(exc, PlanFile):
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
    if "lead_organisation" in raw and fold(raw["lead_organisation"]) not in PLACEHOLDERS:
        # Organisation names keep "&", "/" and commas ("Fire & Rescue Service").
        data["lead_organisation"] = raw["lead_organisation"]
    if "owner" in raw:
        for name in split_names(raw["owner"]):
            if "owner" not in data and not COLLECTIVE.search(name):
                data["owner"] = name
            else:
                extra.append(name)
    if LEAD in raw:
        for name in split_names(raw[LEAD]):
            if COLLECTIVE.search(name):
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


def read_rows(source: str, sheet: str | None, rows: Rows, fy: FinancialYear) -> TableRead:
    """Header detection, column mapping and row reading for one sheet's non-empty rows."""
    index = find_header(rows[:HEADER_SCAN_ROWS])
    if index is None:
        raise SpreadsheetError(_no_header_message(source, sheet, rows))
    header_number, header = rows[index]
    columns = _urgency_is_not_a_priority(map_columns(header), rows[index + 1 :])
    headers = {normalise_header(c.header) for c in columns}
    # Our own export states every row's priority and group; carrying values
    # down there would give a group to an action that has none.
    is_export = {normalise_header(c) for c in EXPORT_COLUMNS if c not in ADDED_COLUMNS} <= headers
    ctx = _Context(columns=columns, fy=fy, carry=not is_export)
    table = TableRead(source=source, sheet=sheet, header_row=header_number, columns=columns)
    for number, cells in rows[index + 1 :]:
        result = _read_row(number, cells, ctx)
        if isinstance(result, BadRow):
            table.bad_rows.append(result)
        elif result is not None:
            table.actions.append((number, result))
    table.carried = ctx.carried_rows
    table.priority_titles = ctx.priority_titles
    table.headings = ctx.headings
    if is_export:
        table.notes.append("Laid out like a csp-bot export: every row states its own values.")
    if ctx.unheaded:
        letters = ", ".join(get_column_letter(c) for c in sorted(ctx.unheaded))
        one = len(ctx.unheaded) == 1
        table.notes.append(
            f"Column {letters} holds values but has no header; ignored."
            if one
            else f"Columns {letters} hold values but have no header; ignored."
        )
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
        if column.column <= len(cells) and (text := cell_text(cells[column.column - 1]))
    }
    if not values or not values <= URGENCY:
        return columns
    how = "holds High/Medium/Low, an urgency rather than one of the plan's priorities"
    return [replace(c, field=None, how=how) if c is column else c for c in columns]


def _no_header_message(source: str, sheet: str | None, rows: Rows) -> str:
    """Why no header row was found, with what the top of the sheet holds."""
    where = f'sheet "{sheet}" of {source}' if sheet else source
    if not rows:
        return f"{where} is empty; save the action table in it and try again."
    for number, row in rows[:HEADER_SCAN_ROWS]:
        _, count, _ = header_score(row)
        if count >= 2:
            named = ", ".join(f'"{cell_text(v)}"' for v in row if cell_text(v))
            return (
                f"{where}: row {number} looks like the header ({named}) but has no column "
                'for the action itself; call that column "Action" and try again.'
            )
    first_number, first = rows[0]
    seen = ", ".join(f'"{cell_text(v)}"' for v in first[:6] if cell_text(v))
    return (
        f"{where}: no header row found in the first {HEADER_SCAN_ROWS} rows (row "
        f"{first_number} has {seen}). The header row names the columns and needs one for "
        'the action, such as "Action", "Key action" or "What are we going to do?".'
    )
