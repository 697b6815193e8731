"""Spreadsheet import and export through the command line, as a coordinator runs them."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from storage.export import EXPORT_COLUMNS

from .conftest import EXAMPLES

TRACKER = """Stroud CSP action tracker 2026/27,,,,,
,,,,,
Ref,What are we going to do?,Who will lead?,When by?,RAG Rating,Progress Update
A-1,Develop asset-based community development approach,Stroud District Council,31/03/2027,Amber,Venue confirmed
X-1,Run ASB awareness week,Ann Example,Ongoing,G,
X-2,Bad date row,Bob Example,31/02/2027,Green,
X-3,Bad rag row,Bob Example,Q4 2026/27,purple,
"""


@pytest.fixture
def stroud(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--database-url", sqlite_url, "import", str(EXAMPLES / "stroud-2023.yaml")]) == 0
    capsys.readouterr()
    return sqlite_url


def run(url: str, *args: str) -> int:
    return main(["--database-url", url, *args])


def test_bad_rows_stop_the_import_unless_skipped(
    stroud: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "tracker.csv"
    table.write_text(TRACKER)
    assert run(stroud, "import", str(table), "--partnership", "stroud") == 1
    out = capsys.readouterr().out
    assert 'B: "What are we going to do?" -> action (title)' in out
    assert "row 6: column D \"When by?\": '31/02/2027' is not a real date" in out
    assert "row 7: column E \"RAG Rating\": 'purple'" in out
    assert "Nothing was imported" in out
    # Nothing written: a second dry run would still create X-1.
    assert (
        run(stroud, "import", str(table), "--partnership", "stroud", "--skip-bad-rows", "-v") == 0
    )
    out = capsys.readouterr().out
    assert "created action X-1" in out and "updated action A-1" in out
    assert "X-2" not in out.split("Skipping them")[1]
    assert run(stroud, "import", str(table), "--partnership", "stroud", "--skip-bad-rows") == 0
    assert "No changes" in capsys.readouterr().out


def test_export_then_reimport_changes_nothing(
    stroud: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(stroud, "export", "--partnership", "stroud", "-o", str(tmp_path / "plan")) == 0
    assert "Exported 34 actions of stroud" in capsys.readouterr().out
    sheet = load_workbook(tmp_path / "plan.xlsx").active
    assert sheet is not None
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header == EXPORT_COLUMNS
    for name in ("plan.xlsx", "plan.csv"):
        assert run(stroud, "import", str(tmp_path / name), "--partnership", "stroud") == 0
        assert "No changes" in capsys.readouterr().out


def test_create_a_partnership_from_a_table(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "new.csv"
    table.write_text(
        "Priority,Action,Lead,Timescale\nPriority 1: ASB,Launch pledge,Jo Bloggs,Q3 2026/27\n"
    )
    assert run(sqlite_url, "import", str(table), "--create") == 1
    assert "--create needs --partnership NAME" in capsys.readouterr().err
    assert run(sqlite_url, "import", str(table), "--partnership", "New CSP", "--create") == 0
    assert run(sqlite_url, "plan", "show", "--partnership", "new-csp") == 0
    out = capsys.readouterr().out
    assert "P1" in out and "1 action:" in out
    assert run(sqlite_url, "import", str(table), "--partnership", "New CSP", "--create") == 1
    assert "exists; drop --create" in capsys.readouterr().err


def test_unreadable_spreadsheet_is_one_line(
    stroud: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a zip file")
    assert run(stroud, "import", str(broken), "--partnership", "stroud") == 1
    err = capsys.readouterr().err
    assert err.startswith("csp-bot: ") and "Traceback" not in err


def test_create_refuses_a_name_whose_slug_is_taken(
    stroud: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "new.csv"
    table.write_text("Action\nLaunch pledge\n")
    assert run(stroud, "import", str(table), "--partnership", "STROUD!", "--create") == 1
    assert "exists; drop --create" in capsys.readouterr().err
