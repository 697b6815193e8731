"""End to end over HTTP: the Home tab, ``/csp chase`` and long lists paged by response URL."""

from __future__ import annotations

import time

from slack_sdk.models.views import View

from storage.models import Status
from tests.e2e import Stack, all_text, button, validate
from tests.process.httpkit import acked, blocks_of, clean, e2e

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


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
