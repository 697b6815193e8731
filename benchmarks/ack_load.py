"""The ack-latency benchmark's load generator: servers, signed load, the database's side.

Used by ``ack_latency.py`` (benchmark 1) and, for its database, by ``ack_cpu.py``
and ``first_request.py``. Every request is a signed ``/csp`` slash command from
Lee Lead (U0LEE), sent on a keep-alive connection per client thread, with a
fresh timestamp and signature each time; latency is measured by the client,
from sending the request to reading the whole answer.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from common import import_riverside, median, percentile
from sqlalchemy import event, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.slack.identity import identify
from bot.slack.runner import execute
from commands.framework.dispatch import dispatch_text
from partnership.context import Context
from storage.db import make_engine, normalise_url, session_factory
from storage.models import Action, ActionUpdate, Partnership, Person, Priority, Source, Status
from tests.e2e import EVENTS_PATH, Server
from tests.fakeslack import FakeSlack

CLIENTS = 20
WORKERS = 2  # the Procfile's default (WEB_CONCURRENCY)
THREADS = 4  # `csp-bot serve`'s default
WARMUP = 2.0

# What a client sends: (client index, its request number) -> the command's text, or
# None when there is nothing left to send (that client stops).
TextFor = Callable[[int, int], str | None]

# Words in an answer that mean the command was refused or failed (case as written).
REFUSALS = ("nothing was saved", "went wrong", "clashed", "can't", "cannot", "Sorry")


class BaselineServer(Server):
    """A bare Bolt app (benchmarks/baseline_app.py) served by gunicorn like the bot."""

    def __init__(self, fake: FakeSlack, mode: str, **kwargs: Any) -> None:
        super().__init__("", fake, **kwargs)
        self.mode = mode

    def argv(self) -> list[str]:
        """The baseline app's command line (gunicorn like the bot's, another app)."""
        return [
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


@dataclass
class Run:
    """What one load run measured."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)  # the texts of the acknowledged requests
    seconds: float = 0.0

    @property
    def count(self) -> int:
        """Successful requests."""
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return self.count / self.seconds if self.seconds else float("nan")

    def ms(self, q: float | None = None) -> float:
        """Median (or the q-th percentile) in milliseconds."""
        values = self.latencies
        return 1000 * (median(values) if q is None else percentile(values, q))


def expected_text(sent: str) -> str | None:
    """How csp-bot's answer to ``sent`` begins when the command did what it was asked."""
    words = sent.split()
    if words[:2] in (["action", "update"], ["action", "done"]) and len(words) > 2:
        return f"{words[2]} updated"
    if words[:3] == ["action", "list", "mine"]:
        return "Open actions"
    if words[:2] == ["priority", "status"] and len(words) > 2:
        return f"Priority status: {words[2]}"
    return None


def check_ack(kind: str, status: int, data: bytes, sent: str = "") -> str | None:
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
    for bad in REFUSALS:
        if bad in text:
            return f"refused: {text[:300]}"
    lowered = text.lower()
    if sent.startswith("action done") and ("already complete" in lowered or "no action" in lowered):
        return f"not closed: {text[:300]}"
    expected = expected_text(sent)
    summary = body.get("text", "") if isinstance(body, dict) else ""
    if expected and not str(summary).startswith(expected):
        return f"unexpected answer (wanted {expected!r}): {text[:300]}"
    return None


