"""``/csp setup``: the set-up form for a new partnership in this workspace.

In Slack the edge (bot/slack/setup.py) answers ``/csp setup`` itself, because
who may set up (the installer, a workspace admin) is Slack's to say and the
asker may be in no partnership yet; it opens the form this module builds. In
the console, which has no forms, a coordinator is told the command line's way.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from commands.framework.core import Form, Result
from commands.framework.registry import Args, command
from partnership import setup
from partnership.context import Context, UserError
from partnership.messages import setup as say
from storage.models import Source

FORM = "setup"
TITLE = "Set up a partnership"


def setup_form(session: Session, where: setup.Workspace) -> Form:
    """The set-up modal: name, short name, nation, Leadership Group, channels, county board."""
    return Form(
        FORM,
        TITLE,
        values=setup.initial_values(),
        options=setup.choices(session, where),
    )


@command(
    "setup",
    usage="[code:XXXX-XXXX-XXXX]",
    keys=("code",),
    examples=("/csp setup", "/csp setup code:ABCD-EFGH-JKMN"),
)
def setup_(ctx: Context, args: Args) -> Result:
    """Set up a new partnership in this workspace: a form, and you become its coordinator.

    Who may: the person who installed csp-bot, a workspace admin or owner, a
    coordinator of a partnership already here, or someone the bot's operator
    named (CSP_SETUP_USERS, or a one-time code from `csp-bot setup-code`,
    typed as `/csp setup code:XXXX-XXXX-XXXX`). A county board's districts are
    set up the same way, naming the board in the form.
    """
    setup.require_may(setup.Grounds(coordinator=ctx.is_coordinator))
    if ctx.source == Source.CONSOLE:  # the form is Slack's; the command line has its own way
        raise UserError(say.CONSOLE)
    return setup_form(ctx.session, setup.Workspace(ctx.partnership.slack_team_id))
