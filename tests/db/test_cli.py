"""The csp-bot command line, run in-process and as the installed console script."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.parser import main
from bot.settings import SettingsError, load_settings
from storage.db import normalise_url
from tests.conftest import EXAMPLES

GOOD = "partnership: {name: Test CSP, slug: test}\npriorities:\n  - {code: P1, title: ASB, actions: [{ref: A-1, title: Do it, due: 31/03/2027}]}\n"


def run(url: str, *args: str) -> int:
    return main(["--database-url", url, *args])


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("db", "import", "export", "plan", "demo"):
        assert command in out
    for sub in (["import"], ["export"], ["plan", "show"], ["db", "upgrade"], ["demo"]):
        with pytest.raises(SystemExit):
            main([*sub, "--help"])
        assert "usage: csp-bot" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["run-due", "--at", "04/13/2027"],
            "csp-bot: argument --at: '04/13/2027' is not a real date",
        ),
        (["run-due", "--at", "04/13/2027"], "did you mean 13/04/2027 (13 April 2027)?"),
        (["run-due", "--at", "next tuesday"], "write it as 04/01/2027 09:30"),
        (["digest", "--meeting", "banana"], "csp-bot: argument --meeting: 'banana' is not a date"),
        (["export", "--format", "pdf"], "csp-bot: argument --format: invalid choice"),
        (["import"], "csp-bot: the following arguments are required: file"),
    ],
)
def test_usage_errors_have_the_same_prefix_as_every_error(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("csp-bot: ") and says in err, err
    assert "usage: csp-bot" in err and "Error:" not in err


@pytest.mark.parametrize(
    "at", ["03/12/2026", "03/12/2026 09:00", "3 December 2026 9:00", "2026-12-03T09:00"]
)
def test_run_due_takes_uk_dates(
    sqlite_url: str, at: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(sqlite_url, "run-due", "--at", at, "--dry-run") == 0
    assert "at 03/12/2026 09:00 (nothing sent)" in capsys.readouterr().out


@pytest.mark.process  # runs csp-bot in a subprocess
def test_console_script_is_installed() -> None:
    exe = shutil.which("csp-bot") or str(Path(sys.executable).parent / "csp-bot")
    result = subprocess.run([exe, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "import" in result.stdout


def test_db_upgrade_is_idempotent(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(sqlite_url, "db", "upgrade") == 0
    assert "upgraded from empty" in capsys.readouterr().out
    assert run(sqlite_url, "db", "upgrade") == 0
    assert "already at the newest schema" in capsys.readouterr().out
    assert run(sqlite_url, "db", "current") == 0
    assert "up to date" in capsys.readouterr().out


def test_any_command_migrates_an_empty_sqlite_file(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(sqlite_url, "plan", "list") == 0
    assert "No partnerships yet" in capsys.readouterr().out


def test_postgres_must_be_migrated_explicitly(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    database_url = postgres_url
    assert run(database_url, "plan", "list") == 1
    assert "run `csp-bot db upgrade` first" in capsys.readouterr().err
    assert run(database_url, "db", "upgrade") == 0
    assert run(database_url, "plan", "list") == 0


def test_import_then_reimport_then_show(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(GOOD)
    assert run(sqlite_url, "import", str(plan)) == 0
    assert "action: 1 created" in capsys.readouterr().out
    assert run(sqlite_url, "import", str(plan)) == 0
    assert "No changes" in capsys.readouterr().out
    assert run(sqlite_url, "plan", "show") == 0
    out = capsys.readouterr().out
    assert "Test CSP" in out and "P1" in out and "1 action:" in out


def test_dry_run_writes_nothing(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(GOOD)
    assert run(sqlite_url, "import", "--dry-run", "-v", str(plan)) == 0
    out = capsys.readouterr().out
    assert "Dry run" in out and "created action A-1" in out
    assert run(sqlite_url, "plan", "list") == 0
    assert "No partnerships yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("due", "says"),
    [
        ("31/02/2027", "is not a real date"),
        ("03/31/2027", "did you mean 31/03/2027 (31 March 2027)?"),
    ],
)
def test_bad_plan_is_refused_whole(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], due: str, says: str
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(GOOD.replace("31/03/2027", due))
    assert run(sqlite_url, "import", str(plan)) == 1
    err = capsys.readouterr().err
    assert err.startswith("csp-bot: ")  # the same prefix as every other error
    assert f"{plan}:3: priorities[0].actions[0].due" in err and "Traceback" not in err
    assert says in err
    assert run(sqlite_url, "plan", "list") == 0
    assert "No partnerships yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.docx", "x", "save a spreadsheet as .xlsx or .csv"),
        ("missing.yaml", None, "no such file"),
    ],
)
def test_wrong_files_get_a_sentence(
    sqlite_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | None,
    expected: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    assert run(sqlite_url, "import", str(path)) == 1
    assert expected in capsys.readouterr().err


def test_several_partnerships_need_a_name(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("safer-gloucestershire-2023.yaml", "stroud-2023.yaml"):
        assert run(sqlite_url, "import", str(EXAMPLES / name)) == 0
    capsys.readouterr()
    assert run(sqlite_url, "plan", "show") == 1
    assert "add --partnership NAME" in capsys.readouterr().err
    assert run(sqlite_url, "plan", "show", "--partnership", "nowhere") == 1
    assert (
        "No partnership called 'nowhere'. Known: safer-gloucestershire" in capsys.readouterr().err
    )
    assert run(sqlite_url, "plan", "show", "--partnership", "Safer Gloucestershire") == 0
    assert (
        "district partnerships: Stroud District Community Safety Partnership"
        in capsys.readouterr().out
    )


def test_demo_loads_the_examples_once(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(sqlite_url, "demo") == 0
    out = capsys.readouterr().out
    assert out.count(": loaded") == 5 and "Stroud District Community Safety Partnership" in out
    assert run(sqlite_url, "demo") == 0
    assert capsys.readouterr().out.count("already loaded") == 5


def test_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://nope")
    assert main(["plan", "list"]) == 1
    assert "DATABASE_URL:" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-secret-value")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "SLACK_BOT_TOKEN" in str(info.value) and "secret-value" not in str(info.value)


def test_heroku_urls_are_accepted() -> None:
    assert normalise_url("postgres://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert normalise_url("postgresql://h/d") == "postgresql+psycopg://h/d"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
    settings = load_settings(database_url="postgres://u@h/d")
    assert settings.database_url == "postgresql+psycopg://u@h/d"


def test_unreachable_database_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", "postgresql://nobody@127.0.0.1:1/none", "plan", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("csp-bot: cannot use the database:") and "Traceback" not in err
