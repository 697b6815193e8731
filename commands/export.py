"""``/csp export [csv|xlsx]``: the action plan as a file, sent to the asker's direct messages."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership.context import Context, UserError
from partnership.exports import EXPORT_FORMATS, plan_file, upload_reply
from partnership.messages import files as say
from storage.models import Source


@command(
    "export",
    usage="[csv|xlsx]",
    examples=("/csp export", "/csp export csv"),
    positional=("format",),
    slow=True,
)
def export(ctx: Context, args: Args) -> Result:
    """Get the action plan as a spreadsheet (.xlsx, or .csv) in your direct messages.

    The same file `csp-bot export` writes: every action of your partnership in
    the standard template's columns, with its latest update. Edit it in Excel
    and send it back with `/csp import`.
    """
    fmt = (args.get("format") or "xlsx").lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise UserError(say.export_format(typed=fmt[:20]))
    if ctx.source == Source.CONSOLE:
        raise UserError(say.ONLY_IN_SLACK.format(instead=f"csp-bot export --format {fmt}"))
    if ctx.person is None:
        raise UserError(say.NOT_IN_PLAN)
    return upload_reply("The action plan", [plan_file(ctx, fmt)])
