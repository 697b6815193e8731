"""``/csp import``: a coordinator sends the plan in as a spreadsheet or plan file, from Slack.

The command only opens the form (a ``file_input``); the Slack edge downloads
the file after the form's ack and asks :mod:`partnership.import_preview` for
the preview, whose Import button applies exactly what was shown.
"""

from __future__ import annotations

from commands.framework.core import Form, Result
from commands.framework.registry import Args, command
from partnership.context import Context, UserError
from partnership.messages import files as say
from storage.models import Source

FORM = "import_plan"


@command(
    "import",
    examples=("/csp import",),
    coordinator_only=True,
)
def import_plan(ctx: Context, args: Args) -> Result:
    """Import the action plan from a spreadsheet (.xlsx, .csv) or a plan file (.yaml).

    Opens a form to attach the file. The bot reads it as `csp-bot import` does and
    shows you a preview first — the columns it understood, what would be created,
    changed or left alone, and any rows it cannot read — and writes nothing until
    you press Import.
    """
    if ctx.source == Source.CONSOLE:  # no file to attach here: the CLI reads one from disk
        raise UserError(say.IMPORT_IN_CONSOLE)
    return Form(FORM, say.IMPORT_TITLE, values={"label": say.IMPORT_LABEL, "hint": say.IMPORT_HINT})
