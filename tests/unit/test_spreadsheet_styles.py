"""Spreadsheet import of the sheet styles real partnerships use, their encodings and delimiters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from storage.headers import LEAD
from storage.models import Rag, Status
from storage.spreadsheet import read_table
from tests.unit.spreadsheetkit import FIXTURES, Cell, bad, by_title, mapping, write_csv, write_xlsx


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
