"""End to end over HTTP: signed Slack requests into the real server, a fake Slack Web API.

One server per database backend serves the whole module (``csp-bot serve``:
gunicorn, Bolt's WSGI adapter, the real app); before each test the database
is put back as imported and the fake forgets what it was sent. Each test
checks three things: the HTTP answer (the ack), what the bot sent to Slack's
Web API or response URLs, and what the database holds afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.models.views import View
from sqlalchemy import select

from storage.models import Person, Rag, Source, Status
from tests.e2e import (
    ACK_LIMIT,
    BOT_TOKEN,
    Response,
    Stack,
    all_text,
    button,
    long_plan,
    overflow,
    running,
    validate,
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server, its database (riverside, hillford and a 120-action plan) and fake Slack."""
    workdir = tmp_path_factory.mktemp(f"e2e-http-{request.param}")
    with running(request, workdir, [long_plan(workdir / "longford.yaml")]) as stack:
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans and an empty record of Slack calls.

    Afterwards, the server's log must hold no traceback from this test's requests.
    """
    e2e.reset()
    seen = len(e2e.server.output())
    yield e2e
    time.sleep(0.05)  # let a lazy listener's last log line land
    new = e2e.server.output()[seen:]
    assert "Traceback" not in new, new[-4000:]


def acked(response: Response) -> dict[str, Any]:
    """Assert a prompt 200 ack and return its JSON body (``{}`` for an empty ack)."""
    assert response.status == 200, (response.status, response.body)
    assert response.elapsed < ACK_LIMIT, f"ack took {response.elapsed:.2f}s"
    return response.json


def blocks_of(message: dict[str, Any], limit: int = 50) -> list[dict[str, Any]]:
    """A message's blocks, validated with slack_sdk's Block Kit models."""
    blocks = message.get("blocks")
    assert isinstance(blocks, list) and blocks, message
    return validate(blocks, limit)


def today() -> dt.date:
    """Today in London, as the bot reckons it."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Europe/London")).date()


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


# ------------------------------------------------------------------------- home


def test_home_tab_for_lee(e2e: Stack) -> None:
    """Opening the Home tab publishes a valid home view of at most 100 blocks."""
    acked(e2e.server.event("U0LEE"))
    [call] = e2e.fake.wait_for("views.publish")
    assert call.params["user_id"] == "U0LEE"
    view = call.params["view"]
    assert view["type"] == "home"
    validate(view["blocks"], 100)
    View(**view).validate_json()


def test_home_tab_for_person_in_two_partnerships_shows_their_actions(e2e: Stack) -> None:
    """Lee's Home tab (Riverside and Hillford, no channel to choose by) lists his actions."""
    acked(e2e.server.event("U0LEE"))
    [call] = e2e.fake.wait_for("views.publish")
    text = all_text(call.params["view"])
    assert "several partnerships" not in text, text
    assert "A-1" in text and "A-4" in text, text


def test_home_tab_shows_my_actions(e2e: Stack) -> None:
    """Gina's Home tab (one partnership) shows her group's actions and validates."""
    acked(e2e.server.event("U0GINA"))
    [call] = e2e.fake.wait_for("views.publish")
    view = call.params["view"]
    validate(view["blocks"], 100)
    assert "Riverside" in all_text(view)


def test_done_from_home_republishes(e2e: Stack) -> None:
    """Done pressed on the Home tab saves and publishes the Home tab again."""
    acked(e2e.server.block_action("U0CORA", button("action_done", "A-3"), home=True))
    [call] = e2e.fake.wait_for("views.publish")
    assert call.params["user_id"] == "U0CORA"
    validate(call.params["view"]["blocks"], 100)
    assert e2e.db.action("A-3").status == Status.COMPLETE


# ------------------------------------------------------------------------ chase


