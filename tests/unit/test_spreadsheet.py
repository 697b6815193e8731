"""Spreadsheet import: header styles from real partnerships, bad rows, and syncing.

Every fixture is a real file written here (openpyxl for .xlsx, bytes for .csv)
so each test shows the sheet it reads. Database tests run on SQLite and, when
``TEST_DATABASE_URL`` is set, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.cells import looks_like_organisation, parse_state, split_names
from storage.export import EXPORT_COLUMNS
from storage.headers import LEAD, match_header, normalise_header
from storage.models import Action, ActionUpdate, Partnership, Rag, Source, Status
from storage.planfile import load_plan_text
from storage.spreadsheet import SpreadsheetError, TableRead, read_table
from storage.sync import apply_plan

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


# --------------------------------------------------------------------------- headers

SPEC_HEADERS = {
    "title": [
        "Action",
        "Key action",
        "Actions",
        "What are we going to do?",
        "Initiative/Action",
        "How will we achieve our aims?",
        "Task",
        "Activity",
    ],
    "owner": [
        "Action Owner",
        "Nominated lead officer",
        "Lead Officer",
        "Owner",
        "Responsible officer",
    ],
    "lead_organisation": ["Lead organisation", "Lead agency", "Lead partner", "Organisation"],
    LEAD: ["Lead", "Lead Officer/Agency", "Who will lead?", "Lead(s)", "Responsible"],
    "due": [
        "Timescale",
        "When by?",
        "Target completion date",
        "Completion Date",
        "Due",
        "Due date",
        "Deadline",
        "Target date",
        "By when",
    ],
    "measure_of_success": [
        "Measure of success",
        "How will we know we have succeeded?",
        "Outcome",
        "Success measure",
        "Outcome measure",
        "Measures",
        "How will we measure success?",
    ],
    "rag": ["RAG", "RAG Rating", "RAG status"],
    "status": ["Status", "Progress status", "Complete Y/N", "Complete?"],
    "note": [
        "Progress Update",
        "Update",
        "Notes",
        "Progress",
        "Comments",
        "Latest update",
        "Commentary",
    ],
    "ref": ["Ref", "Ref.", "Reference", "No.", "Action ref", "ID"],
    "priority": ["Priority", "Priority area", "Theme", "Strategic priority"],
    "group": ["Sub-group", "Subgroup", "Group", "Action group", "Delivery group"],
    "objective": ["Objective", "Key objective", "Aim", "What will we aim to achieve?"],
    "resources": ["Resources", "Funding", "Budget"],
    "risks": ["Risks", "Associated risks", "Risk"],
    "partners": ["Partners", "Supporting partners", "Key partners"],
    "sara": ["SARA", "SARA stage"],
}


@pytest.mark.parametrize(
    ("header", "field"),
    [(h, f) for f, headers in SPEC_HEADERS.items() for h in headers],
)
def test_known_headers_map_exactly(header: str, field: str) -> None:
    assert match_header(header) == (field, "exact")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # Case, punctuation, line breaks inside the header cell, trailing '?'.
        ("ACTION OWNER ", "owner"),
        ("Action\nOwner", "owner"),
        ("  what are we going to do ", "title"),
        ("Who will\nlead", LEAD),
        # Typos: a close spelling of a known header.
        ("Timescales", "due"),
        ("Measure of sucess", "measure_of_success"),
        ("Responsable officer", "owner"),
        # Key words, in an order that keeps person columns away from the action.
        ("Owner of action", "owner"),
        ("Action status", "status"),
        ("Action lead", LEAD),
        ("Progress (RAG)", "rag"),
        ("Comments/Progress", "note"),
        ("Actions to be taken", "title"),
        ("Responsible organisation", LEAD),
        ("Partner organisation", "partners"),
        # Record-keeping dates are recognised and deliberately not imported.
        ("Start date", None),
        ("Date of last update", None),
        ("Days overdue", None),
    ],
)
def test_header_variants(header: str, field: str | None) -> None:
    assert match_header(header)[0] == field


def test_action_owner_never_maps_to_the_action() -> None:
    for header in ("Action Owner", "Action owners", "Owner (action)", "Action officer"):
        assert match_header(header)[0] == "owner", header


def test_a_title_line_is_not_a_header() -> None:
    long_title = "Stroud District Community Safety Partnership Action plan 2023 – 2026"
    assert match_header(long_title)[0] is None
    assert normalise_header("Lead(s)?\n") == "lead s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R", (None, Rag.RED)),
        ("amber", (None, Rag.AMBER)),
        ("Green", (None, Rag.GREEN)),
        ("Blue", (Status.COMPLETE, None)),
        ("Amber/Red", (None, Rag.RED)),
        ("Green - on track", (None, Rag.GREEN)),
        ("Complete (green)", (Status.COMPLETE, Rag.GREEN)),
        ("In progress", (Status.IN_PROGRESS, None)),
        ("On-going", (Status.IN_PROGRESS, None)),
        ("not started", (Status.NOT_STARTED, None)),
        ("Cancelled", (Status.DROPPED, None)),
        ("Y", (Status.COMPLETE, None)),
        ("yes", (Status.COMPLETE, None)),
        ("N", (None, None)),
        ("N/A", (None, None)),
    ],
)
def test_parse_state(text: str, expected: tuple[Status | None, Rag | None]) -> None:
    assert parse_state(text) == expected


def test_parse_state_refuses_unknown_words_and_says_what_to_write() -> None:
    with pytest.raises(ValueError, match=r"'purple' is not a RAG rating.*Red, Amber or Green"):
        parse_state("purple")


def test_names_and_organisations() -> None:
    assert split_names("Emily Bolland, Jennie Watkins") == ["Emily Bolland", "Jennie Watkins"]
    assert split_names("Kath Rees & Anne Brinkhoff") == ["Kath Rees", "Anne Brinkhoff"]
    assert split_names("Steve O'Neill / Emily Bolland") == ["Steve O'Neill", "Emily Bolland"]
    # "&" inside an organisation's name does not split it.
    assert split_names("Gloucestershire Fire & Rescue Service") == [
        "Gloucestershire Fire & Rescue Service"
    ]
    assert split_names("TBC") == []
    for org in ("Gloucestershire Constabulary", "Victim Support", "SDC", "Public Health", "OPCC"):
        assert looks_like_organisation(org), org
    for person in ("Kath Rees", "Louise Boyle", "Emily Bolland"):
        assert not looks_like_organisation(person), person


# --------------------------------------------------------------------------- six sheet styles


def test_stroud_template_with_title_lines(tmp_path: Path) -> None:
    """The Stroud plan's standard template, with a title line above the header."""
    path = write_xlsx(
        tmp_path / "stroud.xlsx",
        [
            ["Stroud District Community Safety Partnership Action plan 2023 – 2026"],
            [],
            [
                "Key objective",
                "Initiative/Action",
                "Measure of success",
                "Timescale",
                "Lead partner",
                "Resources",
                "Associated risks",
            ],
            [
                "Reduce ASB",
                "Introduce SOLACE to reduce persistent ASB",
                "Fewer complaints about ASB",
                "Ongoing",
                "Stroud District Council",
                "Officer time",
                "Partner capacity",
            ],
            [
                "Protect people at risk of exploitation",
                "Raise awareness of modern slavery",
                "Referrals to the NRM",
                "April 2019 for 2 years",
                "Gloucestershire Fire & Rescue Service",
                None,
                None,
            ],
            [
                "Reduce ASB",
                "Deploy mobile CCTV at events",
                None,
                "31/03/2024",
                "SDC",
                "£5,000 from the PCC fund",
                None,
            ],
        ],
    )
    table = read_table(path)
    assert table.sheet == "Action plan"
    assert table.header_row == 3
    assert mapping(table) == {
        "Key objective": "objective",
        "Initiative/Action": "title",
        "Measure of success": "measure_of_success",
        "Timescale": "due",
        "Lead partner": "lead_organisation",
        "Resources": "resources",
        "Associated risks": "risks",
    }
    assert not table.bad_rows
    rows = by_title(table)
    solace = rows["Introduce SOLACE to reduce persistent ASB"]
    assert solace == {
        "row": 4,
        "title": "Introduce SOLACE to reduce persistent ASB",
        "objective": "Reduce ASB",
        "measure_of_success": "Fewer complaints about ASB",
        "due": "Ongoing",  # free text, kept: sync stores it as the timescale
        "lead_organisation": "Stroud District Council",
        "resources": "Officer time",
        "risks": "Partner capacity",
    }
    slavery = rows["Raise awareness of modern slavery"]
    assert slavery["due"] == "April 2019 for 2 years"
    assert slavery["lead_organisation"] == "Gloucestershire Fire & Rescue Service"
    cctv = rows["Deploy mobile CCTV at events"]
    assert cctv["due"] == "31/03/2024"
    assert cctv["resources"] == "£5,000 from the PCC fund"
    report = table.mapping_report()
    assert '"Initiative/Action" -> action (title)' in report
    assert "header on row 3" in report


