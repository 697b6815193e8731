"""Benchmark 6: the first request to a freshly started server, beside the steady median.

After a deploy or a restart, the first person's command used to take over a
second (imports, template compilation, the pool's first connection, SQLAlchemy
compiling its statements), against 10-20 ms for later ones. Each worker now
warms itself at boot (bot/slack/warm.py). This starts the real ``csp-bot serve``
(one gunicorn worker, so the first request surely meets a fresh worker) on
PostgreSQL several times, and each time sends ``/csp action update`` as Lee:
the first request once /healthz answers, then 50 more one at a time. The
baseline runs side by side, start for start: the same server with warming
switched off (``CSP_WARM=0``).

Run: ``python benchmarks/first_request.py [--quick]``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import time
from typing import Any

from ack_load import prepare
from common import fresh_database, machine_line, median, table, verdict, write_section

from tests.e2e import EVENTS_PATH, Server
from tests.fakeslack import FakeSlack

STEADY = 50


def timed_update(server: Server, conn: http.client.HTTPConnection, note: str) -> float:
    """One signed ``/csp action update`` as Lee; milliseconds from send to the whole answer."""
    body, _ = server.command_body("U0LEE", f"action update L-1 {note}")
    headers = server.signed_headers(body)
    began = time.perf_counter()
    conn.request("POST", EVENTS_PATH, body=body, headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    elapsed = (time.perf_counter() - began) * 1000
    if answer.status != 200 or b"updated" not in data:
        raise RuntimeError(f"update failed: {answer.status} {data[:200]!r}")
    return elapsed


def one_start(url: str, fake: FakeSlack, warm: bool) -> tuple[float, float]:
    """Start a server, time its first update and the median of the next ones; stop it."""
    os.environ["CSP_WARM"] = "1" if warm else "0"
    try:
        with Server(url, fake, workers=1, threads=4) as server:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            first = timed_update(server, conn, f"first {time.time_ns()}")
            steady = [timed_update(server, conn, f"n {i} {time.time_ns()}") for i in range(STEADY)]
            conn.close()
    finally:
        os.environ.pop("CSP_WARM", None)
    fake.reset()
    return first, median(steady)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Alternate warm and cold starts; print and record first vs steady."""
    parser = argparse.ArgumentParser(description="first request after a fresh start")
    parser.add_argument("--quick", action="store_true", help="3 starts each, not 8")
    args = parser.parse_args(argv)
    starts = 3 if args.quick else 8
    results: dict[str, list[tuple[float, float]]] = {"warmed": [], "cold (CSP_WARM=0)": []}
    with fresh_database("bench_first") as url, FakeSlack() as fake:
        prepare(url)
        for i in range(starts):
            for name, warm in (("warmed", True), ("cold (CSP_WARM=0)", False)):
                first, steady = one_start(url, fake, warm)
                results[name].append((first, steady))
                print(f"start {i + 1} {name:18} first {first:7.1f} ms  steady {steady:5.1f} ms")
    rows = []
    ratios: dict[str, float] = {}
    for name, pairs in results.items():
        first = median([f for f, _ in pairs])
        steady = median([s for _, s in pairs])
        ratios[name] = first / steady
        rows.append(
            [
                name,
                starts,
                f"{first:.1f}",
                f"{max(f for f, _ in pairs):.1f}",
                f"{steady:.1f}",
                f"{first / steady:.2f}",
            ]
        )
    cold_over_warm = median([f for f, _ in results["cold (CSP_WARM=0)"]]) / median(
        [f for f, _ in results["warmed"]]
    )
    checks = {"first request within 2x of the steady median (warmed)": ratios["warmed"] <= 2.0}
    for k, v in checks.items():
        print(f"  {'MET ' if v else 'MISS'} {k}")
    body = f"""## 6. First request after a fresh start

{machine_line()}

`python benchmarks/first_request.py{" --quick" if args.quick else ""}`: `csp-bot serve` (gunicorn,
one gthread worker x 4 threads) on PostgreSQL, started {starts} times warmed and {starts} times
with warming off (`CSP_WARM=0`), alternately. Each start: `/csp action update` as Lee (a real
write) once /healthz answers, then {STEADY} more one at a time; the steady figure is their median.

{
        table(
            [
                "server",
                "starts",
                "first: median ms",
                "first: worst ms",
                "steady median ms",
                "first / steady",
            ],
            rows,
        )
    }

The cold first request takes **{cold_over_warm:.1f}x** the warmed one.

{table(["target", "result"], [[k, verdict(v)] for k, v in checks.items()])}
"""
    write_section("first", body)
    return {"checks": checks}


if __name__ == "__main__":
    main()
