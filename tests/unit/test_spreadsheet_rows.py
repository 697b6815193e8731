"""Spreadsheet rows and whole files: bad cells, carried values, unreadable files, sheet choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.export import EXPORT_COLUMNS
from storage.spreadsheet import SpreadsheetError, read_table
from tests.unit.spreadsheetkit import bad, by_title, write_xlsx


def test_an_exported_sheet_does_not_carry_values_down(tmp_path: Path) -> None:
    """In our own export an empty Sub-group cell means "no group", not "as above"."""
    blank = dict.fromkeys(EXPORT_COLUMNS)
    rows = [
        {**blank, "Ref": "A-1", "Priority": "P1", "Sub-group": "ASB group", "Action": "One"},
        {**blank, "Ref": "A-2", "Action": "Two", "Status": "not started"},
    ]
    path = write_xlsx(tmp_path / "export.xlsx", [EXPORT_COLUMNS, *[list(r.values()) for r in rows]])
    table = read_table(path)
    got = {a.title: (a.priority, a.group) for _, a in table.actions}
    assert got == {"One": ("P1", "ASB group"), "Two": (None, None)}
    assert table.carried == {}
    assert "csp-bot export" in table.mapping_report()


# --------------------------------------------------------------------------- rows


def test_cell_level_problems(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "cells.xlsx",
        [
            ["Ref", "Action", "Owner", "Due", "RAG", "SARA stage"],
            ["A 1", "Bad ref", None, None, None, None],
            ["A-2", "x" * 2001, None, None, None, None],
            ["A-3", "Broken formula", None, "#REF!", None, None],
            ["A-4", "Unknown stage", None, None, None, "Evaluation"],
            ["A-5", "Too long a name", "N" * 201, None, None, None],
            ["'=1+1", "Escaped formula ref is not a ref", None, None, None, None],
            ["A-7", "'=SUM(A1:A3) is kept as text", None, None, None, "scanning"],
            [7, "Numbers become text", None, None, None, None],
        ],
    )
    table = read_table(path)
    problems = bad(table)
    assert "'A 1' is not valid here; write a short reference such as A-17" in problems[2]
    assert "too long: at most 2000 characters" in problems[3]
    assert "Excel error #REF!" in problems[4]
    assert "'Evaluation' is not a SARA stage" in problems[5]
    assert "at most 200 characters" in problems[6]
    assert "'=1+1' is not valid here" in problems[7]
    good = by_title(table)
    assert good["=SUM(A1:A3) is kept as text"]["sara"].value == "scanning"
    assert good["Numbers become text"]["ref"] == "7"


def test_content_only_in_ignored_columns_is_skipped(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "extra.xlsx",
        [
            ["Action", "Days overdue", None],
            ["Real action", 3, None],
            [None, 0, None],
            [None, None, "stray note"],
        ],
    )
    table = read_table(path)
    assert [a.title for _, a in table.actions] == ["Real action"]
    assert not table.bad_rows
    assert "Column C holds values but has no header" in table.mapping_report()


# --------------------------------------------------------------------------- whole files


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.xls", b"\xd0\xcf\x11\xe0", r"old Excel 97-2003 format.*save it as \.xlsx"),
        ("plan.ods", b"PK", r"OpenDocument.*\.xlsx.*\.csv"),
        ("plan.docx", b"PK", r"document, not a spreadsheet.*\.xlsx"),
        ("plan.xlsx", b"this is not a zip file", r"cannot be opened as an Excel workbook"),
        ("plan.csv", b"", r"is empty"),
        ("plan.csv", b"\r\n ,, \r\n", r"is empty|no header row"),
        ("plan.csv", b"PK\x03\x04rest", r"Excel workbook with a \.csv name"),
        ("plan.csv", b"Owner,Due,Status\r\nKath,31/03/2027,Red\r\n", r"no column for the action"),
        ("plan.csv", b"Name,Colour\r\nKath,Blue\r\n", r'no header row.*"Action"'),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SpreadsheetError, match=message):
        read_table(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpreadsheetError, match="no such file"):
        read_table(tmp_path / "nope.xlsx")


def test_sheet_choice(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        [["Action", "Owner"], ["Second-sheet action", "Kath Rees"]],
        sheet="2026-27 plan",
        before=[("Cover", [["Safer Gloucester"], ["Contents"]]), ("Lists", [["Red"], ["Amber"]])],
    )
    # No sheet named: the first one with a header row.
    table = read_table(path)
    assert table.sheet == "2026-27 plan"
    assert [a.title for _, a in table.actions] == ["Second-sheet action"]
    assert read_table(path, sheet="2026-27 PLAN").sheet == "2026-27 plan"
    with pytest.raises(SpreadsheetError, match=r'no sheet called "Plan".*"Cover", "Lists"'):
        read_table(path, sheet="Plan")
    with pytest.raises(SpreadsheetError, match="no header row found"):
        read_table(path, sheet="Cover")


def test_workbook_without_any_plan_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "none.xlsx", [["Budget"], [100]], sheet="Money")
    with pytest.raises(SpreadsheetError, match=r'no sheet has a header row.*"Money"'):
        read_table(path)
