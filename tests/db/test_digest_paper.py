"""``csp-bot digest``: the board papers written as Markdown or HTML from the command line."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

import bot.cli.parser
from bot.cli import digest as cli_digest
from storage.models import Meeting
from tests import kit

Run = Callable[..., int]


@pytest.fixture
def cli(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """``csp-bot`` with Riverside imported, at kit.NOW, with ``digest`` registered."""
    original = bot.cli.parser.build_parser

    def build_parser() -> argparse.ArgumentParser:
        parser = original()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "digest" not in sub.choices:
            # The registration bot/cli/ carries (see bot/cli/digest.py).
            doc = (cli_digest.cmd_digest.__doc__ or "").strip()
            digest_parser = sub.add_parser("digest", help=doc, description=doc)
            digest_parser.set_defaults(func=cli_digest.cmd_digest)
            cli_digest.add_arguments(digest_parser)
        return parser

    monkeypatch.setattr(bot.cli.parser, "build_parser", build_parser)
    monkeypatch.setattr(cli_digest, "now", lambda: kit.NOW)
    assert (
        bot.cli.parser.main(
            ["--database-url", sqlite_url, "import", str(kit.PLANS / "riverside.yaml")]
        )
        == 0
    )
    capsys.readouterr()

    def run(*args: str) -> int:
        return bot.cli.parser.main(["--database-url", sqlite_url, *args])

    yield run


def test_cli_writes_markdown_to_stdout(cli: Run, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("digest") == 0
    out = capsys.readouterr().out
    assert out.startswith("# Digest for the Leadership Group, Thursday 10/12/2026\n")
    assert "| **P1** Reduce anti-social behaviour | red |  | 4 | 2 | 0 |" in out
    assert "### Lee Lead (2)" in out
    assert cli("digest", "--partnership", "riverside", "--meeting", "11/03/2027") == 0
    assert "Thursday 11/03/2027" in capsys.readouterr().out


def test_cli_writes_html_to_a_file(
    cli: Run, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "papers" / "digest.html"
    assert cli("digest", "--format", "html", "-o", str(target)) == 0
    assert capsys.readouterr().out.strip() == (
        f"Wrote the digest for the Riverside Leadership Group on 10/12/2026 (riverside) to {target}."
    )
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<h1>Digest for the Leadership Group" in html


def test_cli_papers_for_a_day_the_plan_does_not_hold(
    cli: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    """Board papers for an extraordinary meeting: the day is used, with a note on stderr."""
    assert cli("digest", "--meeting", "18/03/2027") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(
        "# Digest for the Riverside Leadership Group, Thursday 18/03/2027\n"
    )
    # "Since" is measured from the last recorded meeting before that day.
    assert "None raised in returns since 11/03/2027." in captured.out
    assert captured.err.startswith("Note: 18/03/2027 is not a Riverside Leadership Group meeting")
    # Relative days are read from today (kit.NOW), as in Slack.
    assert cli("digest", "--meeting", "+2w", "--format", "md") == 0
    assert "Note: " in capsys.readouterr().err


def test_cli_with_no_meetings_names_the_date_and_the_way_out(
    cli: Run, capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    """A plan with no meetings (like every shipped example) refuses the default, takes a day."""
    from sqlalchemy import create_engine

    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(delete(Meeting))
    engine.dispose()
    assert cli("digest") == 1
    err = capsys.readouterr().err
    assert "No Riverside Leadership Group meeting is coming up" in err
    assert "--meeting DD/MM/YYYY" in err and "Traceback" not in err
    assert cli("digest", "--partnership", "riverside", "--meeting", "18/03/2027") == 0
    assert "Thursday 18/03/2027" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        (("--meeting", "31/02/2027"), 2, "csp-bot: argument --meeting: '31/02/2027' is not a date"),
        (("--meeting", "03/13/2027"), 2, "is not a date: did you mean 13/03/2027 (13 March 2027)?"),
        (("--format", "docx"), 2, "csp-bot: argument --format: invalid choice: 'docx'"),
        (
            ("--meeting", "01/09/2026"),
            1,
            "01/09/2026 has passed; a digest shows where things stand before a meeting",
        ),
        (("--partnership", "nowhere"), 1, "No partnership called 'nowhere'"),
    ],
)
def test_cli_errors(
    cli: Run, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], status: int, says: str
) -> None:
    if status == 2:
        with pytest.raises(SystemExit) as info:
            cli("digest", *args)
        assert info.value.code == 2
    else:
        assert cli("digest", *args) == 1
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err
