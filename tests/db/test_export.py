"""Export: values, CSV/XLSX files, formula safety, round trips and a constant query count.

Database tests run on SQLite and on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from storage.export import (
    EXPORT_COLUMNS,
    escape_formula,
    export_rows,
    unescape_formula,
    write_csv,
    write_xlsx,
)
from storage.models import Action, ActionUpdate, Partnership, Source
from storage.planfile import ActionIn, PlanFile, PriorityIn, load_plan_file, load_plan_text
from storage.spreadsheet import read_table
from storage.sync import apply_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

PLAN = """
partnership:
  name: Safer Testshire
  slug: safer-testshire
organisations:
  - name: Gloucestershire Constabulary
    kind: responsible authority
  - name: Gloucestershire Fire & Rescue Service
people:
  - name: Kath Rees
  - name: Emily Bolland
priorities:
  - code: P1
    title: Reduce ASB
    actions:
      - ref: A-2
        title: Case reviews for repeat ASB victims
        objective: Support repeat victims
        owner: Kath Rees
        lead_organisation: Gloucestershire Constabulary
        partners: Victim Support, SDC
        due: 31/03/2027
        status: in progress
        rag: amber
        sara: analysis
        measure_of_success: Fewer repeat callers
        resources: Officer time
        risks: Capacity
        note: First review held
      - ref: A-10
        title: "=SUM(A1:A3) hotspots audit"
        due: Ongoing
        status: not started
  - code: P2
    title: Tackle domestic abuse
    actions:
      - ref: A-3
        title: "@channel DA champions in every GP surgery"
        owner: Emily Bolland
        due: Q4 2026/27
        status: complete
        rag: green
        note: "- trained 40 champions"
      - ref: A-4
        title: Refuge bid
        lead_organisation: Gloucestershire Fire & Rescue Service
        due: within six months
        status: dropped
        rag: red
        partners: "+ Housing teams"
groups:
  - name: ASB Steering Group
    actions:
      - ref: A-5
        title: Community trigger reviews
        priority: P1
        owner: Kath Rees
        due: 30/09/2026
actions:
  - ref: A-1
    title: Annual strategic assessment
    due: 2026/27
