"""Spreadsheet import and export through the command line, as a coordinator runs them."""

import shlex
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli.parser import main
from storage.db import make_engine, session_factory
from storage.export import EXPORT_COLUMNS
from storage.models import Partnership, Person, Role
from tests.conftest import EXAMPLES

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


def test_a_month_first_date_in_a_table_is_suggested_back(
    stroud: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "tracker.csv"
    table.write_text("Ref,Action,When by?\nX-1,Survey the park,04/13/2027\n")
    assert run(stroud, "import", str(table), "--partnership", "stroud") == 1
    out = capsys.readouterr().out
    assert "row 2: column C \"When by?\": '04/13/2027' is not a real date" in out
    assert "did you mean 13/04/2027 (13 April 2027)? Dates are day first" in out


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


# ------------------------------------------------- a partnership started from a table

NEW_TABLE = "Priority,Action,Lead,Timescale\nPriority 1: ASB,Launch pledge,Jo Bloggs,Q3 2026/27\n"


def people_of(url: str, slug: str) -> list[tuple[str, Role, str | None, str | None]]:
    """(name, role, Slack id, email) of each person in a partnership."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(Person.name, Person.role, Person.slack_user_id, Person.email)
                .join(Partnership, Partnership.id == Person.partnership_id)
                .where(Partnership.slug == slug)
                .order_by(Person.name)
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


@pytest.fixture
def blank(database_url: str) -> str:
    """An empty, migrated database on each backend."""
    assert main(["--database-url", database_url, "db", "upgrade"]) == 0
    return database_url


def test_create_without_a_coordinator_says_exactly_what_to_run_next(
    blank: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "new.csv"
    table.write_text(NEW_TABLE)
    capsys.readouterr()
    assert run(blank, "import", str(table), "--partnership", "New CSP", "--create") == 0
    out = capsys.readouterr().out
    assert "Next: New CSP has no coordinator yet" in out
    command = out.strip().splitlines()[-1].strip()
    assert command == (
        f"csp-bot import {shlex.quote(str(table))} --partnership new-csp "
        "--coordinator 'Full Name' --coordinator-slack U0123ABCD"
    )
    # Run what it says, with the real values: the coordinator is made; nothing else changes.
    args = shlex.split(command.replace("Full Name", "Jo Bloggs").replace("U0123ABCD", "U0JO1234"))
    assert run(blank, *args[1:]) == 0
    out = capsys.readouterr().out
    assert "action: 0 created, 0 updated, 1 unchanged" in out and "Next:" not in out
    assert people_of(blank, "new-csp") == [("Jo Bloggs", Role.COORDINATOR, "U0JO1234", None)]


def test_create_with_a_first_coordinator(
    blank: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "new.csv"
    table.write_text(NEW_TABLE)
    args = ["import", str(table), "--partnership", "New CSP", "--create"]
    assert (
        run(blank, *args, "--coordinator", "Cora Coord", "--coordinator-email", "cora@new.example")
        == 0
    )
    out = capsys.readouterr().out
    assert "Next: Cora Coord coordinates New CSP but is not linked to Slack yet" in out
    assert "--coordinator 'Cora Coord' --coordinator-slack U0123ABCD" in out
    assert people_of(blank, "new-csp") == [
        ("Cora Coord", Role.COORDINATOR, None, "cora@new.example"),
        ("Jo Bloggs", Role.LEAD, None, None),
    ]
    # An owner in the table may be the coordinator; a mention's markup is accepted.
    args = ["import", str(table), "--partnership", "Second CSP", "--create", "--coordinator"]
    assert run(blank, *args, "Jo Bloggs", "--coordinator-slack", "<@U0JO1234>") == 0
    out = capsys.readouterr().out
    assert "Next: in Slack, Jo Bloggs checks `/csp whoami`" in out
    assert people_of(blank, "second-csp") == [("Jo Bloggs", Role.COORDINATOR, "U0JO1234", None)]


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (
            ["--coordinator", "Cora", "--coordinator-slack", "cora"],
            "--coordinator-slack 'cora' is not a Slack member id",
        ),
        (
            ["--coordinator", "Cora", "--coordinator-email", "cora"],
            "--coordinator-email 'cora' is not an email address",
        ),
        (["--coordinator-slack", "U0CORA1"], 'need --coordinator "Full Name" too'),
    ],
)
def test_bad_coordinator_options_write_nothing(
    blank: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], says: str
) -> None:
    table = tmp_path / "new.csv"
    table.write_text(NEW_TABLE)
    assert run(blank, "import", str(table), "--partnership", "New CSP", "--create", *options) == 1
    err = capsys.readouterr().err
    assert err.startswith("csp-bot: ") and says in err
    assert run(blank, "plan", "list") == 0
    assert "new-csp" not in capsys.readouterr().out


def test_coordinator_option_is_for_tables(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(sqlite_url, "import", str(EXAMPLES / "stroud-2023.yaml"), "--coordinator", "Ann") == 1
    )
    assert "give the person `role: coordinator` under people:" in capsys.readouterr().err
