"""What the sweeps produce (messages for recipients) and what sends them (a Sender)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from commands.framework.core import Delivery
from partnership.context import Context, Reply
from partnership.lookup import people_with_role
from storage.models import Person, Role


@dataclass(frozen=True)
class Recipient:
    """A person (by direct message) or a channel, with the Slack id to post to."""

    target: str  # the outbox key part: "person:12" or "channel:C0RBOARD"
    address: str | None  # the Slack user or channel id; None when not on Slack
    name: str
    email: str | None = None

    @classmethod
    def person(cls, person: Person) -> Recipient:
        """A person, reached by direct message when they are on Slack."""
        return cls(f"person:{person.id}", person.slack_user_id, person.name, person.email)

    @classmethod
    def channel(cls, channel_id: str, name: str = "") -> Recipient:
        """A channel, by its Slack id."""
        return cls(f"channel:{channel_id}", channel_id, name or channel_id)

    @property
    def is_channel(self) -> bool:
        """Whether this is a channel rather than a person."""
        return self.target.startswith("channel:")


@dataclass
class Message:
    """One message due now: sent at most once under (kind, recipient, period)."""

    kind: str
    recipient: Recipient
    period: str
    reply: Reply
    # Done in the claim's own transaction, so it happens exactly when the message
    # is claimed (e.g. remember which actions were nudged, snapshot a digest).
    on_claim: Callable[[Session], None] | None = None
    # Anything the run's report or tests want to know (e.g. the refs named).
    meta: dict[str, Any] = field(default_factory=dict)
    # Sent because a person asked just now (a coordinator's chase), who reads what
    # happened in their reply: a failure is not listed to the coordinators again,
    # and one that failed earlier is tried again when they ask again.
    requested: bool = False


class Sender(Protocol):
    """Posts prepared messages and can tell whether one was posted already."""

    def prepare(self, reply: Reply, slug: str) -> dict[str, Any]:
        """Render a reply into the stored payload (JSON) that :meth:`post` sends.

        A payload of several pages is sent as a first message with the rest in
        its thread, so a long digest never floods a channel.
        """
        ...

    def post(self, address: str, payload: dict[str, Any], key: str) -> Delivery:
        """Send a payload to a user or channel; never raises for Slack errors."""
        ...

    def already_posted(self, address: str, key: str) -> bool:
        """Whether a message with this key is among the recent ones there (False: can't tell)."""
        ...


def coordinators(ctx: Context) -> list[Recipient]:
    """The partnership's coordinators as recipients (those on Slack and those not)."""
    return [Recipient.person(p) for p in people_with_role(ctx, Role.COORDINATOR)]


def on_slack(recipients: Iterable[Recipient]) -> list[Recipient]:
    """Only the recipients who can be reached in Slack."""
    return [r for r in recipients if r.address]


Sweep = Callable[[Context], list[Message]]
