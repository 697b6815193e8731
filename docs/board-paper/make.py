"""Regenerate the sample board paper in this folder: ``python docs/board-paper/make.py``.

Riverside (the invented partnership of tests/fixtures/plans/riverside.yaml), at the
tests' "now" (21/11/2026), for its meeting of 10/12/2026, with two more invented
readings and a target date on M-1 so its chart shows a path. Writes the PDF, its
first pages as PNG (poppler's pdftoppm), M-1's chart and the RAG and returns grids
as Slack is sent them, and a mock-up of the digest's thread in Slack
(slack-thread.html, laid out like Slack by slack_thread.py, and its screenshot by
headless Chromium, slack-thread.png, when Chromium is installed).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

import slack_thread  # noqa: E402  (next to this script)
from sqlalchemy import select  # noqa: E402

from bot.cli.digest import render_pdf  # noqa: E402
from bot.render import charts  # noqa: E402
from partnership import digest, digest_meetings  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.models import DigestSnapshot, Measure, MeasureReading, Meeting, Priority  # noqa: E402
from tests import browserkit, kit  # noqa: E402

# The mock-up's window: Slack's thread pane and its margins; the page's empty foot is cut.
MOCKUP_WINDOW = (700, 1400)


def main() -> None:
    """Build the sample and write its files next to this script."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{scratch}/sample.db")
        upgrade(engine)
        with session_factory(engine)() as session:
            kit.load_plans(session, "riverside")
            pid = kit.partnership(session).id
            m = session.scalars(select(Measure).where(Measure.ref == "M-1")).one()
            m.baseline_period, m.target_date, m.unit = "2025/26", dt.date(2028, 3, 31), "per 1,000"
            for period, end, value in (
                ("Q3 2025/26", dt.date(2025, 12, 31), 42.0),
                ("Q4 2025/26", dt.date(2026, 3, 31), 41.0),
                ("Q2 2026/27", dt.date(2026, 9, 30), 39.5),
            ):
                session.add(
                    MeasureReading(
                        partnership_id=pid,
                        measure_id=m.id,
                        period=period,
                        period_end=end,
                        value=value,
                    )
                )
            before = Meeting(partnership_id=pid, date=dt.date(2026, 9, 10), title="Board")
            session.add(before)
            session.flush()
            for p, rag in zip(
                session.scalars(select(Priority).where(Priority.partnership_id == pid)),
                ("amber", "green"),
                strict=False,
            ):
                session.add(
                    DigestSnapshot(
                        partnership_id=pid,
                        meeting_id=before.id,
                        priority_id=p.id,
                        rag=rag,
                        taken_at=kit.NOW,
                    )
                )
            session.commit()
            ctx = kit.context(session, "riverside", None)
            meetings = digest_meetings.board_meetings(ctx)
            meeting = next(x for x in meetings if x.date == dt.date(2026, 12, 10))
            data = digest.build(ctx, meeting, meetings).data
        engine.dispose()
    m1 = data["charts"]["measures"][0]
    drawn = {
        m1["key"]: charts.measure_png(m1),
        "rag-grid": charts.grid_png(data["charts"]["rag"]),
        "returns-grid": charts.grid_png(data["charts"]["returns"]),
    }
    (HERE / "chart-M-1.png").write_bytes(drawn[m1["key"]])
    (HERE / "rag-grid.png").write_bytes(drawn["rag-grid"])
    (HERE / "returns-grid.png").write_bytes(drawn["returns-grid"])
    mockup = HERE / "slack-thread.html"
    mockup.write_text(slack_thread.page(data, drawn), encoding="utf-8")
    if browserkit.chromium_path():
        shot = browserkit.screenshot(mockup, HERE / "slack-thread.png", *MOCKUP_WINDOW)
        trim(shot)
    paper = HERE / "riverside-board-paper.pdf"
    paper.write_bytes(render_pdf(data))
    if shutil.which("pdftoppm"):
        for old in HERE.glob("page-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(paper), str(HERE / "page")],
            check=True,
        )
    print(f"wrote the sample board paper and its pictures to {HERE}")


def trim(png: Path) -> None:
    """Cut the page's empty foot (rows all of the last row's colour) off a screenshot."""
    from PIL import Image

    with Image.open(png) as shot:
        picture = shot.convert("RGB")
    width, height = picture.size
    foot = picture.getpixel((0, height - 1))
    bottom = height
    while bottom > 1 and all(picture.getpixel((x, bottom - 1)) == foot for x in range(width)):
        bottom -= 1
    picture.crop((0, 0, width, min(height, bottom + 16))).save(png, format="png", optimize=True)


if __name__ == "__main__":
    main()
