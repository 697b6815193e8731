"""Benchmark 2: SQL statements per sub-command, on a plan of 10 actions and of 10,000.

Every command in ``commands.framework.registry.registry()`` is run in-process with
``dispatch_text`` (as Cora Coordinator, the fixture's coordinator, at the fixture's
"now") on two PostgreSQL databases: Riverside with 10 actions in all, and with
10,000. A ``before_cursor_execute`` listener counts the statements of the command
and its flush; the transaction is then rolled back, so every command sees the same plan.

Run: ``python benchmarks/queries_per_command.py [--quick]`` (``--quick`` changes nothing
here: the counts are exact, not timed).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from common import (
    counting,
    fresh_database,
    machine_line,
    plan_database,
    table,
    verdict,
    write_section,
)

from commands.framework.dispatch import dispatch_text
from commands.framework.registry import registry
from partnership.context import Reply
from storage.db import make_engine, session_factory
from tests import kit

SIZES = (10, 10_000)
# A representative, valid line for every sub-command (after `/csp`).
LINES: dict[str, str] = {
    "action add": 'action add "Benchmark action" owner:"Lee Lead" due:31/03/2027 priority:P1',
    "action done": 'action done A-3 "trained 200 staff"',
    "action list": "action list overdue",
    "action show": "action show A-1",
    "action snooze": "action snooze A-1 until:05/12/2026",
    "action update": 'action update A-4 rag:amber "venue confirmed"',
    "chase": "chase",
    "digest preview": "digest preview",
    "digest send": "digest send 10/12/2026",
    "digest paper": "digest paper",
    "export": "export csv",
    "group add": "group add Bench Group lead:Lee Lead covers:P1",
    "group close": "group close ASB Steering Group",
    "group covers": "group covers ASB Steering Group P1,P2",
    "group lead": "group lead ASB Steering Group Lee Lead",
    "group list": "group list",
    "help": "help",
    "import": "import",
    "measure record": 'measure record M-1 36 period:"Q2 2026/27"',
    "meeting add": 'meeting add 14/01/2027 10:00 "Bench meeting"',
    "meeting cancel": "meeting cancel 11/03/2027",
    "meeting list": "meeting list",
    "meeting move": "meeting move 11/03/2027 to 18/03/2027",
    "person add": 'person add "Bench Person" role:member',
    "person link": "person link",
    "person remove": 'person remove "Lee Lead"',
    "person role": 'person role "Lee Lead" chair',
    "priority status": "priority status",
    "return status": "return status",
    "return submit": (
        'return submit group:"ASB Steering Group" quarter:"Q2 2026/27" '
        'summary:"On track" rag:P1=green'
    ),
    "settings": "settings",
    "setup": "setup",
    "whoami": "whoami",
}


def measure(url: str) -> dict[str, tuple[int, bool, str]]:
    """Statements, ok, and a word on the result, for every command's line."""
    engine = make_engine(url)
    factory = session_factory(engine)
    found: dict[str, tuple[int, bool, str]] = {}
    try:
        for name in registry():
            line = LINES.get(name)
            if line is None:
                found[name] = (-1, False, "no line written for this command")
                continue
            with factory() as session:
                ctx = kit.context(session, "riverside", "Cora Coordinator")
                with counting(engine) as statements:
                    outcome = dispatch_text(ctx, line)
                    session.flush()
                session.rollback()
            result = outcome.result
            what = type(result).__name__
            if isinstance(result, Reply):
                what = f"reply {result.template}"
            found[name] = (len(statements), outcome.ok, what)
    finally:
        engine.dispose()
    return found


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Count statements on both plan sizes, print and record them."""
    parser = argparse.ArgumentParser(description="SQL statements per sub-command")
    parser.add_argument("--quick", action="store_true", help="same as without (counts only)")
    parser.parse_args(argv)
    started = time.monotonic()
    results: dict[int, dict[str, tuple[int, bool, str]]] = {}
    for size in SIZES:
        with fresh_database("bench_queries") as url:
            plan_database(url, size)
            results[size] = measure(url)
    small, large = results[SIZES[0]], results[SIZES[1]]
    rows = []
    same_all = True
    for name in registry():
        (n1, ok1, what1), (n2, ok2, _) = small[name], large[name]
        same = n1 == n2 and ok1 and ok2
        same_all &= same
        rows.append(
            [
                f"`/csp {LINES.get(name, name)}`",
                n1,
                n2,
                "yes" if ok1 and ok2 else "NO",
                what1,
                verdict(same),
            ]
        )
        print(f"{name:16} {n1:4d} {n2:4d} ok={ok1 and ok2} {what1} {'' if same else '<-- DIFFERS'}")
    body = f"""## 2. SQL statements per command

{machine_line()}

`python benchmarks/queries_per_command.py`: each sub-command in the registry, run in-process
with `dispatch_text` as Cora Coordinator on PostgreSQL, statements counted with a
`before_cursor_execute` listener (the command and its flush; rolled back afterwards).
Target: the same count on a plan of 10 actions and of 10,000.

{table(["command line", "10 actions", "10,000 actions", "ran ok", "result", "same count"], rows)}

Overall: {verdict(same_all)}.
"""
    write_section("queries", body)
    print(f"queries_per_command done in {time.monotonic() - started:.0f} s")
    return {"checks": {"same statement count for every command": same_all}}


if __name__ == "__main__":
    main()
