"""Priorities from a spreadsheet get a clean title, and the export carries the titles."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.export import EXPORT_COLUMNS, export_rows, write_csv
from storage.models import Partnership, Priority
from storage.planfile import load_plan_file
from storage.spreadsheet import read_table
from storage.sync import apply_plan
from tests.conftest import EXAMPLES


def _fresh(session: Session, slug: str = "fresh") -> Partnership:
    p = Partnership(slug=slug, name=f"{slug} CSP")
    session.add(p)
    session.flush()
    return p


def _import(session: Session, path: Path, into: Partnership) -> None:
    table = read_table(path)
    assert not table.bad_rows, table.bad_rows_report()
    apply_plan(session, table.plan(), source_name=path.name, partnership=into)
    session.flush()


def _titles(session: Session, p: Partnership) -> dict[str, str]:
    rows = session.scalars(select(Priority).where(Priority.partnership_id == p.id))
    return {r.code: r.title for r in rows}


def _table(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / "table.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Priority", "Action"])
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("cell", "code", "title"),
    [
        ("Priority 1: Reduce ASB", "P1", "Reduce ASB"),
        ("Priority 2 - Tackle domestic abuse", "P2", "Tackle domestic abuse"),
        ("P3 Hate crime", "P3", "Hate crime"),
        ("4. Road safety", "P4", "Road safety"),
        ("Theme 5: Reoffending", "P5", "Reoffending"),
        # Nothing after the number: the cell is all there is to call it.
        ("Priority 6", "P6", "Priority 6"),
        # Real titles that merely start with a number or the word are kept whole.
        ("1 in 4 women", "P1", "1 in 4 women"),
        ("Priority neighbourhoods", "Priority-neighbo", "Priority neighbourhoods"),
    ],
)
def test_an_imported_priority_does_not_repeat_its_code_in_its_title(
    session: Session, tmp_path: Path, cell: str, code: str, title: str
) -> None:
    fresh = _fresh(session)
    _import(session, _table(tmp_path, [(cell, "Do something")]), fresh)
    assert _titles(session, fresh) == {code: title}


def test_a_heading_row_gives_its_priority_a_clean_title(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "headed.csv"
    path.write_text(
        "Priority,Action\nPriority 2: Reduce reoffending,\n,Mentoring scheme\n", encoding="utf-8"
    )
    fresh = _fresh(session)
    _import(session, path, fresh)
    assert _titles(session, fresh) == {"P2": "Reduce reoffending"}


def _stroud(session: Session) -> Partnership:
    plan = load_plan_file(EXAMPLES / "stroud-2023.yaml")
    apply_plan(session, plan, source_name="stroud-2023.yaml")
    return session.scalars(select(Partnership).where(Partnership.slug == "stroud")).one()


def test_the_export_carries_each_priority_title(session: Session) -> None:
    assert EXPORT_COLUMNS[:3] == ["Ref", "Priority", "Priority title"]
    stroud = _stroud(session)
    rows = export_rows(session, stroud)
    titles = _titles(session, stroud)
    assert {r["Priority"] for r in rows} == set(titles)
    for row in rows:
        assert row["Priority title"] == titles[row["Priority"]]


def test_an_exported_plan_starts_a_partnership_with_the_same_priorities(
    session: Session, tmp_path: Path
) -> None:
    stroud = _stroud(session)
    path = tmp_path / "stroud.csv"
    write_csv(path, export_rows(session, stroud))
    fresh = _fresh(session)
    _import(session, path, fresh)
    assert _titles(session, fresh) == _titles(session, stroud)
    # ...and importing it back into Stroud changes nothing.
    table = read_table(path)
    report = apply_plan(session, table.plan(), source_name=path.name, partnership=stroud)
    assert report.changed is False, report.summary()


def test_an_export_from_before_priority_titles_is_still_read_as_an_export(
    session: Session, tmp_path: Path
) -> None:
    stroud = _stroud(session)
    old_columns = [c for c in EXPORT_COLUMNS if c != "Priority title"]
    path = tmp_path / "old.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, old_columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(export_rows(session, stroud))
    assert "Laid out like a csp-bot export" in read_table(path).mapping_report()
