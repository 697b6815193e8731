"""Benchmark 1: ack latency of ``/csp action update`` through the production stack.

Three servers, one after the other, each on the same stack (gunicorn gthread,
2 workers x 4 threads as in the Procfile, Bolt's WSGI adapter, signature
verification with the same secret), loaded the same way: 20 client threads,
each with its own keep-alive HTTP connection, sending signed slash commands
(fresh timestamp and signature per request) back to back for a fixed time.

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
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from common import (
    REPO,
    fresh_database,
    import_riverside,
    machine_line,
    median,
    percentile,
    table,
    verdict,
    write_section,
)
from sqlalchemy import func, insert, select

from storage.db import make_engine, session_factory
from storage.models import Action, ActionUpdate, Person, Priority, Status
from tests.e2e import BOT_TOKEN, EVENTS_PATH, START_TIMEOUT, Server
from tests.fakeslack import FakeSlack

CLIENTS = 20
WORKERS = 2  # the Procfile's default (WEB_CONCURRENCY)
THREADS = 4  # `csp-bot serve`'s default
WARMUP = 2.0
SLACK_LIMIT = 3.0


class BaselineServer(Server):
    """A bare Bolt app (benchmarks/baseline_app.py) served by gunicorn like the bot."""

    def __init__(self, fake: FakeSlack, mode: str, **kwargs: Any) -> None:
        super().__init__("", fake, **kwargs)
        self.mode = mode

    def start(self) -> Self:
        """Start gunicorn with the baseline app and wait until /healthz answers."""
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": self.secret,
            "SLACK_API_URL": self.fake.base_url,
            "PYTHONUNBUFFERED": "1",
        }
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        command = [
            sys.executable,
            str(Path(__file__).with_name("baseline_app.py")),
            "--mode",
            self.mode,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"baseline exited:\n{self.output()}")
            if self.health() == 200:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("baseline did not start")


@dataclass
class Run:
    """What one load run measured."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def count(self) -> int:
        """Successful requests."""
        return len(self.latencies)

    def ms(self, q: float | None = None) -> float:
        """Median (or the q-th percentile) in milliseconds."""
        values = self.latencies
        return 1000 * (median(values) if q is None else percentile(values, q))


def check_ack(kind: str, status: int, data: bytes) -> str | None:
    """Why an answer is not a good ack (None when it is)."""
    if status != 200:
        return f"HTTP {status}: {data[:200]!r}"
    if kind != "csp-bot":
        return None
    try:
        body = json.loads(data)
    except ValueError:
        return f"not JSON: {data[:200]!r}"
    text = json.dumps(body)
    for bad in ("nothing was saved", "went wrong", "clashed", "can't", "cannot", "Sorry"):
        if bad in text:
            return f"refused: {text[:300]}"
    return None


def load(
    server: Server, kind: str, seconds: float, text_for: Any, *, clients: int = CLIENTS
) -> Run:
    """Send signed commands from ``clients`` threads for ``seconds``; collect latencies."""
    run = Run(kind)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    start = threading.Barrier(clients)

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        mine: list[float] = []
        bad: list[str] = []
        sequence = 0
        start.wait()
        while time.monotonic() < stop_at:
            sequence += 1
            body, _ = server.command_body("U0LEE", text_for(index, sequence))
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": server.sign(stamp, body),
            }
            began = time.perf_counter()
            try:
                conn.request("POST", EVENTS_PATH, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
            except (OSError, http.client.HTTPException) as exc:
                bad.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                continue
            elapsed = time.perf_counter() - began
            problem = check_ack(kind, answer.status, data)
            if problem:
                bad.append(problem)
            else:
                mine.append(elapsed)
        conn.close()
        with lock:
            run.latencies.extend(mine)
            run.errors.extend(bad)

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.monotonic() - began
    return run


def prepare(url: str) -> None:
    """Riverside plus L-1..L-20, all owned by Lee Lead (U0LEE)."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        pid = import_riverside(session)
        lee = session.scalars(
            select(Person.id).where(Person.partnership_id == pid, Person.slack_user_id == "U0LEE")
        ).one()
        p1 = session.scalars(
            select(Priority.id).where(Priority.partnership_id == pid, Priority.code == "P1")
        ).one()
        session.execute(
            insert(Action),
            [
                {
                    "partnership_id": pid,
                    "ref": f"L-{i}",
                    "title": f"Lee's benchmark action {i}",
                    "priority_id": p1,
                    "owner_id": lee,
                    "status": Status.IN_PROGRESS,
                    "position": 100 + i,
                }
                for i in range(1, CLIENTS + 1)
            ],
        )
        session.commit()
    engine.dispose()


def history_count(url: str) -> int:
    """How many history entries the database holds."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        n = session.scalar(select(func.count()).select_from(ActionUpdate)) or 0
    engine.dispose()
    return n


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
    errors = sum(len(r.errors) for r in [*runs.values(), *single.values()])
    checks = {
        "median below default-Bolt": ours.ms() < default.ms(),
        "median at most 4x process_before_response": ratio_pbr <= 4.0,
        "p99 far inside Slack's 3 s (< 1 s)": ours.ms(99) < 1000 * SLACK_LIMIT / 3,
        "no errors": errors == 0,
        "every update wrote a history entry": written == ours.count,
    }
    for k, v in checks.items():
        print(f"  {'MET ' if v else 'MISS'} {k}")
    print(f"  history entries written: {written} for {ours.count} acknowledged updates")
    print(f"  ratios: csp-bot/bolt-default {ratio_default:.2f}, csp-bot/bolt-pbr {ratio_pbr:.2f}")

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
    one_default = single["csp-bot"].ms() / single["bolt-default"].ms()
    one_pbr = single["csp-bot"].ms() / single["bolt-pbr"].ms()
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

{table(["target (judged on the 20-client run)", "result"], verdicts)}
"""
    if errors:
        sample = sorted({e for r in runs.values() for e in r.errors})[:5]
        body += "\nErrors seen (first kinds):\n\n" + "\n".join(f"- `{e[:200]}`" for e in sample)
    write_section("ack", body)
    print(f"ack_latency done in {time.monotonic() - started:.0f} s")
    return {"checks": checks}


if __name__ == "__main__":
    main()
