"""End to end, hostile or careless input: forged requests, other partnerships, markup, size.

The same real server as ``test_e2e_http`` (one per backend for the module).
Requests that Slack did not sign, or signed too long ago, must be refused with
401 before anything runs. People only ever see and change their own
partnership's plan; a user id from another workspace is nobody. Text people
type is shown as text: Slack's ``<!channel>`` markup is escaped and template
syntax is never evaluated. Whatever arrives, the answer is never a 500.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select, update

from storage.models import Channel, Partnership, Rag, Status
from tests.e2e import ACK_LIMIT, Response, Stack, all_text, button, running, texts, validate

BAD_TITLE = "Watch <!channel> <https://evil.example|click here> {{ 7*7 }} <@U0MO> &amp; co"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server with riverside and hillford imported, and fake Slack."""
    workdir = tmp_path_factory.mktemp(f"e2e-security-{request.param}")
    with running(request, workdir) as stack:
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans and an empty record of Slack calls."""
    e2e.reset()
    yield e2e


def acked(response: Response) -> dict[str, Any]:
    """Assert a prompt 200 ack and return its JSON body (``{}`` for an empty ack)."""
    assert response.status == 200, (response.status, response.body)
    assert response.elapsed < ACK_LIMIT, f"ack took {response.elapsed:.2f}s"
    return response.json


def unchanged(e2e: Stack) -> None:
    """Assert that nothing was written and nothing was sent to Slack."""
    action = e2e.db.action("A-1")
    assert action.rag == Rag.AMBER and action.status != Status.COMPLETE
    assert e2e.db.new_updates() == []
    assert e2e.db.new_actions() == []
    time.sleep(0.1)  # a lazy listener, had one started, would have posted by now
    assert e2e.fake.calls() == []


# -------------------------------------------------------------------- signatures


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


# ------------------------------------------------------------------ partnerships


def test_other_partnership_cannot_see_or_change(e2e: Stack) -> None:
    """Hana (Hillford only) gets "not found" for Riverside's A-4, even in Riverside's channel."""
    for text in ("action show A-4", "action update A-4 rag:red", "action done A-4"):
        body = acked(e2e.server.command("U0HANA", text, channel="C0RGEN"))
        shown = all_text(body)
        assert "not found" in shown.lower() or "no action" in shown.lower(), shown
        assert "Map ASB hotspots" not in shown
    refused = all_text(acked(e2e.server.command("U0HANA", "in:riverside action show A-4")))
    assert "not in a partnership called `riverside`" in refused
    assert "Map ASB hotspots" not in refused
    action = e2e.db.action("A-4")
    assert action.rag is None and action.status != Status.COMPLETE
    assert e2e.db.new_updates() == []


def test_other_partnership_list_shows_only_its_own(e2e: Stack) -> None:
    """Hana's list is Hillford's plan only."""
    text = all_text(acked(e2e.server.command("U0HANA", "action list all", channel="C0RGEN")))
    assert "Hillford covert operation" in text
    assert "youth diversion" not in text and "Map ASB hotspots" not in text


def test_person_in_two_partnerships_acts_where_asked(e2e: Stack) -> None:
    """Lee acts in Riverside in Riverside's channel, and in Hillford with `in:hillford`."""
    riverside = all_text(acked(e2e.server.command("U0LEE", "action show A-1", channel="C0RGEN")))
    assert "youth diversion" in riverside and "Hillford covert" not in riverside
    hillford = all_text(
        acked(e2e.server.command("U0LEE", "in:hillford action show A-1", channel="C0RGEN"))
    )
    assert "Hillford covert operation" in hillford and "youth diversion" not in hillford

    acked(e2e.server.command("U0LEE", "action update A-1 rag:green", channel="C0RGEN"))
    assert e2e.db.action("A-1").rag == Rag.GREEN
    assert e2e.db.action("A-1", "hillford").rag is None
    # Hillford's A-1 is Hana's: Lee may read it there but not change it.
    refused = all_text(acked(e2e.server.command("U0LEE", "in:hillford action update A-1 rag:red")))
    assert "can't change A-1" in refused and "Hana Hillford" in refused
    assert e2e.db.action("A-1", "hillford").rag is None
    [entry] = e2e.db.new_updates()
    assert entry.action.ref == "A-1" and entry.partnership_id == e2e.db.action("A-1").partnership_id