def load(
    server: Server, kind: str, seconds: float, text_for: TextFor, *, clients: int = CLIENTS
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
        acked: list[str] = []
        sequence = 0
        start.wait()
        while time.monotonic() < stop_at:
            sequence += 1
            text = text_for(index, sequence)
            if text is None:
                break
            body, _ = server.command_body("U0LEE", text)
            headers = server.signed_headers(body)
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
            problem = check_ack(kind, answer.status, data, text)
            if problem:
                bad.append(problem)
            else:
                mine.append(elapsed)
                acked.append(text)
        conn.close()
        with lock:
            run.latencies.extend(mine)
            run.errors.extend(bad)
            run.acked.extend(acked)

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.monotonic() - began
    return run


def closing_texts(prefix: str, count: int) -> TextFor:
    """``action done <prefix>-1 <note>``, then -2, ... up to -``count``, each once, then None."""
    numbers = itertools.count(1)
    lock = threading.Lock()

    def text_for(index: int, sequence: int) -> str | None:
        with lock:
            n = next(numbers)
        if n > count:
            return None
        return f"action done {prefix}-{n} finished {index}-{sequence}-{time.time_ns()}"

    return text_for


def prepare(url: str) -> None:
    """Riverside plus L-1..L-20, all owned by Lee Lead (U0LEE)."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        import_riverside(session)
        session.commit()
    engine.dispose()
    lee_actions(url, "L", CLIENTS, position=100)


def lee_actions(url: str, prefix: str, count: int, *, position: int) -> None:
    """Add ``<prefix>-1``..``<prefix>-<count>`` to Riverside: open, P1, owned by Lee Lead."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        pid = session.scalars(select(Partnership.id).where(Partnership.slug == "riverside")).one()
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
                    "ref": f"{prefix}-{i}",
                    "title": f"Lee's benchmark action {i}",
                    "priority_id": p1,
                    "owner_id": lee,
                    "status": Status.IN_PROGRESS,
                    "position": position + i,
                }
                for i in range(1, count + 1)
            ],
        )
        session.commit()
    engine.dispose()


def database_floor(url: str, rounds: int = 500) -> tuple[int, float]:
    """The SQL one update sends, replayed through bare psycopg: (statements, median ms).

    One ``action update`` runs in-process (identity, command, commit) with every
    statement and its parameters captured; then the same statements, in one
    transaction with its commit, are replayed ``rounds`` times on a plain psycopg
    connection: no Bolt, no ORM, no rendering. That is the database's own share
    of an ack, a floor no listener design can go below.
    """
    engine = make_engine(url)
    factory = session_factory(engine)
    captured: list[tuple[str, Any]] = []

    def before(*args: Any) -> None:
        captured.append((str(args[2]), args[3]))

    def build(session: Session) -> Context:
        asker = identify(session, "T0RIVER", "U0LEE", "C0BENCH")
        return Context(
            session=session,
            partnership=asker.partnership,
            person=asker.person,
            now=dt.datetime.now(dt.UTC),
            source=Source.COMMAND,
        )

    event.listen(engine, "before_cursor_execute", before)
    outcome = execute(factory, build, lambda ctx: dispatch_text(ctx, "action update L-1 floor"))
    event.remove(engine, "before_cursor_execute", before)
    engine.dispose()
    assert outcome.ok, outcome.result
    plain = make_url(normalise_url(url)).set(drivername="postgresql")
    times: list[float] = []
    with psycopg.connect(plain.render_as_string(hide_password=False)) as conn:
        for _ in range(rounds):
            began = time.perf_counter()
            for statement, parameters in captured:
                conn.execute(statement, parameters)
            conn.commit()
            times.append(time.perf_counter() - began)
    return len(captured), median(times) * 1000


def history_count(url: str) -> int:
    """How many history entries the database holds."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        n = session.scalar(select(func.count()).select_from(ActionUpdate)) or 0
    engine.dispose()
    return n


def missing_from_history(url: str, sent: list[str]) -> int:
    """How many of the acknowledged ``action update <ref> <note>`` have no history entry."""
    notes = [text.split(" ", 3)[3] for text in sent]
    prefixes = {note.split(" ", 1)[0] for note in notes}  # "benchmark": one LIKE, no huge IN
    engine = make_engine(url)
    with session_factory(engine)() as session:
        stored: set[str | None] = set()
        for prefix in prefixes:
            query = select(ActionUpdate.note).where(ActionUpdate.note.like(f"{prefix}%"))
            stored.update(session.scalars(query))
    engine.dispose()
    return sum(1 for note in notes if note not in stored)
