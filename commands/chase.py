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
edge (and the console) then calls :func:`bot.schedule.chases.finish_chase`, which
sends them and fills the report in — the same way ``/csp digest send`` is
finished. Because the period is the day, a lead is chased at most once a day
however many chases name them; a second chase reports them as already chased
today, with the time.

What counts as overdue, stale and snoozed, and the one query that finds them
(:func:`partnership.chasing.owed_actions`, :func:`~partnership.chasing.collect`),
live in ``partnership/chasing.py``, shared with the scheduled nudges and the
coordinators' weekly roll-up (``bot/schedule/nudges.py``, ``rollup.py``), so a
chase, a nudge and a roll-up never disagree about an action.
"""

from __future__ import annotations

from typing import Any

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership.chasing import REPORT, Owed, collect, listing, who
from partnership.context import Context, Reply
from partnership.lookup import find_group, find_person
from storage.words import plural


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
        "pending_count": len(on_slack),
        # Filled in by bot.schedule.chases.finish_chase once the messages have gone.
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
