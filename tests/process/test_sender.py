"""The scheduler's Slack sender, with the real WebClient against the loopback fake Slack."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bot.schedule.clock import scheduler_client
from bot.schedule.sender import EVENT_TYPE, SlackSender
from bot.settings import Settings
from partnership.context import Reply
from tests.fakeslack import WAIT_LIMIT, FakeSlack


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def _sender(slack: FakeSlack, timeout: int = 10) -> SlackSender:
    settings = Settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.base_url)
    client = scheduler_client(settings)
    client.timeout = timeout
    return SlackSender(client)


def _long_reply(lines: int) -> Reply:
    """A reply of many sections: more than one page of 50 blocks."""
    items = "\n".join(f"- item {n}" for n in range(lines))
    return Reply("error", {"message": items, "line": "", "example": ""}, text="A long one")


def test_post_carries_its_key_and_continues_in_a_thread(slack: FakeSlack) -> None:
    sender = _sender(slack)
    payload = sender.prepare(_long_reply(3), "riverside")
    payload["pages"] = payload["pages"] * 3  # three pages
    delivery = sender.post("C0RBOARD", payload, "digest|channel:C0RBOARD|meeting:1")
    assert delivery.ok
    posts = slack.calls("chat.postMessage")
    assert len(posts) == 3
    first = posts[0].params
    assert first["metadata"] == {
        "event_type": EVENT_TYPE,
        "event_payload": {"key": "digest|channel:C0RBOARD|meeting:1"},
    }
    thread = slack.messages("C0RBOARD")[0]["ts"]
    assert [p.params.get("thread_ts") for p in posts[1:]] == [thread, thread]


def test_already_posted_reads_the_conversation_history(slack: FakeSlack) -> None:
    sender = _sender(slack)
    payload = sender.prepare(_long_reply(1), "riverside")
    assert not sender.already_posted("U0LEE", "nudge|person:2|2026-11-23")
    assert sender.post("U0LEE", payload, "nudge|person:2|2026-11-23").ok
    assert sender.already_posted("U0LEE", "nudge|person:2|2026-11-23")
    assert not sender.already_posted("U0LEE", "nudge|person:2|2026-11-24")
    assert slack.calls("conversations.open")[-1].params["users"] == "U0LEE"


def test_history_that_cannot_be_read_means_send(slack: FakeSlack) -> None:
    sender = _sender(slack)
    slack.fail("conversations.history", "missing_scope")
    assert sender.already_posted("C0RBOARD", "k") is False


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        ("account_inactive", False),
        ("user_not_found", False),
        ("channel_not_found", False),
        ("is_archived", False),
        ("not_in_channel", False),
        ("invalid_auth", False),
        ("internal_error", True),
    ],
)
def test_slack_errors_are_returned_with_whether_to_retry(
    slack: FakeSlack, error: str, transient: bool
) -> None:
    sender = _sender(slack)
    slack.fail("chat.postMessage", error)
    delivery = sender.post("U0LEE", sender.prepare(_long_reply(1), "r"), "k")
    assert (delivery.ok, delivery.error, delivery.transient) == (False, error, transient)


def test_rate_limit_honours_retry_after_then_sends(slack: FakeSlack) -> None:
    sender = _sender(slack)
    slack.fail_http("chat.postMessage", 429, retry_after=1, times=2)
    started = time.monotonic()
    delivery = sender.post("U0LEE", sender.prepare(_long_reply(1), "r"), "k")
    assert delivery.ok
    assert time.monotonic() - started >= 2.0  # waited Retry-After twice
    assert len(slack.calls("chat.postMessage")) == 3


def test_rate_limit_beyond_the_retries_is_transient(slack: FakeSlack) -> None:
    sender = _sender(slack)
    slack.fail_http("chat.postMessage", 429, retry_after=0, times=10)
    delivery = sender.post("U0LEE", sender.prepare(_long_reply(1), "r"), "k")
    assert (delivery.ok, delivery.transient) == (False, True)


def test_server_errors_are_retried(slack: FakeSlack) -> None:
    sender = _sender(slack)
    slack.fail_http("chat.postMessage", 503, times=2)
    assert sender.post("U0LEE", sender.prepare(_long_reply(1), "r"), "k").ok


def test_a_hung_connection_times_out_as_transient(slack: FakeSlack) -> None:
    sender = _sender(slack, timeout=1)
    slack.hang("chat.postMessage", accept=False, times=5)
    started = time.monotonic()
    delivery = sender.post("U0LEE", sender.prepare(_long_reply(1), "r"), "k")
    slack.release()
    assert (delivery.ok, delivery.transient) == (False, True)
    # The client gave up (1 s timeouts, retried) long before the fake would have answered.
    assert time.monotonic() - started < WAIT_LIMIT


def test_a_failed_continuation_page_still_counts_as_sent(slack: FakeSlack) -> None:
    sender = _sender(slack)
    payload = sender.prepare(_long_reply(1), "r")
    payload["pages"] = payload["pages"] * 2
    slack.fail("chat.postMessage", "ratelimited", times=1, when={"channel": "D0LEE"})
    delivery = sender.post("U0LEE", payload, "k")
    # The first page reached Slack: resending would repeat it, so it is "sent".
    assert delivery.ok
