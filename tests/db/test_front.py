"""The front door in-process: what reaches Bolt, and what every other request gets.

Bolt is replaced by a recorder, so each test says exactly whether a request
would have run. The ledger is real, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.front import ALREADY, MAX_BODY, FrontDoor
from storage.models import SeenRequest
from storage.seen import WINDOW, Ledger

SECRET = "front-secret"
NESTED = "[" * 1000 + "]" * 1000


class Recorder:
    """Bolt's stand-in: records what it was given and answers as told."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.status = "200 OK"
        self.raises = False

    def __call__(self, environ: Any, start_response: Any) -> Iterable[bytes]:
        """Record the body; answer ``status`` (or raise)."""
        self.bodies.append(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        if self.raises:
            raise KeyError("actions")
        start_response(self.status, [("Content-Type", "application/json")])
        return [b'{"text": "ok"}']


def health(start_response: Any) -> Iterable[bytes]:
    """A health check that always answers."""
    start_response("200 OK", [])
    return [b"{}"]


@pytest.fixture
def door(factory: sessionmaker[Session]) -> FrontDoor:
    """A front door before a recorder, with a real ledger."""
    return FrontDoor(Recorder(), SECRET, Ledger(factory), health)


def bolt(door: FrontDoor) -> Recorder:
    """The door's recorder."""
    assert isinstance(door.bolt, Recorder)
    return door.bolt


def sign(body: bytes, stamp: str, secret: str = SECRET) -> str:
    """Slack's v0 signature."""
    base = b"v0:" + stamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def call(
    door: FrontDoor,
    body: bytes,
    *,
    content_type: str = "application/x-www-form-urlencoded",
    stamp: str | None = None,
    signature: str | None = None,
    path: str = "/slack/events",
    method: str = "POST",
    length: str | None = None,
    extra: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """Run one request through the door; its status code and body."""
    stamp = stamp if stamp is not None else str(int(time.time()))
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)) if length is None else length,
        "wsgi.input": io.BytesIO(body),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp,
        "HTTP_X_SLACK_SIGNATURE": sign(body, stamp) if signature is None else signature,
        **(extra or {}),
    }
    seen: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        seen.append(status)
        return lambda _data: None

    out = b"".join(door(environ, start_response))
    return int(seen[0][:3]), out


def command(text: str = "action update A-1 rag:red", trigger: str = "t.1") -> bytes:
    """A slash command's form body."""
    return urlencode(
        {
            "command": "/csp",
            "text": text,
            "user_id": "U0LEE",
            "team_id": "T0",
            "trigger_id": trigger,
        }
    ).encode()


