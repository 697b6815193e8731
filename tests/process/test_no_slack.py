"""``serve`` and ``clock`` start when Slack cannot be reached, and go through a proxy.

The real processes run against a fake Slack that is not there yet (its port
chosen, nothing listening), or that refuses the token: they must start, say so
in one log line without a traceback (``/healthz`` says ``"slack":
"unreachable"``), keep trying in the background, and notice when Slack comes
up. A loopback proxy proves that ``HTTPS_PROXY``/``HTTP_PROXY`` carry every
kind of Slack call the web process makes, and that ``NO_PROXY`` goes around it.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.slack.reach import MAX_DELAY, backoff, classify, proxy_for
from tests.e2e import PLANS, Server, button, free_port, prepare_database
from tests.fakeslack import POLL_EVERY, WAIT_LIMIT, FakeSlack, Watched
from tests.proxy import Proxy


def eventually(
    condition: Callable[[], Any], what: str, process: Watched, timeout: float = WAIT_LIMIT
) -> Any:
    """Wait until ``condition()`` is truthy and return it; fail at once if ``process`` ends.

    For states read by asking (``/healthz``); a log line is :meth:`Server.wait_logged`.
    """
    deadline = time.monotonic() + timeout  # a safety net: the state is the event
    while True:
        result = condition()
        if result:
            return result
        ended = process.poll()
        if ended is not None or time.monotonic() > deadline:
            pytest.fail(f"{what}: never came (the process ended with {ended})")
        time.sleep(POLL_EVERY)


def healthz(server: Server) -> dict[str, Any]:
    """The JSON body of GET /healthz."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("GET", "/healthz")
        answer = conn.getresponse()
        body = json.loads(answer.read())
        assert answer.status == 200, body  # an absent Slack never fails the health check
        return dict(body)
    finally:
        conn.close()


@pytest.fixture
def plan_db(sqlite_url: str) -> str:
    """A migrated SQLite database holding the Riverside plan."""
    prepare_database(sqlite_url, [PLANS / "riverside.yaml"])
    return sqlite_url


@pytest.fixture
def later_slack() -> Iterator[FakeSlack]:
    """A fake Slack whose port is chosen but which is not listening yet."""
    fake = FakeSlack(port=free_port())
    yield fake
    fake.stop()


# ------------------------------------------------------------------- unit


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff(10_000) == MAX_DELAY


def test_a_refused_token_is_told_apart_from_an_unreachable_slack() -> None:
    from urllib.error import URLError

    from slack_sdk.errors import SlackApiError
    from slack_sdk.web import SlackResponse

    def refusal(error: str, status: int = 200) -> SlackApiError:
        response = SlackResponse(
            client=None,
            http_verb="POST",
            api_url="x",
            req_args={},
            data={"ok": False, "error": error},
            headers={},
            status_code=status,
        )
        return SlackApiError("no", response)  # type: ignore[no-untyped-call]

    assert classify(refusal("invalid_auth")) == ("refused", "invalid_auth")
    assert classify(refusal("ratelimited", 429)) == ("unreachable", "HTTP 429")
    assert classify(refusal("fatal_error")) == ("unreachable", "fatal_error")
    assert classify(URLError(ConnectionRefusedError(111, "refused"))) == (
        "unreachable",
        "ConnectionRefusedError",
    )
    assert classify(TimeoutError()) == ("unreachable", "TimeoutError")


