"""`csp-bot … | head`: a reader that leaves early ends the command quietly, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.fakeslack import WAIT_LIMIT


def test_a_closed_pipe_ends_the_command_without_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["PYTHONPATH"] = str(REPO)
    # The demo prints about 150 lines; the reader takes one and closes the pipe.
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    errors = proc.stderr.read()
    code = proc.wait(timeout=WAIT_LIMIT)  # a safety net: the exit is the event
    assert first.startswith("Demo:"), first
    assert "Traceback" not in errors, errors
    assert "BrokenPipeError" not in errors, errors
    assert code == 1
