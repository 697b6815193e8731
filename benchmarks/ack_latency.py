"""Benchmark 1: ack latency of ``/csp action update`` through the production stack.

Three servers, one after the other, each on the same stack (gunicorn gthread,
2 workers x 4 threads as in the Procfile, Bolt's WSGI adapter, signature
verification with the same secret), loaded the same way: 20 client threads,
each with its own keep-alive HTTP connection, sending signed slash commands
(fresh timestamp and signature per request) back to back for a fixed time
(the load generator is ``ack_load.py``).

* ``csp-bot``: the real ``python -m bot.cli serve`` on PostgreSQL; every request is
  ``/csp action update L-<n> <unique note>`` by Lee Lead (U0LEE), a real write that
  adds a history entry. Each client thread updates its own action (L-1..L-20, all
  owned by Lee), as 20 people updating their actions at once would.
  ``--same-action`` makes all 20 threads update A-4 instead (a contention test:
  optimistic locking makes clashing updates retry).
* ``bolt-default``: a bare Bolt app with Bolt's defaults that only acks.
* ``bolt-pbr``: the same with ``process_before_response=True``.

Latency is measured by the client, from sending the request to reading the whole
answer. The client runs on the same 2-core machine as the servers and PostgreSQL.

Run: ``python benchmarks/ack_latency.py [--quick] [--seconds N] [--same-action]``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from ack_load import (
    CLIENTS,
    THREADS,
    WARMUP,
    WORKERS,
    BaselineServer,
    Run,
    database_floor,
    history_count,
    load,
    prepare,
)
from common import fresh_database, machine_line, table, verdict, write_section

from tests.e2e import Server
from tests.fakeslack import FakeSlack

SLACK_LIMIT = 3.0


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the three servers in turn, print and record the figures."""
    parser = argparse.ArgumentParser(description="ack latency of /csp action update")
    parser.add_argument("--quick", action="store_true", help="10 seconds per server, not 60")
    parser.add_argument("--seconds", type=float, help="seconds of load per server")
    parser.add_argument(
        "--same-action", action="store_true", help="all clients update A-4 (contention)"
    )
    args = parser.parse_args(argv)
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    started = time.monotonic()

    def update_text(index: int, sequence: int) -> str:
        ref = "A-4" if args.same_action else f"L-{index + 1}"
        return f"action update {ref} benchmark note {index}-{sequence}-{time.time_ns()}"

    def ack_text(index: int, sequence: int) -> str:
        return f"action update A-4 baseline {index}-{sequence}"

    runs: dict[str, Run] = {}
    single: dict[str, Run] = {}
    single_seconds = 3.0 if args.quick else 15.0
    written = 0
    with fresh_database("bench_ack") as url, FakeSlack() as fake:
        prepare(url)
        statements, floor = database_floor(url)
        print(f"database floor: {statements} statements + commit, median {floor:.2f} ms")
        stacks: list[tuple[str, Server, Any]] = [
            (
                "bolt-default",
                BaselineServer(fake, "default", workers=WORKERS, threads=THREADS),
                ack_text,
            ),
            ("bolt-pbr", BaselineServer(fake, "pbr", workers=WORKERS, threads=THREADS), ack_text),
            ("csp-bot", Server(url, fake, workers=WORKERS, threads=THREADS), update_text),
        ]
        for name, server, text_for in stacks:
            with server:
                load(server, name, WARMUP, text_for)  # connections, imports, pools
                before = history_count(url) if name == "csp-bot" else 0
                runs[name] = load(server, name, seconds, text_for)
                if name == "csp-bot":
                    written = history_count(url) - before
                single[name] = load(server, name, single_seconds, text_for, clients=1)
            fake.reset()
            r = runs[name]
            print(
                f"{name:13} n={r.count:6d} errors={len(r.errors):4d} "
                f"median={r.ms():7.1f} ms p99={r.ms(99):7.1f} ms max={r.ms(100):7.1f} ms "
                f"({r.count / r.seconds:.0f}/s)",
                flush=True,
            )
            for e in sorted(set(r.errors))[:5]:
                print("   error:", e)
            r1 = single[name]
            print(
                f"{'':13} one client: n={r1.count} errors={len(r1.errors)} "
                f"median={r1.ms():.1f} ms p99={r1.ms(99):.1f} ms",
                flush=True,
            )

    ours, default, pbr = runs["csp-bot"], runs["bolt-default"], runs["bolt-pbr"]
    ratio_default = ours.ms() / default.ms()
    ratio_pbr = ours.ms() / pbr.ms()
    one, one_default_run = single["csp-bot"], single["bolt-default"]
    one_pbr_run = single["bolt-pbr"]
    one_default = one.ms() / one_default_run.ms()
    one_pbr = one.ms() / one_pbr_run.ms()
    errors = sum(len(r.errors) for r in [*runs.values(), *single.values()])
    # The baselines (near 11 ms and near 0.6 ms) are one-request-at-a-time
    # figures, so the median targets are judged there; the 20-client medians are
    # judged too, and reported side by side.
    checks = {
        "median below default-Bolt (one client)": one.ms() < one_default_run.ms(),
        "median at most 4x process_before_response (one client)": one_pbr <= 4.0,
        "median below default-Bolt (20 clients)": ours.ms() < default.ms(),
        "median at most 4x process_before_response (20 clients)": ratio_pbr <= 4.0,
        "p99 far inside Slack's 3 s (< 1 s) with 20 clients": ours.ms(99) < 1000 * SLACK_LIMIT / 3,
        "no errors": errors == 0,
        "every update wrote a history entry": written == ours.count,
    }
    for k, v in checks.items():
        print(f"  {'MET ' if v else 'MISS'} {k}")
    print(f"  history entries written: {written} for {ours.count} acknowledged updates")
    print(f"  ratios: csp-bot/bolt-default {ratio_default:.2f}, csp-bot/bolt-pbr {ratio_pbr:.2f}")
    print(f"  one client: csp-bot/bolt-default {one_default:.2f}, csp-bot/bolt-pbr {one_pbr:.2f}")

    rows = [
        [
            name,
            r.count,
            f"{r.count / r.seconds:.0f}",
            len(r.errors),
            f"{r.ms():.1f}",
            f"{r.ms(90):.1f}",
            f"{r.ms(99):.1f}",
            f"{r.ms(100):.1f}",
        ]
        for name, r in (
            ("csp-bot (action update)", ours),
            ("bolt-default (ack only)", default),
            ("bolt-pbr (ack only)", pbr),
        )
    ]
    verdicts = [[k, verdict(v)] for k, v in checks.items()]
    one_rows = [
        [name, r.count, len(r.errors), f"{r.ms():.1f}", f"{r.ms(99):.1f}"]
        for name, r in single.items()
    ]
    mode = "all 20 clients update A-4" if args.same_action else "each client its own action"
    body = f"""## 1. Ack latency of `/csp action update`

{machine_line()}

`python benchmarks/ack_latency.py{" --quick" if args.quick else ""}`: {seconds:.0f} s of load per
server (after {WARMUP:.0f} s warm-up), {CLIENTS} client threads with keep-alive connections,
a freshly signed request per call; gunicorn gthread {WORKERS} workers x {THREADS} threads for
all three; PostgreSQL for csp-bot ({mode}; every update a new note, so a new history entry).
Client, servers and PostgreSQL share the machine.

{table(["server", "requests", "req/s", "errors", "median ms", "p90 ms", "p99 ms", "max ms"], rows)}

Ratios of medians: csp-bot / bolt-default = **{ratio_default:.2f}**, csp-bot / bolt-pbr =
**{ratio_pbr:.2f}**. History entries written during the run: {written} for {ours.count}
acknowledged updates.

Without load (one client, one request at a time, {single_seconds:.0f} s per server; the write
counted in the history figure above is not included):

{table(["server", "requests", "errors", "median ms", "p99 ms"], one_rows)}

Ratios of one-client medians: csp-bot / bolt-default = **{one_default:.2f}**, csp-bot / bolt-pbr
= **{one_pbr:.2f}**.

The database's own share (measured first, in the same run): the {statements} statements one
update sends (identify the asker, find the action, version-checked update, history insert),
replayed with their commit on a bare psycopg connection, no ORM and no Bolt, take
**{floor:.2f} ms** (median of 500). With the pbr baseline's {one_pbr_run.ms():.1f} ms of HTTP
and Bolt on top, {one_pbr_run.ms() + floor:.1f} ms is the floor for a durable write in the ack,
already **{(one_pbr_run.ms() + floor) / one_pbr_run.ms():.1f}x** the pbr baseline.

{table(["target", "result"], verdicts)}
"""
    if errors:
        sample = sorted({e for r in runs.values() for e in r.errors})[:5]
        body += "\nErrors seen (first kinds):\n\n" + "\n".join(f"- `{e[:200]}`" for e in sample)
    write_section("ack", body)
    print(f"ack_latency done in {time.monotonic() - started:.0f} s")
    return {"checks": checks}


if __name__ == "__main__":
    main()
