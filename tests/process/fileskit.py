"""What the tests of files sent to Slack share (export, the board paper, its charts).

One server per backend on Riverside and Hillford, each test from the imported
plans, and :func:`slow` for a command acknowledged at once and answered through
its response URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e import ACK_LIMIT, Response, Stack, all_text, running, validate

CORA = "U0CORA"  # Riverside's coordinator
MO = "U0MO"  # a member of Riverside


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server on riverside and hillford, and the fake Slack, per backend."""
    workdir = tmp_path_factory.mktemp(f"files-{request.param}")
    with running(request, workdir) as stack:
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans; the server logs no traceback."""
    with e2e.test():
        yield e2e


def slow(e2e: Stack, user: str, line: str) -> tuple[Response, dict[str, Any]]:
    """A slow command: a prompt "On it" ack, then its reply through the response URL."""
    response = e2e.server.command(user, line)
    assert response.status == 200 and response.elapsed < ACK_LIMIT, response.body
    assert "On it" in all_text(response.json), response.json
    [posted] = e2e.fake.wait_for("response_url", where=lambda c: c.path.endswith(response.token))
    validate(posted.params["blocks"])
    return response, posted.params
