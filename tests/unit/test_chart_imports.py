"""The web process never loads matplotlib or WeasyPrint: only drawing a picture does."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

PROBE = """
import sys
import bot.slack.server, bot.slack.app, bot.schedule.run, partnership.digest
import bot.render.charts, bot.render.pdf, bot.cli.digest
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("matplotlib", "weasyprint"))
print(",".join(heavy) or "none")
from bot.render import charts
charts.grid_png({"key": "k", "title": "t", "columns": ["Now"], "rows": []})
print("drawn", "matplotlib" in sys.modules)
"""


def test_importing_the_bot_loads_no_plotting_or_pdf_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["none", "drawn True"], result.stderr
