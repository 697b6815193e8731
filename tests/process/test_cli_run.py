"""`csp-bot serve` and `csp-bot socket` stop at start, naming a missing or bad setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.fakeslack import WAIT_LIMIT


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    clean.update(env, DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}")
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=clean,
        cwd=REPO,
        timeout=WAIT_LIMIT,  # a safety net: the run's end is the event
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["serve", "--port", "0"], {}, "SLACK_BOT_TOKEN"),
        (["serve", "--port", "0"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        (["serve"], {"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        (["socket"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
        (
            ["socket"],
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-wrong"},
            "SLACK_APP_TOKEN",
        ),
        (["serve"], {"SLACK_API_URL": "localhost:9/api"}, "SLACK_API_URL"),
    ],
)
def test_missing_or_malformed_settings_stop_the_process(
    tmp_path: Path, args: list[str], env: dict[str, str], named: str
) -> None:
    result = _run(args, tmp_path, **env)
    assert result.returncode == 1
    assert named in result.stderr
    assert "Traceback" not in result.stderr
    for value in env.values():
        if value.startswith(("xox", "localhost")):
            assert value not in result.stderr  # a setting's name, never its value
