"""`person remove` on a large plan: every open action unowned in a few statements, locks kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from partnership.edits import BATCH, clear_owner
from storage.models import Action, ActionUpdate, Partnership, Person, Status
from tests.kit import context, load_plans, run

MANY = BATCH + 120  # more than one batch of ids


def lee_with_many(session: Session) -> tuple[int, int]:
    """Riverside with MANY more open actions owned by Lee Lead: (partnership id, Lee's id)."""
    load_plans(session)
    pid = session.scalars(select(Partnership.id).where(Partnership.slug == "riverside")).one()
    lee = session.scalars(
        select(Person.id).where(Person.partnership_id == pid, Person.name == "Lee Lead")
    ).one()
    session.execute(
        insert(Action),
        [
            {
                "partnership_id": pid,
                "ref": f"B-{i}",
                "title": f"Bulk {i}",
                "owner_id": lee,
                "status": Status.IN_PROGRESS,
                "position": 1000 + i,
            }
            for i in range(MANY)
        ],
    )
    session.commit()
    return pid, lee


def test_every_open_action_loses_its_owner_with_an_entry_and_a_new_version(
    session: Session,
) -> None:
    pid, lee = lee_with_many(session)
    owned = select(Action).where(Action.partnership_id == pid, Action.owner_id == lee)
    open_before = {a.id: a.version for a in session.scalars(owned) if a.status != Status.COMPLETE}
    entries_before = session.scalar(select(func.count()).select_from(ActionUpdate)) or 0
    outcome, text = run(context(session), "person remove <@U0LEE|lee>")
    assert outcome.ok, text
    session.commit()
    session.expire_all()
    rows = session.scalars(select(Action).where(Action.id.in_(open_before))).all()
    assert len(rows) == len(open_before) >= MANY
    assert all(a.owner_id is None for a in rows)
    assert all(a.version == open_before[a.id] + 1 for a in rows)  # the lock was bumped
    entries = session.scalars(
        select(ActionUpdate).where(ActionUpdate.id > entries_before).order_by(ActionUpdate.id)
    ).all()
    assert sorted(e.action_id for e in entries) == sorted(open_before)
    assert {tuple(e.changes["owner"]) for e in entries} == {("Lee Lead", None)}
    assert f"{len(open_before)} open actions they owned" in text


def test_an_action_that_changed_hands_meanwhile_makes_the_command_run_again(
    session: Session,
) -> None:
    _, lee = lee_with_many(session)
    ctx = context(session)
    person = session.get(Person, lee)
    assert person is not None
    actions = list(session.scalars(select(Action).where(Action.owner_id == lee)))
    # Another writer gives one of them to someone else after this command read them.
    session.execute(update(Action).where(Action.id == actions[3].id).values(owner_id=None))
    entries = session.scalar(select(func.count()).select_from(ActionUpdate))
    with pytest.raises(StaleDataError):
        clear_owner(ctx, person, actions, "left")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ActionUpdate)) == entries
