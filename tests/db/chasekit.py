"""Shared helpers of the ``/csp chase`` tests (test_cmd_chase_*.py): senders, the plan, a chase.

The command finds who to chase and asks for the messages; the edge sends them
through the outbox (:func:`bot.schedule.finish.finish`), as these tests do with
a recording sender, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.render.blocks import to_text
from bot.schedule.finish import finish
from commands.framework.core import Delivery
from commands.framework.dispatch import Outcome
from partnership.context import Reply
from storage.models import Action, Notification, Partnership, Person
from tests import kit
from tests.sweepkit import RecordingSender

TODAY = "2026-11-21"  # kit.NOW's local date: the period of a chase that day
LEE, MO, HANA = "U0LEE", "U0MO", "U0HANA"


@dataclass
class Chased:
    """One chase: the command's outcome, the report shown and what was sent."""

    sender: RecordingSender
    report: str
    ok: bool
    reply: Reply
    pending: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to(self, address: str) -> str:
        """The text of the one message sent to ``address`` in this chase."""
        posts = self.sender.to(address, "chase")
        assert len(posts) == 1, (address, len(posts))
        return posts[0].text

    def blocks(self, address: str) -> list[dict[str, Any]]:
        """The blocks of the one message sent to ``address``."""
        [post] = self.sender.to(address, "chase")
        return [block for page in post.pages for block in page]

    @property
    def reached(self) -> list[str]:
        """The addresses messaged, in order."""
        return [p.address for p in self.sender.posts]


class Exploding(RecordingSender):
    """A sender whose post raises for the addresses named (a bug, not a Slack error)."""

    def __init__(self, explode: set[str]) -> None:
        super().__init__()
        self.explode = explode

    def post(self, address: str, payload: dict[str, Any], key: str) -> Delivery:
        """Raise for an exploding address, else record."""
        if address in self.explode:
            raise RuntimeError("connection reset")
        return super().post(address, payload, key)


def action(session: Session, slug: str, ref: str) -> Action:
    return session.scalars(
        select(Action)
        .join(Partnership, Partnership.id == Action.partnership_id)
        .where(Partnership.slug == slug, Action.ref == ref)
    ).one()


def person(session: Session, slug: str, name: str) -> Person:
    return session.scalars(
        select(Person)
        .join(Partnership, Partnership.id == Person.partnership_id)
        .where(Partnership.slug == slug, Person.name == name)
    ).one()


def change(factory: sessionmaker[Session], edit: Callable[[Session], object]) -> None:
    """Make a change to the plan in a transaction of its own."""
    with factory() as session:
        edit(session)
        session.commit()


def age(
    factory: sessionmaker[Session], *refs: str, days: int = 40, slug: str = "riverside"
) -> None:
    """Make actions stale: their last update ``days`` ago."""

    def edit(session: Session) -> None:
        for ref in refs:
            action(session, slug, ref).updated_at = kit.NOW - dt.timedelta(days=days)

    change(factory, edit)


def chase(
    factory: sessionmaker[Session],
    line: str = "chase",
    *,
    slug: str = "riverside",
    who: str | None = "Cora Coordinator",
    sender: RecordingSender | None = None,
    now: dt.datetime = kit.NOW,
) -> Chased:
    """Run a chase line as the edge does: the command, then its sends through the outbox."""
    sender = sender if sender is not None else RecordingSender()
    with factory() as session:
        ctx = kit.context(session, slug, who, now=now)
        outcome, pending = kit.run(ctx, line)
        kit.rendered(outcome)
    reply = outcome.result
    assert isinstance(reply, Reply)
    if outcome.ok:
        reply = finish(factory, sender, reply, now)
    blocks = kit.rendered(Outcome(reply, outcome.ok))
    return Chased(sender, to_text(blocks), outcome.ok, reply, pending, reply.data)


def notes(factory: sessionmaker[Session]) -> dict[str, Notification]:
    with factory() as session:
        rows = session.scalars(select(Notification)).all()
        session.expunge_all()
    return {n.target: n for n in rows}


def target(factory: sessionmaker[Session], name: str, slug: str = "riverside") -> str:
    with factory() as session:
        return f"person:{person(session, slug, name).id}"


@pytest.fixture
def plans(imported: sessionmaker[Session]) -> sessionmaker[Session]:
    """Both fixture plans, with A-2 (Olive), A-3 (Mo) and A-5 (no owner) gone stale."""
    age(imported, "A-2", "A-3", "A-5")
    return imported
