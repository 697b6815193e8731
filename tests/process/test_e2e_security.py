"""Hostile or careless input end to end: markup shown as text, size limits, never a 500."""

from __future__ import annotations

import json
import re

import pytest

from storage.models import Rag
from tests.e2e import Stack, all_text, texts, validate
from tests.process.securitykit import BAD_TITLE, acked, clean, e2e

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


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
