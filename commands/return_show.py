"""``/csp return show``: a sub-group's report in full, with its earlier versions."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import cycles, periods, quarters, reports
from partnership.context import Context, Reply, UserError
from partnership.lookup import find_group
from partnership.messages import returns as say
from storage.models import SubGroup


@command(
    "return show",
    usage="[group:<name>] [<quarter, half-year, month or meeting>]",
    examples=(
        "/csp return show",
        '/csp return show group:"ASB Steering Group"',
        '/csp return show group:"ASB Steering Group" Q2 2026/27',
        '/csp return show group:"ASB Steering Group" H1 2027/28',
    ),
    rest="quarter",
    keys=("group", "quarter"),
    aliases={"subgroup": "group", "period": "quarter"},
    date_keys=("quarter",),
)
def return_show(ctx: Context, args: Args) -> Result:
    """Read a sub-group's report: summary, achievements, issues and risks, and its earlier versions.

    Without a period, the group's latest report; without a group, the one you
    lead. The period is named the way the group's cycle names it (``Q3
    2026/27``, ``H1 2027/28``, ``March 2027``, ``18/03/2027`` for the report
    before that meeting). Each earlier version says who saved it, when, and what the next one
    changed. Anyone in the partnership may read its reports.
    """
    text = args.get("quarter")
    group = _group(ctx, args.get("group"))
    quarter = _period(ctx, group, text) if text else None
    ret = reports.find(ctx, group, quarter)
    if ret is None:
        raise UserError(
            say.no_report(
                group=group.name,
                quarter=quarters.label(quarter) if quarter else None,
                status="/csp return status" + (f" {quarters.label(quarter)}" if quarter else ""),
            )
        )
    data = reports.report(ctx, group, ret)
    data["partnership"] = ctx.partnership.name
    return Reply(
        "return_show",
        data,
        text=say.report_shown(group=group.name, quarter=data["quarter"], version=data["version"]),
    )


def _period(ctx: Context, group: SubGroup, text: str) -> cycles.Period:
    """The period typed, read by the group's own cycle, else by any cycle in use.

    A group that changed cycle keeps its earlier reports under the old cycle's
    periods, so one of those is read when the group has a report for it;
    otherwise the refusal is the group's own cycle's, saying how to name one.
    """
    try:
        return periods.read(ctx, text, cycles.cycle_of(ctx, group))
    except UserError as own:
        try:
            other = periods.read_any(ctx, text)[0]
        except UserError:
            raise own from None
        # Only a report the group really holds under another cycle: else its own cycle's words.
        if reports.find(ctx, group, other) is None:
            raise own from None
        return other


def _group(ctx: Context, named: str | None) -> SubGroup:
    """The group named, else the one group the asker leads, else say which there are."""
    if named:
        return find_group(ctx, named)
    everyone = quarters.groups_with_leads(ctx, closed=True)
    led = [g for g in everyone if ctx.person is not None and g.lead_id == ctx.person.id]
    latest = reports.latest(ctx)
    if len(led) > 1:  # of a lead's several groups, the ones that have reported
        reported = {r["group"] for r in latest}
        led = [g for g in led if g.name in reported]
    if len(led) == 1:
        return led[0]
    names = ", ".join(f'`group:"{r["group"]}"`' for r in latest) or "none yet"
    raise UserError(say.which_report(partnership=ctx.partnership.name, names=names))
