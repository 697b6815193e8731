"""The hostile tester's findings at the HTTP layer, one test each (all failed before the fix)."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlencode

from tests.e2e import Stack, all_text, button
from tests.process.adversarykit import (
    HOSTILE,
    MARKER,
    NESTED,
    clean,
    e2e,
    log_since,
    no_5xx,
    tables,
)

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


def test_finding_1_unparseable_unsigned_bodies_are_refused_not_500(e2e: Stack) -> None:
    """Nested JSON, nested ``payload=``, a timestamp that is not a number: 401, never 500."""
    nested = e2e.server.post(NESTED.encode(), "application/json", signature="")
    form = e2e.server.post(
        urlencode({"payload": NESTED}).encode(), "application/x-www-form-urlencoded", signature=""
    )
    body, _ = e2e.server.command_body("U0LEE", "action done A-1")
    soon = e2e.server.post(
        body, "application/x-www-form-urlencoded", timestamp="soon", signature="v0=" + "a" * 64
    )
    assert (nested.status, form.status, soon.status) == (401, 401, 401)


def test_finding_2_signed_bodies_of_the_wrong_shape_are_200_and_do_nothing(e2e: Stack) -> None:
    """An event that is a string or a list, no actions, a numeric callback_id: 200, nothing."""
    before = tables(e2e)
    for inner in ("app_home_opened", ["app_home_opened"]):
        event = {"type": "event_callback", "team_id": "T0RIVER", "event_id": "Ev1", "event": inner}
        response = e2e.server.post(json.dumps(event).encode(), "application/json")
        assert response.status == 200, response.body
    no_actions = {"type": "block_actions", "user": {"id": "U0LEE", "team_id": "T0RIVER"}}
    assert e2e.server.interactive({**no_actions, "actions": []}).status == 200
    numeric = {
        "type": "view_submission",
        "user": {"id": "U0LEE", "team_id": "T0RIVER"},
        "view": {"callback_id": 7, "private_metadata": "{}", "state": {"values": {}}},
    }
    assert e2e.server.interactive(numeric).status == 200
    assert tables(e2e) == before
    assert e2e.fake.calls() == []


def test_a_signed_payload_no_listener_handles_is_200_and_does_nothing(e2e: Stack) -> None:
    """A button with an empty action_id, an unknown type: Bolt's 404 "unhandled" becomes 200."""
    before = tables(e2e)
    user = {"id": "U0LEE", "team_id": "T0RIVER"}
    empty = {"type": "block_actions", "user": user, "actions": [{"action_id": "", "value": "x"}]}
    unknown = {"type": "message_action", "user": user, "callback_id": "nothing_here"}
    for payload in (empty, unknown):
        response = e2e.server.interactive(payload)
        assert response.status == 200, (payload, response.status, response.body)
    assert tables(e2e) == before
    assert e2e.fake.calls() == []


def test_finding_4_a_redelivered_update_and_add_are_applied_once(e2e: Stack) -> None:
    """The same signed request again with X-Slack-Retry-Num: acknowledged, not run again."""
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    for text in ("action update A-1 rag:red seen twice", 'action add Seen twice owner:"Lee Lead"'):
        body, _ = e2e.server.command_body("U0CORA", text)
        stamp = int(time.time())
        first = e2e.server.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
        again = e2e.server.post(
            body, "application/x-www-form-urlencoded", timestamp=stamp, headers=retry
        )
        assert first.status == again.status == 200
        assert ":warning:" not in json.dumps(first.json), first.json
        assert "reached me twice" in all_text(again.json)
    assert [u.action.ref for u in e2e.db.new_updates()].count("A-1") == 1
    assert [a.title for a in e2e.db.new_actions()] == ["Seen twice"]


def test_finding_4_a_redelivered_event_is_handled_once(e2e: Stack) -> None:
    """Slack's retry of an event comes signed anew with the same event_id: one Home publish."""
    event = {
        "type": "event_callback",
        "team_id": "T0RIVER",
        "event_id": "EvRETRY" + uuid.uuid4().hex[:6].upper(),
        "event": {"type": "app_home_opened", "user": "U0LEE", "tab": "home"},
    }
    body = json.dumps(event).encode()
    assert e2e.server.post(body, "application/json").status == 200
    e2e.fake.wait_for("views.publish")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    again = e2e.server.post(body, "application/json", timestamp=int(time.time()) + 1, headers=retry)
    assert again.status == 200
    # A second publish would follow a second event at once: a fresh event proves the
    # pool is serving, and only then is the count read.
    fresh = {**event, "event_id": "EvFRESH" + uuid.uuid4().hex[:6].upper()}
    e2e.server.post(json.dumps(fresh).encode(), "application/json")
    e2e.fake.wait_for("views.publish", 2)
    assert len(e2e.fake.calls("views.publish")) == 2


def test_finding_5_no_request_text_in_the_log_on_any_failing_path(e2e: Stack) -> None:
    """Hostile text through every refusal and error path never reaches the log."""
    mark = len(e2e.server.output())
    body, _ = e2e.server.command_body("U0LEE", f"action update A-1 {HOSTILE}")
    server = e2e.server
    server.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    server.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 900)
    server.post(body, "application/x-www-form-urlencoded", timestamp="soon", signature="v0=x")
    server.post(body, "application/x-www-form-urlencoded", path=f"/nowhere/{MARKER}")
    server.post(
        json.dumps({"type": "event_callback", "event": HOSTILE}).encode(), "application/json"
    )
    server.interactive({"type": "block_actions", "user": {"id": MARKER}, "actions": []})
    server.interactive({"type": MARKER, "callback_id": HOSTILE})
    for text in (f"action update A-1 due:{HOSTILE}", f"{HOSTILE}", f"action show {HOSTILE}"):
        no_5xx(server.command("U0LEE", text))
    no_5xx(server.command("U0NOBODY", f"action update A-1 {HOSTILE}"))
    no_5xx(server.block_action("U0MO", button("action_done", f"{HOSTILE}@riverside")))
    submit = {
        "callback_id": "action_update",
        "private_metadata": f'{{"ref": "{MARKER}", "partnership": [1]}}',
        "blocks": [],
    }
    no_5xx(server.view_submission("U0LEE", submit, {}))
    output = log_since(e2e, mark)
    assert output.strip(), "the server logged nothing at all"
    assert MARKER not in output, output
    assert "Traceback" not in output


def test_finding_6_each_worker_is_warmed_before_it_serves(e2e: Stack) -> None:
    """The worker warms its imports, templates, pool and statements at boot.

    How fast the first request then is, beside the hundredth, is measured in
    ``benchmarks/ack_latency.py`` (first-request latency after a fresh start).
    """
    lines = [json.loads(line) for line in e2e.server.output().splitlines() if line.startswith("{")]
    warmed = [line for line in lines if line.get("event") == "warmed"]
    assert warmed, "no worker logged that it warmed"
    assert all(not line["msg"].startswith("warming step failed") for line in lines)