def test_council_tracker_csv_with_bad_rows(tmp_path: Path) -> None:
    """Ref / Action / Lead Officer/Agency / Target completion date / RAG Rating / Progress."""
    path = write_csv(
        tmp_path / "tracker.csv",
        [
            "Ref,Action,Lead Officer/Agency,Target completion date,RAG Rating,Progress Update",
            '1,Knife crime awareness,"Emily Bolland, Jennie Watkins",31/03/2027,Amber/Red,'
            "Schools booked",
            "2,Street Aware meetings,Gloucestershire Constabulary,Q4 2026/27,Green,",
            "3,Review DHR learning,SDC,31/02/2027,G,",
            "4,Hate crime reporting,Kath Rees & Anne Brinkhoff,Ongoing,purple,",
            "5,,Victim Support,within six months,A,",
            ",,,,,",
            '6,Gloucester Park patrols,"Victim Support, others TBC",review after one year,'
            "Blue,Handed to BAU",
            "2,Second use of ref 2,Louise Boyle,31/12/2026,A,",
            "7,Intensive engagement in Widden,Emily Bolland,March 2027,Red,",
        ],
    )
    table = read_table(path)
    assert mapping(table) == {
        "Ref": "ref",
        "Action": "title",
        "Lead Officer/Agency": LEAD,
        "Target completion date": "due",
        "RAG Rating": "rag",
        "Progress Update": "note",
    }
    problems = bad(table)
    assert sorted(problems) == [4, 5, 6, 9]
    assert "'31/02/2027' is not a real date" in problems[4]
    assert 'column D "Target completion date"' in problems[4]
    assert "'purple' is not a RAG rating or a status" in problems[5]
    assert "write Red, Amber or Green" in problems[5]
    assert 'no action text in column B "Action"' in problems[6]
    assert "ref '2' is also used on row 3" in problems[9]
    rows = by_title(table)
    assert [r for r, _ in table.actions] == [2, 3, 8, 10]
    knife = rows["Knife crime awareness"]
    # Several people: the first owns the action, the others are partners.
    assert knife["owner"] == "Emily Bolland"
    assert knife["partners"] == "Jennie Watkins"
    assert knife["rag"] is Rag.RED  # Amber/Red: the worse of the two
    assert knife["note"] == "Schools booked"
    assert knife["ref"] == "1"
    street = rows["Street Aware meetings"]
    assert street["lead_organisation"] == "Gloucestershire Constabulary"
    assert "owner" not in street
    park = rows["Gloucester Park patrols"]
    assert park["lead_organisation"] == "Victim Support"
    assert park["partners"] == "others TBC"
    assert park["status"] is Status.COMPLETE  # Blue = complete
    assert park["due"] == "review after one year"
    widden = rows["Intensive engagement in Widden"]
    assert widden["due"] == "March 2027"
    # The good rows are there to import on their own ("--skip-bad-rows").
    assert [a.title for a in table.plan().actions] == list(rows)
    assert "4 rows need fixing (rows 4-6, 9)" in table.mapping_report()


