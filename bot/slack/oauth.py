"""Many workspaces: Slack's OAuth install flow and the per-workspace bot tokens.

OAuth mode is on when ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` are set and
``SLACK_BOT_TOKEN`` is not (see :attr:`bot.settings.Settings.oauth_mode`). Bolt
then serves ``/slack/install`` (the "Add to Slack" page, which issues a one-time
``state``) and ``/slack/oauth_redirect`` (which checks that ``state`` against the
installer's cookie and our state table, exchanges the code with
``oauth.v2.access`` and saves the installation), and resolves each request's
bot token from the installation of the request's workspace.

Installations and states live in our own database, in slack-sdk's
SQLAlchemy stores' tables; migration 0004 creates them (the stores'
``create_tables()`` is never called). Tokens are stored there and never logged:
:func:`protect_logs` redacts anything that looks like a Slack token, and the
client secret, from the records of the loggers that could carry them.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.sender import SlackSender
from bot.settings import Settings
from bot.slack.client import web_client
from bot.slack.directory import lookup_email
from partnership.context import Found
from storage.models import Partnership

if TYPE_CHECKING:
    from slack_bolt.oauth.oauth_settings import OAuthSettings
    from slack_sdk import WebClient
    from slack_sdk.oauth import InstallationStore
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

log = logging.getLogger("csp_bot.oauth")

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# manifest.yml's oauth_config.scopes.bot (tests/process/test_oauth.py keeps them equal).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "users:read",
    "users:read.email",
    "im:history",
    "channels:history",
    "groups:history",
    "files:read",
    "files:write",
)
# How long an "Add to Slack" link stays valid (Slack's own default).
STATE_EXPIRATION_SECONDS = 600
NOT_INSTALLED = "the bot is not installed in this partnership's workspace"
# Loggers whose records could carry a token or the client secret: the Web API
# client's debug lines (request and response bodies, e.g. oauth.v2.access),
# Bolt's (our app passes it csp_bot.bolt) and the stores'.
SENSITIVE_LOGGERS = (
    "slack_sdk.web.base_client",
    "csp_bot.bolt",
    "csp_bot.oauth",
    "slack_bolt",
    "slack_sdk.oauth",
)
_TOKEN = re.compile(r"xox[a-zA-Z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
_SECRET_FIELD = re.compile(
    r"""((?:client_secret|refresh_token|access_token|bot_token|user_token)['"]?\s*[:=]\s*['"]?)"""
    r"""[^'",&\s}]+"""
)
REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Rewrite a record's message with Slack tokens and secret fields blanked out."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        """``text`` with every token, secret field and known secret replaced."""
        text = _TOKEN.sub(REDACTED, text)
        text = _SECRET_FIELD.sub(lambda m: m[1] + REDACTED, text)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, with its formatted message redacted."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging to report
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def protect_logs(settings: Settings) -> None:
    """Attach the redacting filter (once) to every logger that could see a token."""
    secrets = (settings.slack_client_secret or "", settings.slack_signing_secret or "")
    for name in SENSITIVE_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, RedactSecrets)]:
            logger.removeFilter(old)
        logger.addFilter(RedactSecrets(secrets))


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    """slack-sdk's SQLAlchemy installation store on our engine (tables from migration 0004)."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    if not settings.slack_client_id:
        raise ValueError("SLACK_CLIENT_ID is needed to find installations")
    return SQLAlchemyInstallationStore(
        client_id=settings.slack_client_id, engine=engine, logger=log
    )


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    """slack-sdk's SQLAlchemy OAuth state store on our engine (one-time ``state`` values)."""
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    return SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, logger=log
    )


def engine_of(factory: sessionmaker[Session]) -> Engine:
    """The engine a session factory is bound to."""
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("the session factory is not bound to an engine")
    return bind


def oauth_settings(settings: Settings, engine: Engine) -> OAuthSettings:
    """Bolt's OAuth settings: our paths and scopes, the stores on our database."""
    from slack_bolt.oauth.oauth_settings import OAuthSettings

    protect_logs(settings)
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        installation_store=installation_store(settings, engine),
        state_store=state_store(engine),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        logger=logging.getLogger("csp_bot.bolt"),
    )


def client_for_team(
    settings: Settings,
    team_id: str | None,
    store: InstallationStore,
    *,
    enterprise_id: str | None = None,
) -> WebClient | None:
    """A Web API client with the bot token installed in ``team_id``, or None if none is."""

    if not team_id:
        return None
    bot = store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
    if bot is None or not bot.bot_token:
        return None
    client = web_client(settings, rate_limit_retries=3, connection_retries=2)
    client.token = bot.bot_token
    return client


class TeamSenders:
    """OAuth mode: a slow command's messages go through its partnership's workspace's bot.

    The person asking may be a Slack Connect partner whose request came through
    their own workspace's installation; the leads they chase are reached by the
    bot installed where the partnership is, as the clock reaches them. If that
    workspace has not installed the bot, the request's own bot is used.
    """

    def __init__(
        self, settings: Settings, store: InstallationStore, factory: sessionmaker[Session]
    ) -> None:
        self.settings = settings
        self.store = store
        self.factory = factory

    def __call__(self, client: WebClient, slug: str | None) -> SlackSender:
        """The sender for partnership ``slug``'s messages."""
        team = None
        if slug:
            with self.factory() as session:
                team = session.scalar(
                    select(Partnership.slack_team_id).where(Partnership.slug == slug)
                )
        own = client_for_team(self.settings, team, self.store)
        if own is None:
            log.warning("sending with the request's bot: %s", NOT_INSTALLED)
        return SlackSender(own or client)


class TeamDirectory:
    """OAuth mode: look an address up in the partnership's own workspace, through its bot."""

    def __init__(self, settings: Settings, store: InstallationStore) -> None:
        self.settings = settings
        self.store = store

    def user_by_email(self, partnership: Partnership, email: str) -> Found:
        """The Slack user with this address there, or why not (not installed); never raises."""
        client = client_for_team(self.settings, partnership.slack_team_id, self.store)
        if client is None:
            return Found(None, NOT_INSTALLED)
        return lookup_email(client, email)