def interactive(payload: Any) -> bytes:
    """An interactivity body: ``payload=<json>``."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def event(event_id: str = "Ev1", inner: Any = None) -> bytes:
    """An Events API body."""
    inner = {"type": "app_home_opened", "user": "U0LEE", "tab": "home"} if inner is None else inner
    return json.dumps(
        {"type": "event_callback", "team_id": "T0", "event_id": event_id, "event": inner}
    ).encode()


# ------------------------------------------------------------------ unsigned


def test_nested_json_unsigned_is_401_not_500(door: FrontDoor) -> None:
    """1,000 nested brackets without a signature: refused before anything is parsed."""
    assert call(door, NESTED.encode(), content_type="application/json", signature="")[0] == 401
    payload = urlencode({"payload": NESTED}).encode()
    assert call(door, payload, signature="")[0] == 401
    assert bolt(door).bodies == []


@pytest.mark.parametrize("stamp", ["soon", "", "12e3", "-5", "١٢٣", "9" * 40])
def test_timestamp_that_is_not_a_number_is_401(door: FrontDoor, stamp: str) -> None:
    """``X-Slack-Request-Timestamp: soon`` with any signature gets 401."""
    assert call(door, command(), stamp=stamp, signature="v0=" + "a" * 64)[0] == 401
    assert bolt(door).bodies == []


@pytest.mark.parametrize(
    "signature", ["", "v0=", "v0=zz", "v1=" + "a" * 64, "v0=" + "A" * 64, "v0=" + "a" * 64]
)
def test_bad_signatures_are_401(door: FrontDoor, signature: str) -> None:
    """Missing, malformed or wrong signatures: 401, nothing run."""
    assert call(door, command(), signature=signature)[0] == 401
    assert bolt(door).bodies == []


def test_stale_and_future_timestamps_are_401(door: FrontDoor) -> None:
    """Signed more than five minutes off either way: 401."""
    for offset in (-301, 301):
        assert call(door, command(), stamp=str(int(time.time()) + offset))[0] == 401
    assert bolt(door).bodies == []


def test_bodies_that_cannot_be_read(door: FrontDoor) -> None:
    """A bad or huge Content-Length is 400 or 413, before any HMAC is computed."""
    assert call(door, command(), length="abc")[0] == 400
    assert call(door, b"x", length=str(MAX_BODY + 1))[0] == 413
    assert bolt(door).bodies == []


def test_paths_and_methods(door: FrontDoor) -> None:
    """Health answers; unknown paths are 404; the wrong method is 405; never a 5xx."""
    assert call(door, b"", path="/healthz", method="GET")[0] == 200
    assert call(door, b"", path="/nowhere", method="GET")[0] == 404
    assert call(door, b"", path="/slack/events", method="GET")[0] == 405
    assert call(door, b"", path="/healthz", method="POST")[0] == 405
    assert call(door, b"", path="/slack/install", method="GET")[0] == 404  # no OAuth here


# ------------------------------------------------------------------- signed


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (NESTED.encode(), "application/json"),
        (urlencode({"payload": NESTED}).encode(), "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00not utf-8", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"text"', "application/json"),
        (event(inner="home"), "application/json"),
        (event(inner=["app_home_opened"]), "application/json"),
        (event(inner={"user": "U0LEE"}), "application/json"),
        (
            json.dumps({"type": "event_callback", "event": {"type": "x"}}).encode(),
            "application/json",
        ),
        (interactive({"type": "block_actions", "user": {"id": "U0LEE"}, "actions": []}), ""),
        (interactive({"type": "block_actions", "user": {"id": "U0LEE"}, "actions": [1]}), ""),
        (interactive({"type": "block_actions", "user": {"id": "U0LEE"}, "actions": {}}), ""),
        (interactive({"type": "block_actions", "user": "U0LEE", "actions": [{}]}), ""),
        (
            interactive(
                {"type": "block_actions", "user": {"id": 7}, "actions": [{"action_id": "a"}]}
            ),
            "",
        ),
        (
            interactive(
                {"type": "view_submission", "user": {"id": "U0LEE"}, "view": {"callback_id": 5}}
            ),
            "",
        ),
        (interactive({"type": "view_submission", "user": {"id": "U0LEE"}, "view": []}), ""),
        (
            interactive(
                {
                    "type": "view_submission",
                    "user": {"id": "U0"},
                    "view": {"callback_id": "a", "state": {"values": []}},
                }
            ),
            "",
        ),
        (
            interactive(
                {
                    "type": "block_actions",
                    "team": 5,
                    "user": {"id": "U0"},
                    "actions": [{"action_id": "a"}],
                }
            ),
            "",
        ),
        (interactive({"type": "shortcut", "callback_id": "x"}), ""),
        (interactive({"type": ["block_actions"]}), ""),
        (urlencode({"command": "/csp", "text": "action list"}).encode(), ""),
        (urlencode({"text": "no command"}).encode(), ""),
    ],
)
def test_signed_body_of_the_wrong_shape_is_200_and_not_run(
    door: FrontDoor, body: bytes, content_type: str
) -> None:
    """Slack-signed, but not what Slack sends: acknowledged, and Bolt never sees it."""
    status, _ = call(door, body, content_type=content_type or "application/x-www-form-urlencoded")
    assert status == 200
    assert bolt(door).bodies == []


def test_url_verification_and_ssl_check(door: FrontDoor) -> None:
    """Slack's two handshakes are answered here."""
    challenge = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
    assert call(door, challenge, content_type="application/json") == (200, b'{"challenge": "abc"}')
    assert call(door, urlencode({"ssl_check": "1", "token": "t"}).encode())[0] == 200
    assert bolt(door).bodies == []


