"""``/csp return status``: which sub-groups have submitted a quarter's return."""

from __future__ import annotations

from typing import Any

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import cycles, periods, quarters
from partnership.context import Context, Reply
from partnership.messages import cycles as say_cycles
from storage.dates import uk


@command(
    "return status",
    usage="[quarter, half-year, month or meeting]",
    examples=(
        "/csp return status",
        "/csp return status Q2",
        "/csp return status Q3 2026/27",
        "/csp return status H1 2027/28",
    ),
    rest="quarter",
    keys=("quarter",),
    aliases={"period": "quarter"},
    date_keys=("quarter",),
)
def return_status(ctx: Context, args: Args) -> Result:
    """Show which sub-groups have submitted their quarterly return and which are missing.

    Without a quarter, shows the latest ended quarter (or the current one once
    every return for it is in and its deadline has passed); on another
    reporting cycle, its period (`H1 2027/28`, `March 2027`, `18/03/2027` for
    the report before that meeting). Anyone in the partnership may look.
    """
    text = args.get("quarter")
    if text:
        quarter, cycle = periods.read_any(ctx, text)
    else:
        cycle = ctx.settings.cycle
        quarter = quarters.default_quarter(ctx)
    due = cycles.deadline(ctx, quarter, cycle)
    # Each group's own deadline (a group on its own twice-yearly months differs).
    found = quarters.standings(ctx, quarter)
    before = cycles.previous(ctx, quarter)
    today = ctx.today
    rows: list[dict[str, Any]] = [
        {
            "group": s.group,
            "state": s.state,
            "lead": s.lead or "",
            "deadline": uk(s.deadline) if s.deadline != due.day else "",
            "days": (s.deadline - today).days,
            "overdue": (today - s.deadline).days,
            "overdue_working": quarters.working_days_between(ctx, s.deadline, today),
            "submitted_on": uk(s.submitted_on),
            "by": s.by or "",
            "late": s.late,
            "version": s.version,
            "escalations": s.escalations,
        }
        for s in found
    ]
    count = {state: sum(1 for s in found if s.state == state) for state in quarters.STATES}
    data = {
        "partnership": ctx.partnership.name,
        "quarter": quarters.label(quarter),
        "span": quarters.span(ctx, quarter),
        "deadline": uk(due.day),
        "weekday": f"{due.day:%A}",
        "days": (due.day - today).days,
        "ago": (today - due.day).days,
        "ago_working": quarters.working_days_between(ctx, due.day, today),
        "rule": due.rule,
        "note": due.note,
        "ended": quarters.ends(ctx, quarter) < today,
        "ends": uk(quarters.ends(ctx, quarter)),
        "groups": rows,
        "total": len(found),
        "submitted": count[quarters.SUBMITTED],
        "missing": count[quarters.OVERDUE],
        "escalations": sum(1 for s in found if s.escalations),
        "other": quarters.label(before) if before is not None else "",
        "heading": say_cycles.heading(kind=cycles.kind_of(quarter)),
        "period_word": say_cycles.period_word(kind=cycles.kind_of(quarter)),
    }
    text_line = (
        f"{quarters.label(quarter)} returns: {count[quarters.SUBMITTED]} of {len(found)} submitted"
    )
    return Reply("return_status", data, text=text_line)