def test_chase_acks_at_once_and_reports(e2e: Stack) -> None:
    """`/csp chase` acks "On it", DMs each lead, and one lead's failure doesn't stop the rest."""
    e2e.db.set_updated("A-3", days_ago=60)  # Mo's action is now stale
    e2e.db.set_updated("A-2", days_ago=60)  # Olive (not on Slack) is listed for email
    e2e.fake.fail("chat.postMessage", "account_inactive", when={"channel": "U0LEE"})
    response = e2e.server.command("U0CORA", "chase")
    body = acked(response)
    assert body["response_type"] == "ephemeral"
    assert "On it" in body["text"]

    [report] = [c.params for c in e2e.fake.wait_for("response_url")]
    posts = e2e.fake.calls("chat.postMessage")
    assert sorted(c.params["channel"] for c in posts) == ["U0LEE", "U0MO"]
    [lee] = [c for c in posts if c.params["channel"] == "U0LEE"]
    assert lee.failed == "account_inactive"
    [mo] = [c for c in posts if c.params["channel"] == "U0MO"]
    blocks_of(mo.params)
    assert "A-3" in all_text(mo.params)

    blocks_of(report)
    text = all_text(report)
    assert "Mo Member" in text and "Lee Lead" in text
    assert "deactivated" in text  # Lee's failure, in words
    assert "Olive Offline" in text
    assert report["response_type"] == "ephemeral"
    assert e2e.fake.responses(response.token) == [report]


def test_chase_retries_rate_limits_and_server_errors(e2e: Stack) -> None:
    """A 429 (Retry-After: 1) and a 503 from Slack are retried: both leads are still reached."""
    e2e.db.set_updated("A-3", days_ago=60)
    e2e.fake.fail_http("chat.postMessage", 429, retry_after=1, when={"channel": "U0MO"})
    e2e.fake.fail_http("chat.postMessage", 503, when={"channel": "U0LEE"})
    response = e2e.server.command("U0CORA", "chase")
    acked(response)
    [report] = [c.params for c in e2e.fake.wait_for("response_url")]
    posts = e2e.fake.calls("chat.postMessage")
    assert sorted((c.params["channel"], c.failed) for c in posts) == [
        ("U0LEE", ""),
        ("U0LEE", "http_503"),
        ("U0MO", ""),
        ("U0MO", "ratelimited"),
    ]
    text = all_text(report)
    assert "Lee Lead" in text and "Mo Member" in text
    assert "Chased *2 leads*" in text or "2 leads" in text
    assert "deactivated" not in text and "slow down" not in text


def test_chase_dm_buttons_work_from_the_dm(e2e: Stack) -> None:
    """Mo presses "Mark done" in the chase DM (a DM channel): the action is completed."""
    e2e.db.set_updated("A-3", days_ago=60)
    acked(e2e.server.command("U0CORA", "chase"))
    e2e.fake.wait_for("response_url")
    [dm] = [c for c in e2e.fake.calls("chat.postMessage") if c.params["channel"] == "U0MO"]
    done = [
        element
        for block in dm.params["blocks"]
        for element in [*block.get("elements", []), block.get("accessory") or {}]
        if element.get("action_id") == "action_done"
    ]
    # The button carries its partnership: a DM has no channel to say which.
    assert done and done[0]["value"] == "A-3@riverside"
    pressed = e2e.server.block_action("U0MO", done[0], channel="D0MO")
    acked(pressed)
    [posted] = e2e.fake.wait_for("response_url", where=lambda c: c.path.endswith(pressed.token))
    blocks_of(posted.params)
    assert e2e.db.action("A-3").status == Status.COMPLETE


def test_chase_by_member_is_refused(e2e: Stack) -> None:
    """Only coordinators chase: Mo is refused at the response URL and nobody is messaged."""
    response = e2e.server.command("U0MO", "chase")
    acked(response)
    [report] = [c.params for c in e2e.fake.wait_for("response_url")]
    assert "only a coordinator" in all_text(report)
    time.sleep(0.2)
    assert not e2e.fake.calls("chat.postMessage")


# ------------------------------------------------------------------- long lists


