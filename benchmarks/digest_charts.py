"""Benchmark 7: the digest with all its pictures, and the board paper as HTML and PDF.

In-process on PostgreSQL, on the shipped example plan with the most measures, with a
Leadership Group meeting on 10/12/2026: as shipped (the target applies), then with
eight quarterly readings on every measure (so every measure has a chart: the worst
case). Each job is timed against the baseline run side by side, the digest as it was
before pictures (the view-model and the Markdown paper, no drawing):

* ``digest + Slack PNGs``: the view-model and the pictures the digest's Slack thread
  carries (at most ten: partnership.digest_uploads.slack_choice) as PNG — target: at
  most 1 s of CPU with a chart for every measure;
* ``every chart as PNG``: the view-model, every measure chart and both grids (what
  the papers carry);
* ``every chart as PNG, before``: the same drawn by ``bot/render/charts.py`` as it
  was at ``--before`` (a git revision; default: before the drawing was made faster),
  side by side in the same run, so the machine's load is the same for both;
* ``HTML paper``: the view-model and the HTML paper with every chart inside (PNG);
* ``PDF paper``: the HTML paper laid out by WeasyPrint.

The first drawing in a process pays matplotlib's and WeasyPrint's import; it is
reported on its own line (``first``), then the median of the timed runs.

Run: ``python benchmarks/digest_charts.py [--quick] [--before REV]`` (``--quick``: 2
timed runs, not 5; without git or that revision the "before" line is left out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import NOW, REPO, fresh_database, machine_line, median, table, verdict, write_section
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.digest import render_document, render_pdf
from bot.render import charts
from partnership import digest as digest_data
from partnership import digest_meetings
from partnership.context import Context
from partnership.digest_uploads import SLACK_FILES, chart_files
from storage.dates import UK_FY, quarter_label
from storage.db import make_engine, session_factory
from storage.models import Measure, MeasureReading, Meeting, Partnership, Source
from storage.planfile import load_plan_file
from storage.sync import apply_plan

MEETING = dt.date(2026, 12, 10)
READINGS = 8
TARGET_S = 1.0
# The last revision that drew each chart on a figure of its own (the "before" line).
BEFORE = "b1e49a5"
EVERY_JOB = "every chart as PNG"
BEFORE_JOB = f"{EVERY_JOB}, before"


def largest_example() -> Path:
    """The shipped example plan with the most measures."""
    plans = sorted((REPO / "examples").glob("*.yaml"))
    return max(plans, key=lambda p: (len(list(load_plan_file(p).all_measures())), p.name))


def load(factory: sessionmaker[Session], plan: Path, readings: bool) -> tuple[str, int]:
    """Import ``plan``, add the meeting (and readings on every measure); slug and charts."""
    with factory() as session:
        apply_plan(session, load_plan_file(plan), source_name=plan.name, now=NOW)
        session.commit()
        partnership = session.scalars(select(Partnership)).one()
        session.add(Meeting(partnership_id=partnership.id, date=MEETING, title="Board"))
        measures = list(
            session.scalars(select(Measure).where(Measure.partnership_id == partnership.id))
        )
        rows = []
        for k, m in enumerate(measures if readings else []):
            known = {r.period for r in m.readings}
            fy, q = 2024, 3
            for i in range(READINGS):
                end = UK_FY.quarter_bounds(fy, q)[1]
                period = quarter_label(fy, q)
                if period not in known:
                    rows.append(
                        {
                            "partnership_id": partnership.id,
                            "measure_id": m.id,
                            "period": period,
                            "period_end": end,
                            "value": 100.0 - 2 * i + (k % 5),
                        }
                    )
                fy, q = (fy, q + 1) if q < 4 else (fy + 1, 1)
        if rows:
            session.execute(insert(MeasureReading), rows)
        session.commit()
        charted = session.scalars(
            select(MeasureReading.measure_id)
            .where(MeasureReading.partnership_id == partnership.id)
            .distinct()
        ).all()
        return partnership.slug, len(charted)


def view_model(session: Session, slug: str) -> dict[str, Any]:
    """The digest's view-model for the meeting, as the CLI builds it."""
    partnership = session.scalars(select(Partnership).where(Partnership.slug == slug)).one()
    ctx = Context(session, partnership, None, NOW, Source.CONSOLE, operator=True)
    meetings = digest_meetings.board_meetings(ctx)
    meeting = next(m for m in meetings if m.date == MEETING)
    return digest_data.build(ctx, meeting, meetings).data


def slack_pictures(data: dict[str, Any]) -> int:
    """The pictures the digest's Slack thread carries, as PNG; their bytes."""
    files = chart_files(data)
    return sum(
        len(charts.measure_png(f["spec"]) if f["draw"] == "measure" else charts.grid_png(f["spec"]))
        for f in files
    )


def every_picture(data: dict[str, Any], drawer: Any = charts) -> int:
    """Every measure chart and both grids as PNG (as the papers carry them); their bytes."""
    pictures = [drawer.measure_png(c) for c in data["charts"]["measures"]]
    pictures += [drawer.grid_png(data["charts"]["rag"]), drawer.grid_png(data["charts"]["returns"])]
    return sum(len(p) for p in pictures)


