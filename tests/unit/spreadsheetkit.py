"""Shared helpers of the spreadsheet tests (test_spreadsheet_*.py): sheets written here, read back.

Every fixture is a real file written here (openpyxl for .xlsx, bytes for .csv)
so each test shows the sheet it reads. Database tests run on SQLite and, when
``TEST_DATABASE_URL`` is set, on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from storage.spreadsheet import TableRead

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "spreadsheets"

Cell = Any
Grid = Sequence[Sequence[Cell]]


def write_xlsx(
    path: Path,
    rows: Grid,
    *,
    sheet: str = "Action plan",
    before: Sequence[tuple[str, Grid]] = (),
    merges: Sequence[str] = (),
) -> Path:
    """An .xlsx with optional sheets before the plan and merged ranges in it."""
    wb = Workbook()
    first = wb.active
    sheets = [*before, (sheet, rows)]
    for i, (name, grid) in enumerate(sheets):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = name
        for r, row in enumerate(grid, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        if i == len(sheets) - 1:
            for rng in merges:
                ws.merge_cells(rng)
    wb.save(path)
    return path


def write_csv(path: Path, lines: Sequence[str], *, encoding: str = "utf-8") -> Path:
    """A CSV from literal lines, so delimiters and quoting are exactly as written."""
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def mapping(table: TableRead) -> dict[str, str | None]:
    """Header (one line) -> field it was mapped to."""
    return {c.label: c.field for c in table.columns}


def by_title(table: TableRead) -> dict[str, dict[str, Any]]:
    """The good rows as plain dicts keyed by title, with the row number under 'row'."""
    return {a.title: {"row": row, **a.model_dump(exclude_none=True)} for row, a in table.actions}


def bad(table: TableRead) -> dict[int, str]:
    """Bad rows: number -> all its problems in one string."""
    return {b.row: " | ".join(b.problems) for b in table.bad_rows}