def test_long_list_is_paged_through_the_response_url(e2e: Stack) -> None:
    """120 actions: the ack holds at most 50 blocks and the rest arrive at the response URL."""
    response = e2e.server.command("U0LENA", "action list all", team="T0LONG", channel="C0LGEN")
    first = acked(response)
    assert len(blocks_of(first)) <= 50
    rest = e2e.fake.wait_for("response_url", 2)
    assert len(rest) == 2
    refs: list[str] = []
    for page in [first, *(c.params for c in rest)]:
        for block in blocks_of(page):
            if block.get("accessory", {}).get("type") == "overflow":
                refs.append(
                    block["accessory"]["options"][0]["value"].partition(":")[2].partition("@")[0]
                )
    assert sorted(refs) == sorted(f"A-{i}" for i in range(1, 121))
    assert all(c.path.endswith(response.token) for c in rest)


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


# ------------------------------------------------- every sub-command over HTTP

# One line per registered sub-command, typed by someone allowed to run it, and
# a word its reply must contain. A new sub-command without a line here fails
# test_every_sub_command_has_an_http_case, so none ships untested through Slack.
EVERY = {
    "help": ("U0MO", "help action", "/csp action update"),
    "whoami": ("U0GINA", "whoami", "Gina Grouplead"),
    "action add": ("U0CORA", 'action add "Door-knock the estate" owner:@Lee Lead due:+2w', "Added"),
    "action update": ("U0LEE", 'action update A-4 rag:amber "map drafted"', "updated"),
    "action done": ("U0LEE", "action done A-4 finished", "updated"),
    "action show": ("U0MO", "action show A-1", "youth diversion"),
    "action list": ("U0MO", "action list overdue", "A-1"),
    "action snooze": ("U0LEE", "action snooze A-1 until:+10d", "snoozed"),
    "priority status": ("U0MO", "priority status P1", "P1"),
    "measure record": ("U0GINA", "measure record M-1 36 period:Q2 2026/27", "36"),
    "chase": ("U0CORA", "chase group:ASB Steering Group", "Chased"),
    "person add": ("U0CORA", '<@U0NEW|nia> name:"Nia New" role:member', "Nia New"),
    "settings": ("U0CORA", "settings stale_days:45 board_channel:<#C0RBOARD|board>", "45"),
    "return submit": (
        "U0GINA",
        'return submit quarter:Q3 summary:"Hotspot map agreed" rag:amber',
        "ASB Steering Group",
    ),
    "return status": ("U0MO", "return status", "ASB Steering Group"),
    "digest preview": ("U0CHRIS", "digest preview", "At a glance"),
    "digest send": ("U0CORA", "digest send", "Chris Chair"),
    "meeting add": ("U0CORA", "meeting add 21/01/2031 10:00 Review", "1 meeting added"),
    "meeting list": ("U0MO", "meeting list", "Meetings coming up"),
    "meeting move": ("U0CORA", "meeting move 11/03/2027 to 18/03/2027", "has moved"),
    "meeting cancel": ("U0CORA", "meeting cancel 11/03/2027", "Cancelled"),
    # Opens the set-up form (tests/process/test_setup_http.py submits it).
    "setup": ("U0CORA", "setup", "Partnership name"),
}


def test_every_sub_command_has_an_http_case() -> None:
    from commands.framework.registry import registry

    assert set(EVERY) == set(registry())


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_sub_command_works_over_signed_http(e2e: Stack, name: str) -> None:
    """Each sub-command, typed in Slack by someone allowed, answers without a warning."""
    user, line, expected = EVERY[name]
    if name == "person add":
        line = f"person add {line}"
    response = e2e.server.command(user, line)
    body = acked(response)
    if name in ("chase", "digest send", "meeting move"):  # slow: acked, then response_url
        [posted] = e2e.fake.wait_for("response_url")
        body = posted.params
    if name == "setup":  # a bare ack; the form is what Slack was asked to open
        assert body == {}, body
        [opened] = e2e.fake.wait_for("views.open")
        body = opened.params["view"]
    text = all_text(body)
    blocks_of(body)
    assert ":warning:" not in text, text
    assert expected.lower() in text.lower(), text


