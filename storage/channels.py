"""Which partnership a Slack channel belongs to: at most one, checked here and by the database.

Every write of a partnership's channels (``/csp settings board_channel:``, the
plan file's ``slack: channels:``) goes through :func:`assign` or
:func:`release`. The check here gives the person a plain refusal; the
``channel_owner`` table's primary key, which every ``channel`` row references
with its own partnership, is what stops two coordinators racing past the check
at the same moment (the loser's transaction fails and the command is run again,
when the check refuses it).

Slack channel ids are unique across Slack, and a channel shared through Slack
Connect keeps one id in both workspaces, so ownership is global, not per
workspace.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import Channel, ChannelOwner, Partnership


class ChannelTakenError(Exception):
    """The channel belongs to another partnership; ``str()`` says what to do instead."""

    def __init__(self, channel_id: str, purpose: str) -> None:
        self.channel_id = channel_id
        self.purpose = purpose
        # Says nothing of the other partnership: the person may not be in it.
        super().__init__(
            f"channel {channel_id} is {TAKEN}; choose a different channel, or ask that "
            "partnership's coordinator to release it"
        )


TAKEN = "already used by another partnership in this workspace"


def owner_of(session: Session, channel_id: str) -> int | None:
    """The id of the partnership that owns the channel, if any."""
    return session.scalar(
        select(ChannelOwner.partnership_id).where(ChannelOwner.slack_channel_id == channel_id)
    )


def assign(session: Session, partnership: Partnership, purpose: str, channel_id: str) -> bool:
    """Make ``channel_id`` the partnership's ``purpose`` channel; False if it already was.

    Raises :class:`ChannelTakenError`, having written nothing, when another
    partnership owns the channel.
    """
    owner = owner_of(session, channel_id)
    if owner is not None and owner != partnership.id:
        raise ChannelTakenError(channel_id, purpose)
    row = next((c for c in partnership.channels if c.purpose == purpose), None)
    if row is not None and row.slack_channel_id == channel_id:
        return False
    if owner is None:
        session.add(ChannelOwner(slack_channel_id=channel_id, partnership_id=partnership.id))
        # The owner row goes in first: the channel row's foreign key points at it.
        session.flush()
    if row is None:
        partnership.channels.append(Channel(purpose=purpose, slack_channel_id=channel_id))
    else:
        row.slack_channel_id = channel_id
    _let_go_of_unused(session, partnership)
    return True


def release(session: Session, partnership: Partnership, purpose: str) -> bool:
    """Stop using a ``purpose`` channel (freeing it for others); False if there was none."""
    row = next((c for c in partnership.channels if c.purpose == purpose), None)
    if row is None:
        return False
    partnership.channels.remove(row)
    _let_go_of_unused(session, partnership)
    return True


def _let_go_of_unused(session: Session, partnership: Partnership) -> None:
    """Drop the partnership's ownership of channels none of its purposes use any more."""
    session.flush()
    used = select(Channel.slack_channel_id).where(Channel.partnership_id == partnership.id)
    session.execute(
        delete(ChannelOwner)
        .where(ChannelOwner.partnership_id == partnership.id)
        .where(ChannelOwner.slack_channel_id.not_in(used)),
        execution_options={"synchronize_session": False},
    )
