"""Requests signed the way Slack signs them, and the server's answers.

:class:`SignedRequests` is the half of :class:`tests.e2e.Server` that talks to it:
slash commands, block actions, view submissions and events, each signed with the
app's signing secret (v0, over the timestamp and the raw body), and read back as
a :class:`Response`.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.e2e.payloads import state_for
from tests.fakeslack import FakeSlack

BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-secret"
EVENTS_PATH = "/slack/events"
# Slack gives up on an ack after 3 seconds; every ack must come well within that.
ACK_LIMIT = 2.5
# A safety net only (seconds): a request waits for its answer; only a hung test reaches it.
ANSWER_TIMEOUT = 120.0


@dataclass
class Response:
    """The server's answer: HTTP status, parsed JSON body (or text), and how long it took.

    It unpacks as ``status, body``.
    """

    status: int
    body: Any
    elapsed: float
    token: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        """Unpack as ``status, body``."""
        return iter((self.status, self.body))

    @property
    def json(self) -> dict[str, Any]:
        """The body as a JSON object (an empty ack is ``{}``)."""
        if self.body in ("", None):
            return {}
        assert isinstance(self.body, dict), f"not a JSON object: {self.body!r}"
        return self.body


class SignedRequests:
    """Signed Slack requests to a server on 127.0.0.1 (:attr:`port`), answers timed."""

    port: int
    secret: str
    verifier: SignatureVerifier
    fake: FakeSlack
    timings: list[tuple[str, float]]

    def sign(self, timestamp: str, body: bytes) -> str:
        """Slack's v0 signature of a body at a timestamp."""
        try:
            signature = self.verifier.generate_signature(timestamp=timestamp, body=body)
        except UnicodeDecodeError:  # slack_sdk decodes bytes first; sign raw bytes ourselves
            base = b"v0:" + timestamp.encode() + b":" + body
            return "v0=" + hmac.new(self.secret.encode(), base, hashlib.sha256).hexdigest()
        assert signature is not None
        return signature

    def signed_headers(
        self,
        body: bytes,
        content_type: str = "application/x-www-form-urlencoded",
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
    ) -> dict[str, str]:
        """Slack's headers for a body: its type, a timestamp (now) and its signature."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature if signature is not None else self.sign(stamp, body),
        }

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        path: str = EVENTS_PATH,
        label: str = "",
        token: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """POST a (signed, unless a signature is given) body and read the answer."""
        headers = {
            **self.signed_headers(body, content_type, timestamp=timestamp, signature=signature),
            **(headers or {}),
        }
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=ANSWER_TIMEOUT)
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            got = {k.lower(): v for k, v in answer.getheaders()}
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        self.timings.append((label or path, elapsed))
        text_ = data.decode("utf-8", "replace")
        parsed: Any = text_
        if text_ and "json" in got.get("content-type", ""):
            parsed = json.loads(text_)
        return Response(answer.status, parsed, elapsed, token, got)

    def form(self, fields: Mapping[str, str], **kwargs: Any) -> Response:
        """POST form-encoded fields, signed."""
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded", **kwargs)

    def command_body(
        self,
        user: str,
        text: str,
        team: str = "T0RIVER",
        channel: str = "C0RGEN",
        token: str | None = None,
    ) -> tuple[bytes, str]:
        """A slash command's form body (and its response-URL token)."""
        token = token or uuid.uuid4().hex
        fields = {
            "token": "verification-token-unused",
            "team_id": team,
            "team_domain": "riverside",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/csp",
            "text": text,
            "api_app_id": "A0CSP",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(token),
            "trigger_id": f"trigger.{uuid.uuid4().hex}",
        }
        return urlencode(fields).encode(), token

    def command(
        self,
        user: str,
        text: str,
        team: str = "T0RIVER",
        channel: str = "C0RGEN",
        **kwargs: Any,
    ) -> Response:
        """Send ``/csp <text>`` as ``user``; the ack comes back in the response."""
        body, token = self.command_body(user, text, team, channel)
        return self.post(
            body,
            "application/x-www-form-urlencoded",
            label=f"/csp {text[:40]}",
            token=token,
            **kwargs,
        )

    def interactive(self, payload: Mapping[str, Any], **kwargs: Any) -> Response:
        """POST an interactivity payload (``payload=<json>``), signed."""
        kwargs.setdefault("label", str(payload.get("type", "interactive")))
        return self.form({"payload": json.dumps(payload)}, **kwargs)

    def block_action(
        self,
        user: str,
        action: Mapping[str, Any],
        team: str = "T0RIVER",
        channel: str | None = "C0RGEN",
        *,
        home: bool = False,
    ) -> Response:
        """Press a button or pick an overflow item, on a message or on the Home tab."""
        token = uuid.uuid4().hex
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": team, "domain": "riverside"},
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "A0CSP",
            "token": "verification-token-unused",
            "trigger_id": f"trigger.{uuid.uuid4().hex}",
            "actions": [{"block_id": "b1", "action_ts": f"{time.time():.6f}", **action}],
        }
        if home:
            payload["container"] = {"type": "view", "view_id": "V1"}
            payload["view"] = {"id": "V1", "type": "home", "blocks": []}
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": channel,
                "is_ephemeral": True,
            }
            payload["channel"] = {"id": channel, "name": "general"}
            payload["response_url"] = self.fake.response_url(token)
        response = self.interactive(payload, label=f"button {action.get('action_id')}")
        response.token = token
        return response

    def view_submission(
        self,
        user: str,
        view: Mapping[str, Any],
        values: Mapping[str, str],
        team: str = "T0RIVER",
    ) -> Response:
        """Submit a modal as Slack would: its blocks, metadata and the inputs' state."""
        submitted = {
            "id": "V1",
            "team_id": team,
            "type": "modal",
            "hash": "1.abc",
            **view,
            "state": {"values": state_for(view, values)},
        }
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "riverside"},
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "A0CSP",
            "token": "verification-token-unused",
            "trigger_id": f"trigger.{uuid.uuid4().hex}",
            "view": submitted,
            "response_urls": [],
        }
        return self.interactive(payload, label=f"submit {view.get('callback_id')}")

    def event(
        self,
        user: str,
        event_type: str = "app_home_opened",
        team: str = "T0RIVER",
        **fields: Any,
    ) -> Response:
        """Deliver an Events API ``event_callback`` (by default the Home tab being opened)."""
        event = {
            "type": event_type,
            "user": user,
            "channel": "D" + user[1:],
            "event_ts": f"{time.time():.6f}",
            **({"tab": "home"} if event_type == "app_home_opened" else {}),
            **fields,
        }
        body = {
            "token": "verification-token-unused",
            "team_id": team,
            "api_app_id": "A0CSP",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
            ],
            "is_ext_shared_channel": False,
        }
        return self.post(json.dumps(body).encode(), "application/json", label=event_type)
