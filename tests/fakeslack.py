"""A loopback fake of Slack's Web API and response URLs, for end-to-end tests.

``FakeSlack`` is a ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) running
in a background thread. Point the bot's ``SLACK_API_URL`` at :attr:`base_url`
and every Web API call the real ``slack_sdk.WebClient`` makes (a POST to
``base_url + method`` with a form-encoded or JSON body and a bearer token) is
recorded and answered like Slack would answer it. ``POST /response/<token>``
plays a response URL: its JSON body is recorded under the method name
``response_url``. Calls can be made to fail with Slack's ``ok: false`` errors
or with HTTP 429/5xx statuses, a given number of times, or to hang (the way a
process killed mid-send leaves a request: Slack may or may not have accepted
it). Posted messages are kept per conversation, with their metadata, and
``conversations.history`` returns them, newest first, as Slack does.

:meth:`FakeSlack.wait_for` follows events, not the clock: it wakes when a call
is recorded, and fails at once (with the process's output) when the process
under test has ended without making the call. Its deadline is only a safety
net against a truly hung test, generous enough that a busy machine never
reaches it.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self
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


class FakeSlack:
    """Slack's Web API and response URLs on a loopback port; records what the bot sends."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        # Re-entrant: a wait's ``where`` runs under it and may read the calls itself.
        self._lock = threading.RLock()
        # Notified (under _lock) whenever a call is recorded: what wait_for sleeps on.
        self._recorded = threading.Condition(self._lock)
        self._watched: Watched | None = None
        # Hung calls not yet let go, with the socket their caller waits on.
        self._holding: list[tuple[Call, socket.socket | None, threading.Event]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Start serving in a background thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                """Record the request and answer it like Slack would."""
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = fake._handle(
                    self.path,
                    body,
                    self.headers.get("Content-Type") or "",
                    dict(self.headers),
                    self.connection,
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                """Answer a GET like a POST (Slack's API accepts both)."""
                self.do_POST()

            def log_message(self, format: str, *args: Any) -> None:
                """Stay quiet: the tests read the recorded calls instead."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A client that gave up on a hung call closes its socket: not worth a traceback.
        self._server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fakeslack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        """Start serving for the ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop serving at the end of the ``with`` block."""
        self.stop()

    @property
    def port(self) -> int:
        """The port the fake listens on."""
        assert self._server is not None, "FakeSlack is not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The Web API base URL for ``SLACK_API_URL``."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    def response_url(self, token: str) -> str:
        """A response URL for one request; posts to it are recorded as ``response_url``."""
        return f"http://127.0.0.1:{self.port}{RESPONSE_PREFIX}{token}"

    # --------------------------------------------------------------- reading

    def calls(self, method: str | None = None) -> list[Call]:
        """Every recorded call of ``method`` (all calls when None), oldest first."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def responses(self, token: str) -> list[dict[str, Any]]:
        """The JSON bodies posted to the response URL with this token, oldest first."""
        path = RESPONSE_PREFIX + token
        return [c.params for c in self.calls(RESPONSE_URL) if c.path == path]

    def watch(self, process: Watched | None) -> None:
        """Make ``process`` the default one :meth:`wait_for` gives up on when it ends."""
        self._watched = process

    def unwatch(self, process: Watched) -> None:
        """Stop watching ``process`` (stopped on purpose), if it is the watched one."""
        if self._watched is process:
            self._watched = None

    def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        timeout: float = WAIT_LIMIT,
        where: Callable[[Call], bool] | None = None,
        process: Watched | None = None,
    ) -> list[Call]:
        """Wait until at least ``count`` calls of ``method`` (matching ``where``) arrived.

        Fails at once, with its output, if ``process`` (or the watched one) ends
        first; ``timeout`` is only a safety net against a hung test.
        """
        process = process or self._watched
        deadline = time.monotonic() + timeout
        with self._recorded:
            while True:
                found = [
                    c for c in self._calls if c.method == method and (where is None or where(c))
                ]
                if len(found) >= count:
                    return found
                # Looked at only after the calls: a process may make its call, then exit.
                ended = process.poll() if process is not None else None
                left = deadline - time.monotonic()
                if ended is not None or left <= 0:
                    break
                self._recorded.wait(min(left, POLL_EVERY) if process is not None else left)
            seen = [c.method for c in self._calls]
        wanted = f"{count} {method} call(s){' (matching)' if where else ''}"
        why = (
            f"the process under test exited with {ended}"
            if ended is not None
            else f"{timeout:.0f}s passed (the safety net)"
        )
        raise AssertionError(
            f"waited for {wanted}, got {len(found)}: {why}.\n"
            f"Calls recorded: {seen}\n{_output_of(process)}"
        )

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages posted in a conversation (a user id means their DM), oldest first."""
        with self._lock:
            return list(self._messages.get(_conversation(channel), []))

    def reset(self) -> None:
        """Forget recorded calls, messages and planned failures."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._messages.clear()

    # -------------------------------------------------------------- failing

    def fail(
        self,
        method: str,
        error: str = "user_not_found",
        times: int = 1,
        *,
        when: Mapping[str, Any] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (matching ``when``) with ok:false."""
        with self._lock:
            self._failures.setdefault(method, []).append(
                _Failure(error=error, times=times, when=dict(when or {}))
            )

    def fail_http(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
        *,
        when: Mapping[str, Any] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an HTTP error (429, 500, 503)."""
        with self._lock:
            self._failures.setdefault(method, []).append(
                _Failure(
                    error="ratelimited" if status == 429 else f"http_{status}",
                    status=status,
                    retry_after=retry_after if status == 429 else None,
                    times=times,
                    when=dict(when or {}),
                )
            )

    def hang(
        self,
        method: str = "chat.postMessage",
        *,
        accept: bool = True,
        times: int = 1,
        when: Mapping[str, Any] | None = None,
    ) -> None:
        """Never answer the next ``times`` matching calls (until :meth:`release`).

        With ``accept`` the message is kept as if Slack took it before the
        connection died; without, it is lost, as if the request never arrived.
        """
        with self._lock:
            self._failures.setdefault(method, []).append(
                _Failure(error="hang", times=times, when=dict(when or {}), hang=True, accept=accept)
            )

    def held(self, method: str | None = None) -> list[Call]:
        """Hung calls (of ``method``) still held, whose caller is still waiting for the answer.

        A caller that gave up (its timeout) has closed its connection: its call
        is not listed. So an answer that came while its call is listed here did
        not wait on Slack.
        """
        with self._lock:
            holding = list(self._holding)
        return [
            call
            for call, sock, _ in holding
            if (method is None or call.method == method) and sock is not None and _connected(sock)
        ]

    def release(self) -> None:
        """Let hung calls finish (their callers have usually been killed by then)."""
        with self._lock:
            for failures in self._failures.values():
                for failure in failures:
                    failure.released.set()
            for _, _, released in self._holding:
                released.set()

    # ------------------------------------------------------------- handling

    def _take_failure(self, method: str, params: Mapping[str, Any]) -> _Failure | None:
        """The first planned failure for this call, used up by one."""
        for failure in self._failures.get(method, []):
            if failure.matches(params):
                failure.times -= 1
                return failure
        return None

    def _handle(
        self,
        path: str,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str],
        connection: socket.socket | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Record one request and build its (status, headers, body)."""
        path = path.split("?", 1)[0]
        try:
            params = parse_body(body, content_type)
        except ValueError:
            params = {"_raw": body.decode("utf-8", "replace")}
        auth = headers.get("Authorization", "")
        if path.startswith(RESPONSE_PREFIX):
            method = RESPONSE_URL
        elif path.startswith(API_PREFIX):
            method = path[len(API_PREFIX) :]
        else:
            with self._lock:
                self._record(Call("unknown", params, time.time(), path, auth))
            return 404, {"Content-Type": "text/plain"}, b"not found"
        with self._lock:
            failure = self._take_failure(method, params)
            if failure is not None and failure.hang and failure.accept:
                # Kept before the call is recorded: whoever saw the call sees the message.
                self._keep_locked(method, params)
            call = Call(method, params, time.time(), path, auth, failure.error if failure else "")
            if failure is not None and failure.hang:
                held = (call, connection, failure.released)
                self._holding.append(held)
            self._record(call)
        if failure is not None and failure.hang:
            # Held until release() (or stop()), or the safety net should a test forget.
            failure.released.wait(timeout=WAIT_LIMIT)
            with self._lock:
                self._holding.remove(held)
            return 503, {"Content-Type": "text/plain"}, b"hung"
        if failure is not None and failure.status != 200:
            out: dict[str, str] = {"Content-Type": "application/json; charset=utf-8"}
            if failure.retry_after is not None:
                out["Retry-After"] = str(failure.retry_after)
            data = json.dumps({"ok": False, "error": failure.error}).encode()
            return failure.status, out, data
        if method == RESPONSE_URL:
            if failure is not None:
                return 404, {"Content-Type": "text/plain"}, failure.error.encode()
            return 200, {"Content-Type": "text/plain"}, b"ok"
        if failure is not None:
            answer: dict[str, Any] = {"ok": False, "error": failure.error}
        elif method == "conversations.history":
            answer = self._history(params)
        else:
            answer = default_response(method, params)
            if method == "chat.postMessage":
                self._keep(method, params, answer["ts"])
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(answer).encode()

    def _record(self, call: Call) -> None:
        """Record a call and wake the waits (``_lock`` held)."""
        self._calls.append(call)
        self._recorded.notify_all()

    def _keep(self, method: str, params: Mapping[str, Any], ts: str | None = None) -> None:
        """Store a posted message in its conversation."""
        with self._lock:
            self._keep_locked(method, params, ts)

    def _keep_locked(self, method: str, params: Mapping[str, Any], ts: str | None = None) -> None:
        """Store a posted message in its conversation (``_lock`` held)."""
        if method != "chat.postMessage":
            return
        item = {
            "ts": ts or f"{time.time():.6f}",
            "text": params.get("text", ""),
            "blocks": params.get("blocks"),
            "thread_ts": params.get("thread_ts"),
            "metadata": params.get("metadata"),
        }
        self._messages.setdefault(_conversation(str(params.get("channel", ""))), []).append(item)

    def _history(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``conversations.history``: top-level messages, newest first, metadata on request."""
        with_meta = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = int(params.get("limit") or 100)
        with self._lock:
            found = [
                m
                for m in self._messages.get(str(params.get("channel", "")), [])
                if not m["thread_ts"]
            ]
        newest = [
            {k: v for k, v in m.items() if with_meta or k != "metadata"} for m in reversed(found)
        ]
        return {"ok": True, "messages": newest[:limit], "has_more": len(newest) > limit}


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
