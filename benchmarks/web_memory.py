"""Benchmark 5: resident memory of the web process with the largest plan loaded.

Starts the real server (``python -m bot.cli serve``: gunicorn, 2 gthread workers x 4
threads, Bolt, PostgreSQL) on a database holding Riverside with 10,000 actions, sends
a round of commands (whoami, action list, action show, action update, priority status,
digest preview, return status, help) several times so every worker serves some, then
reads ``VmRSS`` and ``VmHWM`` (peak) of the gunicorn master and each worker from /proc.

Target: under 150 MB per worker.

Run: ``python benchmarks/web_memory.py [--quick]`` (``--quick``: 2 rounds of commands, not 5).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from common import fresh_database, machine_line, plan_database, table, verdict, write_section

from tests.e2e import Server
from tests.fakeslack import FakeSlack

ACTIONS = 10_000
LIMIT_MB = 150.0  # decimal megabytes, as the target is written: 143.1 MiB
COMMANDS = [
    "whoami",
    "action list overdue",
    "action list all",
    "action show G-7",
    'action update G-14 rag:amber "memory benchmark"',
    "priority status",
    "digest preview",
    "return status",
    "help",
]


def status_kb(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` field in kB (0 when absent)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def rollup_kb(pid: int, field: str) -> int:
    """A ``/proc/<pid>/smaps_rollup`` field in kB (Pss: shared pages split among sharers)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """The direct children of a process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: split after it
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return sorted(found)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Load the plan, start the server, send commands, read memory."""
    parser = argparse.ArgumentParser(description="web process memory with a large plan")
    parser.add_argument("--quick", action="store_true", help="2 rounds of commands, not 5")
    args = parser.parse_args(argv)
    rounds = 2 if args.quick else 5
    started = time.monotonic()
    answers: list[tuple[str, int, float]] = []
    with fresh_database("bench_memory") as url, FakeSlack() as fake:
        plan_database(url, ACTIONS)
        with Server(url, fake, workers=2, threads=4) as server:
            assert server.process is not None
            master = server.process.pid
            workers = children(master)
            idle = {pid: status_kb(pid, "VmRSS") for pid in [master, *workers]}
            for _ in range(rounds):
                for line in COMMANDS:
                    r = server.command("U0CORA", line)
                    answers.append((line, r.status, r.elapsed))
            time.sleep(0.5)
            workers = children(master)
            rss = {pid: status_kb(pid, "VmRSS") for pid in [master, *workers]}
            hwm = {pid: status_kb(pid, "VmHWM") for pid in [master, *workers]}
            pss = {pid: rollup_kb(pid, "Pss") for pid in [master, *workers]}
    bad = [a for a in answers if a[1] != 200]
    worst = max(rss[p] for p in workers) / 1024
    worst_peak = max(hwm[p] for p in workers) / 1024
    # /proc reports KiB; the target is in MB (10^6 bytes), so compare in bytes.
    ok = max(hwm[p] for p in workers) * 1024 < LIMIT_MB * 1e6
    rows = [
        [
            "master" if pid == master else "worker",
            pid,
            f"{idle.get(pid, 0) / 1024:.1f}",
            f"{rss[pid] / 1024:.1f}",
            f"{hwm[pid] / 1024:.1f}",
            f"{pss[pid] / 1024:.1f}",
        ]
        for pid in [master, *workers]
    ]
    for row in rows:
        print("  ".join(str(c) for c in row))
    slowest = sorted(answers, key=lambda a: -a[2])[:3]
    print(f"slowest: {[(a[0], round(a[2] * 1000)) for a in slowest]}; non-200: {len(bad)}")
    total = sum(rss.values()) / 1024
    header = ["process", "pid", "RSS at start MiB", "RSS after MiB", "peak RSS MiB", "PSS MiB"]
    body = f"""## 5. Web process memory with a 10,000-action plan

{machine_line()}

`python benchmarks/web_memory.py{" --quick" if args.quick else ""}`: the real server
(gunicorn, 2 gthread workers x 4 threads) on PostgreSQL holding Riverside with
{ACTIONS:,} actions; {rounds} rounds of {len(COMMANDS)} commands as Cora
({
        ", ".join(
            f"`{c.split(' ')[0]} {c.split(' ')[1] if ' ' in c else ''}`".replace(" `", "`")
            for c in COMMANDS
        )
    }), then `VmRSS` / `VmHWM` read from `/proc`.
{len(bad)} of {len(answers)} requests did not answer 200; the slowest took
{slowest[0][2] * 1000:.0f} ms (`{slowest[0][0]}`).

{table(header, rows)}

Largest worker: {worst:.1f} MiB now, {worst_peak:.1f} MiB at peak; all processes together
{total:.1f} MiB RSS ({sum(pss.values()) / 1024:.1f} MiB PSS, which splits pages shared after
the fork). The slowest answer is worth noting against Slack's 3 s ack limit.
Target under {LIMIT_MB:.0f} MB ({LIMIT_MB * 1e6 / 2**20:.1f} MiB) per worker (judged on the peak):
{verdict(ok)}.
"""
    write_section("memory", body)
    print(f"web_memory done in {time.monotonic() - started:.0f} s")
    return {"checks": {"worker RSS under 150 MB": ok and not bad}}


if __name__ == "__main__":
    main()
