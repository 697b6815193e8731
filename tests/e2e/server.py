"""The real ``csp-bot serve`` in a subprocess: started, watched, stopped."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Self

from slack_sdk.signature import SignatureVerifier

from tests.e2e.wire import ANSWER_TIMEOUT, BOT_TOKEN, SIGNING_SECRET, SignedRequests
from tests.fakeslack import WAIT_LIMIT, FakeSlack
from tests.service import Service

REPO = Path(__file__).resolve().parents[2]
# A safety net only (seconds): the start follows /healthz and the process; only a hung
# test reaches it, never a busy machine.
START_TIMEOUT = 180.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server(SignedRequests, Service):
    """The real ``csp-bot serve`` in a subprocess, talking to a FakeSlack."""

    def __init__(
        self,
        database_url: str,
        fake: FakeSlack,
        *,
        secret: str = SIGNING_SECRET,
        workers: int = 1,
        threads: int = 4,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.env = dict(env or {})  # set last: e.g. SLACK_APP_TOKEN, HTTPS_PROXY
        self.fake = fake
        self.secret = secret
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.verifier = SignatureVerifier(secret)
        self.timings: list[tuple[str, float]] = []
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # ------------------------------------------------------------- lifecycle

    def argv(self) -> list[str]:
        """The command line that runs the server: ``csp-bot serve`` on our database."""
        return [
            sys.executable,
            "-m",
            "bot.cli",
            "--database-url",
            self.database_url,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]

    def start(self) -> Self:
        """Start the server and wait until /healthz answers 200."""
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": self.secret,
            "SLACK_API_URL": self.fake.base_url,
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("DATABASE_URL", "SLACK_APP_TOKEN"):
            env.pop(name, None)
        env.update(self.env)
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        command = self.argv()
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.fake.watch(self)  # a wait on the fake gives up at once if the server dies
        name = "the server (" + " ".join(command[1:]) + ")"
        # Until /healthz answers 200 or the server exits; the deadline is a safety net.
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {self.process.returncode}:\n{self.output()}"
                )
            # Waits for a worker to answer (a refused connection returns at once).
            if self.health(timeout=max(0.1, deadline - time.monotonic())) == 200:
                return self
            time.sleep(0.1)  # nothing listens yet: look again shortly
        output = self.output()
        self.stop()
        raise RuntimeError(
            f"{name} did not answer /healthz within the {START_TIMEOUT:.0f}s safety net:\n{output}"
        )

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL to its process group if it lingers."""
        self.fake.unwatch(self)  # stopped on purpose: later waits are not about it
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()  # SIGKILL cannot be refused
        if self._log is not None:
            self._log.close()
            self._log = None

    def output(self) -> str:
        """What the server has written to stdout and stderr so far."""
        if self._log is None:
            return ""
        # The server writes through the same open file (same offset): seeking it
        # here would make a line written meanwhile land over the file's start.
        # pread reads at an offset without moving the shared one.
        fd = self._log.fileno()
        data = os.pread(fd, os.fstat(fd).st_size, 0)
        return data.decode("utf-8", "replace")

    def wait_logged(self, text: str, since: int = 0) -> str:
        """The output after offset ``since`` once it holds ``text``; fails if the server ends first."""
        deadline = time.monotonic() + WAIT_LIMIT  # a safety net: the line is the event
        while True:
            new = self.output()[since:]
            if text in new:
                return new
            ended = self.poll()
            if ended is not None or time.monotonic() > deadline:
                why = f"the server exited with {ended}" if ended is not None else "the safety net"
                raise AssertionError(f"{text!r} never logged ({why}):\n{new[-4000:]}")
            time.sleep(0.05)  # the log is a file: look again shortly

    def poll(self) -> int | None:
        """The server's exit status, or None while it runs (-1 once stopped)."""
        return self.process.poll() if self.process is not None else -1

    def health(self, timeout: float = ANSWER_TIMEOUT) -> int:
        """The status of GET /healthz (0 when nothing answers)."""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                conn.request("GET", "/healthz")
                return conn.getresponse().status
            finally:
                conn.close()
        except OSError:
            return 0
