"""Read a partnership's action table (CSV or XLSX) into a :class:`PlanFile` of actions.

Coordinators already keep their action plan as a spreadsheet, and every
partnership names the columns its own way ("Key action", "What are we going to
do?", "Lead Officer/Agency", "When by?"). This module opens the file (a CSV's
encoding and delimiter, a workbook's sheet, the size limits) and is the entry
point, :func:`read_table`; :mod:`storage.table_rows` finds the header row,
works out what each column means (:mod:`storage.headers`), and turns each row
into an :class:`ActionIn` (cell values read by :mod:`storage.cells`) validated
by the same pydantic model as YAML plan files; :mod:`storage.table_read` holds
the result and its reports. It never writes to the database: the caller
passes :meth:`TableRead.plan` to ``storage.sync.apply_plan``.

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
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from storage.cells import cell_text
from storage.dates import UK_FY, FinancialYear
from storage.headers import find_header, header_score
from storage.table_read import BadRow, SpreadsheetError, TableRead
from storage.table_rows import HEADER_SCAN_ROWS, Rows, read_rows
from storage.words import fold

# A plan has tens or hundreds of actions; far more rows than this is some other file.
MAX_ROWS = 10_000

XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}


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
    return read_rows(source, None, rows, fy)


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
            return read_rows(source, chosen, rows, fy)
        for name in names:
            top = _load_sheet(source, wb[name], limit=HEADER_SCAN_ROWS)
            if find_header(top) is not None:
                return read_rows(source, name, _load_sheet(source, wb[name]), fy)
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