def test_person_add_by_email_looks_the_account_up_in_slack(e2e: Stack) -> None:
    """An address is looked up with users.lookupByEmail; a miss still adds the person."""
    e2e.fake.add_user("ann.example@riverside.example", "U0ANN12345")
    line = 'person add ann.example@riverside.example name:"Ann Example" role:lead'
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "<@U0ANN12345>" in text and "found by their email address" in text, text
    [call] = e2e.fake.calls("users.lookupByEmail")
    assert call.params["email"] == "ann.example@riverside.example"
    assert call.authorization == f"Bearer {BOT_TOKEN}"
    e2e.fake.fail("users.lookupByEmail", "missing_scope")
    line = 'person add "Bea Example" email:bea@riverside.example'
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "Added *Bea Example*" in text and "users:read.email" in text, text
    with e2e.db.session() as session:
        rows = session.execute(
            select(Person.name, Person.slack_user_id, Person.email).where(
                Person.name.in_(["Ann Example", "Bea Example"])
            )
        )
        assert sorted(rows) == [
            ("Ann Example", "U0ANN12345", "ann.example@riverside.example"),
            ("Bea Example", None, "bea@riverside.example"),
        ]


def test_add_form_opens_with_nothing_typed_and_saves(e2e: Stack) -> None:
    """`/csp action add` alone opens the add form; its submission creates the action."""
    acked(e2e.server.command("U0GINA", "action add"))
    [opened] = e2e.fake.calls("views.open")
    view = opened.params["view"]
    View(**view).validate_json()
    blank = e2e.server.view_submission("U0GINA", view, {"title": ""})
    assert blank.status == 200 and blank.json.get("response_action") == "errors"
    assert "title" in blank.json["errors"]
    assert not e2e.db.new_actions()
    saved = e2e.server.view_submission(
        "U0GINA", view, {"title": "Walkabout with housing officers", "group": "ASB Steering Group"}
    )
    assert saved.status == 200 and saved.json.get("response_action") != "errors", saved.json
    [created] = e2e.db.new_actions()
    assert created.title == "Walkabout with housing officers"
    assert e2e.fake.wait_for("chat.postEphemeral")


# ------------------------------------------------------------- scheduled work


def test_snooze_until_button_opens_a_date_form_that_saves(e2e: Stack) -> None:
    """The nudge's "Snooze until a date…" opens a date picker; its submission snoozes."""
    pressed = button("action_snooze_until", "A-4@riverside")  # as nudges tag their buttons
    acked(e2e.server.block_action("U0LEE", pressed, channel="D0LEE"))
    [call] = e2e.fake.wait_for("views.open")
    view = call.params["view"]
    View(**view).validate_json()
    assert view["callback_id"] == "action_snooze"
    until = today() + dt.timedelta(days=20)
    saved = e2e.server.view_submission("U0LEE", view, {"until": until.isoformat()})
    assert saved.status == 200 and saved.json.get("response_action") != "errors", saved.json
    assert e2e.db.action("A-4").snoozed_until == until
    too_far = e2e.server.view_submission(
        "U0LEE", view, {"until": (today() + dt.timedelta(days=200)).isoformat()}
    )
    assert too_far.json.get("response_action") == "errors" and "until" in too_far.json["errors"]
    assert e2e.db.action("A-4").snoozed_until == until


def test_return_button_in_a_reminder_opens_the_form_and_records_the_return(e2e: Stack) -> None:
    """The reminder's "Submit the return" button, pressed in the DM, round-trips the form."""
    from sqlalchemy import func, select

    from storage.models import QuarterlyReturn, SubGroup

    with e2e.db.session() as session:
        group_id = session.scalars(
            select(SubGroup.id).where(SubGroup.name == "ASB Steering Group")
        ).one()
    pressed = {
        "action_id": "return_submit",
        "type": "button",
        "value": f"{group_id}:2026-3@riverside",
    }
    acked(e2e.server.block_action("U0GINA", pressed, channel="D0GINA"))
    [call] = e2e.fake.wait_for("views.open")
    view = call.params["view"]
    View(**view).validate_json()
    assert view["callback_id"] == "return_submit"
    empty = e2e.server.view_submission("U0GINA", view, {"summary": ""})
    assert empty.json.get("response_action") == "errors" and "summary" in empty.json["errors"]
    saved = e2e.server.view_submission(
        "U0GINA",
        view,
        {
            "summary": "Hotspot map agreed <!channel>",
            "escalations": "CCTV funding",
            "rag_P1": "amber",
        },
    )
    assert saved.status == 200 and saved.json.get("response_action") != "errors", saved.json
    with e2e.db.session() as session:
        row = session.scalars(select(QuarterlyReturn).where(QuarterlyReturn.quarter == 3)).one()
        assert row.summary == "Hotspot map agreed <!channel>" and row.escalations == "CCTV funding"
        assert [r.rag for r in row.priority_rags] == [Rag.AMBER]
        assert session.scalar(select(func.count()).select_from(QuarterlyReturn)) == 1
    # Someone else's group: refused by direct message, nothing opened.
    e2e.fake.reset()
    acked(e2e.server.block_action("U0MO", pressed, channel="D0MO"))
    [dm] = e2e.fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U0MO" and "Gina Grouplead" in all_text(dm.params)
    assert e2e.fake.calls("views.open") == []


