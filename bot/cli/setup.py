"""``csp-bot setup-code``: a one-time code that lets someone set a partnership up from Slack.

For a single-workspace (token mode) install, where Slack cannot say who
installed the app: the operator prints a code and hands it over; the person
types ``/csp setup code:XXXX-XXXX-XXXX`` (see :mod:`partnership.setup_codes`).
"""

from __future__ import annotations

import argparse

from bot.cli.common import out, sessions
from bot.settings import Settings
from partnership.messages import setup as say
from partnership.setup_codes import LIFETIME, issue
from storage.models import utcnow


def cmd_setup_code(settings: Settings, _args: argparse.Namespace) -> int:
    """Print a one-time code (valid for a day) for /csp setup code:XXXX in Slack."""
    factory = sessions(settings)
    with factory() as session, session.begin():
        code = issue(session, utcnow())
    out(say.code_printed(code=code, hours=int(LIFETIME.total_seconds() // 3600)))
    return 0
