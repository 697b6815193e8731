"""Shared fixtures of the end-to-end HTTP tests (test_e2e_http_*.py): the stack, the ack, blocks.

One server per database backend serves each module (``csp-bot serve``:
gunicorn, Bolt's WSGI adapter, the real app); before each test the database
is put back as imported and the fake forgets what it was sent. Each test
checks three things: the HTTP answer (the ack), what the bot sent to Slack's
Web API or response URLs, and what the database holds afterwards.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e import ACK_LIMIT, Response, Stack, long_plan, running, validate


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