def test_digest_send_posts_once_to_the_chair_and_the_board_channel(e2e: Stack) -> None:
    """`/csp digest send` goes through the outbox: a second send sends nothing."""
    acked(e2e.server.command("U0CORA", "digest send"))
    [report] = e2e.fake.wait_for("response_url")
    assert "Chris Chair" in all_text(report.params)
    chair, board = e2e.fake.messages("U0CHRIS"), e2e.fake.messages("C0RBOARD")
    assert len(chair) == 1 and len(board) == 1
    assert chair[0]["metadata"]["event_payload"]["key"].startswith("digest|person:")
    for message in chair + board:
        validate(message["blocks"])
    acked(e2e.server.command("U0CORA", "digest send"))
    again = e2e.fake.wait_for("response_url", count=2)[-1]
    assert "already" in all_text(again.params).lower()
    assert len(e2e.fake.messages("U0CHRIS")) == 1 and len(e2e.fake.messages("C0RBOARD")) == 1


def test_one_json_log_line_per_request_without_text_or_tokens(e2e: Stack) -> None:
    """The server logs partnership, command, outcome and duration; never what was typed."""
    note = "secret-note-7f3a about a named offender"
    seen = len(e2e.server.output())
    acked(e2e.server.command("U0LEE", f'action update A-4 rag:amber "{note}"'))
    e2e.server.wait_logged('"event": "request"', seen)
    lines = [
        json.loads(line)
        for line in e2e.server.output().splitlines()
        if line.startswith("{") and '"event": "request"' in line
    ]
    assert any(
        entry["command"] == "action update" and entry["partnership"] == "riverside" and entry["ok"]
        for entry in lines
    ), lines
    assert all(isinstance(entry["ms"], float | int) for entry in lines)
    output = e2e.server.output()
    assert note not in output and "secret-note" not in output
    assert BOT_TOKEN not in output


def test_the_database_dropping_every_connection_under_the_server(e2e: Stack) -> None:
    """PostgreSQL restarting (every connection of the server's pool killed): the next
    request succeeds and its update is saved; /healthz says ok again."""
    if e2e.backend != "postgresql":
        pytest.skip("a SQLite file has no server to restart")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    acked(e2e.server.command("U0MO", "whoami"))  # the workers hold pooled connections now
    admin = create_engine(make_url(e2e.url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": make_url(e2e.url).database},
        ).scalar()
    admin.dispose()
    assert killed and killed > 0
    body = acked(e2e.server.command("U0LEE", 'action update A-4 rag:amber "after the restart"'))
    assert ":warning:" not in all_text(body), all_text(body)
    assert [u.note for u in e2e.db.new_updates()] == ["after the restart"]
    assert e2e.server.health() == 200


def test_a_hung_views_open_does_not_hold_the_ack(e2e: Stack) -> None:
    """Slack not answering views.open: the ack still comes inside Slack's 3 seconds,
    saying to type the values instead, and nothing is written."""
    e2e.fake.hang("views.open", accept=False, times=1)
    try:
        response = e2e.server.command("U0LEE", "action update A-4")
    finally:
        e2e.fake.release()
    # The form's own 2-second timeout, then the answer: inside Slack's 3 seconds.
    assert response.status == 200 and response.elapsed < 3.0, response.elapsed
    body = response.json
    assert "type the values" in all_text(body).lower(), all_text(body)
    assert e2e.db.new_updates() == []