def test_dm_button_for_person_in_two_partnerships(e2e: Stack) -> None:
    """Lee presses Done on Riverside's A-1 in a DM (no partnership owns it): Riverside's A-1.

    Our buttons carry their partnership (``A-1@riverside``); one without it asks which.
    """
    acked(e2e.server.block_action("U0LEE", button("action_done", "A-1"), channel="D0LEE"))
    [asked] = e2e.fake.wait_for("response_url")
    assert "several partnerships" in all_text(asked.params)
    assert e2e.db.action("A-1").status != Status.COMPLETE
    e2e.fake.reset()
    acked(e2e.server.block_action("U0LEE", button("action_done", "A-1@riverside"), channel="D0LEE"))
    [posted] = e2e.fake.wait_for("response_url")
    assert e2e.db.action("A-1").status == Status.COMPLETE, all_text(posted.params)
    assert e2e.db.action("A-1", "hillford").status != Status.COMPLETE


def test_person_in_two_partnerships_elsewhere_is_asked_which(e2e: Stack) -> None:
    """Lee in a channel neither partnership owns is asked to say which partnership."""
    text = all_text(acked(e2e.server.command("U0LEE", "action show A-1", channel="C0ELSE")))
    assert "in:" in text and "hillford" in text and "riverside" in text
    assert "youth diversion" not in text and "Hillford covert" not in text


def test_user_from_another_workspace_is_unknown(e2e: Stack) -> None:
    """U0LEE from team T0OTHER is not Riverside's Lee: refused as unknown, nothing written."""
    for text in ("action show A-1", "action update A-1 rag:red", "action list all"):
        body = acked(e2e.server.command("U0LEE", text, team="T0OTHER", channel="C0RGEN"))
        shown = all_text(body)
        assert "don't know you" in shown, shown
        assert "youth diversion" not in shown
    acked(e2e.server.event("U0LEE", team="T0OTHER"))
    for call in e2e.fake.wait_for("views.publish"):
        assert "youth diversion" not in all_text(call.params)
    assert e2e.db.action("A-1").rag == Rag.AMBER
    assert e2e.db.new_updates() == []


def test_button_from_another_workspace_is_unknown(e2e: Stack) -> None:
    """A Done button pressed by U0LEE from T0OTHER changes nothing."""
    acked(e2e.server.block_action("U0LEE", button("action_done", "A-1"), team="T0OTHER"))
    [posted] = e2e.fake.wait_for("response_url")
    assert "don't know you" in all_text(posted.params)
    assert e2e.db.action("A-1").status != Status.COMPLETE
    assert e2e.db.new_updates() == []


def _hillford_board(e2e: Stack) -> str | None:
    with e2e.db.session() as session:
        return session.scalar(
            select(Channel.slack_channel_id)
            .join(Partnership, Partnership.id == Channel.partnership_id)
            .where(Partnership.slug == "hillford", Channel.purpose == "board")
        )


def test_another_partnerships_channel_cannot_be_taken(e2e: Stack) -> None:
    """Hana (Hillford's coordinator) names Riverside's channel as Hillford's board: refused
    privately, nothing written, and Lee in that channel is still Riverside's Lee."""
    try:
        body = acked(e2e.server.command("U0HANA", "settings board_channel:<#C0RGEN|general>"))
        assert body["response_type"] == "ephemeral"
        text = all_text(body)
        assert "already used by another partnership" in text, text
        assert "Riverside" not in text
        validate(body["blocks"])
        assert _hillford_board(e2e) == "C0HBOARD"
        shown = all_text(acked(e2e.server.command("U0LEE", "action show A-1", channel="C0RGEN")))
        assert "youth diversion" in shown and "Hillford covert" not in shown
    finally:
        if _hillford_board(e2e) != "C0HBOARD":  # only before the fix: undo the take-over
            with e2e.db.session() as session:
                session.execute(
                    update(Channel)
                    .where(Channel.slack_channel_id == "C0RGEN", Channel.purpose == "board")
                    .values(slack_channel_id="C0HBOARD")
                )
                session.commit()


# ------------------------------------------------------------------------ markup


def test_markup_in_titles_is_shown_as_text(e2e: Stack) -> None:
    """Slack markup and template syntax in a title are stored as typed and shown escaped."""
    added = acked(e2e.server.command("U0CORA", f'action add "{BAD_TITLE}" owner:"Lee Lead"'))
    [action] = e2e.db.new_actions()
    assert action.title == BAD_TITLE
    listed = acked(e2e.server.command("U0CORA", "action list all"))
    shown = acked(e2e.server.command("U0CORA", f"action show {action.ref}"))
    for reply in (added, listed, shown):
        validate(reply["blocks"])
        strings = [t for t in [*texts(reply["blocks"]), reply.get("text", "")] if "Watch" in t]
        assert strings, reply
        for text in strings:
            assert "<!channel>" not in text, text
            assert "<https://evil" not in text, text
            assert "<@U0MO>" not in text, text
            # {{ 7*7 }} never evaluated (a "49" inside a time such as 08:49 is fine).
            assert not re.search(r"(?<![\d:/.])49(?![\d:/.])", text), text
        joined = "\n".join(strings)
        assert "&lt;!channel&gt;" in joined
        assert "{{ 7*7 }}" in joined
        assert "&amp;amp;" in joined  # the typed entity is escaped, not decoded


