"""Return reminders, chases and the coordinators' list of missing returns, by cycle.

For each reporting cycle the groups follow (partnership/cycles.py), for each
period whose chases may still run (the last two ended quarters or halves, the
last three months, the meetings from two months ago to the next one), and each
group that owes a return for it, has not submitted it and has a
lead on Slack, at most one message is due: the latest *stage* whose day has
come. The stages are a reminder on each of ``return_reminders`` working days
before the deadline, one on the deadline day, then up to ``return_chases``
chases every ``return_chase_every`` working days from the day after it. A
stage missed (the bot was down) is not sent late once a later one is due, and
nothing is sent after the last chase's window. Everything is recomputed from
the table at each run, so a submitted return stops its reminders at once; the
outbox sends each (kind, lead, stage) once.

On the first working day after the deadline (until the first chase's window
closes) each coordinator gets the list of missing returns, with leads who are
not on Slack to chase by email and groups with no lead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.schedule.base import Message, Recipient, coordinators, on_slack
from partnership import cycles, quarters
from partnership.context import Context, Reply
from partnership.messages import cycles as say_cycles
from partnership.messages import delivery as say
from partnership.quarters import Quarter, Standing, again
from storage.cycles import MEETING, Cycle
from storage.dates import uk
from storage.models import SubGroup
from storage.partnership_settings import PartnershipSettings
from storage.workdays import WorkingCalendar

REMINDER, CHASE, MISSING = "return_reminder", "return_chase", "returns_missing"


@dataclass(frozen=True)
class Stage:
    """One moment a lead is reminded or chased about a return."""

    kind: str
    name: str  # the period's last part: before5, deadline, chase2
    day: dt.date
    before: int = 0
    chase: int = 0


def stages(cal: WorkingCalendar, deadline: dt.date, settings: PartnershipSettings) -> list[Stage]:
    """Every stage for a deadline, in order of day (a tie goes to the later stage)."""
    out = [
        Stage(REMINDER, f"before{n}", cal.shift(deadline, -n), before=n)
        for n in sorted(settings.return_reminders, reverse=True)
    ]
    # A deadline on a non-working day (set by hand) is reminded the working day before.
    out.append(Stage(REMINDER, "deadline", cal.on_or_before(deadline)))
    out += [
        Stage(
            CHASE,
            f"chase{k}",
            cal.shift(deadline, 1 + (k - 1) * settings.return_chase_every),
            chase=k,
        )
        for k in range(1, settings.return_chases + 1)
    ]
    return out


def stage_due(
    cal: WorkingCalendar, deadline: dt.date, today: dt.date, settings: PartnershipSettings
) -> Stage | None:
    """The latest stage whose day has come, unless the last chase's window has closed."""
    closes = cal.shift(deadline, 1 + settings.return_chases * settings.return_chase_every)
    if today >= closes:
        return None
    come = [s for s in stages(cal, deadline, settings) if s.day <= today]
    return come[-1] if come else None


def due(ctx: Context) -> list[Message]:
    """Reminders, chases and missing-return lists due today for one partnership."""
    groups = quarters.groups_with_leads(ctx)
    if not groups:
        return []
    leads = {g.lead_id: Recipient.person(g.lead) for g in groups if g.lead is not None}
    # Groups by the cycle they report on (most follow the partnership's).
    by_cycle: dict[str, tuple[Cycle, list[SubGroup]]] = {}
    for group in groups:
        cycle = cycles.cycle_of(ctx, group)
        by_cycle.setdefault(str(cycle), (cycle, []))[1].append(group)
    found: list[Message] = []
    for cycle, members in by_cycle.values():
        for period in cycles.looked_at(ctx, cycle):
            found += quarter_messages(ctx, period, members, leads, cycle)
    return found