def test_plain_english_sheet(tmp_path: Path) -> None:
    """Questions as headers, a line break inside one, people and agencies in one column."""
    path = write_xlsx(
        tmp_path / "plain.xlsx",
        [
            [
                "What are we going to do?",
                "Who will lead?",
                "When by?",
                "How will we know\nwe have succeeded?",
            ],
            ["Hold a community safety day in Barton", "Louise Boyle", "within six months", None],
            ["Set up a Bluelight group", "Steve O'Neill and Emily Bolland", "Ongoing", "Fewer"],
            [None, "Public Health", "31/03/2027", "Co-produced initiatives"],
            ["Review the night-time economy", "Gloucester City Council", "30/09/2026", None],
            ["Publicise DASV support", "All partners", None, None],
        ],
    )
    table = read_table(path)
    assert mapping(table) == {
        "What are we going to do?": "title",
        "Who will lead?": LEAD,
        "When by?": "due",
        "How will we know we have succeeded?": "measure_of_success",
    }
    assert sorted(bad(table)) == [4]
    assert "no action text" in bad(table)[4]
    rows = by_title(table)
    assert rows["Hold a community safety day in Barton"]["owner"] == "Louise Boyle"
    assert rows["Hold a community safety day in Barton"]["due"] == "within six months"
    bluelight = rows["Set up a Bluelight group"]
    assert (bluelight["owner"], bluelight["partners"]) == ("Steve O'Neill", "Emily Bolland")
    nte = rows["Review the night-time economy"]
    assert nte["lead_organisation"] == "Gloucester City Council"
    assert "owner" not in nte
    # "All partners" is nobody in particular: kept as partners text, not made a person.
    dasv = rows["Publicise DASV support"]
    assert dasv["partners"] == "All partners"
    assert "owner" not in dasv
    assert '"Who will lead?" -> lead: a person becomes the owner' in table.mapping_report()


