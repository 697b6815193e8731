"""Benchmark 4: one scheduler sweep (``run_due``) over many partnerships.

Two PostgreSQL databases: 300 partnerships of 500 actions each, and 300 of 50. Each
partnership is the Riverside fixture plan imported under its own slug and Slack team,
plus bulk-inserted generated actions owned by its people (a third overdue). Then
``bot.schedule.run.run_due`` runs once at Monday 23 November 2026, 09:30 London, with an
in-memory sender (renders each message to Block Kit pages like the Slack sender, posts
nowhere), and we count time, SQL statements and messages.

Target: statements grow with partnerships, not with actions (same count for 50 and 500
actions per partnership).

Run: ``python benchmarks/sweep_scale.py [--quick]`` (``--quick``: 60 partnerships, not 300).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Any

from common import (
    add_actions,
    counting,
    fresh_database,
    import_riverside,
    machine_line,
    table,
    verdict,
    write_section,
)

from bot.render.replies import message, reply_pages
from bot.schedule.run import run_due
from commands.framework.core import Delivery
from partnership.context import Reply
from storage.db import make_engine, session_factory
from tests.sweepkit import at

MOMENT = "2026-11-23 09:30"  # a Monday, London


@dataclass
class MemorySender:
    """A sender that renders like the Slack sender and keeps only a count of posts."""

    posts: int = 0

    def prepare(self, reply: Reply, slug: str) -> dict[str, Any]:
        """Render the reply's pages, as SlackSender does."""
        pages = reply_pages(reply, slug)
        return {"pages": pages, "text": message(pages[0], reply)["text"]}

    def post(self, address: str, payload: dict[str, Any], key: str) -> Delivery:
        """Count the post; it always arrives."""
        self.posts += 1
        return Delivery(address, True)

    def already_posted(self, address: str, key: str) -> bool:
        """Nothing was posted before this run."""
        return False


def build(url: str, partnerships: int, actions: int) -> float:
    """Import ``partnerships`` Riversides with ``actions`` actions each; seconds taken."""
    began = time.perf_counter()
    engine = make_engine(url)
    factory = session_factory(engine)
    for i in range(partnerships):
        with factory() as session:
            pid = import_riverside(session, f"csp-{i:04d}", f"T{i:06d}", index=i + 1)
            add_actions(session, pid, actions - 5)  # the plan brings five of its own
            session.commit()
    engine.dispose()
    return time.perf_counter() - began


def sweep(url: str) -> dict[str, Any]:
    """Run every sweep once at MOMENT; time, statements, messages, outcomes."""
    engine = make_engine(url)
    factory = session_factory(engine)
    sender = MemorySender()
    with counting(engine) as statements:
        began = time.perf_counter()
        tally = run_due(factory, sender, at(MOMENT))
        seconds = time.perf_counter() - began
    engine.dispose()
    outcomes: dict[str, int] = {}
    for _, outcome in tally.outcomes:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {
        "seconds": seconds,
        "statements": len(statements),
        "messages": sender.posts,
        "outcomes": outcomes,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Build both databases, sweep each, print and record the figures."""
    parser = argparse.ArgumentParser(description="scheduler sweep over many partnerships")
    parser.add_argument("--quick", action="store_true", help="60 partnerships, not 300")
    args = parser.parse_args(argv)
    partnerships = 60 if args.quick else 300
    started = time.monotonic()
    results: dict[int, dict[str, Any]] = {}
    for actions in (500, 50):
        with fresh_database("bench_sweep") as url:
            built = build(url, partnerships, actions)
            r = sweep(url)
            r["built"] = built
            results[actions] = r
            print(
                f"{partnerships} x {actions:3d} actions (built in {built:.0f} s): "
                f"sweep {r['seconds']:.1f} s, {r['statements']} statements "
                f"({r['statements'] / partnerships:.1f} per partnership), "
                f"{r['messages']} messages, outcomes {r['outcomes']}",
                flush=True,
            )
    big, small = results[500], results[50]
    same = big["statements"] == small["statements"]
    rows = [
        [
            f"{partnerships} x {actions}",
            f"{partnerships * actions:,}",
            f"{r['seconds']:.1f}",
            r["statements"],
            f"{r['statements'] / partnerships:.1f}",
            r["messages"],
            f"{r['seconds'] / partnerships * 1000:.0f}",
        ]
        for actions, r in results.items()
    ]
    body = f"""## 4. Scheduler sweep over {partnerships} partnerships

{machine_line()}

`python benchmarks/sweep_scale.py{" --quick" if args.quick else ""}`: PostgreSQL;
{partnerships} partnerships (the Riverside fixture under {partnerships} slugs and Slack
teams), each with 500 (then 50) actions; `run_due` once at Monday 23/11/2026 09:30 London
with an in-memory sender that renders every message to Block Kit pages. One run per case.

{
        table(
            [
                "partnerships x actions",
                "actions",
                "sweep s",
                "SQL statements",
                "per partnership",
                "messages",
                "ms per partnership",
            ],
            rows,
        )
    }

Statements with 500 actions per partnership vs 50: {big["statements"]} vs
{small["statements"]}: {verdict(same)} (target: queries grow with partnerships, not actions).
"""
    write_section("sweep", body)
    print(f"sweep_scale done in {time.monotonic() - started:.0f} s")
    return {"checks": {"sweep statements independent of actions": same}}


if __name__ == "__main__":
    main()
