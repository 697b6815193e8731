"""``/csp measure show``: one measure against its target, with its readings and their history."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership.context import Context, Reply
from partnership.lookup import find_measure
from partnership.measure_history import readings
from partnership.measure_status import judged_one
from partnership.measures import short
from partnership.messages import measures as say


@command(
    "measure show",
    usage="<measure>",
    examples=("/csp measure show M-1", '/csp measure show "Life expectancy"'),
    positional=("measure",),
    rest="more",
    keys=("measure",),
)
def measure_show(ctx: Context, args: Args) -> Result:
    """Show a measure against its target, with its latest readings and the values they replaced.

    Name the measure by its reference (`M-1`) or its name in quotes. Each
    reading says who recorded it and when; a reading replaced with
    `replace:yes` lists the values it held before, who recorded them and who
    replaced them. The latest 12 readings are listed, newest first.
    """
    words = " ".join(w for w in (args.get("measure"), args.get("more")) if w)
    measure = find_measure(ctx, words)
    status = judged_one(ctx, measure)
    rows, total = readings(ctx, measure)
    view = status.view()
    view["name"] = measure.name
    data = {
        "measure": view,
        "description": measure.description or "",
        "priority": (
            f"{measure.priority.code} {short(measure.priority.title, 100)}"
            if measure.priority
            else ""
        ),
        "readings": rows,
        "older": max(total - len(rows), 0),
        "shown": len(rows),
    }
    text = say.measure_shown(measure=measure.ref or measure.name, count=total)
    return Reply("measure_show", data, text=text)
