"""Who is asking, and in which partnership: from Slack's team, user and channel ids.

One workspace may hold several partnerships (a county board and its districts),
and one person may sit in more than one. The partnership is chosen, in order:
an explicit ``in:<slug>`` at the start of the command; the partnership that
owns the channel the command was typed in (a channel has at most one owner:
storage/channels.py); the only partnership the person is in. Nothing is ever
decided by the order of the partnerships' names: several candidates mean the
person is asked which. A person is only ever matched inside a partnership whose Slack team is the
asker's own team, or one of the partner workspaces it admits (Slack Connect:
a police officer in a channel shared with the council's workspace), or a
partnership with no team set (the single-workspace setup); so a user id from
any other workspace matches nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from partnership.context import UserError
from partnership.messages import edge as say
from storage.models import (
    Action,
    ChannelOwner,
    Partnership,
    PartnershipWorkspace,
    Person,
    Status,
)

_IN = re.compile(r"^\s*in[:=]([a-z0-9][a-z0-9-]{0,63})\s*", re.IGNORECASE)


@dataclass
class Asker:
    """The person asking and the partnership they are acting in."""

    partnership: Partnership
    person: Person


class StrangerError(UserError):
    """The asker is in no partnership of (or admitting) this workspace."""


def take_partnership(text: str) -> tuple[str | None, str]:
    """Split a leading ``in:<slug>`` off the command text."""
    if m := _IN.match(text):
        return m[1].lower(), text[m.end() :]
    return None, text


# Every command starts here, so the statement is built once, with bound
# parameters, rather than constructed afresh per request. A partnership's people
# are matched when it has no team (single workspace), is this team's, or admits
# this team; each comes with whether its partnership owns the channel.
_MEMBERSHIPS = (
    select(
        Person,
        Partnership,
        exists().where(
            ChannelOwner.slack_channel_id == bindparam("channel"),
            ChannelOwner.partnership_id == Partnership.id,
        ),
    )
    .join(Partnership, Partnership.id == Person.partnership_id)
    .where(
        Person.slack_user_id == bindparam("user"),
        Person.removed_at.is_(None),  # someone removed from the plan can no longer act
        or_(
            Partnership.slack_team_id.is_(None),
            Partnership.slack_team_id == bindparam("team"),
            Partnership.id.in_(
                select(PartnershipWorkspace.partnership_id).where(
                    PartnershipWorkspace.team_id == bindparam("team")
                )
            ),
        ),
    )
    # Only the order of lists shown to the person; slugs break ties between equal names.
    .order_by(Partnership.name, Partnership.slug)
    # Each person holds its partnership: the session keeps rows only while something
    # refers to them, so without this ``person.partnership`` was a query of its own.
    .options(contains_eager(Person.partnership))
)


def memberships(
    session: Session, team_id: str | None, user_id: str, channel_id: str | None = None
) -> list[tuple[Person, bool]]:
    """This Slack user's person rows in partnerships of (or admitting) this workspace.

    Each comes with whether its partnership owns ``channel_id``: one statement,
    as it runs before every command.
    """
    rows = session.execute(
        _MEMBERSHIPS, {"user": user_id, "team": team_id, "channel": channel_id}
    ).all()
    # ``person.partnership`` is loaded with the person (contains_eager): no query.
    return [(person, bool(owned)) for person, _partnership, owned in rows]


def _busiest(session: Session, people: list[Person]) -> Person:
    """Of one user's memberships, the one owning most open actions (then by name)."""
    counts = dict(
        session.execute(
            select(Action.owner_id, func.count())
            .where(
                Action.owner_id.in_([p.id for p in people]),
                Action.status.in_((Status.NOT_STARTED, Status.IN_PROGRESS)),
            )
            .group_by(Action.owner_id)
        ).all()
    )
    return max(people, key=lambda p: counts.get(p.id, 0))  # max keeps the first of a tie


def identify(
    session: Session,
    team_id: str | None,
    user_id: str,
    channel_id: str | None = None,
    slug: str | None = None,
    *,
    first_if_several: bool = False,
) -> Asker:
    """The asker's person and partnership, or a UserError saying how to get in."""
    found = memberships(session, team_id, user_id, channel_id)
    people = [person for person, _ in found]
    if not people:
        raise StrangerError(say.UNKNOWN_PERSON)
    by_slug = {p.partnership.slug: p for p in people}
    if slug is not None:
        if slug in by_slug:
            return Asker(by_slug[slug].partnership, by_slug[slug])
        raise UserError(say.not_in_partnership(slug=slug, yours=sorted(by_slug)))
    owners = [person for person, in_its_channel in found if in_its_channel]
    if len(owners) == 1:
        return Asker(owners[0].partnership, owners[0])
    # Two owners cannot happen (channel_owner's key); were it ever to, ask rather than guess.
    candidates = owners or people
    if len(candidates) == 1:
        return Asker(candidates[0].partnership, candidates[0])
    if first_if_several and not owners:
        chosen = _busiest(session, people)
        return Asker(chosen.partnership, chosen)
    names = ", ".join(f"`{p.partnership.slug}` ({p.partnership.name})" for p in candidates)
    first = candidates[0].partnership.slug
    raise UserError(say.which_partnership(names=names, first=first))
