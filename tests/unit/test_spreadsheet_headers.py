"""Spreadsheet headers: which column means what, and the cell readers (state, names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.cells import looks_like_organisation, parse_state, split_names
from storage.export import EXPORT_COLUMNS
from storage.headers import LEAD, match_header, normalise_header
from storage.models import Rag, Status
from storage.spreadsheet import read_table
from tests.unit.spreadsheetkit import write_xlsx

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
