"""Running the app: HTTP behind gunicorn (production), or Socket Mode.

HTTP: gunicorn serves one WSGI callable, the front door (:mod:`bot.slack.front`): it
verifies every request's signature on the raw bytes (401 when missing, wrong or
stale), checks the body's shape, drops redeliveries, and only then hands
``/slack/events`` on (commands, interactivity and events share that one URL):
a slash command to its listener directly in token mode (:mod:`bot.slack.lane`),
everything else to Bolt's WSGI adapter; ``/healthz`` checks the database and says whether Slack
has answered (:mod:`bot.slack.reach`; Slack is not needed to start); anything else
is 404. No request gets a 5xx. The app is built and warmed (:mod:`bot.slack.warm`) in each
worker after the fork, so no database connection is shared between processes
and the first person's command is as quick as the hundredth's.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from bot.settings import Settings, SettingsError
from bot.slack.front import EVENTS_PATH, FrontDoor
from bot.slack.lane import CommandLane
from bot.slack.reach import Probe, check_of
from bot.slack.warm import warm
from storage.db import make_engine, session_factory
from storage.seen import Ledger

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger("csp_bot.server")

WSGIApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def require(settings: Settings, *names: str) -> None:
    """Stop with a message naming each missing setting."""
    missing = [n.upper() for n in names if not getattr(settings, n)]
    if missing:
        raise SettingsError(
            "; ".join(
                f'{n}: not set (see the README\'s "Install the Slack app" section)' for n in missing
            )
        )


def require_http(settings: Settings) -> None:
    """The settings HTTP mode needs: a bot token, or (OAuth mode) a client id and secret.

    In OAuth mode Bolt also answers GET /slack/install and /slack/oauth_redirect.
    """
    if settings.oauth_mode:
        require(settings, "slack_client_id", "slack_client_secret", "slack_signing_secret")
    else:
        require(settings, "slack_bot_token", "slack_signing_secret")


def build_wsgi(settings: Settings) -> WSGIApp:
    """The WSGI callable: Bolt at /slack/events (and OAuth pages), a health check at /healthz."""
    require_http(settings)
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot.slack.app import build_app

    engine = make_engine(settings.database_url)
    factory = session_factory(engine)
    # The front door verifies every signature on the raw bytes, so Bolt need not again.
    app, command = build_app(settings, factory, request_verification=False)
    # Slash commands skip Bolt's dispatch in token mode; in OAuth mode Bolt finds
    # each workspace's token (bot/slack/lane.py).
    lane = None if settings.oauth_mode else CommandLane(command, app.client)
    # Slack is not needed to start: the probe tries it now and, failing, in the background.
    probe = Probe(check_of(app.client)).start()
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def health(start_response: StartResponse) -> Iterable[bytes]:
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            status, body = "200 OK", {"ok": True, "database": "ok"}
        except Exception as exc:
            log.warning("health check failed: %s", type(exc).__name__)
            status, body = "503 Service Unavailable", {"ok": False, "database": "unavailable"}
        # Said, never failed on: a restart cannot bring Slack back (docs/decisions.md).
        body["slack"] = probe.state
        data = json.dumps(body).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]

    oauth_paths = ("/slack/install", "/slack/oauth_redirect") if settings.oauth_mode else ()
    door = FrontDoor(
        slack,
        settings.slack_signing_secret or "",
        Ledger(factory),
        health,
        oauth_paths=oauth_paths,
        commands=lane,
    )
    if os.environ.get("CSP_WARM", "1") != "0":  # 0 only for the benchmark's cold baseline
        warm(door, factory)
    return door


def serve(settings: Settings, *, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn in this process with ``workers`` worker processes."""
    require_http(settings)
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "timeout": 30,
                "graceful_timeout": 10,
                "accesslog": None,  # request lines are logged by the app, without payloads
                "loglevel": "info",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> WSGIApp:
            return build_wsgi(settings)

    Gunicorn().run()


def socket_mode(settings: Settings) -> None:
    """Connect over Socket Mode (no inbound traffic needed) and serve until stopped."""
    require(settings, "slack_bot_token", "slack_app_token")
    from bot.slack.socket_mode import run

    run(settings)
