"""End-to-end harness: the real server in a subprocess, signed Slack requests, a clean slate.

:class:`Server` runs ``python -m bot.cli serve`` (gunicorn, Bolt's WSGI adapter)
against a database and a :class:`tests.fakeslack.FakeSlack`, and sends it
requests signed the way Slack signs them: slash commands, block actions,
view submissions and events. :class:`Baseline` remembers the database right
after the fixture plans were imported and puts it back before each test, so
tests sharing one server do not depend on each other's order.

Import from here (``from tests.e2e import Server, running``); the parts live in
``server`` (the process), ``wire`` (signed requests, answers), ``database``
(plans imported, the baseline), ``payloads`` (view state, buttons, texts) and
``stack`` (database, fake Slack and server together, per backend).
"""

from tests.e2e.database import (
    PLANS,
    Baseline,
    fresh_postgres,
    prepare_database,
    prepare_database_text,
)
from tests.e2e.payloads import all_text, button, overflow, state_for, texts, validate
from tests.e2e.server import REPO, START_TIMEOUT, Server, free_port
from tests.e2e.stack import Stack, long_plan, running
from tests.e2e.wire import (
    ACK_LIMIT,
    ANSWER_TIMEOUT,
    BOT_TOKEN,
    EVENTS_PATH,
    SIGNING_SECRET,
    Response,
    SignedRequests,
)

__all__ = [
    "ACK_LIMIT",
    "ANSWER_TIMEOUT",
    "BOT_TOKEN",
    "EVENTS_PATH",
    "PLANS",
    "REPO",
    "SIGNING_SECRET",
    "START_TIMEOUT",
    "Baseline",
    "Response",
    "Server",
    "SignedRequests",
    "Stack",
    "all_text",
    "button",
    "free_port",
    "fresh_postgres",
    "long_plan",
    "overflow",
    "prepare_database",
    "prepare_database_text",
    "running",
    "state_for",
    "texts",
    "validate",
]
