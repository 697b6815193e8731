"""The console and the scripted demo: the same command code as Slack, as text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.console import Console, play
from storage.db import make_engine, session_factory, upgrade
from storage.models import Action, ActionUpdate, Source
from tests.conftest import REPO
from tests.kit import NOW, load_plans


def _console(
    factory: sessionmaker[Session], person: str | None = "Lee Lead"
) -> tuple[Console, list[str]]:
    lines: list[str] = []
    console = Console(factory, "riverside", person, out=lines.append, clock=lambda: NOW)
    return console, lines


def _factory(tmp_path: Path) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session:
        load_plans(session)
    return factory


def test_a_lead_updates_an_action_and_history_says_console(tmp_path: Path) -> None:
    factory = _factory(tmp_path)
    console, lines = _console(factory)
    console.handle('/csp action update A-1 rag:red "venue fell through"')
    assert "A-1" in lines[-1] and "updated" in lines[-1]
    with factory() as session:
        entry = session.scalars(select(ActionUpdate).order_by(ActionUpdate.id.desc())).first()
        assert entry is not None and entry.source == Source.CONSOLE
        assert entry.by is not None and entry.by.name == "Lee Lead"
        assert entry.note == "venue fell through"


def test_switching_person_applies_their_permissions(tmp_path: Path) -> None:
    factory = _factory(tmp_path)
    console, lines = _console(factory)
    console.handle("/as Mo Member")
    assert "Mo Member" in lines[-1]
    console.handle("/csp action update A-1 rag:green")
    assert "can't change A-1" in lines[-1] and "Lee Lead" in lines[-1]
    console.handle("/as nobody at all")
    assert "not in Riverside" in lines[-1]
    console.handle("/as operator")
    console.handle("/csp action update A-1 rag:green")
    assert "updated" in lines[-1]


def test_a_form_is_shown_with_its_values_and_the_typed_way(tmp_path: Path) -> None:
    factory = _factory(tmp_path)
    console, lines = _console(factory)
    console.handle("/csp action update A-1")
    assert "opens a form" in lines[-1]
    assert "RAG rating: Amber" in lines[-1]
    assert "/csp action update A-1 rag:amber" in lines[-1]


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    factory = _factory(tmp_path)
    console, lines = _console(factory)
    with factory() as session:
        before = session.scalar(select(func.count()).select_from(ActionUpdate))
    for line in (
        "/csp action update A-1 due:31/02/2027",
        "/csp action update A-1 rag:purple",
        '/csp action update A-1 "stray quote',
        "/csp action update A-99 rag:red",
        "/csp action update A-1 " + "x" * 5000,
        "/csp acton list",
    ):
        console.handle(line)
        assert lines[-1].startswith("[!]"), lines[-1]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ActionUpdate)) == before
        action = session.scalars(
            select(Action).where(Action.ref == "A-1", Action.partnership_id == 1)
        ).one()
        assert action.rag is not None and action.rag.value == "amber"


def test_in_slug_runs_one_command_in_another_partnership(tmp_path: Path) -> None:
    """`in:<slug>` works as in Slack: the same person there, for that command only."""
    factory = _factory(tmp_path)
    console, lines = _console(factory)
    console.handle("/csp in:hillford whoami")
    assert "Hillford" in lines[-1] and "Lee Lead" in lines[-1], lines[-1]
    console.handle("/csp whoami")
    assert "Riverside" in lines[-1] and "Hillford" not in lines[-1]
    console.handle("/csp in:HILLFORD action list mine")
    assert "is not a command" not in lines[-1] and "Hillford" in lines[-1], lines[-1]
    console.handle("/as Mo Member")  # Mo is only in Riverside
    console.handle("/csp in:hillford whoami")
    assert lines[-1].startswith("[!]") and "Mo Member is not in Hillford" in lines[-1]
    console.handle("/csp in:nowhere whoami")
    assert "no partnership `nowhere`" in lines[-1] and "`hillford`" in lines[-1]
    console.handle("/as operator")
    console.handle("/csp in:hillford whoami")
    assert "console operator" in lines[-1] and "Hillford" in lines[-1]


def test_replies_are_terminal_text_not_mrkdwn(tmp_path: Path) -> None:
    """Bold, emoji, mentions and entities are rendered; no raw Slack markup is printed."""
    factory = _factory(tmp_path)
    console, lines = _console(factory)
    console.handle('/csp action update A-1 rag:amber "hotspots & <b>parks</b>"')
    console.handle("/csp action show A-1")
    console.handle("/as operator")
    console.handle('/csp person add <@U0KATH|kath> name:"Kath Rees"')
    shown = "\n".join(lines)
    for raw in (
        "*A-1*",
        ":large_orange_circle:",
        ":white_check_mark:",
        "&amp;",
        "&lt;",
        "<@U0KATH>",
    ):
        assert raw not in shown, raw
    assert "[amber] A-1 " in shown
    assert "hotspots & <b>parks</b>" in shown
    assert "Slack: @U0KATH" in shown


def test_comments_and_quit(tmp_path: Path) -> None:
    factory = _factory(tmp_path)
    console, lines = _console(factory)
    play(console, ["# a comment", "/csp help", "/quit"])
    assert lines[0] == "# a comment"
    assert any("/csp action update" in line for line in lines)
    assert console.handle("/quit") is False


def _cli(
    args: list[str], db: Path, stdin: str = "", cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.mark.process  # runs csp-bot in a subprocess
def test_piped_console_session_on_a_plan_file(tmp_path: Path) -> None:
    plan = REPO / "tests" / "fixtures" / "plans" / "riverside.yaml"
    script = '/csp action update A-4 rag:amber "hotspot map drafted"\n/csp action show A-4\n'
    result = _cli(["console", "--plan", str(plan), "--as", "Lee Lead"], tmp_path / "p.db", script)
    assert result.returncode == 0, result.stderr
    assert "> /csp action update A-4" in result.stdout
    assert "hotspot map drafted" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.process  # runs csp-bot in a subprocess
def test_console_refuses_an_unknown_person(tmp_path: Path) -> None:
    plan = REPO / "tests" / "fixtures" / "plans" / "riverside.yaml"
    result = _cli(["console", "--plan", str(plan), "--as", "Nobody"], tmp_path / "p.db")
    assert result.returncode == 1
    assert "not in Riverside" in result.stderr


@pytest.mark.process  # runs csp-bot in a subprocess
def test_demo_plays_a_session_without_slack(tmp_path: Path) -> None:
    # Named with --database-url, the demo plays there (and never wipes it).
    demo = ["--database-url", f"sqlite:///{tmp_path / 'demo.db'}", "demo"]
    result = _cli(demo, tmp_path / "other.db")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "stronger-safer-gloucester-2019.yaml: loaded" in out
    assert "> /csp action update A-1 rag:amber" in out
    assert "venue confirmed, launch slips to May" in out
    assert "can't change A-1" in out  # a member is refused
    assert "`31/02/2027` is not a date I can read" in out  # bad date explained
    assert "`purple` is not a RAG rating" in out
    assert "opens a form" in out
    assert "Traceback" not in out + result.stderr
    again = _cli(demo, tmp_path / "other.db")
    assert again.returncode == 0 and "already loaded" in again.stdout
