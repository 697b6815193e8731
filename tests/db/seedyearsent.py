"""What Slack was sent in a seed's year (tests/db/seedyearkit.py), as rows a test reads.

Each posted message becomes a :class:`Sent` with the day, its outbox key, the
recipient's name and its text and blocks; a continuation page is joined to the
message it continues, and each row learns the slug of its partnership from the
outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.sender import EVENT_TYPE
from storage.models import Channel, Notification, Partnership, Person


@dataclass(frozen=True)
class Sent:
    """One message Slack was sent: the day, its kind and key, where, to whom, its text."""

    day: dt.date
    kind: str
    key: str
    address: str
    to: str
    text: str
    button: str = ""
    slug: str = ""
    # The Block Kit itself, every page's, for rendering as a reader sees it (bot/render/terminal.py).
    blocks: tuple[dict[str, Any], ...] = field(default=(), compare=False, repr=False)


def with_slugs(factory: sessionmaker[Session], sent: list[Sent]) -> list[Sent]:
    """Each message with the slug of the partnership its outbox row is for."""
    with factory() as session:
        rows = session.execute(
            select(
                Notification.kind, Notification.target, Notification.period, Partnership.slug
            ).join(Partnership, Partnership.id == Notification.partnership_id)
        )
        slug_of = {f"{kind}|{target}|{period}": slug for kind, target, period, slug in rows}
    return [replace(s, slug=slug_of.get(s.key, "")) for s in sent]


def names_of(factory: sessionmaker[Session]) -> dict[str, str]:
    """Slack id -> a person's name, or ``<slug> <purpose> channel`` for a channel."""
    with factory() as session:
        found = {
            str(p.slack_user_id): p.name
            for p in session.scalars(select(Person).where(Person.slack_user_id.is_not(None)))
        }
        for slug, purpose, channel in session.execute(
            select(Partnership.slug, Channel.purpose, Channel.slack_channel_id).join(
                Channel, Channel.partnership_id == Partnership.id
            )
        ):
            found[channel] = f"{slug} {purpose} channel"
    return found


def _sent_row(day: dt.date, params: dict[str, Any], names: dict[str, str]) -> Sent | None:
    """A posted message as a row; None for a continuation page (no metadata)."""
    meta = params.get("metadata")
    if not meta:
        return None
    assert meta["event_type"] == EVENT_TYPE
    key = str(meta["event_payload"]["key"])
    blocks = params.get("blocks") or []
    address = str(params["channel"])
    return Sent(
        day=day,
        kind=key.split("|")[0],
        key=key,
        address=address,
        to=names.get(address, address),
        text=" ".join(str(b) for b in blocks),
        button=button_of(blocks, "return_submit"),
        blocks=tuple(blocks),
    )


def pages_joined(day: dt.date, posts: list[dict[str, Any]], names: dict[str, str]) -> list[Sent]:
    """The day's posts as messages, each continuation page's text joined to its message's."""
    out: list[Sent] = []
    for params in posts:
        row = _sent_row(day, params, names)
        if row is not None:
            out.append(row)
            continue
        # A continuation page goes into the thread of the message just sent there.
        address = str(params["channel"])
        [*_, last] = [i for i, s in enumerate(out) if s.address == address]
        page = list(params.get("blocks") or [])
        more = " ".join(str(b) for b in page)
        out[last] = replace(
            out[last], text=f"{out[last].text} {more}", blocks=(*out[last].blocks, *page)
        )
    return out


def button_of(blocks: list[dict[str, Any]], action_id: str) -> str:
    """The value of the message's button with this action id ('' when it has none)."""
    for block in blocks:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return str(element.get("value") or "")
    return ""
