"""End to end: a Slack that does not answer cannot hold a button's, a form's or Home's ack.

The server runs with ``process_before_response=True``: its HTTP answer to
Slack leaves only when the listener returns. A Slack call made inside the
listener would hold that answer for as long as Slack takes (the clients give
up after 10 seconds), and Slack shows the person an error after 3. Each test
here makes the fake Slack hang the one call a request leads to (a response
URL post, ``views.publish``, ``chat.postEphemeral``) and checks that the
request is still answered at once, its change saved, the server still
answering others, and that nothing breaks once the hung call is let go.

"At once" is judged by the order of events, not by a stopwatch a busy machine
can outrun: the answer must arrive while the fake still holds the hung call
with the bot still waiting on it (:meth:`FakeSlack.held`). An answer that
waited on Slack could only come once the bot's client gave up (10 seconds) and
closed that connection. The answer must also come inside Slack's 3 seconds
(:data:`tests.e2e.ACK_LIMIT`), as every ack must.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from storage.models import Rag, Source, Status
from tests.e2e import ACK_LIMIT, Response, Stack, all_text, button, running
from tests.fakeslack import Call, FakeSlack


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server on each backend, warmed up by one of each request these tests send."""
    workdir = tmp_path_factory.mktemp(f"after-ack-{request.param}")
    with running(request, workdir) as stack:
        # First requests pay for imports and pooled connections: not what is measured here.
        stack.server.command("U0LEE", "action show A-1")
        stack.server.block_action("U0LEE", button("action_show", "A-1"))
        stack.server.event("U0LEE")
        stack.fake.wait_for("response_url")
        stack.fake.wait_for("views.publish")
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans; afterwards the server logged no traceback."""
    e2e.reset()
    seen = len(e2e.server.output())
    yield e2e
    e2e.fake.release()
    time.sleep(0.05)
    new = e2e.server.output()[seen:]
    assert "Traceback" not in new, new[-4000:]


@contextmanager
def hung(fake: FakeSlack, method: str) -> Iterator[None]:
    """The next call of ``method`` hangs until the block ends."""
    fake.hang(method, accept=False, times=1)
    try:
        yield
    finally:
        fake.release()


def quick(fake: FakeSlack, method: str, response: Response) -> dict[str, Any]:
    """Assert a 200 that did not wait on the hung ``method``; its JSON body (``{}`` when empty).

    Every hung ``method`` call made so far must still be held with its caller
    waiting: an answer that waited on Slack comes only after the bot's client gave up.
    """
    assert response.status == 200, (response.status, response.body)
    hung_calls = [c for c in fake.calls(method) if c.failed == "hang"]
    held = fake.held(method)  # read second: a call arriving meanwhile is only here
    gave_up = [c for c in hung_calls if c not in held]
    assert not gave_up, f"answered after the bot gave up on {method}: it waited on Slack"
    assert response.elapsed < ACK_LIMIT, f"ack took {response.elapsed:.2f}s"
    return response.json


def hanging(fake: FakeSlack, method: str) -> Call:
    """The call of ``method`` that the fake is holding (it has arrived and is hung)."""
    [call] = fake.wait_for(method)
    assert call.failed == "hang", call
    assert fake.held(method) == [call], f"the bot gave up on {method} already"
    return call


def test_button_answers_while_its_response_url_post_hangs(e2e: Stack) -> None:
    """Mark done with a hung response URL: quick 200, saved, the next /csp still answered."""
    seen = len(e2e.server.output())
    with hung(e2e.fake, "response_url"):
        pressed = e2e.server.block_action("U0LEE", button("action_done", "A-1"))
        assert quick(e2e.fake, "response_url", pressed) == {}
        # The reply is on its way to the response URL (after the save) and stuck there.
        call = hanging(e2e.fake, "response_url")
        assert call.path.endswith(pressed.token)
        assert "A-1" in all_text(call.params)
        action = e2e.db.action("A-1")
        assert action.status == Status.COMPLETE
        [entry] = e2e.db.new_updates()
        assert entry.source == Source.BUTTON and entry.action.ref == "A-1"
        # Another command meanwhile is answered in its ack, as usual.
        body = quick(e2e.fake, "response_url", e2e.server.command("U0LEE", "action show A-1"))
        assert body["response_type"] == "ephemeral"
        text = all_text(body)
        assert "A-1" in text and ":warning:" not in text, text
    # Let go, the post is refused (503): logged as such, nothing retried or crashed.
    e2e.server.wait_logged("respond refused: HTTP 503", seen)
    assert len(e2e.fake.calls("response_url")) == 1
    assert e2e.server.health() == 200
    assert e2e.db.action("A-1").status == Status.COMPLETE
    assert len(e2e.db.new_updates()) == 1


def test_home_opened_answers_while_views_publish_hangs(e2e: Stack) -> None:
    """app_home_opened with a hung views.publish: quick 200; the server keeps answering."""
    with hung(e2e.fake, "views.publish"):
        assert quick(e2e.fake, "views.publish", e2e.server.event("U0LEE")) == {}
        call = hanging(e2e.fake, "views.publish")
        assert call.params["user_id"] == "U0LEE"
        body = quick(e2e.fake, "views.publish", e2e.server.command("U0MO", "whoami"))
        assert "Mo Member" in all_text(body)
        assert quick(e2e.fake, "views.publish", e2e.server.event("U0GINA")) == {}
        # Gina's Home is published at once: one stuck call holds nobody else's.
        [gina] = e2e.fake.wait_for("views.publish", where=lambda c: c.params["user_id"] == "U0GINA")
        assert not gina.failed
    # Let go (a 503), Lee's publish is retried and goes through.
    lee = e2e.fake.wait_for("views.publish", 2, where=lambda c: c.params["user_id"] == "U0LEE")
    assert [c.failed for c in lee] == ["hang", ""]
    assert lee[1].params["view"]["type"] == "home"
    assert e2e.server.health() == 200


def test_form_submission_answers_while_its_confirmation_hangs(e2e: Stack) -> None:
    """The update form submitted with a hung chat.postEphemeral: quick empty 200, saved."""
    opening = e2e.server.command("U0LEE", "action update A-1")
    assert opening.status == 200 and opening.elapsed < ACK_LIMIT and opening.json == {}
    [opened] = e2e.fake.calls("views.open")
    view = opened.params["view"]
    assert json.loads(view["private_metadata"])["channel"] == "C0RGEN"
    with hung(e2e.fake, "chat.postEphemeral"):
        saved = e2e.server.view_submission(
            "U0LEE", view, {"rag": "red", "status": "in_progress", "note": "Venue rebooked"}
        )
        assert quick(e2e.fake, "chat.postEphemeral", saved) == {}  # no errors on the form
        assert e2e.db.action("A-1").rag == Rag.RED
        [entry] = e2e.db.new_updates()
        assert entry.source == Source.MODAL and entry.note == "Venue rebooked"
        call = hanging(e2e.fake, "chat.postEphemeral")
        assert call.params["channel"] == "C0RGEN" and call.params["user"] == "U0LEE"
        assert "A-1" in all_text(call.params)
        body = quick(e2e.fake, "chat.postEphemeral", e2e.server.command("U0LEE", "action show A-1"))
        assert "A-1" in all_text(body)
    # Let go (a 503), the confirmation is retried and delivered once.
    posts = e2e.fake.wait_for("chat.postEphemeral", 2)
    assert [c.failed for c in posts] == ["hang", ""]
    time.sleep(0.2)
    assert not e2e.fake.calls("chat.postMessage")  # no fallback DM on top of it
    assert len(e2e.db.new_updates()) == 1
    assert e2e.server.health() == 200
