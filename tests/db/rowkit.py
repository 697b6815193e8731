"""Shared db-test helpers: ids, priorities and actions added in bulk, query counts, raw rows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from storage.models import (
    Action,
    ActionUpdate,
    MeasureReading,
    Partnership,
    Person,
    Priority,
    Rag,
    Status,
)
from tests import kit

HOSTILE = "<!channel> <https://evil|click> {{ 7*7 }}"
TODAY = kit.NOW.date()


def partnership_id(session: Session, slug: str = "riverside") -> int:
    """The id of a fixture partnership."""
    return session.scalars(select(Partnership.id).where(Partnership.slug == slug)).one()


def person_id(session: Session, name: str, slug: str = "riverside") -> int:
    """The id of a person in a fixture partnership."""
    return session.scalars(
        select(Person.id).where(
            Person.partnership_id == partnership_id(session, slug), Person.name == name
        )
    ).one()


def priority(session: Session, code: str, slug: str = "riverside") -> Priority:
    """A priority by code."""
    return session.scalars(
        select(Priority).where(
            Priority.partnership_id == partnership_id(session, slug), Priority.code == code
        )
    ).one()


def add_priorities(session: Session, n: int, *, title: str = "Bulk priority") -> list[int]:
    """Add ``n`` priorities to Riverside; their ids."""
    pid = partnership_id(session)
    session.execute(
        insert(Priority),
        [
            {"partnership_id": pid, "code": f"Q{i}", "title": f"{title} {i}", "position": 100 + i}
            for i in range(n)
        ],
    )
    return list(
        session.scalars(
            select(Priority.id)
            .where(Priority.partnership_id == pid, Priority.code.like("Q%"))
            # In the order added: a table emptied between tests (tests/databases.py)
            # hands rows back in no particular order without one.
            .order_by(Priority.position)
        )
    )


def add_actions(
    session: Session,
    n: int,
    priorities: list[int],
    *,
    start: int = 1000,
    owner: int | None = None,
    title: str = "Bulk action",
) -> None:
    """Add ``n`` Riverside actions spread over ``priorities``: mixed status, RAG and due dates."""
    pid = partnership_id(session)
    statuses = [Status.IN_PROGRESS, Status.NOT_STARTED, Status.COMPLETE, Status.DROPPED]
    rags = [None, Rag.RED, Rag.AMBER, Rag.GREEN, None]
    rows: list[dict[str, Any]] = []
    for i in range(n):
        rows.append(
            {
                "partnership_id": pid,
                "ref": f"B-{start + i}",
                "title": f"{title} {start + i}",
                "priority_id": priorities[i % len(priorities)],
                "owner_id": owner,
                "status": statuses[i % len(statuses)],
                "rag": rags[i % len(rags)],
                "due_date": None if i % 7 == 0 else TODAY + dt.timedelta(days=(i % 61) - 30),
            }
        )
    session.execute(insert(Action), rows)


@contextmanager
def counting(session: Session) -> Iterator[list[str]]:
    """Collect every SQL statement the session's engine runs inside the block."""
    statements: list[str] = []
    bind = session.get_bind()

    def before(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(bind, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", before)


def rows(session: Session) -> tuple[int, int, int]:
    """Counts of actions, history entries and readings (a read command must write none)."""
    return (
        session.scalar(select(func.count()).select_from(Action)) or 0,
        session.scalar(select(func.count()).select_from(ActionUpdate)) or 0,
        session.scalar(select(func.count()).select_from(MeasureReading)) or 0,
    )


def raw(blocks: list[dict[str, Any]]) -> str:
    """Blocks as the JSON Slack would receive."""
    return json.dumps(blocks, ensure_ascii=False)
