"""Read a partnership's action table (CSV or XLSX) into a :class:`PlanFile` of actions.

Coordinators already keep their action plan as a spreadsheet, and every
partnership names the columns its own way ("Key action", "What are we going to
do?", "Lead Officer/Agency", "When by?"). This module finds the header row,
works out what each column means (:mod:`storage.headers`), and turns each row
into an :class:`ActionIn` (cell values read by :mod:`storage.cells`) validated
by the same pydantic model as YAML plan files. It never writes to the
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
from storage.dates import UK_FY, FinancialYear
from storage.export import ADDED_COLUMNS, EXPORT_COLUMNS
from storage.headers import (
    FIELD_LABELS,
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
from storage.words import fold, plural

HEADER_SCAN_ROWS = 15
# A plan has tens or hundreds of actions; far more rows than this is some other file.
MAX_ROWS = 10_000
# Person, organisation and sub-group names are String(200) columns in the database.
NAME_MAX = 200

XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}

# A lone cell like this on a row of its own is a section heading, not an action.
_HEADING = re.compile(r"^(strategic\s+)?(priority|theme)\s*(\d+\b|[:\-–])", re.IGNORECASE)

# Text fields copied straight from a cell to ActionIn.
_TEXT_FIELDS = ("objective", "measure_of_success", "resources", "risks", "sara", "ref")


class SpreadsheetError(Exception):
    """A file that cannot be read as an action table at all; the message says what to do."""


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
    # A "Priority title" column's titles, by the folded priority cell they go with.
    priority_titles: dict[str, str] = field(default_factory=dict)

    def plan(self) -> PlanFile:
        """The good rows as a plan file of top-level actions, for ``apply_plan``."""
        plan = PlanFile(actions=[action for _, action in self.actions])
        plan.priority_titles.update(self.priority_titles)
        return plan

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
        count = f"{plural(len(self.actions), 'action row')} read"
        if self.bad_rows:
            count += (
                f"; {plural(len(self.bad_rows), 'row')} "
                f"{'needs' if len(self.bad_rows) == 1 else 'need'} fixing "
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


# --------------------------------------------------------------------------- files


Rows = list[tuple[int, tuple[Any, ...]]]


def _read_rows(source: str, sheet: str | None, rows: Rows, fy: FinancialYear) -> TableRead:
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


def _non_empty(rows: Iterable[Sequence[Any]]) -> Rows:
    """Rows with any value, numbered from 1 as the spreadsheet shows them."""
    out: Rows = []
    for number, row in enumerate(rows, start=1):
        if any(cell_text(v) is not None for v in row):
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
            index = find_header(sample[:HEADER_SCAN_ROWS])
            if index is None:
                continue
            score = header_score(sample[index][1])
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
            if find_header(top) is not None:
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
    "BadRow",
    "SpreadsheetError",
    "TableRead",
    "read_table",
]
