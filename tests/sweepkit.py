"""Helpers for scheduler tests: an in-memory sender and local-time moments.

``RecordingSender`` implements :class:`bot.schedule.base.Sender` without Slack:
it renders every payload the way the Slack sender does, validates every page
against Block Kit, records each post, and can be told to fail for an address.
End-to-end tests use the real ``SlackSender`` against ``tests/fakeslack/``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.render.blocks import to_text
from bot.render.replies import message, reply_pages
from bot.schedule.outbox import Tally
from commands.framework.core import Delivery
from partnership.context import Reply

from . import kit

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> dt.datetime:
    """A London wall-clock moment (``2026-11-23 09:30``) as an aware UTC datetime."""
    naive = dt.datetime.fromisoformat(text)
    return naive.replace(tzinfo=LONDON).astimezone(dt.UTC)


@dataclass
class Post:
    """One message as posted: where, its outbox key, its rendered text."""

    address: str
    key: str
    text: str
    pages: list[list[dict[str, Any]]]

    @property
    def kind(self) -> str:
        """The outbox kind (first part of the key)."""
        return self.key.split("|", 1)[0]


@dataclass
class RecordingSender:
    """Records posts; ``fail[address] = (error, transient)`` makes posts there fail."""

    posts: list[Post] = field(default_factory=list)
    fail: dict[str, tuple[str, bool]] = field(default_factory=dict)
    attempts: int = 0

    def prepare(self, reply: Reply, slug: str) -> dict[str, Any]:
        """Render like the Slack sender, validating every page."""
        pages = reply_pages(reply, slug)
        for page in pages:
            kit.valid_blocks(page)
        return {"pages": pages, "text": message(pages[0], reply)["text"]}

    def post(self, address: str, payload: dict[str, Any], key: str) -> Delivery:
        """Record the post (or fail as told)."""
        self.attempts += 1
        if address in self.fail:
            error, transient = self.fail[address]
            return Delivery(address, False, error, transient=transient)
        pages = payload["pages"]
        text = "\n".join(to_text(page) for page in pages)
        self.posts.append(Post(address, key, text, pages))
        return Delivery(address, True)

    def already_posted(self, address: str, key: str) -> bool:
        """Whether a post with this key reached this address."""
        return any(p.address == address and p.key == key for p in self.posts)

    def to(self, address: str, kind: str | None = None) -> list[Post]:
        """The posts to one address (of one kind)."""
        return [p for p in self.posts if p.address == address and (kind is None or p.kind == kind)]

    def kinds(self) -> list[tuple[str, str]]:
        """(kind, address) of every post, in order."""
        return [(p.kind, p.address) for p in self.posts]


def sweep(
    factory: sessionmaker[Session], sender: RecordingSender, when: str | dt.datetime, **kw: Any
) -> Tally:
    """``run_due`` at a London wall-clock moment (or an aware datetime)."""
    from bot.schedule.run import run_due

    now = at(when) if isinstance(when, str) else when
    return run_due(factory, sender, now, **kw)
