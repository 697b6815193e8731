"""The front door: every HTTP request is answered here first, and never with a 5xx.

Cheap checks come first, on the raw bytes, before anything is parsed:

1. the path and method (``/healthz``; ``POST /slack/events``; in OAuth mode the
   install and redirect pages; anything else 404 or 405);
2. the signature headers: a missing or malformed ``X-Slack-Signature`` or a
   timestamp that is not a number, or more than five minutes off, is 401;
3. the body, read up to :data:`MAX_BODY` bytes (a body that cannot be read is
   400, a larger one 413), and its HMAC under the signing secret (401 if wrong).

Only then is the body decoded and parsed — once, with deep nesting caught —
and checked against the shapes Slack sends (:mod:`bot.slack.shapes`). A signed body
of another shape, or of a kind the app does not handle, is acknowledged with
200 and nothing done. A request already handled (an event's ``event_id``, or
the very same signed request sent again) is acknowledged without running
again (:mod:`storage.seen`). What passes goes to Bolt, or, for a slash command
when the front door was given a lane, straight to its listener
(:mod:`bot.slack.lane`); should either still answer 5xx or raise, a signed
request gets an empty 200 and an unsigned page a 400. No log line here holds
any of the request's text.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from bot.slack import shapes
from bot.slack.lane import CommandLane
from storage.seen import Ledger, request_key

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger("csp_bot.front")

WSGIApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]
Health = Callable[["StartResponse"], Iterable[bytes]]
EVENTS_PATH = "/slack/events"
# Slack refuses requests older than five minutes itself; so do we, both ways.
MAX_SKEW = 5 * 60
# The largest body Slack sends is a modal's submission; a megabyte is far above it.
MAX_BODY = 1024 * 1024
# What the answer to a slash command that reached us twice says, privately.
ALREADY = {
    "response_type": "ephemeral",
    "text": "That request reached me twice; I have done it once.",
}


class RefusedError(Exception):
    """A request answered without going further: its status and a short plain reason."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature_problem(headers: dict[str, str], now: float) -> str | None:
    """Why the signature headers cannot be right (before reading the body), or None."""
    stamp = headers.get("timestamp", "")
    signature = headers.get("signature", "")
    if not stamp or not signature:
        return "no signature"
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        return "timestamp is not a number"
    if abs(now - int(stamp)) > MAX_SKEW:
        return "timestamp too old or too new"
    hexpart = signature.removeprefix("v0=")
    if hexpart == signature or len(hexpart) != 64 or not _is_hex(hexpart):
        return "malformed signature"
    return None


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def signature_of(secret: str, stamp: str, body: bytes) -> str:
    """Slack's v0 signature: an HMAC-SHA256 of ``v0:<timestamp>:<raw body>``."""
    base = b"v0:" + stamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed(secret: str, stamp: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is Slack's v0 signature of the timestamp and raw body."""
    return hmac.compare_digest(signature_of(secret, stamp, body), signature)


def parse(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body as Slack's JSON object, a form's fields, or a form's ``payload`` object."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise shapes.ShapeError("body is not UTF-8") from None
    try:
        if content_type.startswith("application/json") or text.startswith("{"):
            data: Any = json.loads(text)
        else:
            fields = dict(parse_qsl(text, keep_blank_values=True))
            data = json.loads(fields["payload"]) if "payload" in fields else fields
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise shapes.ShapeError("body is not JSON or a form") from None
    if not isinstance(data, dict):
        raise shapes.ShapeError("body is not an object")
    return data


class FrontDoor:
    """The WSGI callable that stands before Bolt (see the module docstring)."""

    def __init__(
        self,
        bolt: WSGIApp,
        signing_secret: str,
        ledger: Ledger,
        health: Health,
        *,
        oauth_paths: tuple[str, ...] = (),
        clock: Callable[[], float] = time.time,
        commands: CommandLane | None = None,
    ) -> None:
        if not signing_secret:  # an empty secret would let anyone sign
            raise ValueError("the front door needs the signing secret")
        self.bolt = bolt
        self.secret = signing_secret
        self.ledger = ledger
        self.health = health
        self.oauth_paths = oauth_paths
        self.clock = clock
        self.commands = commands

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request; whatever happens, never with a 5xx."""
        path = str(environ.get("PATH_INFO") or "")
        method = str(environ.get("REQUEST_METHOD") or "")
        try:
            if path == "/healthz" and method in ("GET", "HEAD"):
                return self.health(start_response)
            if path in self.oauth_paths and method == "GET":
                return self._guarded(environ, start_response, signed_request=False)
            if path == EVENTS_PATH and method == "POST":
                return self._events(environ, start_response)
            if path in ("/healthz", EVENTS_PATH, *self.oauth_paths):
                raise RefusedError("405 Method Not Allowed", "method not allowed")
            raise RefusedError("404 Not Found", "not found")
        except RefusedError as refused:
            status = refused.status[:3]  # only ever a 4xx: a 200 is answered, not refused
            log.info(
                "request refused",
                extra={"event": "refused", "status": status, "error": refused.reason},
            )
            return _plain(start_response, refused.status, refused.reason)
        except Exception as exc:  # the last guard: a bug of ours is still not a 5xx
            log.error("front door failed: %s", type(exc).__name__)
            return _plain(start_response, "400 Bad Request", "bad request")

    def _events(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """A POST to /slack/events: verify, read, parse, check, deduplicate, then Bolt."""
        headers = {
            "timestamp": str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""),
            "signature": str(environ.get("HTTP_X_SLACK_SIGNATURE") or ""),
        }
        if problem := signature_problem(headers, self.clock()):
            raise RefusedError("401 Unauthorized", problem)
        raw = _read_body(environ)
        if not signed(self.secret, headers["timestamp"], raw, headers["signature"]):
            raise RefusedError("401 Unauthorized", "wrong signature")
        # From here on the request is Slack's (or holds our secret): answer 200.
        try:
            body = parse(raw, str(environ.get("CONTENT_TYPE") or ""))
            kind = shapes.classify(body)
            if body.get("ssl_check") == "1":
                return _plain(start_response, "200 OK", "")
            if kind == "url_verification":
                challenge = shapes.require(body, "challenge", str, "body")
                return _json(start_response, {"challenge": challenge})
            if kind not in shapes.HANDLED:
                raise shapes.ShapeError("a kind of request this app does not handle")
            shapes.check(kind, body)
        except shapes.ShapeError as shape:
            log.info("signed request ignored", extra={"event": "ignored", "error": str(shape)})
            return _plain(start_response, "200 OK", "")
        if kind == "event_callback":
            key = request_key("event", str(body["event_id"]))
        else:
            key = request_key("signature", headers["signature"])
        if not self._first_time(key):
            log.info("redelivered request not run again", extra={"event": "duplicate"})
            if kind == "command":
                return _json(start_response, ALREADY)
            return _plain(start_response, "200 OK", "")
        if kind == "command" and self.commands is not None and self.commands.wants(body):
            return self._lane(self.commands, body, start_response)
        replay = dict(environ)
        replay["wsgi.input"] = io.BytesIO(raw)
        replay["CONTENT_LENGTH"] = str(len(raw))
        return self._guarded(replay, start_response, signed_request=True)

    def _first_time(self, key: str) -> bool:
        """Claim the request's key; a database that cannot say lets it run (and answer)."""
        try:
            return self.ledger.first_time(key)
        except Exception as exc:
            # The command's own transaction will meet the same database and apologise
            # in its reply; refusing here would leave the person with Slack's error.
            log.warning("could not check for a redelivery: %s", type(exc).__name__)
            return True

    def _lane(
        self, lane: CommandLane, body: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        """A slash command's answer from its listener; an exception becomes an empty 200."""
        try:
            status, headers, data = lane(body)
        except Exception as exc:  # the listener guards itself; this is the last guard
            log.error("command lane failed: %s", type(exc).__name__)
            return _plain(start_response, "200 OK", "")
        start_response(status, headers)
        return [data]

    def _guarded(
        self, environ: WSGIEnvironment, start_response: StartResponse, *, signed_request: bool
    ) -> Iterable[bytes]:
        """Bolt's answer; a 5xx or an exception becomes 200 (signed) or 400, a signed 404 200."""
        answer: list[Any] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer[:] = [status, headers]
            return lambda _data: None  # Bolt returns its body; it never writes

        try:
            chunks = b"".join(self.bolt(environ, keep))
            status, headers = answer
        except Exception as exc:
            log.error("bolt failed: %s", type(exc).__name__)
            status, headers, chunks = "500 Internal Server Error", [], b""
        code = str(status)[:3]
        if signed_request and code == "404":
            # Bolt's "unhandled request": signed, but no listener wants it (a button
            # with an empty action_id, a type we do not use). Nothing to do, and a
            # non-200 would show the person an error for what we chose to ignore.
            log.info("signed request no listener handles; answered 200", extra={"status": code})
            return _plain(start_response, "200 OK", "")
        if not code.startswith("5"):
            start_response(status, headers)
            return [chunks]
        log.error("bolt answered %s; replaced", code)
        if signed_request:
            return _plain(start_response, "200 OK", "")
        return _plain(start_response, "400 Bad Request", "bad request")


def _read_body(environ: WSGIEnvironment) -> bytes:
    """The request's bytes, or a RefusedError 400/413."""
    length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
    stream = environ.get("wsgi.input")
    if stream is None:
        raise RefusedError("400 Bad Request", "no body")
    if length_text:
        if not length_text.isdigit():
            raise RefusedError("400 Bad Request", "bad Content-Length")
        length = int(length_text)
        if length > MAX_BODY:
            raise RefusedError("413 Payload Too Large", "body too large")
    else:
        length = MAX_BODY + 1  # no length given: read what there is, up to the limit
    try:
        raw = bytes(stream.read(length))
    except (OSError, ValueError):
        raise RefusedError("400 Bad Request", "body could not be read") from None
    if len(raw) > MAX_BODY:
        raise RefusedError("413 Payload Too Large", "body too large")
    return raw


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    data = text.encode()
    start_response(
        status,
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]


def _json(start_response: StartResponse, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]
