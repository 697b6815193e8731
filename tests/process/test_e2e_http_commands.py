"""End to end over HTTP: commands, forms and buttons, posting in the channel, prompt acks."""

from __future__ import annotations

import datetime as dt
import json

from slack_sdk.models.views import View

from storage.models import Rag, Source, Status
from tests.e2e import ACK_LIMIT, BOT_TOKEN, Stack, all_text, button, overflow, validate
from tests.process.httpkit import acked, blocks_of, clean, e2e, today

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


# --------------------------------------------------------------------- commands


def test_help_is_private_blocks(e2e: Stack) -> None:
    """`/csp help` answers in the ack: ephemeral, valid blocks, nothing sent to Slack."""
    body = acked(e2e.server.command("U0MO", "help"))
    assert body["response_type"] == "ephemeral"
    blocks_of(body)
    assert "/csp action update" in all_text(body)
    assert not e2e.fake.calls("chat.postMessage")


def test_update_by_owner_is_saved_with_history(e2e: Stack) -> None:
    """The owner's one-line update is saved, with an ActionUpdate from a command."""
    body = acked(e2e.server.command("U0LEE", 'action update A-1 rag:red "venue fell through"'))
    assert body["response_type"] == "ephemeral"
    blocks_of(body)
    assert "A-1" in all_text(body)
    action = e2e.db.action("A-1")
    assert action.rag == Rag.RED
    [entry] = e2e.db.new_updates()
    assert entry.action.ref == "A-1"
    assert entry.source == Source.COMMAND
    assert entry.by is not None and entry.by.name == "Lee Lead"
    assert entry.note == "venue fell through"
    assert entry.changes["rag"] == ["amber", "red"]


def test_update_by_member_is_refused_naming_who_can(e2e: Stack) -> None:
    """A member may not change Lee's action: told who can, nothing written."""
    body = acked(e2e.server.command("U0MO", 'action update A-1 rag:red "not mine"'))
    assert body["response_type"] == "ephemeral"
    text = all_text(body)
    assert "can't change A-1" in text
    assert "Lee Lead" in text and "Cora Coordinator" in text
    assert e2e.db.action("A-1").rag == Rag.AMBER
    assert e2e.db.new_updates() == []


def test_update_form_round_trip(e2e: Stack) -> None:
    """Only the ref opens a pre-filled modal; a bad submission errors per field; a good one saves."""
    before = e2e.db.action("A-1")
    response = e2e.server.command("U0LEE", "action update A-1")
    assert acked(response) == {}
    [call] = e2e.fake.calls("views.open")
    assert call.authorization == f"Bearer {BOT_TOKEN}"
    assert call.params["trigger_id"].startswith("trigger.")
    view = call.params["view"]
    View(**view).validate_json()
    validate(view["blocks"], 100)
    assert view["callback_id"] == "action_update"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert {"rag", "status", "due", "note"} <= set(inputs)
    assert inputs["rag"]["initial_option"]["value"] == "amber"
    assert inputs["status"]["initial_option"]["value"] == before.status.value
    assert inputs["due"]["initial_date"] == "2026-09-30"
    meta = json.loads(view["private_metadata"])
    assert meta["ref"] == "A-1" and meta["channel"] == "C0RGEN"

    # A status Slack would never send and a note over the limit: both fields flagged.
    bad = e2e.server.view_submission(
        "U0LEE", view, {"status": "bogus", "note": "x" * 2500, "rag": "red"}
    )
    body = acked(bad)
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"status", "note"}
    assert e2e.db.action("A-1").rag == Rag.AMBER
    assert e2e.db.new_updates() == []
    assert not e2e.fake.calls("chat.postEphemeral")

    good = e2e.server.view_submission(
        "U0LEE",
        view,
        {"rag": "red", "status": "in_progress", "due": "2027-01-31", "note": "New venue booked"},
    )
    assert acked(good) == {}
    action = e2e.db.action("A-1")
    assert (action.rag, action.status, action.due_date) == (
        Rag.RED,
        Status.IN_PROGRESS,
        dt.date(2027, 1, 31),
    )
    [entry] = e2e.db.new_updates()
    assert entry.source == Source.MODAL and entry.note == "New venue booked"
    [posted] = e2e.fake.wait_for("chat.postEphemeral")
    assert posted.params["channel"] == "C0RGEN" and posted.params["user"] == "U0LEE"
    blocks_of(posted.params)
    assert "A-1" in all_text(posted.params)

    # The same form again is stale (the action's version moved on): refused on a field.
    again = acked(e2e.server.view_submission("U0LEE", view, {"rag": "green"}))
    assert again["response_action"] == "errors"
    assert e2e.db.action("A-1").rag == Rag.RED
    assert len(e2e.db.new_updates()) == 1


