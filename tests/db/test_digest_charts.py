"""The digest's pictures: the chart data in the view-model, the HTML paper, the PDF, the CLI.

Riverside at kit.NOW (Saturday 21/11/2026), the digest for the meeting of 10/12/2026.
M-1 (ASB incidents, baseline 40, target 32, lower is better) has one reading as
shipped; tests add more, a baseline period and a target date. The PDF's text and
pages are read with poppler's pdftotext/pdftoppm (.ci/run installs poppler-utils).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import bot.cli.parser
from bot.cli import digest as cli_digest
from bot.cli.digest import render_document, render_pdf
from partnership import digest as digest_data
from partnership import digest_meetings
from storage.models import (
    DigestSnapshot,
    Measure,
    MeasurePart,
    MeasureReading,
    Meeting,
    Priority,
    QuarterlyReturn,
    SubGroup,
)
from tests import kit
from tests.sweepkit import at

FIRST = dt.date(2026, 12, 10)
HOSTILE = "<script>alert(1)</script> & <b>bold</b>"


@pytest.fixture
def plans(session: Session) -> Session:
    """Riverside and Hillford loaded."""
    kit.load_plans(session)
    return session


def digest(session: Session, day: dt.date = FIRST) -> dict[str, Any]:
    ctx = kit.context(session, "riverside", None)
    meetings = digest_meetings.board_meetings(ctx)
    meeting = next(m for m in meetings if m.date == day)
    return digest_data.build(ctx, meeting, meetings).data


def measure(session: Session, ref: str = "M-1") -> Measure:
    return session.scalars(
        select(Measure).where(
            Measure.partnership_id == kit.partnership(session).id, Measure.ref == ref
        )
    ).one()


def readings(session: Session, m: Measure, *rows: tuple[str, dt.date, float]) -> None:
    for period, end, value in rows:
        session.add(
            MeasureReading(
                partnership_id=m.partnership_id,
                measure_id=m.id,
                period=period,
                period_end=end,
                value=value,
            )
        )
    session.commit()


def with_a_path(session: Session) -> Measure:
    """M-1 with a baseline period, a target date, a unit and three readings."""
    m = measure(session)
    m.baseline_period = "2025/26"
    m.target_date = dt.date(2028, 3, 31)
    m.unit = "per 1,000"
    readings(
        session,
        m,
        ("Q4 2025/26", dt.date(2026, 3, 31), 41),
        ("Q2 2026/27", dt.date(2026, 9, 30), 39.5),
    )
    return m


# --------------------------------------------------------------------------- the view-model


def test_a_measure_with_readings_has_a_chart_and_one_without_has_none(plans: Session) -> None:
    charts = digest(plans)["charts"]
    assert [c["ref"] for c in charts["measures"]] == ["M-1"]  # M-2 has no reading
    chart = charts["measures"][0]
    assert chart["series"][0]["points"] == [
        {"x": "2026-06-30", "period": "Q1 2026/27", "value": 38.0, "shown": "38"}
    ]
    assert chart["baseline"]["value"] == 40 and chart["target"]["value"] == 32
    # No target date: no path, and the target line has no end.
    assert chart["path"] is None and chart["target"]["x"] is None
    assert chart["better"] == "↓ lower is better"
    assert chart["alt"] == (
        "ASB incidents per 1,000 population: 38 in Q1 2026/27, baseline 40, target 32; "
        "lower is better; on track: better than the baseline"
    )


def test_the_path_runs_from_the_baseline_to_the_target_by_its_date(plans: Session) -> None:
    with_a_path(plans)
    chart = digest(plans)["charts"]["measures"][0]
    assert chart["path"] == [
        {"x": "2026-03-31", "value": 40.0},
        {"x": "2028-03-31", "value": 32.0},
    ]
    assert [p["period"] for p in chart["series"][0]["points"]] == [
        "Q4 2025/26",
        "Q1 2026/27",
        "Q2 2026/27",
    ]
    assert chart["status"] == {
        "state": "off track",
        "word": "OFF TRACK",
        "reason": "behind the path to target, expected 38 by now",
    }
    assert chart["target"]["label"] == "Target 32 per 1,000 by 31/03/2028"
    assert chart["alt"] == (
        "ASB incidents per 1,000 population: 39.5 per 1,000 in Q2 2026/27, "
        "baseline 40 per 1,000, target 32 per 1,000 by 31/03/2028; "
        "earlier 41 per 1,000 in Q4 2025/26, 38 per 1,000 in Q1 2026/27; "
        "lower is better; off track: behind the path to target, expected 38 by now"
    )


def test_a_target_date_without_a_baseline_period_starts_the_path_at_the_first_reading(
    plans: Session,
) -> None:
    m = measure(plans)
    m.target_date = dt.date(2027, 3, 31)
    plans.commit()
    chart = digest(plans)["charts"]["measures"][0]
    assert chart["path"] == [
        {"x": "2026-06-30", "value": 40.0},
        {"x": "2027-03-31", "value": 32.0},
    ]


def test_the_rag_grid_has_the_earlier_meetings_snapshots_then_now(plans: Session) -> None:
    pid = kit.partnership(plans).id
    earlier = [dt.date(2026, 6, 11), dt.date(2026, 9, 10)]
    for day in earlier:
        plans.add(Meeting(partnership_id=pid, date=day, title="Leadership Group"))
    plans.commit()
    ids = {
        m.date: m.id for m in plans.scalars(select(Meeting).where(Meeting.partnership_id == pid))
    }
    p1, p2 = plans.scalars(
        select(Priority).where(Priority.partnership_id == pid).order_by(Priority.position)
    ).all()
    taken = at("2026-09-03 09:00")
    plans.add_all(
        [
            DigestSnapshot(partnership_id=pid, meeting_id=ids[earlier[0]], priority_id=p1.id,
                           rag="green", taken_at=taken),
            DigestSnapshot(partnership_id=pid, meeting_id=ids[earlier[1]], priority_id=p1.id,
                           rag="amber", taken_at=taken),
            DigestSnapshot(partnership_id=pid, meeting_id=ids[earlier[1]], priority_id=p2.id,
                           rag="not rated", taken_at=taken),
        ]
    )  # fmt: skip
    plans.commit()
    grid = digest(plans)["charts"]["rag"]
    assert grid["columns"] == ["11/06/2026", "10/09/2026", "Now"]
    cells = {r["code"]: [(c["state"], c["word"]) for c in r["cells"]] for r in grid["rows"]}
    assert cells == {
        "P1": [("green", "Green"), ("amber", "Amber"), ("red", "Red")],
        "P2": [("", "–"), ("not rated", "Not rated"), ("green", "Green")],
    }
    assert "P1: green on 11/06/2026, amber on 10/09/2026, red now" in grid["alt"]
    assert "P2: not rated on 10/09/2026, green now" in grid["alt"]


def test_a_meeting_whose_digest_was_never_sent_has_no_column(plans: Session) -> None:
    plans.add(Meeting(partnership_id=kit.partnership(plans).id, date=dt.date(2026, 9, 10)))
    plans.commit()
    assert digest(plans)["charts"]["rag"]["columns"] == ["Now"]


def test_the_returns_grid_says_in_late_missing_and_not_owed(plans: Session) -> None:
    pid = kit.partnership(plans).id
    group = plans.scalars(select(SubGroup).where(SubGroup.partnership_id == pid)).one()
    ended = SubGroup(partnership_id=pid, name="Old group", end_date=dt.date(2026, 5, 31))
    plans.add(ended)
    plans.add_all(
        [
            # Q1 2026/27 ended 30/06/2026: due 21/07/2026 (15 working days); in late.
            QuarterlyReturn(partnership_id=pid, subgroup_id=group.id, fy_start_year=2026,
                            quarter=1, submitted_at=at("2026-09-01 10:00")),
            # Q2 ended 30/09/2026: due 21/10/2026; in on time.
            QuarterlyReturn(partnership_id=pid, subgroup_id=group.id, fy_start_year=2026,
                            quarter=2, submitted_at=at("2026-10-12 10:00")),
        ]
    )  # fmt: skip
    plans.commit()
    grid = digest(plans)["charts"]["returns"]
    assert grid["columns"] == ["Q3 2025/26", "Q4 2025/26", "Q1 2026/27", "Q2 2026/27"]
    cells = {r["label"]: [c["word"] for c in r["cells"]] for r in grid["rows"]}
    assert cells == {
        "ASB Steering Group": ["Missing", "Missing", "In late", "In"],
        # Ended in May 2026: owes Q1 2026/27 (it began before), nothing after.
        "Old group": ["Missing", "Missing", "Missing", "–"],
    }
    assert "Q2 2026/27: 1 of 1 in" in grid["alt"]
    assert "Q1 2026/27: 1 of 2 in, missing from Old group" in grid["alt"]


def test_the_digest_for_a_meeting_next_march_shows_a_quarter_not_yet_due(plans: Session) -> None:
    grid = digest(plans, dt.date(2027, 3, 11))["charts"]["returns"]
    assert grid["columns"][-1] == "Q3 2026/27"
    assert grid["rows"][0]["cells"][-1] == {"state": "due", "word": "Not due"}


# --------------------------------------------------------------------------- the HTML paper


class Sources(HTMLParser):
    """Every address an HTML page would load or link, and its pictures' alt text."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []
        self.images: list[dict[str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = {k: v or "" for k, v in attrs}
        self.addresses += [found[k] for k in ("src", "href", "data") if k in found]
        if tag == "img":
            self.images.append(found)


def test_the_html_paper_embeds_every_chart_and_needs_no_network(plans: Session) -> None:
    m = with_a_path(plans)
    m.name = f"ASB {HOSTILE}"
    plans.commit()
    data = digest(plans)
    html = render_document(data, "html")
    page = Sources()
    page.feed(html)
    assert len(page.images) == len(data["charts"]["measures"]) == 1
    # One file: every picture is inside it, nothing to fetch, no script, no stylesheet link.
    assert page.addresses and all(a.startswith("data:image/png;base64,") for a in page.addresses)
    assert not {"script", "link", "iframe"} & page.tags
    assert page.images[0]["alt"] == data["charts"]["measures"][0]["alt"]
    assert "ASB <script>alert(1)</script>" in page.images[0]["alt"]  # as typed, once parsed
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_html_paper_shows_the_grids_as_tables(plans: Session) -> None:
    pid = kit.partnership(plans).id
    before = Meeting(partnership_id=pid, date=dt.date(2026, 9, 10), title="Leadership Group")
    plans.add(before)
    plans.flush()
    p1 = plans.scalars(select(Priority).where(Priority.partnership_id == pid)).first()
    assert p1 is not None
    plans.add(DigestSnapshot(partnership_id=pid, meeting_id=before.id, priority_id=p1.id,
                             rag="amber", taken_at=at("2026-09-03 09:00")))  # fmt: skip
    plans.commit()
    html = render_document(digest(plans), "html")
    assert "Priorities&#39; RAG at each meeting" in html
    assert '<td class="cell cell-amber">Amber</td>' in html
    assert "Quarterly returns by group, Q3 2025/26 to Q2 2026/27" in html
    assert '<td class="cell cell-missing">Missing</td>' in html


# --------------------------------------------------------------------------- the PDF


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: install Debian's poppler-utils (.ci/run does)")
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def test_the_pdf_is_an_a4_paper_with_its_header_page_numbers_and_charts(
    plans: Session, tmp_path: Path
) -> None:
    with_a_path(plans)
    data = digest(plans)
    pdf = render_pdf(data)
    assert pdf.startswith(b"%PDF-")
    from weasyprint import HTML

    pages = len(HTML(string=render_document(data, "html")).render().pages)
    assert pages >= 2
    target = tmp_path / "paper.pdf"
    target.write_bytes(pdf)
    info = poppler("pdfinfo", str(target))
    assert re.search(rf"^Pages:\s+{pages}$", info, re.M), info
    assert "595.276 x 841.89 pts (A4)" in info
    text = poppler("pdftotext", "-layout", str(target), "-")
    per_page = text.split("\f")
    for number, page_text in enumerate(per_page[:pages], start=1):
        # The header on every page: the partnership, the meeting; the footer: the page.
        assert "Riverside Community Safety Partnership" in page_text
        assert "Digest for the Leadership Group, Thursday 10/12/2026" in page_text
        assert f"Page {number} of {pages}" in page_text
    assert "P1" in text and "Reduce anti-social" in text and "Tackle domestic abuse" in text
    assert "39.5 per 1,000 in Q2 2026/27" in text  # the chart's caption
    # Each page drawn is not blank, and the charts' page carries a picture.
    poppler("pdftoppm", "-r", "40", "-png", str(target), str(tmp_path / "page"))
    from PIL import Image

    drawn = sorted(tmp_path.glob("page-*.png"))
    assert len(drawn) == pages
    inks = []
    for png in drawn:
        with Image.open(png) as picture:
            inks.append(sum(picture.convert("L").histogram()[:200]))
    assert all(ink > 500 for ink in inks)


def test_a_long_table_repeats_its_heading_and_keeps_rows_whole(
    plans: Session, tmp_path: Path
) -> None:
    """Sixty measures: the measures table runs over pages, each starting with its heading."""
    pid = kit.partnership(plans).id
    plans.add_all(
        Measure(partnership_id=pid, ref=f"X-{i}", name=f"Extra measure {i}", position=100 + i)
        for i in range(60)
    )
    plans.commit()
    target = tmp_path / "paper.pdf"
    target.write_bytes(render_pdf(digest(plans)))
    pages = poppler("pdftotext", "-layout", str(target), "-").split("\f")
    runs_onto = [p for p in pages if "X-" in p]
    assert len(runs_onto) >= 2
    for page in runs_onto:
        # The heading row comes back on each page the table runs onto, above its rows.
        heading = re.search(r"Measure\s+Priority\s+Latest\s+Trend\s+Target\s+State", page)
        assert heading is not None and heading.start() < page.index("X-")
    # A row is never split: each measure's row is on one page, once.
    for i in range(60):
        assert sum(len(re.findall(rf"\bX-{i}\b", p)) for p in pages) == 1


# --------------------------------------------------------------------------- the command line


@pytest.fixture
def cli(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """``csp-bot`` on a database holding Riverside, at kit.NOW."""
    monkeypatch.setattr(cli_digest, "now", lambda: kit.NOW)
    args = ["--database-url", sqlite_url, "import", str(kit.PLANS / "riverside.yaml")]
    assert bot.cli.parser.main(args) == 0
    capsys.readouterr()

    def run(*more: str) -> int:
        return bot.cli.parser.main(["--database-url", sqlite_url, *more])

    return run


def test_csp_bot_digest_format_pdf_writes_the_paper(
    cli: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "papers" / "paper.pdf"
    assert cli("digest", "--format", "pdf", "-o", str(target)) == 0
    assert capsys.readouterr().out.strip() == (
        f"Wrote the digest for the Riverside Leadership Group on 10/12/2026 (riverside) to {target}."
    )
    assert target.read_bytes().startswith(b"%PDF-")
    assert "Riverside Community Safety Partnership" in poppler("pdftotext", str(target), "-")


def test_a_pdf_needs_a_file_to_go_to(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("digest", "--format", "pdf") == 1
    captured = capsys.readouterr()
    assert "name a file for it, e.g. -o paper.pdf" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_the_help_names_the_pdf(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    cli_digest.add_arguments(parser)
    shown = " ".join(parser.format_help().split())
    assert "pdf (A4; needs -o FILE)" in shown


def test_a_measure_read_in_parts_has_a_line_per_part_and_stands_as_its_worst(
    plans: Session,
) -> None:
    m = measure(plans)
    plans.add_all(
        [
            MeasurePart(partnership_id=m.partnership_id, measure_id=m.id, name="North", position=0),
            MeasurePart(partnership_id=m.partnership_id, measure_id=m.id, name="South", position=1),
        ]
    )
    for part, value in (("North", 36.0), ("South", 44.0)):
        plans.add(
            MeasureReading(
                partnership_id=m.partnership_id,
                measure_id=m.id,
                part=part,
                period="Q2 2026/27",
                period_end=dt.date(2026, 9, 30),
                value=value,
            )
        )
    plans.commit()
    chart = digest(plans)["charts"]["measures"][0]
    assert [s["label"] for s in chart["series"]] == ["", "North", "South"]
    assert chart["series"][2]["points"][0]["value"] == 44.0
    # South is worse than its baseline: the measure stands as its worst part.
    assert chart["status"]["state"] == "off track"
    assert "North 36 in Q2 2026/27, South 44 in Q2 2026/27" in chart["alt"]