def test_key_action_sheet_with_excel_dates_and_two_notes_columns(tmp_path: Path) -> None:
    """Key action / Action Owner / Completion Date (real dates) / Complete Y/N / Notes x2."""
    path = write_xlsx(
        tmp_path / "key.xlsx",
        [
            ["Key action", "Action Owner", "Completion Date", "Complete Y/N", "Notes", "Notes"],
            ["Appoint a MARAC coordinator", "Ruth Saunders", dt.datetime(2027, 3, 31), "Y", "Done"],
            ["Audit CCTV coverage", "Anne Brinkhoff", dt.date(2026, 12, 1), "N", None, "old"],
            ["Map street drinking hotspots", "Kath Rees", None, "n", None, None],
            ["Refresh the ASB policy", "Emily Bolland", 46112, None, None, None],
        ],
    )
    table = read_table(path)
    assert [(c.label, c.field) for c in table.columns] == [
        ("Key action", "title"),
        ("Action Owner", "owner"),
        ("Completion Date", "due"),
        ("Complete Y/N", "status"),
        ("Notes", "note"),
        ("Notes", None),  # the second Notes column is ignored, and reported
    ]
    ignored = [c for c in table.columns if c.field is None]
    assert [(c.column, c.label) for c in ignored] == [(6, "Notes")]
    assert 'column E "Notes" already gives' in ignored[0].how
    assert 'F: "Notes"' in table.mapping_report()
    rows = by_title(table)
    marac = rows["Appoint a MARAC coordinator"]
    assert marac["due"] == "31/03/2027"  # an Excel date cell becomes a date
    assert marac["status"] is Status.COMPLETE
    cctv = rows["Audit CCTV coverage"]
    assert cctv["due"] == "01/12/2026"
    assert "status" not in cctv  # N: not complete, status left as it is
    assert "due" not in rows["Map street drinking hotspots"]
    # A number in a date column (an Excel serial typed as a number) is not a date.
    assert "'46112' is not a date we can read" in bad(table)[5]


