"""``csp-bot import`` merges: conflicts printed, ``--prefer-file``, and the export round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli.parser import main
from storage.db import make_engine, session_factory
from storage.models import Action, ActionUpdate
from tests.kit import NOW, context, run

PLAN = """
partnership: {name: Test CSP, slug: test}
people:
  - {name: Ann Lead, role: lead, slack: U0ANN}
priorities:
  - code: P1
    title: Reduce ASB
    actions:
      - {ref: N-1, title: Launch the pledge, due: 31/03/2027, owner: Ann Lead}
      - {ref: N-2, title: Train partners, due: 30/06/2027, owner: Ann Lead}
"""


def _lead_moves_n2(url: str) -> None:
    factory = session_factory(make_engine(url))
    with factory() as s:
        outcome, text = run(
            context(s, "test", "Ann Lead", now=NOW), "action update N-2 due:30/09/2027"
        )
        assert outcome.ok, text


def _state(url: str) -> tuple[dt.date | None, int]:
    """N-2's due date, and how many history entries there are."""
    factory = session_factory(make_engine(url))
    with factory() as s:
        due = s.scalars(select(Action.due_date).where(Action.ref == "N-2")).one()
        return due, s.scalar(select(func.count()).select_from(ActionUpdate)) or 0


def test_prefer_file_on_the_command_line(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A conflict is printed and keeps the bot's value; --prefer-file takes the file's."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN)
    assert main(["--database-url", sqlite_url, "import", str(plan)]) == 0
    _lead_moves_n2(sqlite_url)
    capsys.readouterr()
    assert main(["--database-url", sqlite_url, "import", str(plan)]) == 0
    out = capsys.readouterr().out
    assert "No changes: the bot kept its newer values (below)." in out
    assert "action N-2, Due: kept 30/09/2027 (changed by Ann Lead on 21/11/2026 at 10:00)" in out
    assert _state(sqlite_url) == (dt.date(2027, 9, 30), 3)

    plan.write_text(PLAN.replace("due: 30/06/2027", "due: 31/12/2027"))
    assert main(["--database-url", sqlite_url, "import", str(plan), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 conflict: changed in the file and in the bot" in out
    assert "file 31/12/2027, bot 30/09/2027 (changed by Ann Lead" in out
    assert main(["--database-url", sqlite_url, "import", str(plan), "--prefer-file", "-v"]) == 0
    out = capsys.readouterr().out
    assert "took the file's value, as asked" in out and "updated action N-2 (due_date)" in out
    assert _state(sqlite_url) == (dt.date(2027, 12, 31), 4)


def test_export_then_import_back_keeps_the_update_made_between(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``csp-bot export`` records what the file says, so importing it back keeps N-2's move."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN)
    assert main(["--database-url", sqlite_url, "import", str(plan)]) == 0
    out_file = tmp_path / "test-action-plan.csv"
    assert main(["--database-url", sqlite_url, "export", "-o", str(out_file)]) == 0
    _lead_moves_n2(sqlite_url)
    capsys.readouterr()
    args = ["--database-url", sqlite_url, "import", str(out_file), "--partnership", "test"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "No changes" in out and "kept 30/09/2027" in out
    assert _state(sqlite_url) == (dt.date(2027, 9, 30), 3)