def charts_as_of(revision: str) -> types.ModuleType | None:
    """``bot/render/charts.py`` as it was at ``revision`` (from git), or None without it."""
    try:
        source = subprocess.run(
            ["git", "-C", str(REPO), "show", f"{revision}:bot/render/charts.py"],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    module = types.ModuleType(f"charts_at_{revision}")
    exec(compile(source, f"bot/render/charts.py@{revision}", "exec"), module.__dict__)
    return module


JOBS: dict[str, Callable[[dict[str, Any]], int]] = {
    "baseline: digest + Markdown": lambda data: len(render_document(data, "md")),
    "digest + Slack PNGs": slack_pictures,
    EVERY_JOB: every_picture,
    "HTML paper (charts inside)": lambda data: len(render_document(data, "html")),
    "PDF paper": lambda data: len(render_pdf(data)),
}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Time each job (first run, then the median), print and record the figures."""
    parser = argparse.ArgumentParser(description="the digest's pictures and board papers")
    parser.add_argument("--quick", action="store_true", help="2 timed runs per job, not 5")
    parser.add_argument("--before", default=BEFORE, help="git revision of the 'before' drawing")
    args = parser.parse_args(argv)
    runs = 2 if args.quick else 5
    jobs = dict(JOBS)
    before = charts_as_of(args.before)
    if before is not None:
        jobs[BEFORE_JOB] = lambda data: every_picture(data, before)
    plan = largest_example()
    scenarios: dict[str, dict[str, dict[str, float]]] = {}
    for label, readings in (("as shipped", False), (f"{READINGS} readings a measure", True)):
        results: dict[str, dict[str, float]] = {}
        with fresh_database("bench_charts") as url:
            engine = make_engine(url)
            factory = session_factory(engine)
            slug, charted = load(factory, plan, readings)
            for name, job in jobs.items():
                times, cpu, first, size = [], [], 0.0, 0
                for i in range(runs + 1):
                    with factory() as session:
                        began, began_cpu = time.perf_counter(), time.process_time()
                        size = job(view_model(session, slug))
                        took = time.perf_counter() - began
                    if i == 0:
                        first = took
                    else:
                        times.append(took)
                        cpu.append(time.process_time() - began_cpu)
                results[name] = {
                    "first": first,
                    "median": median(times),
                    "cpu": median(cpu),
                    "bytes": size,
                    "charts": charted,
                }
                print(
                    f"{label:22} {name:28} first {first:6.2f} s, median {median(times):6.2f} s",
                    flush=True,
                )
            engine.dispose()
        scenarios[label] = results
    rows = []
    for label, results in scenarios.items():
        base = results["baseline: digest + Markdown"]["median"]
        for name, r in results.items():
            rows.append(
                [
                    f"{label} ({r['charts']:.0f} charts)",
                    name,
                    f"{r['first']:.2f}",
                    f"{r['median']:.2f}",
                    f"{r['cpu']:.2f}",
                    f"x{r['median'] / base:.1f}",
                    f"{r['bytes'] / 1024:.0f}",
                ]
            )
    shipped = scenarios["as shipped"]["digest + Slack PNGs"]["median"]
    worst_all = scenarios[f"{READINGS} readings a measure"]
    worst = worst_all["digest + Slack PNGs"]
    worst_cpu = worst["cpu"]
    ok = shipped < TARGET_S
    was, every = worst_all.get(BEFORE_JOB), worst_all[EVERY_JOB]
    compared = (
        f"Every chart ({every['charts']:.0f} measures and the two grids), side by side in this "
        f"run: drawn as at `{args.before}` (a figure and axes built for each chart, matplotlib's "
        f"legend, RGBA PNGs at zlib level 6) {was['cpu']:.2f} s CPU, {was['median']:.2f} s wall, "
        f"{was['bytes'] / 1024:.0f} KiB; now {every['cpu']:.2f} s CPU, {every['median']:.2f} s "
        f"wall, {every['bytes'] / 1024:.0f} KiB (x{was['cpu'] / every['cpu']:.1f} less CPU, "
        f"x{was['bytes'] / every['bytes']:.1f} fewer bytes)."
        if was
        else "(The drawing before it was made faster was not available to compare: no git.)"
    )
    body = f"""## 7. The digest's pictures and the board paper (HTML, PDF)

{machine_line()}

`python benchmarks/digest_charts.py{" --quick" if args.quick else ""}`: in-process on PostgreSQL;
`examples/{plan.name}` (the example with the most measures), a meeting on
{MEETING:%d/%m/%Y}; as shipped, then with {READINGS} quarterly readings on every measure. Each job
includes building the view-model in a fresh session; "first" is the first run in the process
(it pays matplotlib's and WeasyPrint's import), then the median of {runs} runs; the ratio is
against the baseline (the digest as before pictures).

{table(["plan", "job", "first s", "median s", "CPU s", "vs baseline", "output KiB"], rows)}

"CPU s" is this process's CPU time (median): on a machine shared with other work the
wall-clock median can be several times it.

Target: the digest of the largest example plan with all its charts (Slack PNGs) in at most
{TARGET_S:.0f} s: {shipped:.2f} s {verdict(ok)} (as shipped, its measures have no readings, so
only the two grids are drawn). With a chart for every measure, the thread carries
{SLACK_FILES} pictures (the worst-off measures and the two grids; the comment names the
others): {worst["median"]:.2f} s wall, {worst_cpu:.2f} s CPU ({verdict(worst_cpu <= TARGET_S)}
on CPU time).

{compared}

What made it faster (profiled with cProfile; bot/render/chart_canvas.py): the measure charts
share one figure and one set of axes, wiped between charts, instead of building a figure, its
axes and their tick objects for each (a third of a chart's time); the legend is placed at fixed
spots instead of matplotlib's box packing; the axis titles sit at fixed places rather than
worked out from the tick labels; at most five steps on the value axis; unhinted type; the PNG
in 256 colours at zlib level 3 (a third of the bytes). A test draws each chart after others and
on a new figure and finds the same bytes.
"""
    write_section("charts", body)
    return {
        "checks": {
            f"digest with all its charts under {TARGET_S:.0f} s": ok,
            f"a chart for every measure in {TARGET_S:.0f} s of CPU": worst_cpu <= TARGET_S,
        }
    }


if __name__ == "__main__":
    main()