def test_markup_in_notes_is_shown_as_text(e2e: Stack) -> None:
    """A note with <!here> is saved as typed and echoed escaped."""
    body = acked(e2e.server.command("U0LEE", 'action update A-1 "ping <!here> {% raw %} now"'))
    for text in [*texts(body["blocks"]), body.get("text", "")]:
        assert "<!here>" not in text
    assert "&lt;!here&gt;" in all_text(body)
    [entry] = e2e.db.new_updates()
    assert entry.note == "ping <!here> {% raw %} now"


# -------------------------------------------------------------------------- size


def test_five_thousand_character_note_is_refused(e2e: Stack) -> None:
    """A 5,000-character note gets a clear private message and writes nothing."""
    body = acked(e2e.server.command("U0LEE", f'action update A-1 "{"x" * 5000}"'))
    assert body["response_type"] == "ephemeral"
    text = all_text(body)
    assert "characters" in text and "4,000" in text
    assert len(json.dumps(body)) < 10_000  # the note is not echoed back
    validate(body["blocks"])
    unchanged_a1 = e2e.db.action("A-1")
    assert unchanged_a1.rag == Rag.AMBER
    assert e2e.db.new_updates() == []


def test_note_over_the_field_limit_is_refused(e2e: Stack) -> None:
    """A 2,500-character note fits a slash command but not a note: refused, nothing written."""
    body = acked(e2e.server.command("U0LEE", f'action update A-1 "{"y" * 2500}"'))
    text = all_text(body)
    assert "2,000" in text and "note" in text
    validate(body["blocks"])
    assert e2e.db.new_updates() == []


def test_unbalanced_quote_is_explained(e2e: Stack) -> None:
    """An opening quote with no closing one says so, and writes nothing."""
    body = acked(e2e.server.command("U0LEE", 'action update A-1 rag:red "venue booked'))
    assert body["response_type"] == "ephemeral"
    assert "quote" in all_text(body).lower()
    validate(body["blocks"])
    assert e2e.db.action("A-1").rag == Rag.AMBER
    assert e2e.db.new_updates() == []


# ------------------------------------------------------------------- never 500


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"payload=%7Bnot+json"),
        ("application/x-www-form-urlencoded", b"payload=%5B1%2C2%5D"),
        ("application/x-www-form-urlencoded", b"payload=%7B%22type%22%3A%22garbage%22%7D"),
        ("application/json", b"{not json"),
        ("application/x-www-form-urlencoded", b"command=%2Fcsp&text=help"),
        ("application/x-www-form-urlencoded", b""),
        ("text/plain", b"\xff\xfe\x00garbage"),
    ],
    ids=[
        "payload-not-json",
        "payload-a-list",
        "payload-unknown-type",
        "json-not-json",
        "command-no-ids",
        "empty",
        "binary",
    ],
)
def test_garbage_is_never_a_500(e2e: Stack, content_type: str, body: bytes) -> None:
    """Correctly signed garbage gets a 4xx or a 200, never a 500."""
    response = e2e.server.post(body, content_type)
    assert response.status < 500, (response.status, response.body)
    assert e2e.db.new_updates() == []


@pytest.mark.parametrize(
    "body", [b"payload=%7Bnot+json", b"{not json"], ids=["payload-not-json", "json-not-json"]
)
def test_unsigned_garbage_is_refused_not_a_500(e2e: Stack, body: bytes) -> None:
    """Unsigned garbage is refused (401 or 400) before anything tries to read it."""
    content_type = (
        "application/json" if body.startswith(b"{") else "application/x-www-form-urlencoded"
    )
    response = e2e.server.post(body, content_type, signature="v0=00")
    assert response.status in (400, 401), (response.status, response.body)


def test_submission_with_garbage_values_is_not_a_500(e2e: Stack) -> None:
    """A view submission with missing state and odd metadata is answered, not a 500."""
    for view in (
        {"callback_id": "action_update", "private_metadata": "not json", "blocks": []},
        {"callback_id": "action_update", "private_metadata": '{"ref": "A-1"}'},
        {"callback_id": "action_add", "private_metadata": "[]", "blocks": []},
    ):
        response = e2e.server.view_submission("U0LEE", view, {})
        assert response.status < 500, (response.status, response.body)
    assert e2e.db.new_updates() == []
    assert e2e.db.new_actions() == []


def test_server_is_healthy_after_everything(e2e: Stack) -> None:
    """After all of the above the server still answers, and quickly."""
    assert e2e.server.health() == 200
    body = acked(e2e.server.command("U0LEE", "help"))
    assert body["response_type"] == "ephemeral"
