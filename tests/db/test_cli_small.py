"""The command line as a newcomer meets it: --version, export's options, typos, the demo."""

from __future__ import annotations

import re
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.cli.parser import build_parser, main
from tests.conftest import EXAMPLES
from tests.db.test_cli import run
from tests.db.test_console import _cli as console_cli

STROUD = str(EXAMPLES / "stroud-2023.yaml")


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"csp-bot {version('csp-bot')}"


def test_every_option_has_help() -> None:
    """No option is listed in --help without saying what it does (export --format had none)."""
    import argparse

    def walk(parser: argparse.ArgumentParser, path: str) -> list[str]:
        missing = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    missing += walk(sub, f"{path} {name}")
            elif action.option_strings and not action.help:
                missing.append(f"{path} {action.option_strings[-1]}")
        return missing

    assert walk(build_parser(), "csp-bot") == []


@pytest.mark.parametrize(
    ("args", "written"),
    [
        (["-o", "ssg.csv"], ["ssg.csv"]),
        (["-o", "ssg.xlsx"], ["ssg.xlsx"]),
        (["-o", "ssg"], ["ssg.csv", "ssg.xlsx"]),
        (["--format", "csv"], ["stroud-action-plan.csv"]),
        (["--format", "xlsx", "-o", "out/plan"], ["out/plan.xlsx"]),
        (["--format", "csv", "-o", "plan.CSV"], ["plan.CSV"]),
        ([], ["stroud-action-plan.csv", "stroud-action-plan.xlsx"]),
    ],
)
def test_export_writes_only_what_was_asked(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    written: list[str],
) -> None:
    assert run(sqlite_url, "import", STROUD) == 0
    out = tmp_path / "exports"
    out.mkdir()
    monkeypatch.chdir(out)
    capsys.readouterr()
    assert run(sqlite_url, "export", *args) == 0
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == sorted(written)
    assert "34 actions of stroud" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--format", "xlsx", "-o", "ssg.csv"], "ssg.csv ends in .csv but --format is xlsx"),
        (["-o", "ssg.txt"], "ssg.txt: an export is written as .csv or .xlsx"),
        (["--format", "both", "-o", "ssg.csv"], "--format both writes two files"),
    ],
)
def test_export_refuses_a_name_that_contradicts_the_format(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    says: str,
) -> None:
    assert run(sqlite_url, "import", STROUD) == 0
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert run(sqlite_url, "export", *args) == 1
    assert says in capsys.readouterr().err
    assert not list(tmp_path.glob("ssg*"))


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["exprot"], "did you mean 'export'?"),
        (["improt", "plan.yaml"], "did you mean 'import'?"),
        (["plan", "shwo"], "did you mean 'show'?"),
        (["db", "upgarde"], "did you mean 'upgrade'?"),
        (["consol"], "did you mean 'console'?"),
    ],
)
def test_a_mistyped_command_suggests_the_nearest(
    capsys: pytest.CaptureFixture[str], argv: list[str], suggestion: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert suggestion in err, err
    assert "Traceback" not in err


def test_a_word_near_nothing_gets_no_wild_guess(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["zzzzqqq"])
    err = capsys.readouterr().err
    assert "did you mean" not in err and "invalid choice" in err


def _cli(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """csp-bot run in ``cwd``, where DATABASE_URL names a real install's database."""
    return console_cli(args, cwd / "csp-bot.db", stdin, cwd=cwd)


def _untimed(text: str) -> str:
    return re.sub(r"\d\d/\d\d/\d{4} \d\d:\d\d", "DATE TIME", text)


@pytest.mark.process  # runs csp-bot in a subprocess
def test_the_demo_has_its_own_database_and_replays_the_same(tmp_path: Path) -> None:
    first = _cli(["demo"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert not (tmp_path / "csp-bot.db").exists()  # a real install's database is not touched
    assert (tmp_path / "csp-bot-demo.db").exists()
    assert "csp-bot-demo.db" in first.stdout
    again = _cli(["demo"], tmp_path)
    assert again.returncode == 0, again.stderr
    # The same session again (history times aside): nothing appended to the first run's.
    assert _untimed(again.stdout) == _untimed(first.stdout)
    assert again.stdout.count("venue confirmed, launch slips to May") == first.stdout.count(
        "venue confirmed, launch slips to May"
    )
    # And the console can open the demo's database to try it.
    shown = _cli(["console", "--demo", "--as", "Kath Rees"], tmp_path, "/csp action show A-1\n")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("venue confirmed, launch slips to May") == 1
    assert not (tmp_path / "csp-bot.db").exists()
