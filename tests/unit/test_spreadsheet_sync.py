"""Importing a spreadsheet into the database: twice, edited, with bad rows, as a new partnership."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Action, ActionUpdate, Partnership, Source
from storage.planfile import load_plan_text
from storage.spreadsheet import read_table
from storage.sync import apply_plan
from tests.unit.spreadsheetkit import Cell, write_xlsx

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
