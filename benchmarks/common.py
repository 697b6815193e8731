"""Shared helpers for the benchmarks: databases, generated plans, machine facts, the report.

Every benchmark writes its own section of ``docs/benchmarks.md`` between
``<!-- bench:NAME -->`` markers, so each script can be rerun on its own and the
others' figures stay in place.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, create_engine, event, insert, select, text
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python benchmarks/x.py` puts benchmarks/ first, not the repo
    sys.path.insert(0, str(REPO))

from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Action,
    ActionUpdate,
    Partnership,
    Person,
    Priority,
    Source,
    Status,
    SubGroup,
)
from storage.planfile import load_plan_text  # noqa: E402
from storage.sync import apply_plan  # noqa: E402
from tests.e2e import fresh_postgres  # noqa: E402

DOC = REPO / "docs" / "benchmarks.md"
RIVERSIDE = REPO / "tests" / "fixtures" / "plans" / "riverside.yaml"
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# The fixture plans' "now": Saturday 21 November 2026, 10:00 London (GMT).
NOW = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


# ------------------------------------------------------------------ databases


@contextmanager
def fresh_database(prefix: str = "bench") -> Iterator[str]:
    """A new PostgreSQL database (migrated), dropped afterwards; yields its URL."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with fresh_postgres(admin, prefix) as url:  # the tests' own scratch databases
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            yield url
    finally:
        admin.dispose()


def import_riverside(
    session: Session, slug: str = "riverside", team: str = "T0RIVER", index: int = 0
) -> int:
    """Import the Riverside fixture plan (as ``slug``, in Slack team ``team``); its id."""
    raw = yaml.safe_load(RIVERSIDE.read_text(encoding="utf-8"))
    raw["partnership"]["slug"] = slug
    raw["partnership"]["name"] = (
        f"{raw['partnership']['name']} {index}" if index else raw["partnership"]["name"]
    )
    raw["partnership"]["slack"]["team_id"] = team
    if index:  # a channel belongs to one partnership: each copy gets channels of its own
        channels = raw["partnership"]["slack"]["channels"]
        for purpose, channel in channels.items():
            channels[purpose] = f"{channel}{index:05d}"
    plan = load_plan_text(yaml.safe_dump(raw, sort_keys=False), f"{slug}.yaml")
    apply_plan(session, plan, source_name=f"{slug}.yaml", now=NOW)
    session.flush()
    return session.scalars(select(Partnership.id).where(Partnership.slug == slug)).one()


STATUSES = [Status.IN_PROGRESS, Status.NOT_STARTED, Status.COMPLETE, Status.IN_PROGRESS]


def add_actions(session: Session, pid: int, count: int, *, history: bool = True) -> None:
    """Bulk-insert ``count`` generated actions (``G-<n>``) into a partnership.

    Owners, priorities and groups are the partnership's own, so the actions show up
    in nudges, roll-ups, digests and statuses; a third are overdue, and about a third
    carry a history entry.
    """
    if count <= 0:
        return
    people = list(session.scalars(select(Person.id).where(Person.partnership_id == pid)))
    priorities = list(session.scalars(select(Priority.id).where(Priority.partnership_id == pid)))
    groups = list(session.scalars(select(SubGroup.id).where(SubGroup.partnership_id == pid)))
    session.execute(
        insert(Action),
        [
            {
                "partnership_id": pid,
                "ref": f"G-{i}",
                "title": f"Generated action number {i} with a reasonably long title",
                "priority_id": priorities[i % len(priorities)],
                "subgroup_id": groups[i % len(groups)] if groups and i % 3 == 0 else None,
                "owner_id": people[i % len(people)] if i % 7 else None,
                "status": STATUSES[i % len(STATUSES)],
                "due_date": TODAY + dt.timedelta(days=(i % 300) - 100),
                "position": 100 + i,
                "updated_at": NOW - dt.timedelta(days=i % 90),
            }
            for i in range(count)
        ],
    )
    if not history:
        return
    ids = session.execute(
        select(Action.id, Action.ref).where(Action.partnership_id == pid, Action.ref.like("G-%"))
    ).all()
    rows = [
        {
            "partnership_id": pid,
            "action_id": action_id,
            "at": NOW - dt.timedelta(days=int(ref[2:]) % 60, minutes=int(ref[2:]) % 1440),
            "source": Source.COMMAND,
            "changes": {"due_date": ["2026-06-30", "2027-01-31"], "rag": ["green", "red"]},
            "note": "progress note",
        }
        for action_id, ref in ids
        if int(ref[2:]) % 3 == 0
    ]
    if rows:
        session.execute(insert(ActionUpdate), rows)


