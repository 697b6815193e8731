"""Shared helpers of the digest tests (test_digest_*.py): the view-model, its Slack pages, counts.

Riverside on Saturday 21/11/2026 (kit.NOW): meetings on 10/12/2026 and
11/03/2027, none before, so "since" is the start of the financial year
(01/04/2026). A-1 (due 30/09/2026) and A-4 (due 31/10/2026), both Lee Lead's,
are overdue. Sending is tested through the outbox with the recording sender;
the schedule is tested in test_sweep_digests.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.render.blocks import pages, to_text
from bot.render.environment import render_blocks
from commands.framework.dispatch import Outcome
from partnership import digest as digest_data
from partnership import digest_meetings
from partnership.context import Reply
from storage.models import (
    ActionUpdate,
    DigestSnapshot,
    Notification,
    Person,
    QuarterlyReturn,
    SubGroup,
)
from tests import kit

HOSTILE = "<!channel> <https://evil|x> {{ 7*7 }} *bold* <script>alert(1)</script>"
TODAY = kit.NOW.date()
FIRST = dt.date(2026, 12, 10)


def person(session: Session, name: str) -> Person:
    return session.scalars(
        select(Person).where(
            Person.partnership_id == kit.partnership(session).id, Person.name == name
        )
    ).one()


def group(session: Session, name: str = "ASB Steering Group") -> SubGroup:
    return session.scalars(
        select(SubGroup).where(
            SubGroup.partnership_id == kit.partnership(session).id, SubGroup.name == name
        )
    ).one()


def digest(
    session: Session, day: dt.date = FIRST, now: dt.datetime = kit.NOW, slug: str = "riverside"
) -> dict[str, Any]:
    """The digest view-model for the meeting on ``day``, as the console operator would build it."""
    ctx = kit.context(session, slug, None, now=now)
    meetings = digest_meetings.board_meetings(ctx)
    meeting = next(m for m in meetings if m.date == day)
    return digest_data.build(ctx, meeting, meetings).data


def slack(data: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The digest as Slack pages, each checked against Block Kit."""
    paged = pages(render_blocks("digest", data))
    for page in paged:
        kit.valid_blocks(page)
    return paged


def text_chars(page: list[dict[str, Any]]) -> int:
    """The text a page carries: chat.postMessage refuses about 12,000 (msg_blocks_too_long)."""
    total = 0
    for block in page:
        total += len(block.get("text", {}).get("text", ""))
        total += sum(len(e.get("text", "")) for e in block.get("elements", []))
    return total


def text_of(paged: list[list[dict[str, Any]]]) -> str:
    return "\n".join(to_text(page) for page in paged)


def shown(outcome: Outcome) -> str:
    assert isinstance(outcome.result, Reply)
    return text_of(pages(render_blocks(outcome.result.template, outcome.result.data)))


def written(session: Session) -> tuple[int, int, int]:
    """Outbox rows, snapshots and history entries: a preview writes none of them."""
    return (
        session.scalar(select(func.count()).select_from(Notification)) or 0,
        session.scalar(select(func.count()).select_from(DigestSnapshot)) or 0,
        session.scalar(select(func.count()).select_from(ActionUpdate)) or 0,
    )


def add_return(
    session: Session,
    name: str,
    *,
    submitted: dt.datetime,
    escalations: str | None = None,
    by: str = "Gina Grouplead",
    quarter: tuple[int, int] = (2026, 2),
) -> None:
    session.add(
        QuarterlyReturn(
            partnership_id=kit.partnership(session).id,
            subgroup_id=group(session, name).id,
            fy_start_year=quarter[0],
            quarter=quarter[1],
            submitted_at=submitted,
            submitted_by_id=person(session, by).id,
            summary="Quarter summary",
            escalations=escalations,
        )
    )


@pytest.fixture
def plans(session: Session) -> Session:
    kit.load_plans(session)
    return session
