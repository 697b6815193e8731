"""The coordinators' weekly roll-up: what is overdue, by sub-group and by organisation.

Sent once per ISO week to each coordinator on Slack, on the partnership's
``rollup_day`` (Monday by default) or, if no sweep ran that day (a bank holiday,
the bot down), on the first working day after it in the same week: the
outbox key (``rollup``, ``person:<id>``, ``2026-W48``) makes it once a week
however often the sweep runs. It goes out even when nothing is overdue,
because coordinators want the weekly confirmation.

It counts every overdue action, snoozed ones included (a snooze pauses the
owner's reminders; the action is still late), and lists what the nudges cannot
reach: owners not on Slack, to chase by email, and actions with no owner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from bot.schedule.base import Message, coordinators, on_slack
from partnership.chasing import is_overdue, is_snoozed, owed_actions, stale_before
from partnership.context import Context, Reply
from partnership.messages import delivery as say
from storage.dates import uk
from storage.models import Action

KIND = "rollup"
# Lines per list and refs per line: the roll-up is a summary that must stay
# readable (and well inside Block Kit's limits) for a plan of any size; the
# full lists are a command away.
MAX_LINES = 20
MAX_REFS = 5
MAX_NO_OWNER = 15
NO_GROUP = say.NO_GROUP
NO_ORGANISATION = say.NO_ORGANISATION


def due(ctx: Context) -> list[Message]:
    """This week's roll-up for each coordinator on Slack, from the roll-up day on.

    Two queries, whatever the size of the plan: the coordinators and the
    actions (with what the lines show loaded alongside).
    """
    today = ctx.today
    if today.weekday() < ctx.settings.rollup_weekday or not ctx.calendar.is_working_day(today):
        return []
    recipients = on_slack(coordinators(ctx))
    if not recipients:
        return []
    data = summary(ctx)
    text = say.rollup(partnership=ctx.partnership.name, overdue=data["overdue_total"])
    reply = Reply("rollup", data, text=text)
    meta = {"overdue": data["overdue_refs"], "by_email": [p["name"] for p in data["by_email"]]}
    return [Message(KIND, r, week_of(today), reply, meta=meta) for r in recipients]


def week_of(day: dt.date) -> str:
    """The ISO week a day falls in, as the roll-up's outbox period: ``2026-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def summary(ctx: Context) -> dict[str, Any]:
    """The roll-up's view-model: counts, lines by group and organisation, who to email."""
    today = ctx.today
    cutoff = stale_before(ctx)
    actions = owed_actions(ctx, unowned=True)
    overdue = sorted(
        (a for a in actions if is_overdue(a, today)),
        key=lambda a: (a.due_date or today, a.position, a.id),
    )
    stale = [a for a in actions if not is_overdue(a, today) and a.updated_at < cutoff]
    no_owner = [a for a in actions if a.owner is None]
    year, week, _ = today.isocalendar()
    by_group, group_more = _buckets(overdue, _group, NO_GROUP)
    by_org, org_more = _buckets(overdue, _organisation, NO_ORGANISATION)
    by_email = _by_email(overdue + stale, today)
    return {
        "partnership": ctx.partnership.name,
        "week": week,
        "monday": uk(dt.date.fromisocalendar(year, week, 1)),
        "overdue_total": len(overdue),
        "overdue_refs": [a.ref for a in overdue],
        "stale_total": len(stale),
        "snoozed": sum(1 for a in overdue + stale if is_snoozed(a, today)),
        "stale_days": ctx.settings.stale_days,
        "interval": ctx.settings.nudge_interval,
        "by_group": by_group,
        "by_group_more": group_more,
        "by_org": by_org,
        "by_org_more": org_more,
        "by_email": by_email[:MAX_LINES],
        "by_email_more": max(0, len(by_email) - MAX_LINES),
        "no_owner": [_unowned(a, today) for a in no_owner[:MAX_NO_OWNER]],
        "no_owner_more": max(0, len(no_owner) - MAX_NO_OWNER),
    }


def _group(action: Action) -> str | None:
    return action.subgroup.name if action.subgroup else None


def _organisation(action: Action) -> str | None:
    """The action's lead partner, else its owner's organisation (who answers for it)."""
    if action.lead_organisation is not None:
        return action.lead_organisation.name
    owner = action.owner
    return owner.organisation.name if owner and owner.organisation else None


def _buckets(
    actions: list[Action], name_of: Callable[[Action], str | None], nameless: str
) -> tuple[list[dict[str, Any]], int]:
    """Actions counted under each name (most first; the nameless last), and lines left out."""
    found: dict[str | None, list[str]] = {}
    for action in actions:
        found.setdefault(name_of(action), []).append(action.ref)
    order = sorted(found.items(), key=lambda kv: (kv[0] is None, -len(kv[1]), kv[0] or ""))
    lines = [
        {
            "name": name or nameless,
            "count": len(refs),
            "refs": refs[:MAX_REFS],
            "more": max(0, len(refs) - MAX_REFS),
        }
        for name, refs in order
    ]
    return lines[:MAX_LINES], max(0, len(lines) - MAX_LINES)


def _by_email(late: list[Action], today: dt.date) -> list[dict[str, Any]]:
    """Owners not on Slack with overdue or stale actions they have not snoozed, by name."""
    people: dict[int, dict[str, Any]] = {}
    for action in late:
        owner = action.owner
        if owner is None or owner.slack_user_id or is_snoozed(action, today):
            continue
        entry = people.setdefault(
            owner.id,
            {"name": owner.name, "email": owner.email or "", "overdue": [], "stale": []},
        )
        entry["overdue" if is_overdue(action, today) else "stale"].append(action.ref)
    return sorted(people.values(), key=lambda p: str(p["name"]))


def _unowned(action: Action, today: dt.date) -> dict[str, Any]:
    group = action.subgroup
    return {
        "ref": action.ref,
        "title": action.title,
        "group": group.name if group else "",
        "lead": group.lead.name if group and group.lead else "",
        "due": uk(action.due_date) if action.due_date else "",
        "overdue": is_overdue(action, today),
    }
