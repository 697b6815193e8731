"""The ack's own CPU time, in-process: the WSGI app the server runs, called directly.

No gunicorn, no sockets: :func:`bot.slack.server.build_wsgi` builds the front door
and Bolt exactly as a web worker does (warmed), on a fresh PostgreSQL database
(Riverside plus L-1..L-20 owned by Lee Lead, as ``ack_load.py`` prepares it,
and D-1..D-N for ``action done`` to close one each), and each signed slash
command is passed to it as a WSGI environ. What is timed is the request
thread's CPU time (``time.thread_time``): a loaded machine slows the wall clock,
not the instructions this thread runs, and the database server's own work is in
another process. After-ack work runs on the edge's pool, another thread, and is
not counted (the ack does not wait for it).

Run: ``python benchmarks/ack_cpu.py [--rounds N] [--profile update] [--callgrind]``.
``--profile`` prints a cProfile of that command's requests, by cumulative time;
``--only`` runs one command (for ``valgrind --tool=callgrind``). Prints one line
per command: the median and the mean CPU milliseconds, and SQL statements per
request. It writes nothing to ``docs/``: the figures go in by hand, in the
"Where the ack's time goes" section.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from ack_load import lee_actions, prepare
from common import fresh_database
from sqlalchemy import event

from bot import logs
from bot.settings import load_settings
from bot.slack.front import FrontDoor
from bot.slack.server import build_wsgi
from bot.slack.warm import signed_environ
from tests.fakeslack import FakeSlack

SECRET = "bench-secret"
# The fake Slack's response URL, once it runs (a long reply's later pages go there).
RESPONSE_URL = ["http://127.0.0.1:9/none"]
# What each measured command types: {n} is the request's number (a new note each time),
# {d} its number within the command (each ``action done`` closes the next D action).
LINES: dict[str, str] = {
    "list mine": "action list mine",
    "priority status": "priority status P1",
    "update": "action update L-{k} benchmark note {n}",
    "done": "action done D-{d} finished {n}",
}


def environ_for(text: str, secret: str = SECRET) -> dict[str, Any]:
    """A signed ``/csp <text>`` from Lee Lead in the general channel, as a WSGI environ."""
    body = urlencode(
        {
            "token": "unused",
            "team_id": "T0RIVER",
            "team_domain": "riverside",
            "channel_id": "C0RGEN",
            "channel_name": "general",
            "user_id": "U0LEE",
            "user_name": "u0lee",
            "command": "/csp",
            "text": text,
            "api_app_id": "A0CSP",
            "is_enterprise_install": "false",
            "response_url": RESPONSE_URL[0],
            "trigger_id": f"{time.time_ns()}.bench",  # a new body, so a new signature
        }
    ).encode()
    return signed_environ(secret, body)


def call(door: Callable[..., Any], environ: dict[str, Any]) -> tuple[str, bytes]:
    """One request through the WSGI app: (status, body)."""
    answer: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer.append(status)
        return lambda _data: None

    data = b"".join(door(environ, start_response))
    return answer[0], data


def check(status: str, data: bytes) -> None:
    """Stop on an answer that is not a good ack."""
    text = json.dumps(json.loads(data)) if data else ""
    lowered = text.lower()
    if not status.startswith("200") or any(
        bad in lowered for bad in ("went wrong", "clashed", "can't", "cannot", "sorry", "no action")
    ):
        raise SystemExit(f"bad answer {status}: {text[:300]}")


# Where a request's CPU goes: (label, file, function, only when called from file:function).
PARTS: tuple[tuple[str, str, str, str | None], ...] = (
    ("request", "bot/slack/front.py", "__call__", None),
    ("POST /slack/events (all of it)", "bot/slack/front.py", "_events", None),
    ("redelivery ledger (claim)", "storage/seen.py", "first_time", None),
    ("Bolt and front door after", "bot/slack/front.py", "_guarded", None),
    ("setup listener (strangers)", "bot/slack/setup.py", "on_command", None),
    ("command listener", "bot/slack/listeners.py", "on_command", None),
    ("edge run (one transaction)", "bot/slack/listeners.py", "run", None),
    ("identify (asker, partnership)", "bot/slack/listeners.py", "build", None),
    (
        "command (parse, find, check, change)",
        "commands/framework/dispatch.py",
        "dispatch_text",
        None,
    ),
    (
        "commit (flush and COMMIT)",
        "sqlalchemy/orm/session.py",
        "commit",
        "bot/slack/runner.py:_once",
    ),
    ("reply rendering", "bot/render/replies.py", "reply_pages", None),
    ("reply as message (text)", "bot/render/replies.py", "message", None),
    ("the request log line", "logging/__init__.py", "info", "bot/slack/listeners.py:run"),
)


def split(stats: pstats.Stats, rounds: int) -> None:
    """Print the CPU milliseconds per request of each part of the path (cumulative)."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = 0.0
    for label, path, function, caller in PARTS:
        ms = 0.0
        for (file, _line, name), (_cc, _nc, _tt, ct, callers) in table.items():
            if not (file.endswith(path) and name == function):
                continue
            if caller is None:
                ms += ct
                continue
            where, _, who = caller.partition(":")
            ms += sum(v[3] for (f, _l, n), v in callers.items() if f.endswith(where) and n == who)
        ms = 1000 * ms / rounds
        total = total or ms
        print(f"   {label:38} {ms:6.2f} ms  {100 * ms / total:5.1f}%")


