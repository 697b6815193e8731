"""A loopback fake of Slack's Socket Mode WebSocket end, standard library only.

Slack's protocol, as slack-sdk's built-in client speaks it: the app calls
``apps.connections.open`` (on :class:`tests.fakeslack.FakeSlack`, answered with
:meth:`SocketModeServer.url`) and opens that ``ws://`` URL; the server says
``hello``, then sends envelopes ``{envelope_id, type, payload,
accepts_response_payload}`` (``slash_commands``, ``interactive``,
``events_api``) and the app acknowledges each with ``{envelope_id, payload?}``.
Slack asks for a reconnect with a ``disconnect`` message, or closes the
WebSocket. Frames from the client are masked (RFC 6455); ours are not. With a
TLS context it serves ``wss://``, as Slack does (slack-sdk's client always
speaks TLS through a proxy).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import ssl
import struct
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Self

from tests.fakeslack import POLL_EVERY, WAIT_LIMIT, Watched
from tests.service import Service

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def frame(opcode: int, data: bytes) -> bytes:
    """One unmasked, final frame from the server."""
    size = len(data)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return head + data


class _Connection:
    """One accepted WebSocket: its socket and the thread reading the client's frames."""

    def __init__(self, server: SocketModeServer, sock: socket.socket) -> None:
        self.server = server
        self.sock: socket.socket = sock
        self.path = ""
        self.open = False
        self._send_lock = threading.Lock()
        self._buffer = b""

    def send(self, opcode: int, data: bytes) -> None:
        with self._send_lock:
            self.sock.sendall(frame(opcode, data))

    def send_json(self, message: dict[str, Any]) -> None:
        self.send(TEXT, json.dumps(message).encode())

    def close(self) -> None:
        self.open = False
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def _read(self, count: int) -> bytes:
        while len(self._buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("client went away")
            self._buffer += chunk
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def _handshake(self) -> bool:
        while b"\r\n\r\n" not in self._buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                return False
            self._buffer += chunk
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.path = lines[0].split(" ")[1]
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
        }
        accept = base64.b64encode(
            hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest()
        ).decode()
        self.sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        return True

    def run(self) -> None:
        """Handshake, say hello, then read frames until the connection ends."""
        try:
            if self.server.tls is not None:  # wss: TLS first, as Slack's own end
                self.sock = self.server.tls.wrap_socket(self.sock, server_side=True)
            if not self._handshake():
                return
            self.open = True
            self.send_json(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": "A0CSP"},
                }
            )
            self.server._connected(self)
            while True:
                first, second = self._read(2)
                opcode, size = first & 0x0F, second & 0x7F
                if size == 126:
                    (size,) = struct.unpack("!H", self._read(2))
                elif size == 127:
                    (size,) = struct.unpack("!Q", self._read(8))
                mask = self._read(4) if second & 0x80 else b"\0\0\0\0"
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read(size)))
                if opcode == TEXT:
                    self.server._received(json.loads(data))
                elif opcode == PING:
                    self.send(PONG, data)
                elif opcode == CLOSE:
                    with contextlib.suppress(OSError):
                        self.send(CLOSE, data[:2])
                    return
        except (OSError, ValueError):  # ssl.SSLError and ConnectionError are OSErrors
            return
        finally:
            self.close()


class SocketModeServer(Service):
    """Socket Mode's WebSocket end on 127.0.0.1: sends envelopes, records acks."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls  # a server context: wss:// URLs instead of ws://
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._cond = threading.Condition()
        self._connections: list[_Connection] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._thread: threading.Thread | None = None
        self.issued: list[str] = []

    # ------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Accept connections in a background thread."""
        self._thread = threading.Thread(target=self._accept, name="fakesocket", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listener and every connection."""
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._cond:
            connections = list(self._connections)
        for connection in connections:
            connection.close()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            connection = _Connection(self, sock)
            threading.Thread(target=connection.run, name="fakesocket-conn", daemon=True).start()

    # --------------------------------------------------------------- the app

    def url(self, _params: object = None) -> str:
        """A new WebSocket URL, as ``apps.connections.open`` issues one per connection."""
        ticket = uuid.uuid4().hex
        self.issued.append(ticket)
        scheme = "wss" if self.tls else "ws"
        return f"{scheme}://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id=A0CSP"

    def connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """The fake Web API's answer to ``apps.connections.open``."""
        return {"ok": True, "url": self.url(params)}

    def _connected(self, connection: _Connection) -> None:
        with self._cond:
            self._connections.append(connection)
            self._cond.notify_all()

    def _received(self, message: dict[str, Any]) -> None:
        with self._cond:
            if "envelope_id" in message:
                self._acks[str(message["envelope_id"])] = message
            self._cond.notify_all()

    def _wait(self, done: Callable[[], bool], process: Watched | None) -> None:
        """Wait (holding the condition) until ``done()``, or ``process`` ends."""
        deadline = time.monotonic() + WAIT_LIMIT  # a safety net: the message is the event
        while not done():
            if process is not None and process.poll() is not None:
                return
            if time.monotonic() > deadline:
                return
            self._cond.wait(POLL_EVERY)  # woken by each message; looks at the process

    def wait_connections(self, count: int, process: Watched | None = None) -> int:
        """Wait until ``count`` connections have been greeted in all (or ``process`` ends)."""
        with self._cond:
            self._wait(lambda: len(self._connections) >= count, process)
            return len(self._connections)

    @property
    def current(self) -> _Connection:
        """The newest connection still open."""
        with self._cond:
            live = [c for c in self._connections if c.open]
        assert live, "no Socket Mode connection is open"
        return live[-1]

    def send(
        self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = False
    ) -> str:
        """Send one envelope on the newest connection; its envelope id."""
        envelope_id = str(uuid.uuid4())
        self.current.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": accepts_response_payload,
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return envelope_id

    def wait_ack(self, envelope_id: str, process: Watched | None = None) -> dict[str, Any] | None:
        """The app's acknowledgement of an envelope (None if ``process`` ended first)."""
        with self._cond:
            self._wait(lambda: envelope_id in self._acks, process)
            return self._acks.get(envelope_id)

    def request(
        self, kind: str, payload: dict[str, Any], process: Watched | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Send an envelope and return its ack, timing it."""
        started = time.monotonic()
        ack = self.wait_ack(self.send(kind, payload, **kwargs), process)
        assert ack is not None, f"no ack for {kind} (the process ended, or the safety net)"
        ack["_seconds"] = time.monotonic() - started
        return ack

    def refresh(self) -> None:
        """Ask the app to reconnect, as Slack does before retiring a connection."""
        self.current.send_json(
            {"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}}
        )

    def close_current(self) -> None:
        """Close the newest connection with a WebSocket close frame, then drop it."""
        connection = self.current
        with contextlib.suppress(OSError):
            connection.send(CLOSE, struct.pack("!H", 1001) + b"going away")
        connection.close()
