"""Shared helpers of the action command tests (test_cmd_action_*.py): plans, counts, texts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from storage.models import Action, ActionUpdate, Partnership
from tests.kit import load_plans

HOSTILE = "<!channel> <https://evil|click> {{ 7*7 }}"


@pytest.fixture
def plans(session: Session) -> Session:
    """Riverside and Hillford loaded."""
    load_plans(session)
    return session


def counts(session: Session) -> tuple[int, int]:
    """How many actions and history entries there are, in every partnership."""
    actions = session.scalar(select(func.count(Action.id)))
    updates = session.scalar(select(func.count(ActionUpdate.id)))
    return actions or 0, updates or 0


def action(session: Session, ref: str, slug: str = "riverside") -> Action:
    """An action by ref in a partnership."""
    return session.scalars(
        select(Action)
        .join(Partnership, Partnership.id == Action.partnership_id)
        .where(Partnership.slug == slug, Action.ref == ref)
    ).one()


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every text string in a list of blocks (headers, sections, context, buttons)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return found


def assert_escaped(blocks: list[dict[str, Any]]) -> None:
    """The hostile title shows as text: escaped, never raw markup, never evaluated."""
    joined = "\n".join(texts(blocks))
    assert "&lt;!channel&gt;" in joined
    assert "&lt;https://evil|click&gt;" in joined
    assert "<!channel>" not in joined
    assert "<https://evil" not in joined
    assert "{{ 7*7 }}" in joined
    assert "49" not in joined


def refs_in(blocks: list[dict[str, Any]]) -> list[str]:
    """The refs of one-row-per-action sections, in order (from their overflow menus)."""
    return [
        b["accessory"]["options"][0]["value"].split(":", 1)[1]
        for b in blocks
        if b["type"] == "section" and "accessory" in b
    ]


@contextmanager
def count_queries(session: Session) -> Iterator[list[str]]:
    """Record the SQL statements the session runs inside the block."""
    statements: list[str] = []
    engine = session.get_bind()

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
