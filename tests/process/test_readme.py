"""The README as a newcomer reads it: every command in its ```sh blocks runs, in order.

The commands run as they are written (``.venv/bin/csp-bot …``), in a scratch
directory laid out like a clone (``examples/``, ``tests/``, ``deploy/`` linked
in) whose ``.venv/bin/csp-bot`` runs this interpreter's ``bot.cli``, so the
test does not depend on where or whether a virtual environment was made. They
share one database as a newcomer's session would: the default ``csp-bot.db``,
and a fresh PostgreSQL database (``DATABASE_URL``) on the second backend.
Slack is the loopback fake (``SLACK_API_URL``), with a bot token, as the README
says ``run-due`` needs.

A command is left out only when it needs what a test cannot have — root on a
real server, a Heroku account, a running server, or the command is the
install or the test run itself — and then only by a pattern in :data:`SKIPS`,
each with its reason and each required to match something. Those blocks are
still checked with ``bash -n``; the files they install are checked by
``tests/unit/test_deploy.py``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.fakeslack import FakeSlack

README = (REPO / "README.md").read_text(encoding="utf-8")
PROMPT = "csp> "

# (pattern searched in a command, why a test cannot run it). Each must match a command.
SKIPS: tuple[tuple[str, str], ...] = (
    (r"^python3 -m venv \.venv$", "makes the virtual environment this test already runs in"),
    (r"^\.venv/bin/pip install ", "installs what this test already runs from"),
    (r"^\.venv/bin/pytest$", "is the test suite itself"),
    (r"^sudo(edit)? ", "needs root on a real server (apt, systemd, /etc); bash -n checks it"),
    (r"heroku", "needs a Heroku account and app"),
    (r"^curl ", "needs the server running under systemd and Caddy"),
    (r"^pg_(dump|restore) ", "needs the server's PostgreSQL ($DATABASE_URL of /etc/csp-bot.env)"),
    (
        r"^\.venv/bin/csp-bot clock\b",
        "runs until stopped; tests/process/test_clock_process.py runs it",
    ),
)

# What some commands must print (stdout and stderr together), beyond exiting 0.
EXPECT: tuple[tuple[str, str], ...] = (
    (r"csp-bot demo$", "Your turn"),
    (r'console --demo --as "Kath Rees"$', "Vulnerable Women Project"),
    (r"console --plan tests/fixtures/plans/riverside.yaml", "A-4"),
    (r"run-due --demo --dry-run", "due at"),
    (r"run-due$", "At "),
    (r"digest --demo --partnership stroud --meeting \+2w$", "# Digest for the Leadership Group"),
    (r"-o board-paper\.html$", "Wrote the digest"),
    (r"plan list", "stroud"),
    (r"export --partnership stroud ", "stroud-action-plan.csv"),
    (r"--create", "New CSP"),
    (r"person export", "Wrote what the bot holds about Kath Rees"),
    (r"person erase", "Erased Kath Rees"),
)


@dataclass(frozen=True)
class Command:
    """One command of a README block, where it was, and what it reads on stdin."""

    text: str
    section: str
    stdin: str = ""


def sh_blocks(readme: str = README) -> list[tuple[str, str]]:
    """Every ```sh block (dedented, as in a list item) with the section it is under."""
    blocks = []
    for match in re.finditer(r"^( *)```sh\n(.*?)^\1```", readme, re.S | re.M):
        headings = re.findall(r"^#{2,3} (.+)$", readme[: match.start()], re.M)
        blocks.append((headings[-1] if headings else "", textwrap.dedent(match[2])))
    return blocks


def commands(readme: str = README) -> list[Command]:
    """The commands of every block: continuation lines joined, `&&` chains split.

    A line starting ``csp>`` is what is typed into the command before it (the
    console's prompt), so it becomes that command's input.
    """
    found: list[Command] = []
    for section, block in sh_blocks(readme):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith(PROMPT):
                last = found[-1]
                found[-1] = Command(
                    last.text, last.section, last.stdin + line[len(PROMPT) :] + "\n"
                )
            elif line and not line.startswith("#"):
                for part in strip_comment(line).split(" && "):
                    found.append(Command(part.strip(), section))
    return found


def strip_comment(line: str) -> str:
    """``line`` without a trailing ``# comment`` (prose for the reader), quotes respected."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and i and line[i - 1] == " ":
            return line[:i].rstrip()
    return line


def skip_reason(command: Command) -> str | None:
    """Why a command is not run, or None."""
    for pattern, reason in SKIPS:
        if re.search(pattern, command.text):
            return reason
    return None


# --------------------------------------------------------------------------- static checks


def test_every_skip_is_used_and_every_block_parses() -> None:
    all_ = commands()
    for pattern, _reason in SKIPS:
        assert any(re.search(pattern, c.text) for c in all_), f"unused skip {pattern!r}"
    for section, block in sh_blocks():
        script = "\n".join(x for x in block.splitlines() if not x.startswith(PROMPT))
        result = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
        assert result.returncode == 0, f"{section}: {result.stderr}"


def test_commands_are_typed_as_a_newcomer_can_run_them() -> None:
    """No bare `csp-bot` (it needs an activated venv) and no placeholder URL in a command."""
    for command in commands():
        if skip_reason(command) and command.text.startswith(("sudo", "heroku", "curl", "pg_")):
            continue
        assert not re.search(r"(^|[|;&(]\s*)csp-bot\b", command.text), command
        assert "…" not in command.text and "github.com/…" not in command.text, command


def test_the_parser_finds_the_readme_commands() -> None:
    found = commands()
    texts = [c.text for c in found]
    assert ".venv/bin/csp-bot demo" in texts
    console = next(
        c for c in found if c.text == '.venv/bin/csp-bot console --demo --as "Kath Rees"'
    )
    assert console.stdin.startswith("/csp action list mine\n")
    assert any(
        c.text.startswith("printf ") and "| .venv/bin/csp-bot console" in c.text for c in found
    )
    # The server guide is there, and skipped for its reasons.
    assert any("systemctl daemon-reload" in c.text for c in found)
    assert len([c for c in found if skip_reason(c) is None]) >= 15


# --------------------------------------------------------------------------- running them


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A scratch directory laid out like a clone, with ``.venv/bin/csp-bot`` this interpreter."""
    for name in ("examples", "tests", "deploy", "docs"):
        (tmp_path / name).symlink_to(REPO / name)
    bin_ = tmp_path / ".venv" / "bin"
    bin_.mkdir(parents=True)
    shim = bin_ / "csp-bot"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m bot.cli "$@"\n')
    shim.chmod(0o755)
    return tmp_path


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def _env(database_url: str | None, slack: FakeSlack) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "LOG_LEVEL"))
    }
    env.update(
        {
            "SLACK_BOT_TOKEN": "xoxb-readme-test",
            "SLACK_API_URL": slack.base_url,
            "PYTHONPATH": str(REPO),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_every_readme_command_runs(
    backend: str, clone: Path, slack: FakeSlack, request: pytest.FixtureRequest
) -> None:
    """Each command, in README order, in one directory and one database: exit 0, no traceback."""
    # SQLite is the README's default (./csp-bot.db); PostgreSQL is set as a deployer would.
    url = request.getfixturevalue("postgres_url") if backend == "postgresql" else None
    env = _env(url, slack)
    # PostgreSQL is migrated explicitly, as the README's Configuration says (SQLite on first use).
    first = [Command(".venv/bin/csp-bot db upgrade", "Configuration")] if url else []
    ran = 0
    for command in first + commands():
        if skip_reason(command):
            continue
        result = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command.text],
            cwd=clone,
            env=env,
            input=command.stdin,
            text=True,
            capture_output=True,
            timeout=300,
        )
        said = result.stdout + result.stderr
        where = f"README, {command.section}: {command.text}\n{said[-3000:]}"
        assert result.returncode == 0, where
        assert "Traceback" not in said, where
        for pattern, expected in EXPECT:
            if re.search(pattern, command.text):
                assert expected in said, where
        ran += 1
    assert ran >= 15
    assert (clone / "board-paper.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (clone / "kath-rees.json").is_file()
    assert (clone / "csp-bot.db").exists() == (backend == "sqlite")


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_links_within_the_readme_and_to_files_resolve() -> None:
    anchors = {_slug(h) for h in re.findall(r"^#{1,4} (.+)$", README, re.M)}
    for target in re.findall(r"\]\(#([^)]+)\)", README):
        assert target in anchors, target
    for path in re.findall(r"\]\(((?:docs|deploy|examples)/[^)#]+)\)", README):
        assert (REPO / path).is_file(), path
