"""Failures planned for the fake Slack: ok:false errors, HTTP statuses, calls left hanging."""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from typing import Any

from tests.fakeslack.wire import Call, _connected, _Failure


class Failures:
    """The part of :class:`tests.fakeslack.FakeSlack` that makes calls fail or hang."""

    _lock: threading.RLock
    _failures: dict[str, list[_Failure]]
    # Hung calls not yet let go, with the socket their caller waits on.
    _holding: list[tuple[Call, socket.socket | None, threading.Event]]

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
