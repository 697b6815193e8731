"""The slash command's lane past Bolt's dispatch: the same listener, called directly.

Every ``/csp`` command reaches :class:`bot.slack.setup.SetupEdge`'s listener. Through
Bolt that costs a second parse of the body, a ``BoltRequest`` and its context, a
new ``WebClient`` per request, the middleware chain, a scan of every listener's
matcher and the keyword injection (about a tenth of an update's CPU, issue 17;
docs/benchmarks.md). The front door (:mod:`bot.slack.front`) has by then verified
the signature, parsed the body once and checked its shape, so it hands a slash
command to this lane instead: the listener gets Bolt's own :class:`Ack`, the
parsed body and the app's client, and what it acknowledged becomes the HTTP answer
exactly as Bolt's WSGI adapter would write it.

Token mode only: in OAuth mode each workspace's installation gives the client its
token, which is Bolt's authorization to find, so those requests still go to Bolt
(:func:`bot.slack.server.build_wsgi`). Buttons, forms and events always go to Bolt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

log = logging.getLogger("csp_bot.lane")

# What the lane answers: the status line, the headers and the body.
Answer = tuple[str, list[tuple[str, str]], bytes]
Listener = Callable[[Ack, dict[str, Any], WebClient], None]
# The slash command the app registers (bot/slack/app.py).
COMMAND = "/csp"


class CommandLane:
    """Answers a verified, parsed ``/csp`` body with the listener's ack."""

    def __init__(self, listener: Listener, client: WebClient) -> None:
        self.listener = listener
        self.client = client

    def wants(self, body: dict[str, Any]) -> bool:
        """Whether this body is the slash command the lane answers."""
        return body.get("command") == COMMAND

    def __call__(self, body: dict[str, Any]) -> Answer:
        """Run the listener and return its ack as Bolt's WSGI adapter would send it."""
        ack = Ack()  # type: ignore[no-untyped-call]  # slack_bolt leaves its __init__ untyped
        self.listener(ack, body, self.client)
        response = ack.response
        if response is None:  # every path of the listener acks; were one not to, say nothing
            log.warning("command listener did not acknowledge")
            return "200 OK", [("Content-Type", "text/plain;charset=utf-8")], b""
        data = response.body.encode("utf-8")
        status = HTTPStatus(response.status)
        headers = [
            (key, value)
            for key, values in response.headers.items()
            if key != "content-length"
            for value in values
        ]
        headers.append(("Content-Length", str(len(data))))
        return f"{status.value} {status.phrase}", headers, data
