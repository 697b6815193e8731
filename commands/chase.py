"""``/csp chase``: DM every owner of an overdue or stale action, and report who was reached.

A coordinator's "chase twenty leads without writing twenty emails" (DOMAIN.md).
Each owner on Slack gets one direct message listing their overdue, then stale,
actions with buttons to update them; owners not on Slack are listed for the
coordinator to chase by email, and actions with no owner are listed as such.
Every message is recorded in the ``notification`` outbox under
(``chase``, ``person:<id>``, the UTC minute), claimed *before* it is sent, so a
repeated or concurrent chase in the same minute never messages anyone twice.

What counts as overdue, stale and snoozed, and the one query that finds them
(:func:`owed_actions`, :func:`collect`), are shared with the scheduled nudges
and the coordinators' weekly roll-up (``bot/sweeps/nudges.py``, ``rollup.py``),
so a chase, a nudge and a roll-up never disagree about an action.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from commands.core import Context, Delivery, Reply, Result, UserError
from commands.edits import action_line
from commands.lookup import find_group, find_person
from commands.registry import Args, command
from storage.models import Action, Notification, NotificationState, Person, Status, SubGroup
from storage.partnership_settings import PartnershipSettings
from storage.words import plural

log = logging.getLogger(__name__)

# An open action with no update for this many days is "stale" and gets chased,
# unless the partnership chose otherwise (its ``stale_days`` setting).
STALE_DAYS: int = PartnershipSettings().stale_days
OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)
# At most this many actions in one DM; the rest are counted, with where to see them.
MAX_LISTED = 15
KIND = "chase"

# Slack's error codes for a failed DM, in words a coordinator can act on.
SLACK_ERRORS = {
    "user_not_found": "Slack has no such user; check their Slack id in the plan",
    "account_inactive": "their Slack account is deactivated",
    "user_disabled": "their Slack account is deactivated",
    "cannot_dm_bot": "the Slack id in the plan belongs to a bot",
    "not_allowed_token_type": "the bot's Slack token cannot send direct messages",
    "missing_scope": "the Slack app lacks the chat:write or im:write permission",
    "ratelimited": "Slack asked us to slow down; chase again in a minute",
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


@command(
    "chase",
    usage="[group:<name>|@person]",
    examples=(
        "/csp chase",
        '/csp chase group:"ASB Steering Group"',
        "/csp chase @Lee Lead",
    ),
    keys=("group",),
    mention="person",
    slow=True,
    coordinator_only=True,
)
def chase(ctx: Context, args: Args) -> Result:
    """DM every lead whose actions are overdue or stale, then report who was reached.

    An action is chased when it is open and past its due date, or has had no
    update for 30 days (the partnership's `stale_days` setting); snoozed
    actions are skipped. Narrow it to one sub-group
    (`group:"ASB Steering Group"`) or one person (`@Lee Lead`). Owners who are
    not on Slack are listed for you to chase by email.
    """
    if ctx.notifier is None:
        raise UserError(
            "`/csp chase` sends Slack direct messages, so it only works from Slack or from "
            "the console with the bot's Slack token (SLACK_BOT_TOKEN) set. Nothing was sent."
        )
    group_text, person_text = args.get("group"), args.get("person")
    group = find_group(ctx, group_text) if group_text else None
    person = find_person(ctx, person_text, field="person") if person_text else None
    owed, no_owner, snoozed = collect(ctx, group, person)

    period = minute(ctx.now)
    on_slack = [o for o in owed if o.person.slack_user_id]
    claims, already = claim(ctx, on_slack, period)

    reached: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for item in on_slack:
        note = claims.get(item.person.id)
        if note is None:
            continue
        delivery = send(ctx, item)
        note.attempts = (note.attempts or 0) + 1
        if delivery.ok:
            note.state = NotificationState.SENT
            note.sent_at = ctx.now
            note.last_error = None
            reached.append(_who(item))
        else:
            note.state = NotificationState.FAILED
            note.last_error = (delivery.error or "unknown error")[:300]
            # The coordinator who chased reads it in the report below: the scheduler's
            # "could not be delivered" message must not tell them again.
            note.reported = True
            failed.append({**_who(item), "reason": reason(delivery.error)})
    ctx.session.flush()

    by_email = [
        {**_who(o), "email": o.person.email or ""} for o in owed if not o.person.slack_user_id
    ]
    data = {
        "partnership": ctx.partnership.name,
        "scope": group.name if group else (f"{person.name}'s actions" if person else ""),
        "leads": len(reached),
        "actions": sum(r["count"] for r in reached),
        "reached": reached,
        "failed": failed,
        "already": [_who(o) for o in on_slack if o.person.id in already],
        "by_email": by_email,
        "no_owner": [
            {
                "ref": a.ref,
                "group": a.subgroup.name if a.subgroup else "",
                "lead": a.subgroup.lead.name if a.subgroup and a.subgroup.lead else "",
            }
            for a in no_owner
        ],
        "snoozed": snoozed,
        "stale_days": ctx.settings.stale_days,
        "nothing": not owed and not no_owner,
    }
    summary = (
        f"Chased {plural(len(reached), 'lead')} about {plural(data['actions'], 'action')}"
        if owed or no_owner
        else "Nothing to chase"
    )
    return Reply("chase_report", data, text=summary)


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
        if action.owner is None:
            no_owner.append(action)
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


def minute(now: dt.datetime) -> str:
    """The outbox period of a chase: its UTC minute, such as ``2026-11-21T10:00Z``."""
    return now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def claim(ctx: Context, owed: list[Owed], period: str) -> tuple[dict[int, Notification], set[int]]:
    """Claim one outbox row per person before anything is sent; skip those already chased.

    Returns the new rows by person id, and the ids of people already chased in
    this minute. A chase running at the same moment that claimed first makes
    the flush fail on the unique constraint: nothing has been sent yet, so the
    whole chase is refused and rolled back rather than messaging anyone twice.
    """
    targets = {f"person:{o.person.id}": o.person.id for o in owed}
    existing = set(
        ctx.session.scalars(
            select(Notification.target).where(
                Notification.kind == KIND,
                Notification.period == period,
                Notification.target.in_(list(targets)),
            )
        )
    )
    already = {targets[t] for t in existing}
    claims: dict[int, Notification] = {}
    for target, person_id in targets.items():
        if person_id in already:
            continue
        note = Notification(
            partnership_id=ctx.partnership.id,
            kind=KIND,
            target=target,
            period=period,
            state=NotificationState.CLAIMED,
            claimed_at=ctx.now,
            attempts=0,
        )
        ctx.session.add(note)
        claims[person_id] = note
    try:
        ctx.session.flush()
    except IntegrityError:
        raise UserError(
            "Another chase started at the same moment and is messaging these leads now; "
            "nothing was sent twice. Wait a minute and run `/csp chase` again if anyone "
            "was missed."
        ) from None
    return claims, already


def send(ctx: Context, item: Owed) -> Delivery:
    """DM one owner about their actions; any failure is returned, never raised."""
    assert ctx.notifier is not None
    reply = dm(ctx, item)
    try:
        return ctx.notifier.direct(item.person, reply)
    except Exception as exc:  # one lead's failure must not stop the others being chased
        log.exception("chase: direct message to person %s failed", item.person.id)
        return Delivery(item.person.name, False, type(exc).__name__)


def dm(ctx: Context, item: Owed) -> Reply:
    """The direct message to one owner: their overdue, then stale, actions with buttons."""
    data = {
        **listing(ctx, item),
        "chaser": ctx.person.name if ctx.person is not None else "",
        "own": ctx.person is not None and ctx.person.id == item.person.id,
    }
    who = data["chaser"] or "Your coordinator"
    text = (
        f"{who} is chasing {plural(len(item.actions), 'action')} of yours in {ctx.partnership.name}"
    )
    return Reply("chase_dm", data, text=text)


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


def _who(item: Owed) -> dict[str, Any]:
    return {"name": item.person.name, "refs": item.refs, "count": len(item.actions)}


def reason(error: str | None) -> str:
    """A failed delivery's Slack error in words, keeping the code for whoever fixes it."""
    if not error:
        return "unknown error"
    words = SLACK_ERRORS.get(error)
    return f"{words} ({error})" if words else error