def test_proxy_is_chosen_per_url_and_no_proxy_goes_around(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert proxy_for("https://slack.com/api/") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.council.example:8080")
    assert proxy_for("https://slack.com/api/") == "http://proxy.council.example:8080"
    assert proxy_for("wss://wss-primary.slack.com/link") == "http://proxy.council.example:8080"
    # Only HTTPS_PROXY set: plain http falls back to it, as slack-sdk does.
    assert proxy_for("http://127.0.0.1:9/api/") == "http://proxy.council.example:8080"
    monkeypatch.setenv("HTTP_PROXY", "http://plain.council.example:3128")
    assert proxy_for("http://127.0.0.1:9/api/") == "http://plain.council.example:3128"
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1,.internal.example")
    assert proxy_for("http://127.0.0.1:9/api/") is None
    assert proxy_for("https://hooks.internal.example/x") is None
    assert proxy_for("https://hooks.slack.com/x") == "http://proxy.council.example:8080"


# --------------------------------------------------------------- processes


def test_serve_starts_without_slack_and_notices_when_it_answers(
    plan_db: str, later_slack: FakeSlack
) -> None:
    with Server(plan_db, later_slack) as server:
        assert healthz(server) == {"ok": True, "database": "ok", "slack": "unreachable"}
        out = server.output()
        assert "Slack cannot be reached (ConnectionRefusedError)" in out, out
        assert "Traceback" not in out and "Worker failed to boot" not in out, out
        # A command answered in the ack needs no call to Slack, so it works meanwhile.
        early = server.command("U0LEE", "action show A-1")
        assert early.status == 200 and "A-1" in json.dumps(early.json)
        assert "Traceback" not in server.output()
        later_slack.start()
        eventually(lambda: healthz(server)["slack"] == "ok", "/healthz saying slack: ok", server)
        server.wait_logged("Slack is reachable again")
        [check] = later_slack.calls("auth.test")
        assert check.authorization == "Bearer xoxb-test-token"
        # ...and it serves Slack as usual.
        ack = server.command("U0LEE", "action show A-1")
        assert ack.status == 200 and "A-1" in json.dumps(ack.json)
        out = server.output()
    assert out.count("Slack cannot be reached") == 1, out  # one line, not one per try
    assert "Traceback" not in out, out


def test_serve_with_a_token_slack_refuses_still_answers_healthz(plan_db: str) -> None:
    with FakeSlack() as fake:
        fake.fail("auth.test", "invalid_auth", times=1000)
        with Server(plan_db, fake) as server:
            assert healthz(server)["slack"] == "refused"
            out = server.output()
    assert "Slack refused the token (invalid_auth): check SLACK_BOT_TOKEN" in out, out
    assert "xoxb-test-token" not in out and "Traceback" not in out, out


def test_clock_starts_without_slack_and_sweeps_once_it_answers(
    plan_db: str, later_slack: FakeSlack
) -> None:
    class Clock(Server):
        def argv(self) -> list[str]:
            return [*super().argv()[:5], "clock"]

        def health(self, timeout: float = 0) -> int:  # no port: started once it says so
            return 200 if "Clock started" in self.output() else 0

    with Clock(plan_db, later_slack) as clock:
        clock.wait_logged("Slack cannot be reached")
        assert "sweep at" not in clock.output()  # nothing is swept (or claimed) meanwhile
        later_slack.start()
        since = len(clock.output())
        clock.wait_logged("Slack is reachable again", since)
        # Slack's return wakes the scheduler: a sweep now, not in up to five minutes.
        clock.wait_logged("sweep at", since)
        assert clock.process is not None and clock.process.poll() is None
        out = clock.output()
    assert out.count("Slack cannot be reached") == 1, out
    assert "Traceback" not in out, out


@pytest.mark.parametrize("bypass", [False, True], ids=["through-proxy", "no-proxy"])
def test_serve_reaches_slack_through_the_proxy_unless_no_proxy_says(
    plan_db: str, bypass: bool
) -> None:
    with FakeSlack() as fake, Proxy() as proxy:
        env = {"HTTPS_PROXY": proxy.url, "HTTP_PROXY": proxy.url, "NO_PROXY": ""}
        if bypass:
            env["NO_PROXY"] = "localhost,127.0.0.1"
        with Server(plan_db, fake, env=env) as server:
            assert healthz(server)["slack"] == "ok"
            # A form (views.open, inside the ack) and a button's reply (response_url).
            assert server.command("U0LEE", "action update A-1").status == 200
            pressed = server.block_action("U0LEE", button("action_done", "A-4"))
            assert pressed.status == 200
            fake.wait_for("response_url")
            host = f"127.0.0.1:{fake.port}"
    assert fake.calls("auth.test") and fake.calls("views.open") and fake.calls("response_url")
    if bypass:
        assert proxy.seen == []
    else:
        for path in ("/api/auth.test", "/api/views.open", f"/response/{pressed.token}"):
            assert proxy.carried(host + path), (path, proxy.seen)


def test_the_probe_runs_in_the_background_and_wakes_its_caller() -> None:
    """In-process: a check that fails twice, then answers; on_ok runs once."""
    from bot.slack.reach import Probe

    tries: list[float] = []
    woke: list[bool] = []

    def check() -> None:
        tries.append(time.monotonic())
        if len(tries) < 3:
            raise ConnectionRefusedError(111, "refused")

    answered = threading.Event()

    def wake() -> None:
        woke.append(True)
        answered.set()

    probe = Probe(check, on_ok=wake, first=0.01, cap=0.02).start(wait=5)
    assert probe.state in ("unreachable", "ok")
    assert answered.wait(WAIT_LIMIT), "the probe never succeeded"
    assert probe.ok and len(tries) == 3 and woke == [True]
