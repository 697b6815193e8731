"""Shared fixtures of the attacker's tests (test_e2e_adversarial_*.py): the stack, tables, the log.

The real ``csp-bot serve`` (one per backend for each module) with Riverside and
Hillford in one workspace. First the hostile tester's findings, one test each
(every one failed before the front door, :mod:`bot.slack.front`); then a generated
suite of ``block_actions``, ``view_submission`` and ``event_callback``
payloads sent by people who may not change what they aim at: other
partnerships' refs in button values, tampered ``private_metadata``, wrong
types, empty lists, deep nesting, huge and non-UTF-8 bodies. For each:

* never a 5xx (200 when signed; 413 for a body over the limit);
* nothing written: every table as imported;
* nothing of the other partnership in the answer or in any Web API call, and
  what the attacker typed shown as text (no ping, no link, never evaluated);
* nothing of what they typed in the server's log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.db.fuzzkit import snapshot
from tests.e2e import Response, Stack, running

# What the attacker types; none of it may reach a log, a ping, or be evaluated.
HOSTILE = "Zq9hostile <!channel> <@U0CORA> {{ 12345 * 6789 }} <https://evil.example|x>"
MARKER = "Zq9hostile"
# Text only Riverside holds / only Hillford holds.
RIVERSIDE_ONLY = ("youth diversion", "Map ASB hotspots", "ASB Steering Group", "Cora Coordinator")
HILLFORD_ONLY = ("Hillford covert operation", "Secret Hillford priority", "Hana Hillford")
NESTED = "[" * 1000 + "]" * 1000
EXAMPLES = 60


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server with riverside and hillford imported, and fake Slack."""
    workdir = tmp_path_factory.mktemp(f"e2e-adversarial-{request.param}")
    with running(request, workdir) as stack:
        yield stack
    # The generated cases tried, by kind, for the record (shown with -rA or -s).
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and TRIED:
        counts = ", ".join(f"{kind} {n}" for kind, n in sorted(TRIED.items()))
        reporter.write_line(f"adversarial ({request.param}): {counts}")
    TRIED.clear()


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans and an empty record of Slack calls."""
    e2e.reset()
    yield e2e


def tables(e2e: Stack) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the plan's tables (not the ledger of requests seen)."""
    with e2e.db.session() as session:
        return snapshot(session)


def log_since(e2e: Stack, mark: int) -> str:
    """What the server logged since ``mark`` (a length of its output)."""
    return e2e.server.output()[mark:]


def no_5xx(response: Response) -> None:
    """The one status rule: never a server error."""
    assert response.status < 500, (response.status, response.body)


TRIED: dict[str, int] = {}