def main(argv: list[str] | None = None) -> None:
    """Measure each command's CPU time per request (and profile one, if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="requests per command")
    parser.add_argument("--profile", choices=list(LINES), help="cProfile this command")
    parser.add_argument("--only", choices=list(LINES), help="measure this command alone")
    parser.add_argument("--show", action="store_true", help="print one answer and its SQL")
    parser.add_argument("--full", action="store_true", help="print whole SQL statements")
    parser.add_argument("--top", type=int, default=45, help="lines of the profile to print")
    args = args_ = parser.parse_args(argv)
    names = [args.only] if args.only else list(LINES)
    logs.setup("INFO")  # the JSON log lines `csp-bot serve` writes (to stderr)
    with fresh_database("bench_cpu") as url, FakeSlack() as fake:
        RESPONSE_URL[0] = fake.response_url("bench")
        prepare(url)
        settings = load_settings(
            database_url=url,
            slack_bot_token="xoxb-bench",
            slack_signing_secret=SECRET,
            slack_api_url=fake.base_url,
        )
        door = build_wsgi(settings)
        assert isinstance(door, FrontDoor)
        engine = door.ledger.factory.kw["bind"]
        statements = [0]

        def count(*args: Any) -> None:
            statements[0] += 1
            if show:
                print("   SQL:", " ".join(str(args[2]).split())[: None if args_.full else 160])

        event.listen(engine, "before_cursor_execute", count)
        sequence = 0
        show = args.show
        for name in names:
            if name == "done":  # only now, so the lists above show Lee's usual actions
                lee_actions(url, "D", args.rounds + 10, position=1000)
            if args.show:
                show = True
                line = LINES[name].format(n=0, k=1, d=args.rounds + 10)  # the last D: not yet done
                print(name, call(door, environ_for(line))[1][:600])
            # A few unmeasured first, so each command's statements and templates are warm.
            for d in range(1, 6):
                sequence += 1
                line = LINES[name].format(n=sequence, k=1 + sequence % 20, d=d)
                check(*call(door, environ_for(line)))
            show = False
            profiler = cProfile.Profile(time.thread_time) if name == args.profile else None
            cpu: list[float] = []
            statements[0] = 0
            for i in range(args.rounds):
                sequence += 1
                environ = environ_for(LINES[name].format(n=sequence, k=1 + i % 20, d=6 + i))
                if profiler:
                    profiler.enable()
                began = time.thread_time()
                status, data = call(door, environ)
                cpu.append(time.thread_time() - began)
                if profiler:
                    profiler.disable()
                check(status, data)
            print(
                f"{name:16} cpu median {1000 * statistics.median(cpu):6.2f} ms "
                f"mean {1000 * statistics.fmean(cpu):6.2f} ms "
                f"statements/request {statements[0] / args.rounds:.1f}",
                flush=True,
            )
            if profiler:
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                split(stats, args.rounds)
                stats.sort_stats("cumulative").print_stats(args.top)
                stats.sort_stats("tottime").print_stats(args.top)
                print(out.getvalue())
        event.remove(engine, "before_cursor_execute", count)
        engine.dispose()


if __name__ == "__main__":
    main()