def test_priority_sheet_with_title_rows_and_merged_priorities(tmp_path: Path) -> None:
    """Title rows above the header; priority and sub-group cells merged down the rows."""
    # fmt: off
    grid: list[list[Cell]] = [
        ["Safer Gloucester Partnership"],
        ["Delivery plan 2026/27 (updated 01/04/2026)"],
        ["Priority", "Sub-group", "Action", "Nominated lead officer", "Timescale", "Status", "Update"],
        ["Priority 1: ASB", "ASB Steering Group", "Case reviews", "Kath Rees", "Q2 2026/27",
         "In progress", "Two held"],
        [None, None, "Community triggers", "Kath Rees", "Ongoing", "Not started", None],
        [None, "Street Aware", "Begging outreach", "Louise Boyle", "31/03/2027", "Amber", None],
        ["Priority 2: Domestic abuse", None, "DA champions", "Anne Brinkhoff", "Q4 2026/27",
         "Complete", None],
        [None, None, "Publicise DASV support", "Anne Brinkhoff", None, "Green", None],
        ["Priority 3: Serious violence"],
        [None, "Knife Crime T&F", "Knife crime awareness", "Emily Bolland", "March 2027", None,
         None],
        [None, None, "Weapons amnesty", "Jennie Watkins", "31/07/2026", "red", None],
    ]
    # fmt: on
    path = write_xlsx(
        tmp_path / "merged.xlsx",
        grid,
        merges=["A4:A6", "B4:B5", "A7:A8", "B7:B8", "A9:G9", "B10:B11"],
    )
    table = read_table(path)
    assert table.header_row == 3
    assert mapping(table) == {
        "Priority": "priority",
        "Sub-group": "group",
        "Action": "title",
        "Nominated lead officer": "owner",
        "Timescale": "due",
        "Status": "status",
        "Update": "note",
    }
    assert not table.bad_rows
    got = {a.title: (a.priority, a.group) for _, a in table.actions}
    assert got == {
        "Case reviews": ("Priority 1: ASB", "ASB Steering Group"),
        "Community triggers": ("Priority 1: ASB", "ASB Steering Group"),
        "Begging outreach": ("Priority 1: ASB", "Street Aware"),
        # A new priority ends the merged sub-group cell above it.
        "DA champions": ("Priority 2: Domestic abuse", None),
        "Publicise DASV support": ("Priority 2: Domestic abuse", None),
        # Row 9 is a heading across the table: the rows below take its priority.
        "Knife crime awareness": ("Priority 3: Serious violence", "Knife Crime T&F"),
        "Weapons amnesty": ("Priority 3: Serious violence", "Knife Crime T&F"),
    }
    statuses = {a.title: (a.status, a.rag) for _, a in table.actions}
    assert statuses["Begging outreach"] == (None, Rag.AMBER)
    assert statuses["DA champions"] == (Status.COMPLETE, None)
    assert statuses["Weapons amnesty"] == (None, Rag.RED)
    assert table.carried == {"priority": [5, 6, 8, 10, 11], "group": [5, 11]}
    report = table.mapping_report()
    assert 'Empty "Priority" cells took the value from the row above' in report
    assert "rows 5-6, 8, 10-11" in report
    assert 'Row 9 "Priority 3: Serious violence" is a heading' in report


def test_semicolon_csv_in_windows_1252_with_pound_sign(tmp_path: Path) -> None:
    """Excel on Windows saves "CSV" as cp1252; in many locales with semicolons."""
    path = write_csv(
        tmp_path / "funding.csv",
        [
            "Ref;Task;Lead;Due;Status;Funding",
            "SV-1;Café outreach for street drinkers;Bromford Housing;30/06/2026;In progress;£2,500",
            "SV-2;Youth diversion – summer;Emily Bolland;Summer holidays;Amber;£10,000 (PCC)",
        ],
        encoding="cp1252",
    )
    table = read_table(path)
    assert mapping(table) == {
        "Ref": "ref",
        "Task": "title",
        "Lead": LEAD,
        "Due": "due",
        "Status": "status",
        "Funding": "resources",
    }
    rows = by_title(table)
    cafe = rows["Café outreach for street drinkers"]
    assert cafe["resources"] == "£2,500"
    assert cafe["lead_organisation"] == "Bromford Housing"
    assert cafe["status"] is Status.IN_PROGRESS
    youth = rows["Youth diversion – summer"]
    assert youth["owner"] == "Emily Bolland"
    assert youth["due"] == "Summer holidays"
    assert youth["rag"] is Rag.AMBER  # a RAG in the Status column
    assert youth["resources"] == "£10,000 (PCC)"