def plan_database(url: str, actions: int) -> None:
    """Fill a migrated database with Riverside plus generated actions up to ``actions`` in all."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            pid = import_riverside(session)
            add_actions(session, pid, max(0, actions - 5))  # Riverside brings five of its own
            session.commit()
    finally:
        engine.dispose()


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """Collect every SQL statement the engine sends inside the block."""
    statements: list[str] = []

    def before(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


# ------------------------------------------------------------------ figures


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    """The median (nan when empty)."""
    return statistics.median(values) if values else float("nan")


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    """MET / MISSED, for the tables."""
    return "**MET**" if ok else "**MISSED**"


# ------------------------------------------------------------------ machine


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, Python and PostgreSQL versions, and today's date."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    pg = "unknown"
    try:
        engine = create_engine(ADMIN_URL)
        with engine.connect() as conn:
            pg = str(conn.scalar(text("SHOW server_version")))
        engine.dispose()
    except Exception:  # the report still says which facts it could not read
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "postgres": pg,
        "os": platform.platform(),
    }


def machine_line() -> str:
    """One line naming the machine and the date, for each section."""
    m = machine()
    return (
        f"_Measured {m['date']} on {m['cpu']}, {m['cores']} cores, {m['ram']} RAM; "
        f"Python {m['python']}, PostgreSQL {m['postgres']}._"
    )


# ------------------------------------------------------------------ the report

HEADER = """# Benchmarks

Figures from the scripts in `benchmarks/`. Rerun everything with
`python benchmarks/run_all.py` (add `--quick` for a short run), or
one benchmark with `python benchmarks/<name>.py [--quick]`; each script rewrites
its own section below. PostgreSQL is used for every figure (set
`BENCH_POSTGRES_URL` to an admin URL; the default is
`postgresql://postgres@127.0.0.1:5432/test`): each run creates a scratch database and
drops it afterwards.

<!-- machine -->
<!-- /machine -->
"""
ORDER = ["ack", "queries", "digest", "sweep", "memory", "first"]


def write_section(name: str, body: str) -> None:
    """Replace (or add) the section ``name`` of docs/benchmarks.md."""
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(doc):
        doc = pattern.sub(lambda _m: block, doc)
    else:
        # keep the sections in ORDER, whichever script ran first
        after = ORDER[ORDER.index(name) + 1 :] if name in ORDER else []
        later = [n for n in after if f"<!-- bench:{n} -->" in doc]
        if later:
            marker = f"<!-- bench:{later[0]} -->"
            doc = doc.replace(marker, block + "\n\n" + marker, 1)
        else:
            doc = doc.rstrip() + "\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(doc, encoding="utf-8")


def write_machine(extra: str = "") -> None:
    """Fill the machine block at the top of docs/benchmarks.md."""
    m = machine()
    body = "\n".join(
        [
            "## Machine",
            "",
            f"- Date: {m['date']}",
            f"- CPU: {m['cpu']} ({m['cores']} cores)",
            f"- RAM: {m['ram']}",
            f"- OS: {m['os']}",
            f"- Python {m['python']}, PostgreSQL {m['postgres']}",
            *([extra] if extra else []),
        ]
    )
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    pattern = re.compile(r"<!-- machine -->.*?<!-- /machine -->", re.S)
    doc = pattern.sub(lambda _m: f"<!-- machine -->\n{body}\n<!-- /machine -->", doc)
    DOC.write_text(doc, encoding="utf-8")
