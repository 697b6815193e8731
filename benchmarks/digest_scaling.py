"""Benchmark 3: the digest and ``/csp priority status`` on plans of 100, 1,000 and 10,000 actions.

In-process on PostgreSQL. The digest is ``partnership.digest.build`` for the meeting of
10/12/2026 plus rendering to Block Kit pages (``bot.render.environment.render_blocks`` and
``bot.render.blocks.pages``); the status is ``dispatch_text(ctx, "priority status")`` plus the same
rendering. Each is timed over several runs (a new session each time; the median is
reported), then run once more under ``tracemalloc`` for its peak Python memory.

Run: ``python benchmarks/digest_scaling.py [--quick]`` (``--quick``: 3 timed runs, not 7).
"""

from __future__ import annotations

import argparse
import itertools
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from common import (
    fresh_database,
    machine_line,
    median,
    plan_database,
    table,
    verdict,
    write_section,
)
from sqlalchemy.orm import Session, sessionmaker

from bot.render.blocks import pages
from bot.render.environment import render_blocks
from commands.framework.dispatch import dispatch_text
from partnership import digest as digest_data
from partnership import digest_meetings
from partnership.context import Reply
from storage.db import make_engine, session_factory
from tests import kit

SIZES = (100, 1_000, 10_000)
MEETING = "2026-12-10"


def digest(session: Session) -> int:
    """Build and render the digest; the number of Block Kit blocks."""
    ctx = kit.context(session, "riverside", None)
    meetings = digest_meetings.board_meetings(ctx)
    meeting = next(m for m in meetings if m.date.isoformat() == MEETING)
    data = digest_data.build(ctx, meeting, meetings).data
    return sum(len(p) for p in pages(render_blocks("digest", data)))


def status(session: Session) -> int:
    """Run and render ``/csp priority status`` as Cora; the number of blocks."""
    ctx = kit.context(session, "riverside", "Cora Coordinator")
    outcome = dispatch_text(ctx, "priority status")
    assert outcome.ok and isinstance(outcome.result, Reply), outcome.result
    return sum(len(p) for p in pages(render_blocks(outcome.result.template, outcome.result.data)))


def timed(
    factory: sessionmaker[Session], job: Callable[[Session], int], runs: int
) -> dict[str, Any]:
    """Median seconds over ``runs`` (after one warm-up), then peak traced memory of one run."""
    with factory() as session:
        blocks = job(session)
    times = []
    for _ in range(runs):
        with factory() as session:
            began = time.perf_counter()
            job(session)
            times.append(time.perf_counter() - began)
    tracemalloc.start()
    try:
        with factory() as session:
            job(session)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {"median": median(times), "peak": peak, "blocks": blocks}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Time both jobs on each plan size, print and record the figures."""
    parser = argparse.ArgumentParser(description="digest and priority status scaling")
    parser.add_argument("--quick", action="store_true", help="3 timed runs per case, not 7")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else 7
    started = time.monotonic()
    results: dict[str, dict[int, dict[str, Any]]] = {"digest": {}, "priority status": {}}
    for size in SIZES:
        with fresh_database("bench_digest") as url:
            plan_database(url, size)
            engine = make_engine(url)
            factory = session_factory(engine)
            for name, job in (("digest", digest), ("priority status", status)):
                r = timed(factory, job, runs)
                results[name][size] = r
                print(
                    f"{name:16} {size:6d} actions: median {r['median'] * 1000:8.1f} ms, "
                    f"peak {r['peak'] / 2**20:6.1f} MiB, {r['blocks']} blocks",
                    flush=True,
                )
            engine.dispose()
    rows = []
    linear = True
    for name, by_size in results.items():
        for prev, size in itertools.pairwise(SIZES):
            a, b = by_size[prev], by_size[size]
            t_ratio = b["median"] / a["median"]
            m_ratio = b["peak"] / a["peak"]
            # "at most linear": x10 actions may cost at most x10 (with 20% slack for noise)
            ok = t_ratio <= 12 and m_ratio <= 12
            linear &= ok
            rows.append(
                [
                    name,
                    f"{prev:,} → {size:,}",
                    f"{a['median'] * 1000:.1f} → {b['median'] * 1000:.1f}",
                    f"x{t_ratio:.1f}",
                    f"{a['peak'] / 2**20:.1f} → {b['peak'] / 2**20:.1f}",
                    f"x{m_ratio:.1f}",
                    verdict(ok),
                ]
            )
            print(f"  {name} {prev}->{size}: time x{t_ratio:.2f}, memory x{m_ratio:.2f}")
    size_rows = [
        [
            name,
            f"{size:,}",
            f"{r['median'] * 1000:.1f}",
            f"{r['peak'] / 2**20:.1f}",
            r["blocks"],
        ]
        for name, by_size in results.items()
        for size, r in by_size.items()
    ]
    body = f"""## 3. Digest and `/csp priority status` by plan size

{machine_line()}

`python benchmarks/digest_scaling.py{" --quick" if args.quick else ""}`: in-process on PostgreSQL;
Riverside plus generated actions (a third overdue, a third with a history entry).
Digest = `partnership.digest.build` for the 10/12/2026 meeting + Block Kit rendering and paging;
status = `dispatch_text("priority status")` as Cora + rendering. Time: median of {runs} runs
(fresh session each, after a warm-up); memory: peak traced by `tracemalloc` in one more run.

{table(["job", "actions", "median ms", "peak MiB", "blocks"], size_rows)}

Growth per 10x actions (target: at most linear, i.e. at most x10; x12 allowed for noise):

{table(["job", "actions", "ms", "time ratio", "peak MiB", "memory ratio", "at most linear"], rows)}
"""
    write_section("digest", body)
    print(f"digest_scaling done in {time.monotonic() - started:.0f} s")
    return {"checks": {"digest and status grow at most linearly": linear}}


if __name__ == "__main__":
    main()
