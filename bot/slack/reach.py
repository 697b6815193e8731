"""Reaching Slack: which proxy to go through, and whether Slack answers yet.

Council networks often keep Slack out of reach for a while (a firewall rule
not yet opened, an outbound proxy not yet set), so ``serve``, ``socket`` and
``clock`` never need Slack to start. Each makes a :class:`Probe`, which tries
Slack once at start (waiting a few seconds at most), then keeps trying in a
background thread, doubling the wait up to :data:`MAX_DELAY`, until Slack
answers. It logs one line when Slack cannot be reached and one when it
answers; ``/healthz`` reports its state (see docs/decisions.md).

Proxies: every Slack client the bot makes (Web API, response URLs, Socket
Mode's WebSocket) takes its proxy from :func:`proxy_for`. slack-sdk reads
``HTTPS_PROXY``/``HTTP_PROXY`` itself but not ``NO_PROXY``, and its Socket Mode
client opens its own sockets, so the bot decides per URL instead.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
from collections.abc import Callable
from typing import Self
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.schedule.sender import TRANSIENT

log = logging.getLogger("csp_bot.reach")
QUIET = logging.getLogger("csp_bot.reach.try")
QUIET.setLevel(logging.CRITICAL)

OK = "ok"
UNREACHABLE = "unreachable"
REFUSED = "refused"
CHECKING = "checking"
# Seconds between tries: 1, 2, 4 ... doubling, never more than MAX_DELAY.
FIRST_DELAY = 1.0
MAX_DELAY = 60.0
# How long a process waits at start for the first try before going on without it
# (a gunicorn worker must finish booting; a firewall that drops packets never answers).
START_WAIT = 5.0
# One try's own timeout, and no retries inside it: the probe is the retry loop.
TRY_TIMEOUT = 5


def proxy_for(url: str) -> str | None:
    """The proxy to reach ``url`` through, or None.

    ``HTTPS_PROXY`` for https and wss URLs, ``HTTP_PROXY`` for http and ws (each
    falling back to the other, as slack-sdk does), unless ``NO_PROXY`` names the
    host (a suffix, ``host:port``, or ``*``).
    """
    parts = urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    secure = parts.scheme in ("https", "wss")
    proxy = proxies.get("https" if secure else "http") or proxies.get("http" if secure else "https")
    if not proxy:
        return None
    host = parts.netloc.rpartition("@")[2]
    if host and urllib.request.proxy_bypass(host):  # reads NO_PROXY
        return None
    return proxy


def backoff(attempt: int, first: float = FIRST_DELAY, cap: float = MAX_DELAY) -> float:
    """Seconds to wait after failed try number ``attempt`` (0-based): doubling, capped."""
    return float(min(cap, first * 2 ** min(attempt, 30)))


def classify(exc: BaseException) -> tuple[str, str]:
    """A failed try as (state, reason): unreachable (try again) or refused (a bad token)."""
    if isinstance(exc, SlackApiError):
        status = int(getattr(exc.response, "status_code", 200) or 200)
        error = str(exc.response.get("error") or "") if status == 200 else ""
        if status != 200:
            return UNREACHABLE, f"HTTP {status}"
        if error in TRANSIENT:
            return UNREACHABLE, error
        return REFUSED, error or "slack_error"
    reason = getattr(exc, "reason", None)  # URLError wraps the socket's own error
    return UNREACHABLE, type(reason if isinstance(reason, BaseException) else exc).__name__


def check_of(client: WebClient) -> Callable[[], object]:
    """One quick try of Slack: auth.test with the client's token (it proves the token too),
    or api.test when there is no token yet (OAuth mode: tokens come with installations)."""
    quick = WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=TRY_TIMEOUT,
        ssl=client.ssl,
        headers=client.headers,
        # The probe logs one line per change; slack-sdk's own would log every try.
        logger=QUIET,
        retry_handlers=[],
    )
    quick.proxy = client.proxy  # after construction: slack-sdk would re-read HTTPS_PROXY
    return quick.auth_test if quick.token else quick.api_test


class Probe:
    """Whether Slack answers, kept up to date by a background thread until it does."""

    def __init__(
        self,
        check: Callable[[], object],
        *,
        what: str = "Slack",
        token: str = "SLACK_BOT_TOKEN",
        on_ok: Callable[[], None] | None = None,
        first: float = FIRST_DELAY,
        cap: float = MAX_DELAY,
    ) -> None:
        self.check = check
        self.what = what
        self.token = token  # the setting a refusal points to
        self.on_ok = on_ok
        self.first = first
        self.cap = cap
        self.state = CHECKING
        self._tried = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def ok(self) -> bool:
        """True once Slack has answered."""
        return self.state == OK

    def start(self, wait: float = START_WAIT) -> Self:
        """Start trying in the background; wait up to ``wait`` seconds for the first try."""
        self._thread = threading.Thread(target=self._run, name="csp-slack-probe", daemon=True)
        self._thread.start()
        self._tried.wait(wait)
        return self

    def stop(self) -> None:
        """Stop trying (the thread ends at its next wake-up)."""
        self._stop.set()

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                self.check()
            except Exception as exc:  # every failure is a reason to try again later
                self._failed(*classify(exc))
            else:
                self._answered()
                return
            finally:
                self._tried.set()
            if self._stop.wait(backoff(attempt, self.first, self.cap)):
                return
            attempt += 1

    def _failed(self, state: str, reason: str) -> None:
        if state != self.state:  # one line per change, not one per try
            extra = {"event": "slack", "outcome": state, "error": reason}
            if state == REFUSED:
                log.error(
                    "%s refused the token (%s): check %s; trying again every %d s",
                    self.what,
                    reason,
                    self.token,
                    self.cap,
                    extra=extra,
                )
            else:
                log.warning(
                    "%s cannot be reached (%s); running without it and trying again in the "
                    "background (every %d s at most); see the README's "
                    "'Behind a firewall or proxy' section",
                    self.what,
                    reason,
                    self.cap,
                    extra=extra,
                )
        self.state = state

    def _answered(self) -> None:
        again = " again" if self.state in (UNREACHABLE, REFUSED) else ""
        self.state = OK
        log.info("%s is reachable%s", self.what, again, extra={"event": "slack", "outcome": OK})
        if self.on_ok is not None:
            try:
                self.on_ok()
            except Exception:  # the probe's work is done; what follows must not kill it noisily
                log.exception("after %s became reachable", self.what)
