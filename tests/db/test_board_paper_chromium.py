"""The HTML board paper as a person sees it: rendered by headless Chromium, offline, one file.

Riverside's paper for 10/12/2026 with charts for M-1 (a path to its target) and
M-2, and hostile text in a priority's title and a measure's name. Chromium opens
the file alone in an empty folder with the network unreachable and screenshots
it; the same page with each chart swapped for a magenta picture of the same size
shows where the charts go (one magenta block per chart), and there the paper
must show each chart: its ink, its blue line, no magenta. ``--dump-dom`` shows the hostile text as text and no
script in the page (none ran: the page is as it was written).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cli.digest import render_document
from storage.models import Priority
from tests import browserkit, kit
from tests.db.test_digest_charts import digest, measure, plans, readings, with_a_path

__all__ = ["plans"]  # the fixture, shared with tests/db/test_digest_charts.py

WIDTH, HEIGHT = 1000, 7000
HOSTILE = "<script>document.body.innerHTML='';document.title='ran'</script> & <b>bold</b>"
CHART_BLUE = (0x1D, 0x70, 0xB8)  # the readings' line: only the charts use it
MAGENTA = (255, 0, 255)  # in no chart and not in the paper's style


def paper(session: Session) -> dict[str, Any]:
    """The digest's view-model with two charts and hostile titles."""
    m1 = with_a_path(session)
    m1.name = f"ASB {HOSTILE}"
    m2 = measure(session, "M-2")
    readings(
        session,
        m2,
        ("Q1 2026/27", dt.date(2026, 6, 30), 12),
        ("Q2 2026/27", dt.date(2026, 9, 30), 14),
    )
    p1 = session.scalars(
        select(Priority).where(Priority.partnership_id == kit.partnership(session).id)
    ).first()
    assert p1 is not None
    p1.title = f"Reduce ASB {HOSTILE}"
    session.commit()
    return digest(session)


def solid_png(width: int, height: int) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), MAGENTA).save(out, format="png")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def bands(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of rows holding any True: (first, last) row of each."""
    rows = np.flatnonzero(mask.any(axis=1))
    found: list[tuple[int, int]] = []
    for r in rows:
        if found and r == found[-1][1] + 1:
            found[-1] = (found[-1][0], int(r))
        else:
            found.append((int(r), int(r)))
    return found


def test_the_paper_shows_its_charts_where_they_belong_offline(
    plans: Session, tmp_path: Path
) -> None:
    binary = browserkit.need_chromium()
    data = paper(plans)
    html = render_document(data, "html")
    alone = tmp_path / "alone"
    alone.mkdir()
    page = alone / "board-paper.html"
    page.write_text(html, encoding="utf-8")
    # The same page with each chart swapped for magenta of the same size (960 x 600).
    blanked = tmp_path / "blanked.html"
    blanked.write_text(
        re.sub(r'src="data:image/png;base64,[^"]+"', f'src="{solid_png(960, 600)}"', html),
        encoding="utf-8",
    )
    shots = [
        browserkit.screenshot(p, tmp_path / f"{p.stem}.png", WIDTH, HEIGHT, binary)
        for p in (page, blanked)
    ]
    seen, without = (np.asarray(Image.open(s).convert("RGB")).astype(int) for s in shots)
    # Not blank: the text of the paper is there.
    grey = seen.mean(axis=2)
    assert (grey < 128).sum() > 20_000
    # Where the magenta blocks are is where the charts go: one block per chart.
    places = np.abs(without - np.array(MAGENTA)).sum(axis=2) < 30
    found = bands(places)
    assert len(found) == len(data["charts"]["measures"]) == 2, found
    assert not (np.abs(seen - np.array(MAGENTA)).sum(axis=2) < 30).any()
    for top, bottom in found:
        assert 250 <= bottom - top <= 700  # 40rem wide at 960:600
        columns = np.flatnonzero(places[top : bottom + 1].any(axis=0))
        part = seen[top : bottom + 1, columns[0] : columns[-1] + 1]
        ink = (part.mean(axis=2) < 128).sum()
        blue = (np.abs(part - np.array(CHART_BLUE)).sum(axis=2) < 40).sum()
        assert ink > 3_000 and blue > 200, (top, bottom, ink, blue)


def test_hostile_titles_are_shown_as_text_and_run_nothing(plans: Session, tmp_path: Path) -> None:
    binary = browserkit.need_chromium()
    page = tmp_path / "board-paper.html"
    page.write_text(render_document(paper(plans), "html"), encoding="utf-8")
    dom = browserkit.dump_dom(page, binary)
    # No script in the page after loading: the body is whole and the title is the paper's.
    assert "<script" not in dom.lower()
    assert re.search(r"<title>[^<]*Digest for the Leadership Group", dom)
    assert "Reduce ASB &lt;script&gt;document.body.innerHTML=''" in dom
    assert "&lt;b&gt;bold&lt;/b&gt;" in dom and "<b>bold</b>" not in dom
    assert "Riverside" in dom and "P1" in dom
