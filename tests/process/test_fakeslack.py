"""The fake Slack's waits follow events: a call recorded, a process ended, a caller gone."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from tests.fakeslack import WAIT_LIMIT, FakeSlack


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def post(fake: FakeSlack, method: str, body: str = "channel=U0LEE") -> http.client.HTTPConnection:
    """Send a form-encoded Web API call; the connection is returned unread (it may hang)."""
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=WAIT_LIMIT)
    conn.request(
        "POST",
        f"/api/{method}",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return conn


def test_a_wait_wakes_when_the_call_arrives(slack: FakeSlack) -> None:
    thread = threading.Thread(target=lambda: post(slack, "chat.postMessage").getresponse().read())
    thread.start()
    [call] = slack.wait_for("chat.postMessage")
    thread.join()
    assert call.params["channel"] == "U0LEE"


def test_a_wait_fails_at_once_with_the_output_when_the_process_ends_first(
    slack: FakeSlack,
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", "print('no token, giving up')"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    with pytest.raises(AssertionError) as failed:
        slack.wait_for("chat.postMessage", process=process)
    # Not the safety net: the process's end is what ended the wait.
    assert "exited with 0" in str(failed.value)
    assert "no token, giving up" in str(failed.value)


def test_a_call_made_just_before_the_process_exits_still_counts(slack: FakeSlack) -> None:
    post(slack, "chat.postMessage").getresponse().read()
    process = subprocess.Popen([sys.executable, "-c", "pass"], stdout=subprocess.PIPE, text=True)
    process.wait()
    assert len(slack.wait_for("chat.postMessage", process=process)) == 1


def test_a_kept_hung_message_is_there_once_the_call_is_seen(slack: FakeSlack) -> None:
    slack.hang("chat.postMessage", accept=True)
    conn = post(slack, "chat.postMessage")
    slack.wait_for("chat.postMessage")
    # No wait between seeing the call and reading the conversation.
    assert len(slack.messages("U0LEE")) == 1
    slack.release()
    assert conn.getresponse().status == 503
    conn.close()


def test_held_lists_a_hung_call_until_its_caller_gives_up(slack: FakeSlack) -> None:
    slack.hang("views.publish", accept=False)
    conn = post(slack, "views.publish", "user_id=U0LEE")
    [call] = slack.wait_for("views.publish")
    assert slack.held("views.publish") == [call] and slack.held("chat.postMessage") == []
    conn.close()  # the caller's timeout: it hangs up
    deadline = time.monotonic() + WAIT_LIMIT  # a safety net: the hang-up is the event
    while slack.held() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert slack.held() == []
    slack.release()


def test_a_hang_planned_after_a_release_holds_its_own_call(slack: FakeSlack) -> None:
    """release() then hang() at once: the new call is held; the old one is not held again."""
    slack.hang("chat.postMessage", accept=False)
    first = post(slack, "chat.postMessage")
    slack.wait_for("chat.postMessage")
    slack.release()
    slack.hang("chat.postMessage", accept=False)
    assert first.getresponse().status == 503  # let go, though a hang was planned since
    second = post(slack, "chat.postMessage")
    slack.wait_for("chat.postMessage", 2)
    assert len(slack.held("chat.postMessage")) == 1
    slack.release()
    assert second.getresponse().status == 503
    first.close()
    second.close()