def test_a_well_shaped_request_reaches_bolt_with_its_bytes(door: FrontDoor) -> None:
    """What passes goes to Bolt byte for byte."""
    body = command()
    assert call(door, body) == (200, b'{"text": "ok"}')
    assert bolt(door).bodies == [body]


def test_bolt_failing_is_200_for_a_signed_request(door: FrontDoor) -> None:
    """A 5xx from Bolt, or an exception out of it, is never passed on."""
    bolt(door).status = "500 Internal Server Error"
    assert call(door, command(trigger="t.a")) == (200, b"")
    bolt(door).raises = True
    assert call(door, command(trigger="t.b")) == (200, b"")


# -------------------------------------------------------------- redelivery


def test_the_same_command_twice_runs_once(door: FrontDoor) -> None:
    """A byte-identical redelivery (a retry) is acknowledged, not run, and says so."""
    body, stamp = command(), str(int(time.time()))
    retry = {"HTTP_X_SLACK_RETRY_NUM": "1", "HTTP_X_SLACK_RETRY_REASON": "http_timeout"}
    assert call(door, body, stamp=stamp)[0] == 200
    status, out = call(door, body, stamp=stamp, extra=retry)
    assert status == 200 and json.loads(out) == ALREADY
    assert bolt(door).bodies == [body]


def test_an_event_redelivered_with_a_new_signature_runs_once(door: FrontDoor) -> None:
    """Slack's retry of an event is signed anew; its event_id is the same."""
    body = event("EvSAME")
    assert call(door, body, content_type="application/json")[0] == 200
    later = str(int(time.time()) + 1)
    retry = {"HTTP_X_SLACK_RETRY_NUM": "2", "HTTP_X_SLACK_RETRY_REASON": "http_timeout"}
    assert call(door, body, content_type="application/json", stamp=later, extra=retry) == (200, b"")
    assert len(bolt(door).bodies) == 1
    assert call(door, event("EvOTHER"), content_type="application/json")[0] == 200
    assert len(bolt(door).bodies) == 2


def test_two_commands_alike_but_for_their_trigger_both_run(door: FrontDoor) -> None:
    """Typing the same line twice is two requests (Slack gives each its own trigger)."""
    stamp = str(int(time.time()))
    call(door, command(trigger="t.1"), stamp=stamp)
    call(door, command(trigger="t.2"), stamp=stamp)
    assert len(bolt(door).bodies) == 2


def test_workers_racing_on_one_redelivery_run_it_once(factory: sessionmaker[Session]) -> None:
    """Eight threads (as eight web workers) claim one key: exactly one wins."""
    ledgers = [Ledger(factory) for _ in range(8)]
    start = threading.Barrier(len(ledgers))
    wins: list[bool] = []

    def claim(ledger: Ledger) -> None:
        start.wait()
        wins.append(ledger.first_time("k" * 64))

    threads = [threading.Thread(target=claim, args=(ledger,)) for ledger in ledgers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]


def test_old_keys_are_cleaned_up(factory: sessionmaker[Session]) -> None:
    """Keys older than the window go; a key seen again after it counts as new."""
    ledger = Ledger(factory)
    old = dt.datetime.now(dt.UTC) - WINDOW - dt.timedelta(minutes=1)
    assert ledger.first_time("a" * 64, now=old)
    assert ledger.first_time("b" * 64)
    ledger.purge()
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(SeenRequest)) == 1
    assert ledger.first_time("a" * 64)


def test_a_ledger_that_cannot_answer_lets_the_request_run(door: FrontDoor) -> None:
    """The database down: the command runs (and apologises itself), never a 400 here."""

    def broken(key: str, now: dt.datetime | None = None) -> bool:
        raise OSError("database gone")

    door.ledger.first_time = broken  # type: ignore[method-assign]
    assert call(door, command())[0] == 200
    assert len(bolt(door).bodies) == 1


def test_an_empty_secret_is_refused() -> None:
    """A door with no secret would let anyone sign: it will not be built."""
    with pytest.raises(ValueError, match="signing secret"):
        FrontDoor(Recorder(), "", Ledger(sessionmaker()), health)
