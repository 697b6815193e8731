"""Shared fixtures of the end-to-end security tests: signatures, partnerships, hostile input.

The same real server as the ``test_e2e_http_*`` modules (one per backend for each module).
Requests that Slack did not sign, or signed too long ago, must be refused with
401 before anything runs. People only ever see and change their own
partnership's plan; a user id from another workspace is nobody. Text people
type is shown as text: Slack's ``<!channel>`` markup is escaped and template
syntax is never evaluated. Whatever arrives, the answer is never a 500.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from storage.models import Rag, Status
from tests.e2e import ACK_LIMIT, Response, Stack, running

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
