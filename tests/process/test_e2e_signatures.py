"""Slack signatures end to end: unsigned, forged, stale, replayed and tampered requests get 401."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.e2e import Stack
from tests.process.securitykit import clean, e2e, unchanged

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


def test_bad_signature_is_refused(e2e: Stack) -> None:
    """A request whose signature is wrong gets 401 and changes nothing."""
    body, _ = e2e.server.command_body("U0LEE", "action update A-1 rag:red")
    response = e2e.server.post(
        body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )
    assert response.status == 401
    unchanged(e2e)


def test_signature_with_another_secret_is_refused(e2e: Stack) -> None:
    """A request signed with a different signing secret gets 401."""
    body, _ = e2e.server.command_body("U0LEE", "action done A-1")
    stamp = str(int(time.time()))
    forged = SignatureVerifier("not-the-secret").generate_signature(timestamp=stamp, body=body)
    response = e2e.server.post(
        body, "application/x-www-form-urlencoded", timestamp=int(stamp), signature=forged
    )
    assert response.status == 401
    unchanged(e2e)


def test_missing_signature_headers_are_refused(e2e: Stack) -> None:
    """No signature at all gets 401."""
    body, _ = e2e.server.command_body("U0LEE", "action done A-1")
    response = e2e.server.post(body, "application/x-www-form-urlencoded", signature="")
    assert response.status == 401
    unchanged(e2e)


def test_stale_timestamp_is_refused(e2e: Stack) -> None:
    """A correctly signed request from more than five minutes ago gets 401."""
    body, _ = e2e.server.command_body("U0LEE", "action update A-1 rag:red")
    response = e2e.server.post(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60
    )
    assert response.status == 401
    unchanged(e2e)


def test_future_timestamp_is_refused(e2e: Stack) -> None:
    """A correctly signed request stamped more than five minutes ahead gets 401."""
    body, _ = e2e.server.command_body("U0LEE", "action update A-1 rag:red")
    response = e2e.server.post(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) + 6 * 60
    )
    assert response.status == 401
    unchanged(e2e)


def test_replay_with_new_timestamp_is_refused(e2e: Stack) -> None:
    """A captured body and signature replayed under a fresh timestamp gets 401."""
    body, _ = e2e.server.command_body("U0LEE", "action update A-1 rag:red")
    old = int(time.time()) - 10 * 60
    captured = e2e.server.sign(str(old), body)
    response = e2e.server.post(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()), signature=captured
    )
    assert response.status == 401
    unchanged(e2e)


def test_tampered_body_is_refused(e2e: Stack) -> None:
    """A valid signature over one body does not cover an edited body."""
    body, _ = e2e.server.command_body("U0MO", "action show A-1")
    stamp = int(time.time())
    signature = e2e.server.sign(str(stamp), body)
    edited = body.replace(b"U0MO", b"U0LEE").replace(b"show", b"done")
    response = e2e.server.post(
        edited, "application/x-www-form-urlencoded", timestamp=stamp, signature=signature
    )
    assert response.status == 401
    unchanged(e2e)


def test_unsigned_interactivity_and_events_are_refused(e2e: Stack) -> None:
    """Forged button presses and events are refused like forged commands."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T0RIVER"},
        "user": {"id": "U0LEE", "team_id": "T0RIVER"},
        "actions": [{"type": "button", "action_id": "action_done", "value": "A-1"}],
        "trigger_id": "t.1",
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    response = e2e.server.post(body, "application/x-www-form-urlencoded", signature="v0=00")
    assert response.status == 401
    event = json.dumps(
        {"type": "event_callback", "team_id": "T0RIVER", "event": {"type": "app_home_opened"}}
    ).encode()
    assert e2e.server.post(event, "application/json", signature="v0=00").status == 401
    unchanged(e2e)
