"""What the fake Slack speaks: paths, recorded calls, Slack's answers, request bodies."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol
from urllib.parse import parse_qsl

API_PREFIX = "/api/"
RESPONSE_PREFIX = "/response/"
RESPONSE_URL = "response_url"
# Form-encoded parameters whose values slack_sdk sends as JSON text.
JSON_PARAMS = ("blocks", "attachments", "view", "metadata")
# The safety net of a wait (seconds): only a hung test reaches it. Waits follow
# events (a call recorded, the process under test ended), so load cannot.
WAIT_LIMIT = 180.0
# How often a wait looks whether the process under test has ended (seconds).
POLL_EVERY = 0.1


class Watched(Protocol):
    """A process under test: ``poll()`` is None while it runs (``subprocess.Popen``, a server)."""

    def poll(self) -> int | None:
        """Its exit status, or None while it runs."""


class Call(NamedTuple):
    """One recorded request: the API method (or ``response_url``), its parameters, when."""

    method: str
    params: dict[str, Any]
    at: float
    path: str = ""
    authorization: str = ""
    failed: str = ""


@dataclass
class _Failure:
    """A planned failure: an ok:false error, or an HTTP status, for matching calls."""

    error: str = ""
    status: int = 200
    retry_after: int | None = None
    times: int = 1
    when: dict[str, Any] = field(default_factory=dict)
    # Hang instead of answering; ``accept`` says whether Slack kept the message.
    hang: bool = False
    accept: bool = True
    # Set by release(): each hang has its own, so a new hang() cannot re-hold an old one.
    released: threading.Event = field(default_factory=threading.Event)

    def matches(self, params: Mapping[str, Any]) -> bool:
        """Whether this failure applies to a call with these parameters."""
        return self.times > 0 and all(params.get(k) == v for k, v in self.when.items())


def default_response(method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """What Slack answers to a successful call of ``method``."""
    ts = f"{time.time():.6f}"
    if method == "auth.test":
        return {
            "ok": True,
            "user_id": "UBOT",
            "user": "csp-bot",
            "bot_id": "BBOT",
            "team_id": "T0RIVER",
            "team": "Riverside",
            "url": "https://x.slack.com/",
        }
    if method == "chat.postMessage":
        channel = str(params.get("channel", ""))
        if channel.startswith("U"):  # a DM to a user id lands in their IM channel
            channel = "D" + channel[1:]
        return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
    if method == "chat.postEphemeral":
        return {"ok": True, "channel": params.get("channel"), "message_ts": ts}
    if method in ("views.open", "views.publish", "views.update", "views.push"):
        view = params.get("view")
        view = dict(view) if isinstance(view, dict) else {}
        return {"ok": True, "view": {**view, "id": "V1", "hash": "1.abc"}}
    if method == "conversations.open":
        users = str(params.get("users", "U0"))
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0][1:]}}
    return {"ok": True}


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    """The parameters of a request body: JSON, or form fields (JSON-looking values decoded)."""
    text = body.decode("utf-8") if body else ""
    if "json" in content_type:
        data = json.loads(text) if text else {}
        return dict(data) if isinstance(data, dict) else {"_json": data}
    params: dict[str, Any] = dict(parse_qsl(text, keep_blank_values=True))
    for name in JSON_PARAMS:
        value = params.get(name)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)
    return params


def _conversation(channel: str) -> str:
    """Where a post lands: a user id means the DM with them (``U1`` -> ``D1``)."""
    return "D" + channel[1:] if channel[:1] in ("U", "W") else channel


def _output_of(process: Watched | None) -> str:
    """What a process under test wrote, for a failure message (the last 4,000 characters)."""
    if process is None:
        return ""
    output = getattr(process, "output", None)
    if callable(output):  # a test server: it keeps its own log
        text = str(output())
    elif process.poll() is not None and getattr(process, "stdout", None) is not None:
        out, _ = process.communicate()  # type: ignore[attr-defined]  # a subprocess.Popen
        text = out.decode("utf-8", "replace") if isinstance(out, bytes) else str(out or "")
    else:
        return "(the process is still running; its output is not read)"
    return "Its output:\n" + text[-4000:]


def _connected(sock: socket.socket) -> bool:
    """Whether the peer of a connection still has it open (it sent no EOF, no reset)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        # Readable with nothing to read is the peer's EOF; data would mean it still talks.
        return not readable or sock.recv(1, socket.MSG_PEEK) != b""
    except (OSError, ValueError):  # reset, or closed on our side
        return False
