"""What is owed: overdue, stale and snoozed actions, and who owes them.

One rule, shared by ``/csp chase``, the scheduled nudges and the coordinators'
weekly roll-up (``bot/schedule/nudges.py``, ``rollup.py``), so a chase, a nudge
and a roll-up never disagree about an action: :func:`owed_actions` and
:func:`collect` are the one query that finds them, :func:`listing` the rows a
DM shows, and :func:`reason` a failed delivery's Slack error in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from partnership.context import Context
from partnership.edits import action_line
from storage.models import Action, Person, Status, SubGroup
from storage.partnership_settings import PartnershipSettings

# An open action with no update for this many days is "stale" and gets chased,
# unless the partnership chose otherwise (its ``stale_days`` setting).
STALE_DAYS: int = PartnershipSettings().stale_days
OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)
# At most this many actions in one DM; the rest are counted, with where to see them.
MAX_LISTED = 15
KIND = "chase"
# The template of the coordinator's report, whose data asks for the sends.
REPORT = "chase_report"

# Slack's error codes for a failed DM, in words a coordinator can act on.
SLACK_ERRORS = {
    "user_not_found": "Slack has no such user; check their Slack id in the plan",
    "account_inactive": "their Slack account is deactivated",
    "user_disabled": "their Slack account is deactivated",
    "cannot_dm_bot": "the Slack id in the plan belongs to a bot",
    "not_allowed_token_type": "the bot's Slack token cannot send direct messages",
    "missing_scope": "the Slack app lacks the chat:write or im:write permission",
    "ratelimited": "Slack asked us to slow down",
}


@dataclass
class Owed:
    """One owner's overdue and stale actions."""

    person: Person
    overdue: list[Action] = field(default_factory=list)
    stale: list[Action] = field(default_factory=list)

    @property
    def actions(self) -> list[Action]:
        """Overdue first, then stale."""
        return self.overdue + self.stale

    @property
    def refs(self) -> list[str]:
        """The references of every action owed."""
        return [a.ref for a in self.actions]


def stale_before(ctx: Context) -> dt.datetime:
    """The moment before which an open action's last update makes it stale."""
    return ctx.now.astimezone(dt.UTC) - dt.timedelta(days=ctx.settings.stale_days)


def is_overdue(action: Action, today: dt.date) -> bool:
    """Open and past its due date."""
    return action.status in OPEN and action.due_date is not None and action.due_date < today


def is_snoozed(action: Action, today: dt.date) -> bool:
    """Its owner paused nudges about it until today or later."""
    return action.snoozed_until is not None and action.snoozed_until >= today


def owed_actions(
    ctx: Context,
    group: SubGroup | None = None,
    person: Person | None = None,
    *,
    unowned: bool = False,
) -> list[Action]:
    """Open actions that are overdue or stale (snoozed ones included), in plan order.

    With ``unowned``, every open action with no owner too, overdue or not: the
    roll-up lists those because nobody would ever be nudged about them. One
    query, with everything the rows, DMs and roll-up show loaded alongside.
    """
    late = or_(Action.due_date < ctx.today, Action.updated_at < stale_before(ctx))
    query = (
        select(Action)
        .where(
            Action.partnership_id == ctx.partnership.id,
            Action.status.in_(OPEN),
            or_(late, Action.owner_id.is_(None)) if unowned else late,
        )
        .options(
            joinedload(Action.owner).joinedload(Person.organisation),
            joinedload(Action.subgroup).joinedload(SubGroup.lead),
            joinedload(Action.lead_organisation),
            joinedload(Action.priority),
        )
        .order_by(Action.position, Action.id)
    )
    if group is not None:
        query = query.where(Action.subgroup_id == group.id)
    if person is not None:
        query = query.where(Action.owner_id == person.id)
    return list(ctx.session.scalars(query).unique())


def collect(
    ctx: Context, group: SubGroup | None = None, person: Person | None = None
) -> tuple[list[Owed], list[Action], int]:
    """Owners' overdue and stale actions (by owner name), unowned ones, and how many snoozed.

    One query (:func:`owed_actions`). Overdue actions are sorted oldest due
    date first, stale ones longest without an update first.
    """
    today = ctx.today
    owed: dict[int, Owed] = {}
    no_owner: list[Action] = []
    snoozed = 0
    for action in owed_actions(ctx, group, person):
        if is_snoozed(action, today):
            snoozed += 1
            continue
        if action.owner is None or action.owner.removed_at is not None:
            no_owner.append(action)  # someone removed is not chased (a re-import may name them)
            continue
        item = owed.setdefault(action.owner.id, Owed(action.owner))
        if is_overdue(action, today):
            item.overdue.append(action)
        else:
            item.stale.append(action)
    for item in owed.values():
        item.overdue.sort(key=lambda a: (a.due_date or today, a.position, a.id))
        item.stale.sort(key=lambda a: (a.updated_at, a.position, a.id))
    return sorted(owed.values(), key=lambda o: o.person.name), no_owner, snoozed


def listing(ctx: Context, item: Owed, limit: int = MAX_LISTED) -> dict[str, Any]:
    """One owner's actions as plain view-model rows: the first ``limit`` in full, the rest counted.

    Shared by the chase DM and the scheduled nudge, which both render after the
    session has closed (so nothing here is an ORM object).
    """
    shown = item.actions[:limit]
    overdue = [a for a in shown if a in item.overdue]
    stale = [a for a in shown if a in item.stale]
    return {
        "name": item.person.name.split(" ")[0],
        "partnership": ctx.partnership.name,
        "overdue": [action_line(a, ctx.today) for a in overdue],
        "stale": [{**action_line(a, ctx.today), **_last_update(ctx, a)} for a in stale],
        "more": len(item.actions) - len(shown),
        "total": len(item.actions),
        "example": f'/csp action update {shown[0].ref} rag:amber "what has happened since"',
        "stale_days": ctx.settings.stale_days,
    }


def _last_update(ctx: Context, action: Action) -> dict[str, Any]:
    updated = action.updated_at
    return {
        "last_update": updated.astimezone(ctx.zone).date(),
        "quiet_days": (ctx.now - updated).days,
    }


def who(item: Owed) -> dict[str, Any]:
    """An owner as the report lists them: name, the refs chased, how many."""
    return {"name": item.person.name, "refs": item.refs, "count": len(item.actions)}


def reason(error: str | None) -> str:
    """A failed delivery's Slack error in words, keeping the code for whoever fixes it."""
    if not error:
        return "unknown error"
    words = SLACK_ERRORS.get(error)
    return f"{words} ({error})" if words else error
