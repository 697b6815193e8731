"""The Slack edge: a Bolt app whose listeners turn Slack payloads into commands.

Listener design (chosen knowingly, see docs/decisions.md): the app runs with
``process_before_response=True``, so the HTTP response *is* the ack and Bolt's
threaded runner does not poll for it every 10 ms. Fast work (nearly every
command: one small transaction) is done inside the ack and its reply travels
in the ack's body. Everything else runs *after* the ack on the edge's
background pool (:meth:`Edge.later`): slow commands (``/csp chase`` sends a
message per lead), the follow-up pages of a long reply, and every Slack call
a button, a form or the Home tab makes. Because the HTTP response only leaves
when the listener returns, a Slack API call made inside a listener would hold
the ack for as long as Slack takes (up to its timeout), and Slack shows the
person an error after 3 seconds even though their change was saved.

Nothing in ``commands/`` sees a Slack payload: this module reads team, user,
channel, text, trigger and values out of the payload and hands plain values on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.slack import files, oauth
from bot.slack.client import web_client
from bot.slack.lane import Listener
from bot.slack.listeners import Clock, Edge
from bot.slack.setup import OPEN_BUTTON, SETUP_FORM, SetupEdge
from bot.slack.views import FORM_COMMANDS
from storage.models import utcnow

BUTTONS = r"^action_(update|done|snooze|snooze_until|show|menu)$"
# Buttons whose value is a command line to run as typed (commands/meeting_add.py,
# commands/person_link.py).
LINE_BUTTONS = r"^(meeting_confirm|person_link|return_show)$"


def create_app(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    clock: Clock = utcnow,
    client: WebClient | None = None,
    request_verification: bool = True,
) -> App:
    """The Bolt app with every /csp listener registered (OAuth mode: see bot/slack/oauth.py)."""
    return build_app(
        settings, factory, clock=clock, client=client, request_verification=request_verification
    )[0]


def build_app(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    clock: Clock = utcnow,
    client: WebClient | None = None,
    request_verification: bool = True,
) -> tuple[App, Listener]:
    """The Bolt app and its ``/csp`` listener (for the front door's lane, bot/slack/lane.py)."""
    client = client or web_client(settings)
    oauth_settings = (
        oauth.oauth_settings(settings, oauth.engine_of(factory)) if settings.oauth_mode else None
    )
    token = None if oauth_settings else settings.slack_bot_token
    app = App(
        signing_secret=settings.slack_signing_secret,
        client=client,
        oauth_settings=oauth_settings,
        authorize=_bot_token(token) if token else None,
        process_before_response=True,
        # False only behind the front door (bot/slack/front.py), which has verified already.
        request_verification_enabled=request_verification,
        logger=logging.getLogger("csp_bot.bolt"),
    )
    edge = Edge(factory, client, clock)
    store = None
    if oauth_settings is not None:  # direct messages go through each workspace's bot
        store = oauth_settings.installation_store
        edge.senders = oauth.TeamSenders(settings, store, factory)
        edge.directory = oauth.TeamDirectory(settings, store)
    # /csp setup, its form and the Home tab's button; strangers' answers (bot/slack/setup.py).
    starting = SetupEdge(edge, settings, store)
    app.command("/csp")(starting.on_command)
    app.action(OPEN_BUTTON)(starting.on_open_button)
    app.view_submission(SETUP_FORM)(starting.on_submit)
    app.action(_pattern(BUTTONS))(edge.on_button)
    app.action("return_submit")(edge.on_return_button)
    app.action(_pattern(LINE_BUTTONS))(edge.on_line_button)
    app.view_submission(_pattern("^(" + "|".join(FORM_COMMANDS) + ")$"))(edge.on_submit)
    app.event("app_home_opened")(starting.on_home)
    files.register(app, edge)  # /csp import's form and preview buttons (bot/slack/files.py)
    return app, starting.on_command


def _bot_token(token: str) -> Callable[..., AuthorizeResult]:
    """Bolt's authorize for one workspace: the bot token, with no Slack call.

    Bolt's own single-token authorization calls auth.test when the app is built
    (or, with that off, on the first request), so a Slack it cannot reach crashed
    the worker at start or answered a request with a 500 and a traceback, even
    one answered in the ack with no Slack call at all. bot/slack/reach.py checks the
    token instead, in the background.
    """

    def authorize(
        enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=token
        )

    return authorize


def _pattern(text: str) -> Any:
    import re

    return re.compile(text)
