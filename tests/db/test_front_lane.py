"""The slash command's lane (bot/slack/lane.py): past Bolt's dispatch, the same answer.

The front door hands a verified, parsed ``/csp`` body straight to the listener.
What it sends back must be what Bolt's WSGI adapter would send for the same
ack, byte for byte and header for header; the ledger and the guards in front of
it stay as they are.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.front import ALREADY, FrontDoor
from bot.slack.lane import CommandLane, Listener
from bot.slack.warm import signed_environ
from storage.seen import Ledger
from tests.db.test_front import SECRET, Recorder, bolt, call, command, health

CLIENT = WebClient(token="xoxb-lane", base_url="http://127.0.0.1:9/api/")

# What listeners acknowledge with, each a shape the app's replies take.
ACKS: dict[str, Callable[[Ack], object]] = {
    "empty": lambda ack: ack(),
    "text": lambda ack: ack("Saved: A-1 is red."),
    "ephemeral blocks": lambda ack: ack(
        text="A-1 <b> & \u00e9",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*A-1* &lt;b&gt;"}}],
        response_type="ephemeral",
    ),
    "in channel": lambda ack: ack(text="posted", response_type="in_channel"),
}


def _listener(kind: str, seen: list[dict[str, Any]]) -> Listener:
    """A listener that records its body and acknowledges as ``ACKS[kind]``."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        seen.append(body)
        ACKS[kind](ack)

    return listener


def _answer(wsgi: Callable[..., Iterable[bytes]], body: bytes) -> tuple[str, dict[str, str], bytes]:
    """What a WSGI app answers for ``body`` signed now and posted to /slack/events."""
    answer: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer.extend([status, headers])
        return lambda _data: None

    data = b"".join(wsgi(signed_environ(SECRET, body), start_response))
    return answer[0], dict(answer[1]), data


def _bolt(listener: Listener) -> SlackRequestHandler:
    """Bolt's WSGI adapter around this listener (signatures off, as in the server)."""
    app = App(
        client=CLIENT,
        # As the app's own authorize (bot/slack/app.py): the token, no call to Slack.
        authorize=lambda **_: AuthorizeResult(
            enterprise_id=None, team_id="T0", bot_token="xoxb-lane", bot_user_id="UB0", bot_id="B0"
        ),
        request_verification_enabled=False,
        token_verification_enabled=False,
        ignoring_self_events_enabled=False,
    )
    app.command("/csp")(listener)
    return SlackRequestHandler(app, path="/slack/events")


def _door(factory: sessionmaker[Session], listener: Listener) -> FrontDoor:
    """A front door whose ``/csp`` lane runs ``listener``; Bolt is a recorder."""
    return FrontDoor(
        Recorder(), SECRET, Ledger(factory), health, commands=CommandLane(listener, CLIENT)
    )


@pytest.mark.parametrize("kind", list(ACKS))
def test_the_lane_answers_as_bolt_would(factory: sessionmaker[Session], kind: str) -> None:
    """Status, headers and bytes are Bolt's own for the same ack; Bolt is not called."""
    seen: list[dict[str, Any]] = []
    door = _door(factory, _listener(kind, seen))
    status, headers, data = _answer(door, command(trigger=f"t.{kind}"))
    want_status, want_headers, want_data = _answer(_bolt(_listener(kind, [])), command())
    assert (status, data) == (want_status, want_data)
    assert {k.lower(): v for k, v in headers.items()} == {
        k.lower(): v for k, v in want_headers.items()
    }
    assert bolt(door).bodies == []
    # The listener got the body as Bolt parses a form: one string per field.
    assert seen[0]["command"] == "/csp" and seen[0]["text"] == "action update A-1 rag:red"
    assert seen[0]["trigger_id"] == f"t.{kind}"


def test_a_redelivered_command_does_not_reach_the_lane_again(
    factory: sessionmaker[Session],
) -> None:
    """The ledger stands in front of the lane as it stands in front of Bolt."""
    seen: list[dict[str, Any]] = []
    door = _door(factory, _listener("text", seen))
    body, stamp = command(trigger="t.again"), str(int(time.time()))
    assert call(door, body, stamp=stamp)[0] == 200
    status, out = call(door, body, stamp=stamp, extra={"HTTP_X_SLACK_RETRY_NUM": "1"})
    assert status == 200 and json.loads(out) == ALREADY
    assert len(seen) == 1


def test_a_failing_or_silent_listener_is_an_empty_200(factory: sessionmaker[Session]) -> None:
    """An exception out of the listener, or no ack at all, is never a 5xx."""

    def raises(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        raise KeyError("text")

    def silent(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        return None

    assert call(_door(factory, raises), command(trigger="t.raise")) == (200, b"")
    assert call(_door(factory, silent), command(trigger="t.silent")) == (200, b"")


def test_other_commands_and_unsigned_requests_do_not_take_the_lane(
    factory: sessionmaker[Session],
) -> None:
    """Only a signed ``/csp`` takes the lane; another command goes to Bolt."""
    seen: list[dict[str, Any]] = []
    door = _door(factory, _listener("text", seen))
    other = command(trigger="t.other").replace(b"%2Fcsp", b"%2Fother")
    assert call(door, other) == (200, b'{"text": "ok"}')
    assert bolt(door).bodies == [other]
    assert call(door, command(trigger="t.unsigned"), signature="v0=00")[0] == 401
    assert seen == []
