"""A tiny loopback HTTP proxy for tests: forwards plain requests and tunnels CONNECT.

It records every request's target (``host:port`` and path, or ``CONNECT
host:port``), so a test can prove that the bot's Slack traffic went through it
(``HTTPS_PROXY``) or around it (``NO_PROXY``).
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from typing import Self
from urllib.parse import urlsplit

from tests.service import Service


def _pipe(source: socket.socket, target: socket.socket) -> None:
    """Copy bytes one way until either side closes."""
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


class Proxy(Service):
    """An HTTP forward proxy with CONNECT, on 127.0.0.1; :attr:`seen` lists what it carried."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        """The proxy's URL, for ``HTTPS_PROXY`` / ``HTTP_PROXY``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def carried(self, fragment: str) -> list[str]:
        """The recorded targets containing ``fragment``."""
        with self._lock:
            return [s for s in self.seen if fragment in s]

    def _handle(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                return
            head += chunk
        head, _, rest = head.partition(b"\r\n\r\n")
        request_line, _, headers = head.decode("latin-1").partition("\r\n")
        method, target, version = request_line.split(" ", 2)
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            with self._lock:
                self.seen.append(f"CONNECT {target}")
            upstream = socket.create_connection((host, int(port)), timeout=30)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            first = rest
        else:  # an absolute URL: pass it on in origin form
            parts = urlsplit(target)
            with self._lock:
                self.seen.append(f"{parts.netloc}{parts.path}")
            upstream = socket.create_connection((parts.hostname, parts.port or 80), timeout=30)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            first = f"{method} {path} {version}\r\n{headers}\r\n\r\n".encode("latin-1") + rest
        with upstream:
            if first:
                upstream.sendall(first)
            back = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
            back.start()
            _pipe(client, upstream)
            back.join(timeout=30)

    def start(self) -> Self:
        """Serve in a background thread."""
        threading.Thread(target=self._server.serve_forever, name="proxy", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
