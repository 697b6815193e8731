"""``csp-bot socket``: the app over Socket Mode, for networks that allow no inbound traffic.

slack-sdk's built-in client (no extra dependency) asks ``apps.connections.open``
for a WebSocket URL, connects, and then reconnects by itself whenever the
connection drops or Slack asks it to (a ``disconnect`` message). What it does
not do is survive Slack being away at start: its first connect raises. So the
first connection is made by a :class:`bot.slack.reach.Probe`, which keeps trying
with back-off, logging one line, and the process waits meanwhile. The
WebSocket's proxy is chosen per URL by :func:`bot.slack.reach.proxy_for`, which
honours ``NO_PROXY`` (slack-sdk's client reads only ``HTTPS_PROXY``).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from types import FrameType

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient

from bot.settings import Settings
from bot.slack.reach import Probe, proxy_for
from storage.db import make_engine, session_factory

log = logging.getLogger("csp_bot.socket")

# Seconds between the client's pings; a connection silent for four of them is
# taken as dead and replaced (slack-sdk's rule).
PING_INTERVAL = 10


class Client(SocketModeClient):
    """slack-sdk's built-in Socket Mode client, with the proxy chosen for each new URL."""

    def issue_new_wss_url(self) -> str:
        """A new WebSocket URL from ``apps.connections.open``; the proxy follows it."""
        url = str(super().issue_new_wss_url())
        self.proxy = proxy_for(url)
        return url


class Handler(SocketModeHandler):
    """Bolt's Socket Mode handler on a :class:`Client` we built (Bolt's makes its own)."""

    def __init__(self, app: App, client: Client) -> None:
        # Bolt's __init__ would build a second client (with threads); set its fields instead.
        self.app = app
        self.app_token = client.app_token
        self.client = client
        client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]


def connect(client: SocketModeClient) -> None:
    """Open a connection unless one is open; raise if none is (the probe then tries again)."""
    client.connect_to_new_endpoint()
    if not client.is_connected():
        raise ConnectionError("the Socket Mode WebSocket did not open")


def run(settings: Settings) -> None:
    """Serve Slack over Socket Mode until SIGTERM or Ctrl-C."""
    from bot.slack.app import create_app

    assert settings.slack_app_token is not None  # checked by bot.slack.server.socket_mode
    factory = session_factory(make_engine(settings.database_url))
    app = create_app(settings, factory)
    client = Client(
        app_token=settings.slack_app_token,
        logger=app.logger,
        web_client=app.client,
        ping_interval=PING_INTERVAL,
    )
    Handler(app, client)
    stopped = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("socket mode stopping (signal %d)", signum)
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    probe = Probe(lambda: connect(client), what="Slack (Socket Mode)", token="SLACK_APP_TOKEN")
    probe.start()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C in a terminal: stop quietly
        stopped.wait()
    probe.stop()
    client.close()