"""


def _plan(session: Session) -> Partnership:
    apply_plan(session, load_plan_text(PLAN, "plan.yaml"), source_name="plan.yaml")
    partnership = session.scalars(
        select(Partnership).where(Partnership.slug == "safer-testshire")
    ).one()
    # A later note on A-2 becomes its latest update; an update without a note
    # (a status change from a command) must not hide it.
    a2 = session.scalars(
        select(Action).where(Action.partnership_id == partnership.id, Action.ref == "A-2")
    ).one()
    session.add(
        ActionUpdate(
            partnership_id=partnership.id,
            action=a2,
            source=Source.COMMAND,
            note="Second review held; two cases closed",
        )
    )
    session.add(
        ActionUpdate(
            partnership_id=partnership.id,
            action=a2,
            source=Source.COMMAND,
            changes={"rag": ["green", "amber"]},
        )
    )
    session.flush()
    return partnership


def _fresh(session: Session) -> Partnership:
    partnership = Partnership(slug="fresh", name="Fresh CSP")
    session.add(partnership)
    session.flush()
    return partnership


def test_export_values_and_order(session: Session) -> None:
    rows = export_rows(session, _plan(session))
    assert [r["Ref"] for r in rows] == ["A-2", "A-10", "A-5", "A-3", "A-4", "A-1"]
    assert all(list(r) == EXPORT_COLUMNS for r in rows)
    by_ref = {r["Ref"]: r for r in rows}
    assert by_ref["A-2"] == {
        "Ref": "A-2",
        "Priority": "P1",
        "Priority title": "Reduce ASB",
        "Sub-group": "",
        "Objective": "Support repeat victims",
        "Action": "Case reviews for repeat ASB victims",
        "Lead organisation": "Gloucestershire Constabulary",
        "Owner": "Kath Rees",
        "Partners": "Victim Support, SDC",
        "Due date": "31/03/2027",
        "Status": "in progress",
        "RAG": "Amber",
        "SARA stage": "Analysis",
        "Measure of success": "Fewer repeat callers",
        "Resources": "Officer time",
        "Risks": "Capacity",
        "Latest update": "Second review held; two cases closed",
    }
    assert by_ref["A-10"]["Due date"] == "Ongoing"  # free-text timescale
    assert by_ref["A-10"]["Status"] == "not started"
    assert by_ref["A-10"]["RAG"] == ""
    assert (by_ref["A-3"]["Due date"], by_ref["A-3"]["Status"]) == ("31/03/2027", "complete")
    assert by_ref["A-3"]["RAG"] == "Green"
    assert (by_ref["A-4"]["Status"], by_ref["A-4"]["RAG"]) == ("dropped", "Red")
    assert by_ref["A-5"]["Sub-group"] == "ASB Steering Group"
    assert by_ref["A-1"]["Priority"] == "" and by_ref["A-1"]["Due date"] == "31/03/2027"


def test_latest_update_skips_blank_notes(session: Session) -> None:
    partnership = _plan(session)
    a3 = session.scalars(
        select(Action).where(Action.partnership_id == partnership.id, Action.ref == "A-3")
    ).one()
    session.add(
        ActionUpdate(partnership_id=partnership.id, action=a3, source=Source.COMMAND, note="  ")
    )
    session.flush()
    rows = {r["Ref"]: r for r in export_rows(session, partnership)}
    assert rows["A-3"]["Latest update"] == "- trained 40 champions"


def test_export_is_scoped_to_one_partnership(session: Session) -> None:
    partnership = _plan(session)
    other = _fresh(session)
    apply_plan(
        session,
        PlanFile(actions=[ActionIn(title="Other partnership's secret action")]),
        source_name="other",
        partnership=other,
    )
    assert "Other partnership's secret action" not in {
        r["Action"] for r in export_rows(session, partnership)
    }
    assert [r["Action"] for r in export_rows(session, other)] == [
        "Other partnership's secret action"
    ]


@pytest.mark.parametrize(
    "text",
    ["=SUM(A1)", "+44 1452", "-5", "@channel", "\tx", "'=already quoted", "''=two", "'plain", "x"],
)
def test_escape_and_unescape_are_inverse(text: str) -> None:
    escaped = escape_formula(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t"))
    assert unescape_formula(escaped) == text


def test_csv_file(session: Session, tmp_path: Path) -> None:
    rows = export_rows(session, _plan(session))
    path = tmp_path / "plan.csv"
    write_csv(path, rows)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(EXPORT_COLUMNS)
    # Formula-like text is neutralised with a leading apostrophe.
    assert "'=SUM(A1:A3) hotspots audit" in text
    assert "'@channel DA champions" in text
    assert "'- trained 40 champions" in text
    assert "'+ Housing teams" in text
    assert "\n=" not in text and ",=" not in text and ",@" not in text


def test_xlsx_file(session: Session, tmp_path: Path) -> None:
    rows = export_rows(session, _plan(session))
    path = tmp_path / "plan.xlsx"
    write_xlsx(path, rows, title="Safer Testshire action plan 2026/27")
    wb = load_workbook(path)  # not data_only: see formulas if any were written
    ws = wb.active
    assert ws.title == "Safer Testshire action plan 202"  # 31 characters at most
    assert [c.value for c in ws[1]] == EXPORT_COLUMNS
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:Q{len(rows) + 1}"
    action = EXPORT_COLUMNS.index("Action") + 1
    letter = "ABCDEFGHIJKLMNOPQ"[action - 1]
    assert ws.column_dimensions[letter].width > ws.column_dimensions["A"].width
    assert ws[f"{letter}2"].alignment.wrap_text
    titles = {
        ws.cell(row=r, column=action).value: ws.cell(row=r, column=action) for r in range(2, 8)
    }
    formula_like = titles["=SUM(A1:A3) hotspots audit"]
    assert formula_like.data_type == "s"
    assert titles["@channel DA champions in every GP surgery"].data_type == "s"
    due = ws.cell(row=2, column=EXPORT_COLUMNS.index("Due date") + 1)
    assert isinstance(due.value, dt.datetime) and due.value.date() == dt.date(2027, 3, 31)
    assert due.number_format == "DD/MM/YYYY"
    with zipfile.ZipFile(path) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere


def test_empty_partnership_exports_a_header(session: Session, tmp_path: Path) -> None:
    partnership = _fresh(session)
    assert export_rows(session, partnership) == []
    write_xlsx(tmp_path / "empty.xlsx", [], title="Fresh")
    write_csv(tmp_path / "empty.csv", [])
    assert [c.value for c in load_workbook(tmp_path / "empty.xlsx").active[1]] == EXPORT_COLUMNS


def _write(fmt: str, path: Path, rows: list[dict[str, str]]) -> Path:
    target = path.with_suffix(f".{fmt}")
    if fmt == "csv":
        write_csv(target, rows)
    else:
        write_xlsx(target, rows, title="Action plan")
    return target


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_into_the_same_partnership_changes_nothing(
    session: Session, tmp_path: Path, fmt: str
) -> None:
    partnership = _plan(session)
    path = _write(fmt, tmp_path / "plan", export_rows(session, partnership))
    table = read_table(path)
    assert not table.bad_rows, table.bad_rows_report()
    assert len(table.actions) == 6
    report = apply_plan(session, table.plan(), source_name=path.name, partnership=partnership)
    assert report.changed is False, report.summary()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_into_a_fresh_partnership_reproduces_the_rows(
    session: Session, tmp_path: Path, fmt: str
) -> None:
    rows = export_rows(session, _plan(session))
    path = _write(fmt, tmp_path / "plan", rows)
    fresh = _fresh(session)
    apply_plan(session, read_table(path).plan(), source_name=path.name, partnership=fresh)
    assert export_rows(session, fresh) == rows


def test_round_trip_of_a_real_plan(session: Session, tmp_path: Path) -> None:
    """The Safer Gloucester 2011 plan: free-text cadences, partners, actions with no priority."""
    plan = load_plan_file(EXAMPLES / "safer-gloucester-2011.yaml")
    apply_plan(session, plan, source_name="safer-gloucester-2011.yaml")
    assert plan.partnership is not None
    partnership = session.scalars(
        select(Partnership).where(Partnership.slug == plan.partnership.resolved_slug)
    ).one()
    rows = export_rows(session, partnership)
    assert rows
    path = _write("xlsx", tmp_path / "gloucester", rows)
    table = read_table(path)
    assert not table.bad_rows, table.bad_rows_report()
    again = apply_plan(session, table.plan(), source_name=path.name, partnership=partnership)
    assert again.changed is False, again.summary()
    fresh = _fresh(session)
    apply_plan(session, table.plan(), source_name=path.name, partnership=fresh)
    assert export_rows(session, fresh) == rows


@contextmanager
def _count_statements(session: Session) -> Iterator[list[str]]:
    """Collect the SQL statements the session's engine runs inside the block."""
    statements: list[str] = []
    engine = session.get_bind()

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _partnership_with(session: Session, slug: str, n: int) -> Partnership:
    partnership = Partnership(slug=slug, name=slug)
    session.add(partnership)
    session.flush()
    priorities = [
        PriorityIn(
            code=f"P{p}",
            title=f"Priority {p}",
            actions=[
                ActionIn(
                    title=f"Action {p}.{i}",
                    owner=f"Person {i % 7}",
                    lead_organisation=f"Organisation {i % 5}",
                    group=f"Group {i % 3}",
                    due="31/03/2027",
                    rag="amber",
                    note=f"Note {i}",
                )
                for i in range(n // 2)
            ],
        )
        for p in (1, 2)
    ]
    apply_plan(session, PlanFile(priorities=priorities), source_name="gen", partnership=partnership)
    session.commit()
    # Start from an empty identity map so that any lazy load would show up as a query.
    session.expire_all()
    return partnership


def test_export_query_count_does_not_grow(session: Session) -> None:
    small = _partnership_with(session, "small", 10)
    with _count_statements(session) as small_statements:
        small_rows = export_rows(session, small)
    big = _partnership_with(session, "big", 200)
    with _count_statements(session) as big_statements:
        big_rows = export_rows(session, big)
    assert (len(small_rows), len(big_rows)) == (10, 200)
    assert len(big_statements) == len(small_statements) <= 3, big_statements