def test_csv_encodings_and_delimiters(tmp_path: Path) -> None:
    """UTF-8 with BOM (Excel's "CSV UTF-8"), and tab-separated UTF-16 ("Unicode Text")."""
    lines = ["Action\tOwner\tResources", "Fund a £1 scheme\tKath Rees\t£1"]
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes("\r\n".join(lines).encode("utf-16"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + "Action,Owner\r\nNaïve café scheme,Kath Rees\r\n".encode())
    assert by_title(read_table(utf16))["Fund a £1 scheme"]["resources"] == "£1"
    table = read_table(bom)
    assert mapping(table) == {"Action": "title", "Owner": "owner"}
    assert list(by_title(table)) == ["Naïve café scheme"]


def test_committed_fixture_file() -> None:
    """A CSV saved by Excel on Windows (cp1252, semicolons, title line), kept as bytes."""
    table = read_table(FIXTURES / "district-plan-cp1252.csv")
    assert table.header_row == 2
    assert mapping(table)["Who will lead?"] == LEAD
    assert by_title(table)["Target £ from the PCC fund to hotspots"]["due"] == "Ongoing"
    assert sorted(bad(table)) == [5]


def test_a_title_line_with_key_words_loses_to_the_real_header(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "title.xlsx",
        [
            ["Action plan 2026/27", "Owner: Kath Rees", "Status: draft", "Progress: quarterly"],
            ["Action", "Lead"],
            ["Case reviews", "Kath Rees"],
        ],
    )
    table = read_table(path)
    assert table.header_row == 2
    assert [a.title for _, a in table.actions] == ["Case reviews"]


def test_a_high_medium_low_priority_column_is_not_the_plans_priority(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "urgency.xlsx",
        [["Action", "Priority"], ["Case reviews", "High"], ["Triggers", "low"], ["Audit", None]],
    )
    table = read_table(path)
    priority = next(c for c in table.columns if c.label == "Priority")
    assert priority.field is None
    assert "High/Medium/Low" in priority.how
    assert all(a.priority is None for _, a in table.actions)


def test_the_exporters_columns_map_exactly() -> None:
    expected = {
        "Ref": "ref",
        "Priority": "priority",
        "Priority title": "priority_title",
        "Sub-group": "group",
        "Objective": "objective",
        "Action": "title",
        "Lead organisation": "lead_organisation",
        "Owner": "owner",
        "Partners": "partners",
        "Due date": "due",
        "Status": "status",
        "RAG": "rag",
        "SARA stage": "sara",
        "Measure of success": "measure_of_success",
        "Resources": "resources",
        "Risks": "risks",
        "Latest update": "note",
    }
    assert list(expected) == EXPORT_COLUMNS
    assert {h: match_header(h) for h in EXPORT_COLUMNS} == {
        h: (f, "exact") for h, f in expected.items()
    }


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


# --------------------------------------------------------------------------- syncing

PLAN_YAML = """
partnership:
  name: Safer Testshire
  slug: safer-testshire
priorities:
  - code: P1
    title: Reduce ASB
  - code: P2
    title: Tackle domestic abuse
"""


def _partnership(session: Session) -> Partnership:
    apply_plan(session, load_plan_text(PLAN_YAML, "test.yaml"), source_name="test.yaml")
    found = session.scalars(select(Partnership).where(Partnership.slug == "safer-testshire")).one()
    return found


TRACKER_HEADER = [
    "Ref",
    "Priority",
    "Action",
    "Lead Officer/Agency",
    "Target completion date",
    "RAG Rating",
    "Progress Update",
]
TRACKER_ROWS: list[list[Cell]] = [
    ["A-1", "Priority 1", "Case reviews", "Kath Rees", "31/03/2027", "Amber", "Two held"],
    ["A-2", None, "Community triggers", "SDC", "Ongoing", "Green", None],
    ["A-3", "2", "DA champions", "Anne Brinkhoff, Ruth Saunders", dt.date(2026, 9, 30), "R", None],
]


def _import(session: Session, partnership: Partnership, path: Path) -> Any:
    table = read_table(path)
    assert not table.bad_rows, table.bad_rows_report()
    return apply_plan(session, table.plan(), source_name=path.name, partnership=partnership)


def test_import_twice_changes_nothing(session: Session, tmp_path: Path) -> None:
    partnership = _partnership(session)
    path = write_xlsx(tmp_path / "tracker.xlsx", [TRACKER_HEADER, *TRACKER_ROWS])
    first = _import(session, partnership, path)
    assert first.count("action", "created") == 3
    session.commit()
    second = _import(session, partnership, path)
    assert second.changed is False, second.summary()
    actions = {
        a.ref: a
        for a in session.scalars(select(Action).where(Action.partnership_id == partnership.id))
    }
    assert actions["A-1"].priority is not None and actions["A-1"].priority.code == "P1"
    assert actions["A-2"].priority is not None and actions["A-2"].priority.code == "P1"
    assert actions["A-2"].lead_organisation is not None
    assert actions["A-2"].lead_organisation.name == "SDC"
    assert actions["A-2"].timescale == "Ongoing" and actions["A-2"].due_date is None
    assert actions["A-3"].due_date == dt.date(2026, 9, 30)
    assert actions["A-3"].owner is not None and actions["A-3"].owner.name == "Anne Brinkhoff"
    assert actions["A-3"].partners == "Ruth Saunders"


def test_edited_file_updates_only_what_changed(session: Session, tmp_path: Path) -> None:
    partnership = _partnership(session)
    path = write_xlsx(tmp_path / "tracker.xlsx", [TRACKER_HEADER, *TRACKER_ROWS])
    _import(session, partnership, path)
    session.commit()
    edited = [list(r) for r in TRACKER_ROWS]
    edited[0][4] = "30/06/2027"  # A-1 due date moves
    edited[0][5] = "Red"  # and goes red
    edited[2][6] = "Champions trained in all GP surgeries"  # A-3 gets a progress note
    write_xlsx(path, [TRACKER_HEADER, *edited])
    report = _import(session, partnership, path)
    updated = {c.key: c.fields for c in report.changes}
    assert updated == {"A-1": ("due_date", "rag"), "A-3": ("note",)}
    a1, a2, a3 = (
        session.scalars(
            select(Action).where(Action.partnership_id == partnership.id, Action.ref == ref)
        ).one()
        for ref in ("A-1", "A-2", "A-3")
    )
    history = list(
        session.scalars(
            select(ActionUpdate).where(ActionUpdate.action_id == a1.id).order_by(ActionUpdate.id)
        )
    )
    assert len(history) == 2
    assert history[-1].source is Source.IMPORT
    assert history[-1].changes == {
        "due_date": ["2027-03-31", "2027-06-30"],
        "rag": ["amber", "red"],
    }
    assert len(a2.updates) == 1  # only its creation
    assert a3.updates[-1].note == "Champions trained in all GP surgeries"
    assert a3.updates[-1].changes == {}


def test_bad_rows_leave_the_good_ones_importable(session: Session, tmp_path: Path) -> None:
    """The CLI refuses by default and imports TableRead.actions with --skip-bad-rows."""
    partnership = _partnership(session)
    rows = [*TRACKER_ROWS, ["A-4", None, "Broken date", "Kath Rees", "31/02/2027", None, None]]
    rows.append(["A-5", None, None, "Kath Rees", None, None, "no action text"])
    path = write_xlsx(tmp_path / "tracker.xlsx", [TRACKER_HEADER, *rows])
    table = read_table(path)
    assert [b.row for b in table.bad_rows] == [5, 6]
    assert [row for row, _ in table.actions] == [2, 3, 4]
    assert len(table.plan().actions) == 3
    report = apply_plan(session, table.plan(), source_name=path.name, partnership=partnership)
    assert report.count("action", "created") == 3
    refs = set(session.scalars(select(Action.ref).where(Action.partnership_id == partnership.id)))
    assert refs == {"A-1", "A-2", "A-3"}


def test_new_partnership_from_a_spreadsheet(session: Session, tmp_path: Path) -> None:
    """A partnership with no priorities yet takes them from the sheet's headings."""
    partnership = Partnership(slug="new", name="New CSP")
    session.add(partnership)
    session.flush()
    path = write_xlsx(
        tmp_path / "new.xlsx",
        [
            ["Action", "Who will lead?", "When by?"],
            ["Priority 1: Reduce ASB"],
            ["Case reviews", "Kath Rees", "Ongoing"],
            ["Priority 2: Domestic abuse"],
            ["DA champions", "Victim Support", "31/03/2027"],
        ],
    )
    report = _import(session, partnership, path)
    assert report.count("priority", "created") == 2
    actions = list(session.scalars(select(Action).where(Action.partnership_id == partnership.id)))
    got = {
        a.title: (
            a.ref,
            a.priority.code if a.priority else None,
            a.owner.name if a.owner else None,
            a.lead_organisation.name if a.lead_organisation else None,
        )
        for a in actions
    }
    assert got == {
        "Case reviews": ("A-1", "P1", "Kath Rees", None),
        "DA champions": ("A-2", "P2", None, "Victim Support"),
    }