def test_form_that_slack_will_not_open_falls_back_to_typing(e2e: Stack) -> None:
    """If views.open fails (an expired trigger), the ack says how to type the update instead."""
    e2e.fake.fail("views.open", "expired_trigger_id")
    body = acked(e2e.server.command("U0LEE", "action update A-1"))
    assert body["response_type"] == "ephemeral"
    assert "Type the values instead" in all_text(body)
    assert [c.failed for c in e2e.fake.calls("views.open")] == ["expired_trigger_id"]
    assert e2e.db.new_updates() == []


def test_done_button_completes_and_responds(e2e: Stack) -> None:
    """The Done button on a message completes the action and answers at the response URL."""
    response = e2e.server.block_action("U0LEE", button("action_done", "A-1"))
    assert acked(response) == {}
    [posted] = e2e.fake.wait_for("response_url")
    assert posted.path.endswith(response.token)
    blocks_of(posted.params)
    assert posted.params.get("replace_original") is False
    assert "A-1" in all_text(posted.params)
    assert e2e.db.action("A-1").status == Status.COMPLETE
    [entry] = e2e.db.new_updates()
    assert entry.source == Source.BUTTON


def test_overflow_snooze(e2e: Stack) -> None:
    """Snooze from an action's overflow menu pauses it for a week."""
    response = e2e.server.block_action("U0LEE", overflow("snooze:A-4"))
    acked(response)
    [posted] = e2e.fake.wait_for("response_url")
    blocks_of(posted.params)
    assert e2e.db.action("A-4").snoozed_until == today() + dt.timedelta(weeks=1)


def test_update_button_opens_form(e2e: Stack) -> None:
    """The Update button opens the same pre-filled modal as the typed command."""
    acked(e2e.server.block_action("U0GINA", button("action_update", "A-4")))
    [call] = e2e.fake.wait_for("views.open")
    assert call.params["view"]["callback_id"] == "action_update"
    assert json.loads(call.params["view"]["private_metadata"])["ref"] == "A-4"


def test_button_by_someone_who_may_not(e2e: Stack) -> None:
    """Mo pressing Done on Lee's action is told who can; nothing changes."""
    acked(e2e.server.block_action("U0MO", button("action_done", "A-1")))
    [posted] = e2e.fake.wait_for("response_url")
    assert "can't change A-1" in all_text(posted.params)
    assert e2e.db.action("A-1").status != Status.COMPLETE
    assert e2e.db.new_updates() == []


# --------------------------------------------------------------------- posting


def test_priority_status_post_is_in_channel(e2e: Stack) -> None:
    """`post` shares the priority status in the channel; without it it stays private."""
    body = acked(e2e.server.command("U0CORA", "priority status post"))
    assert body["response_type"] == "in_channel"
    blocks_of(body)
    assert "P1" in all_text(body)
    private = acked(e2e.server.command("U0CORA", "priority status"))
    assert private["response_type"] == "ephemeral"


def test_every_ack_was_prompt(e2e: Stack) -> None:
    """Every request this module sent so far was answered well inside Slack's 3 seconds."""
    acked(e2e.server.command("U0LEE", "action list mine"))
    slow = [(label, round(t, 2)) for label, t in e2e.server.timings if t >= ACK_LIMIT]
    assert not slow, slow


def test_worker_checked_its_token_against_the_fake(e2e: Stack) -> None:
    """At start the worker called auth.test on the fake Web API with the bot token."""
    [call] = [c for c in e2e.startup if c.method == "auth.test"]
    assert call.authorization == f"Bearer {BOT_TOKEN}"
    assert e2e.server.health() == 200
