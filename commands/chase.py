"""``/csp chase``: DM every owner of an overdue or stale action, and report who was reached.

A coordinator's "chase twenty leads without writing twenty emails" (DOMAIN.md).
Each owner on Slack gets one direct message listing their overdue, then stale,
actions with buttons to update them; owners not on Slack are listed for the
coordinator to chase by email, and actions with no owner are listed as such.

The direct messages go through the scheduler's outbox, like every message the
bot sends unasked: each is claimed under (``chase``, ``person:<id>``, the
partnership's local date) in a transaction of its own, sent, then marked sent,
and a claim a crash left unsent is taken over later after checking Slack for
it. A command cannot do that (it runs in one transaction and never touches
Slack), so :func:`chase` finds who to message, renders each message and
returns a report that *asks* for them to be sent (``data["send"]``); the Slack
edge (and the console) then calls :func:`bot.sweeps.chases.finish_chase`, which
sends them and fills the report in — the same way ``/csp digest send`` is
finished. Because the period is the day, a lead is chased at most once a day
however many chases name them; a second chase reports them as already chased
today, with the time.

What counts as overdue, stale and snoozed, and the one query that finds them
(:func:`owed_actions`, :func:`collect`), are shared with the scheduled nudges
and the coordinators' weekly roll-up (``bot/sweeps/nudges.py``, ``rollup.py``),
so a chase, a nudge and a roll-up never disagree about an action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from commands.core import Context, Reply, Result
from commands.edits import action_line
from commands.lookup import find_group, find_person
from commands.registry import Args, command
from storage.models import Action, Person, Status, SubGroup
from storage.partnership_settings import PartnershipSettings
from storage.words import plural

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
    not on Slack are listed for you to chase by email. A lead gets at most one
    chase a day: chasing again the same day tells you when they were chased
    instead of messaging them twice.
    """
    group_text, person_text = args.get("group"), args.get("person")
    group = find_group(ctx, group_text) if group_text else None
    person = find_person(ctx, person_text, field="person") if person_text else None
    owed, no_owner, snoozed = collect(ctx, group, person)
    on_slack = [o for o in owed if o.person.slack_user_id]
    by_email = [
        {**who(o), "email": o.person.email or ""} for o in owed if not o.person.slack_user_id
    ]
    data = {
        "partnership": ctx.partnership.name,
        "scope": group.name if group else (f"{person.name}'s actions" if person else ""),
        "pending": [who(o) for o in on_slack],
        # Filled in by bot.sweeps.chases.finish_chase once the messages have gone.
        "done": False,
        "leads": 0,
        "actions": 0,
        "reached": [],
        "failed": [],
        "already": [],
        "busy": [],
        "retry": [],
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
        "send": send_request(ctx, on_slack) if on_slack else None,
    }
    summary = (
        f"Chasing {plural(len(on_slack), 'lead')} on Slack"
        if owed or no_owner
        else "Nothing to chase"
    )
    return Reply(REPORT, data, text=summary)


def period(ctx: Context) -> str:
    """The outbox period of a chase: the partnership's local date, such as ``2026-11-21``.

    A lead is chased at most once a day, whoever chases and however narrowly
    (a group, a person): a chase typed again minutes later reports them as
    already chased today instead of messaging them twice.
    """
    return ctx.today.isoformat()


def send_request(ctx: Context, owed: list[Owed]) -> dict[str, Any]:
    """What the edge must send after the command: one rendered DM per owner on Slack.

    Plain values only, the DMs' view-models included: the session is closed by the
    time they are sent.
    """
    return {
        "partnership_id": ctx.partnership.id,
        "slug": ctx.partnership.slug,
        "timezone": str(ctx.zone),
        "period": period(ctx),
        "dms": [
            {
                **who(item),
                "target": f"person:{item.person.id}",
                "address": item.person.slack_user_id,
                "email": item.person.email,
                "reply": dm(ctx, item),
            }
            for item in owed
        ],
    }


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


def who(item: Owed) -> dict[str, Any]:
    """An owner as the report lists them: name, the refs chased, how many."""
    return {"name": item.person.name, "refs": item.refs, "count": len(item.actions)}


def reason(error: str | None) -> str:
    """A failed delivery's Slack error in words, keeping the code for whoever fixes it."""
    if not error:
        return "unknown error"
    words = SLACK_ERRORS.get(error)
    return f"{words} ({error})" if words else error