def quarter_messages(
    ctx: Context,
    quarter: Quarter,
    groups: list[SubGroup],
    leads: dict[int | None, Recipient],
    cycle: Cycle | None = None,
) -> list[Message]:
    """What is due today about one period's returns, for groups on one cycle."""
    cycle = cycle or ctx.settings.cycle
    dues: dict[str, quarters.Deadline] = {}
    owing = [g for g in groups if cycles.owes(ctx, g, quarter, cycle, dues)]
    if not owing:
        return []
    due_day = dues.get(str(cycle)) or cycles.deadline(ctx, quarter, cycle)
    found = quarters.standings(ctx, quarter, owing, due_day)
    # A report before a meeting is not chased once the meeting has been held.
    held = due_day.meeting is not None and cycles.kind_of(quarter) == MEETING
    out: list[Message] = []
    for standing in found:
        if standing.state == quarters.SUBMITTED or standing.lead_id is None:
            continue
        lead = leads[standing.lead_id]
        stage = stage_due(ctx.calendar, standing.deadline, ctx.today, ctx.settings)
        if held and due_day.meeting is not None and ctx.today >= due_day.meeting:
            stage = None
        if stage is None or not lead.address:
            continue  # leads not on Slack are in the coordinators' list instead
        out.append(lead_message(ctx, quarter, standing, stage, lead))
    first = ctx.calendar.shift(due_day.day, 1)
    if first <= ctx.today < ctx.calendar.shift(first, ctx.settings.return_chase_every):
        # A cycle other than the partnership's lists its groups apart, under its own key.
        own = (
            ""
            if str(cycle) == str(ctx.settings.cycle)
            else ":" + "".join(c for c in str(cycle) if c.isalnum())
        )
        out += missing_messages(ctx, quarter, due_day, found, own)
    return out


def period(quarter: Quarter, group_id: int, stage: str) -> str:
    """The outbox period of a lead's message: ``2026Q3:g12:before5``, ``2027H1:g12:chase1``."""
    return f"{cycles.key(quarter)}:g{group_id}:{stage}"


def lead_message(
    ctx: Context, quarter: Quarter, standing: Standing, stage: Stage, lead: Recipient
) -> Message:
    """A reminder or a chase to a group's lead, with a button that opens the return."""
    today, day = ctx.today, standing.deadline
    data: dict[str, Any] = {
        "name": (standing.lead or "").split(" ")[0],
        "partnership": ctx.partnership.name,
        "group": standing.group,
        "quarter": quarters.label(quarter),
        "noun": say_cycles.noun(kind=cycles.kind_of(quarter)),
        "span": quarters.span(ctx, quarter),
        "deadline": uk(day),
        "weekday": f"{day:%A}",
        "left": max(quarters.working_days_between(ctx, today, day), 0),
        "overdue": max(quarters.working_days_between(ctx, day, today), 0),
        "today": today >= day,
        "chase": stage.chase,
        "chases": ctx.settings.return_chases,
        "command": again(standing.group, quarter),
        # Tagged with the partnership here: a direct message has no channel to say which.
        "button": f"{standing.group_id}:{quarters.code(quarter)}@{ctx.partnership.slug}",
    }
    text = say.return_due(
        group=standing.group,
        quarter=quarters.label(quarter),
        overdue=stage.kind == CHASE,
        weekday=data["weekday"],
        deadline=data["deadline"],
    )
    template = "return_chase" if stage.kind == CHASE else "return_reminder"
    return Message(
        stage.kind,
        lead,
        period(quarter, standing.group_id, stage.name),
        Reply(template, data, text=text),
        meta={"group": standing.group, "stage": stage.name},
    )


def missing_messages(
    ctx: Context,
    quarter: Quarter,
    due_day: quarters.Deadline,
    found: list[Standing],
    suffix: str = "",
) -> list[Message]:
    """The list of missing returns, to each coordinator on Slack (nothing when none is)."""
    missing = [s for s in found if s.state == quarters.OVERDUE]
    recipients = on_slack(coordinators(ctx))
    if not missing or not recipients:
        return []
    rows = [
        {
            "group": s.group,
            "lead": s.lead or "",
            "slack": bool(s.lead_slack),
            "email": s.lead_email or "",
        }
        for s in missing
    ]
    data = {
        "partnership": ctx.partnership.name,
        "quarter": quarters.label(quarter),
        "noun": say_cycles.noun(kind=cycles.kind_of(quarter)),
        "deadline": uk(due_day.day),
        "weekday": f"{due_day.day:%A}",
        "on_slack": [r for r in rows if r["lead"] and r["slack"]],
        "by_email": [r for r in rows if r["lead"] and not r["slack"]],
        "no_lead": [r for r in rows if not r["lead"]],
        "missing": len(missing),
        "submitted": sum(1 for s in found if s.state == quarters.SUBMITTED),
        "total": len(found),
    }
    label = quarters.label(quarter)
    text = say.returns_missing(n=len(missing), quarter=label)
    key = cycles.key(quarter) + suffix
    meta = {"groups": [r["group"] for r in rows]}
    return [
        Message(MISSING, r, key, Reply("return_missing", data, text=text), meta=meta)
        for r in recipients
    ]
