"""``/csp return status``: which sub-groups have submitted a quarter's return."""

from __future__ import annotations

from typing import Any

from commands import returns
from commands.core import Context, Reply, Result
from commands.registry import Args, command
from storage.dates import uk


@command(
    "return status",
    usage="[quarter]",
    examples=("/csp return status", "/csp return status Q2", "/csp return status Q3 2026/27"),
    rest="quarter",
    keys=("quarter",),
    aliases={"period": "quarter"},
    date_keys=("quarter",),
)
def return_status(ctx: Context, args: Args) -> Result:
    """Show which sub-groups have submitted their quarterly return and which are missing.

    Without a quarter, shows the latest ended quarter (or the current one once
    every return for it is in and its deadline has passed). Anyone in the
    partnership may look.
    """
    text = args.get("quarter")
    quarter = returns.read_quarter(ctx, text) if text else returns.default_quarter(ctx)
    due = returns.deadline(ctx, *quarter)
    found = returns.standings(ctx, quarter, due=due)
    today = ctx.today
    rows: list[dict[str, Any]] = [
        {
            "group": s.group,
            "state": s.state,
            "lead": s.lead or "",
            "deadline": uk(s.deadline) if s.deadline != due.day else "",
            "days": (s.deadline - today).days,
            "overdue": (today - s.deadline).days,
            "overdue_working": returns.working_days_between(ctx, s.deadline, today),
            "submitted_on": uk(s.submitted_on),
            "by": s.by or "",
            "late": s.late,
            "version": s.version,
            "escalations": s.escalations,
        }
        for s in found
    ]
    count = {state: sum(1 for s in found if s.state == state) for state in returns.STATES}
    data = {
        "partnership": ctx.partnership.name,
        "quarter": returns.label(quarter),
        "span": returns.span(ctx, quarter),
        "deadline": uk(due.day),
        "weekday": f"{due.day:%A}",
        "days": (due.day - today).days,
        "ago": (today - due.day).days,
        "ago_working": returns.working_days_between(ctx, due.day, today),
        "rule": due.rule,
        "note": due.note,
        "ended": returns.ends(ctx, quarter) < today,
        "ends": uk(returns.ends(ctx, quarter)),
        "groups": rows,
        "total": len(found),
        "submitted": count[returns.SUBMITTED],
        "missing": count[returns.OVERDUE],
        "escalations": sum(1 for s in found if s.escalations),
        "other": returns.label(returns.previous(quarter)),
    }
    text_line = (
        f"{returns.label(quarter)} returns: {count[returns.SUBMITTED]} of {len(found)} submitted"
    )
    return Reply("return_status", data, text=text_line)
