"""The coordinators' "could not be delivered" message names the first few and counts the rest.

The cut is the view-model's (``bot.schedule.run.undelivered``), not the template's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.render.environment import render_blocks
from bot.schedule import run
from storage.models import Notification, NotificationState, Partnership, Person
from tests.sweepkit import at


def _fail(factory: sessionmaker[Session], n: int) -> int:
    """``n`` failed, unreported nudges in Riverside; its id."""
    with factory() as session:
        pid = session.scalars(select(Partnership.id).where(Partnership.slug == "riverside")).one()
        person = session.scalars(select(Person.id).where(Person.partnership_id == pid)).first()
        for i in range(n):
            session.add(
                Notification(
                    partnership_id=pid,
                    kind="nudge",
                    target=f"person:{person}",
                    period=f"p{i}",
                    state=NotificationState.FAILED,
                    last_error="account_inactive",
                )
            )
        session.commit()
    return pid


def test_past_the_limit_the_rest_are_counted(imported: sessionmaker[Session]) -> None:
    pid = _fail(imported, run.UNDELIVERED_SHOWN + 4)
    messages = run.undelivered(imported, pid, at("2026-11-23 10:00"))
    assert messages
    reply = messages[0].reply
    assert len(reply.data["items"]) == run.UNDELIVERED_SHOWN
    assert reply.data["count"] == run.UNDELIVERED_SHOWN + 4 and reply.data["more"] == 4
    assert reply.text == f"{run.UNDELIVERED_SHOWN + 4} scheduled messages could not be delivered"
    assert "…and 4 more." in str(render_blocks("undelivered", reply.data))


def test_within_the_limit_all_are_named(imported: sessionmaker[Session]) -> None:
    pid = _fail(imported, 1)
    [*messages] = run.undelivered(imported, pid, at("2026-11-23 10:00"))
    reply = messages[0].reply
    assert len(reply.data["items"]) == 1 and reply.data["more"] == 0
    assert reply.text == "1 scheduled message could not be delivered"
    assert "more." not in str(render_blocks("undelivered", reply.data))
