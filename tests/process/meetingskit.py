"""Shared fixtures of the meeting tests over HTTP (test_meetings_http*.py): stack, counts.

Each test checks the ack (or the response-URL reply of a slow command or a
button), what Slack was sent, and what the database holds: a refusal leaves
the meeting and outbox row counts as they were. The moved-meeting note is
checked through the real sweeps (``run_due`` in-process, and ``csp-bot run-due``
as a process) against the same fake Slack: sent once, never twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from sqlalchemy import func, select

from storage.models import Meeting, Notification, Partnership
from tests.e2e import ACK_LIMIT, Response, Stack, running, validate

LONDON = ZoneInfo("Europe/London")
BANK = holidays.country_holidays("GB", subdiv="ENG", years=range(2026, 2032))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server on riverside and hillford, and the fake Slack, per backend."""
    workdir = tmp_path_factory.mktemp(f"meetings-{request.param}")
    with running(request, workdir) as stack:
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans; the server logs no traceback."""
    with e2e.test():
        yield e2e


def acked(response: Response) -> dict[str, Any]:
    """A prompt 200 ack's JSON body."""
    assert response.status == 200, (response.status, response.body)
    assert response.elapsed < ACK_LIMIT, f"ack took {response.elapsed:.2f}s"
    body = response.json
    if body.get("blocks"):
        validate(body["blocks"])
    return body


def today() -> dt.date:
    """Today in London, as the server reckons it."""
    return dt.datetime.now(LONDON).date()


def thursday(weeks: int) -> dt.date:
    """A Thursday at least ``weeks`` weeks ahead whose Wednesday and itself are working days."""
    day = today() + dt.timedelta(weeks=weeks)
    day += dt.timedelta(days=(3 - day.weekday()) % 7)
    while day in BANK or day - dt.timedelta(days=1) in BANK:
        day += dt.timedelta(weeks=1)
    return day


def counts(e2e: Stack) -> tuple[int, int]:
    """How many meetings and outbox rows the database holds."""
    with e2e.db.session() as session:
        meetings = session.scalar(select(func.count()).select_from(Meeting)) or 0
        notes = session.scalar(select(func.count()).select_from(Notification)) or 0
    return meetings, notes


def riverside_meetings(e2e: Stack) -> list[Meeting]:
    """Riverside's meetings, by date."""
    with e2e.db.session() as session:
        pid = select(Partnership.id).where(Partnership.slug == "riverside").scalar_subquery()
        return list(
            session.scalars(
                select(Meeting).where(Meeting.partnership_id == pid).order_by(Meeting.date)
            )
        )


def meeting_on(e2e: Stack, day: dt.date) -> Meeting:
    """Riverside's Leadership Group meeting on ``day``."""
    [meeting] = [m for m in riverside_meetings(e2e) if m.date == day and m.subgroup_id is None]
    return meeting


def reply(e2e: Stack, response: Response) -> dict[str, Any]:
    """The reply a slow command or a button posted to its response URL."""
    [posted] = e2e.fake.wait_for("response_url", where=lambda c: c.path.endswith(response.token))
    validate(posted.params["blocks"])
    return posted.params
