"""The fake Slack itself: a threaded HTTP server on 127.0.0.1 that records and answers."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from tests.fakeslack.failures import Failures
from tests.fakeslack.files import FILE_PREFIX, UPLOAD_PREFIX, Files
from tests.fakeslack.wire import (
    API_PREFIX,
    POLL_EVERY,
    RESPONSE_PREFIX,
    RESPONSE_URL,
    WAIT_LIMIT,
    Call,
    Watched,
    _conversation,
    _Failure,
    _output_of,
    default_response,
    parse_body,
)
from tests.service import Service


class FakeSlack(Failures, Files, Service):
    """Slack's Web API and response URLs on a loopback port; records what the bot sends."""

    def __init__(self, port: int = 0) -> None:
        # A given port lets a test point the bot at Slack before Slack is up.
        self._port = port
        self._answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        self._calls: list[Call] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        # Re-entrant: a wait's ``where`` runs under it and may read the calls itself.
        self._lock = threading.RLock()
        # Notified (under _lock) whenever a call is recorded: what wait_for sleeps on.
        self._recorded = threading.Condition(self._lock)
        self._watched: Watched | None = None
        # Hung calls not yet let go, with the socket their caller waits on.
        self._holding: list[tuple[Call, socket.socket | None, threading.Event]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._files_init()

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

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._port = int(self._server.server_address[1])  # kept after stop()
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
        self._released.set()  # slow downloads
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def port(self) -> int:
        """The port the fake listens (or will listen, or listened) on."""
        assert self._port, "FakeSlack is not started"
        return self._port

    @property
    def base_url(self) -> str:
        """The Web API base URL for ``SLACK_API_URL``."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def _root(self) -> str:
        """``http://127.0.0.1:<port>``: where file downloads and uploads go."""
        return f"http://127.0.0.1:{self.port}"

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

    def add_user(self, email: str, user_id: str, **fields: Any) -> None:
        """A workspace member that ``users.lookupByEmail`` finds by ``email``."""
        with self._lock:
            self._users[email.lower()] = {"id": user_id, "profile": {"email": email}, **fields}

    def reset(self) -> None:
        """Forget recorded calls, messages, members and planned failures."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._messages.clear()
            self._users.clear()
        self._files_reset()

    def answer(self, method: str, build: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Answer successful calls of ``method`` with ``build(params)`` from now on."""
        with self._lock:
            self._answers[method] = build

    # ------------------------------------------------------------- handling

    def _handle(
        self,
        path: str,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str],
        connection: socket.socket | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Record one request and build its (status, headers, body)."""
        path, query = urlsplit(path).path, urlsplit(path).query
        auth = headers.get("Authorization", "")
        if path.startswith((FILE_PREFIX, UPLOAD_PREFIX)):
            return self._file_request(path, body, auth)
        try:
            params = parse_body(body, content_type)
        except ValueError:
            params = {"_raw": body.decode("utf-8", "replace")}
        params = {**dict(parse_qsl(query, keep_blank_values=True)), **params}
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
        elif method in self._answers:
            answer = self._answers[method](params)
        elif method == "users.lookupByEmail":
            answer = self._lookup(params)
        elif method == "files.info":
            answer = self._file_info(params, auth)
        elif method == "files.getUploadURLExternal":
            answer = self._upload_url(params)
        elif method == "files.completeUploadExternal":
            answer = self._complete(params)
        else:
            answer = default_response(method, params)
            if method == "chat.postMessage":
                self._keep(method, params, answer["ts"])
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(answer).encode()

    def _file_request(self, path: str, body: bytes, auth: str) -> tuple[int, dict[str, str], bytes]:
        """A file's download (recorded as ``file_download``) or an upload's bytes (``file_upload``)."""
        if path.startswith(FILE_PREFIX):
            method = "file_download"
            status, data = self._download(path, auth)
        else:
            method = "file_upload"
            status, data = self._take_bytes(path, body), b"OK"
        with self._lock:
            self._record(Call(method, {"bytes": len(body)}, time.time(), path, auth))
        kind = "application/octet-stream" if method == "file_download" else "text/plain"
        return status, {"Content-Type": kind}, data

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

    def _lookup(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``users.lookupByEmail``: a registered member, else ``users_not_found``."""
        with self._lock:
            user = self._users.get(str(params.get("email", "")).lower())
        return {"ok": True, "user": user} if user else {"ok": False, "error": "users_not_found"}
