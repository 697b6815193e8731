"""The end-to-end database: plans imported into it, and a snapshot tests go back to."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from storage.db import make_engine, session_factory, upgrade
from storage.models import (
    Action,
    ActionUpdate,
    DigestSnapshot,
    Meeting,
    Notification,
    Partnership,
    Person,
    PlanChange,
    SubGroup,
    subgroup_priority,
)
from storage.planfile import load_plan_text
from storage.sync import apply_plan
from tests.databases import fresh_postgres as _fresh_postgres

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


def prepare_database(url: str, plans: list[Path]) -> None:
    """Migrate an empty database and import plan files into it."""
    prepare_database_text(url, [(p.name, p.read_text(encoding="utf-8")) for p in plans])


def prepare_database_text(url: str, plans: list[tuple[str, str]]) -> None:
    """Migrate an empty database and import plans given as (file name, YAML text)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        factory = session_factory(engine)
        for name, text in plans:
            with factory() as session:
                apply_plan(session, load_plan_text(text, name), source_name=name)
                session.commit()
    finally:
        engine.dispose()


# A new, empty PostgreSQL database (dropped afterwards), made as conftest makes them.
fresh_postgres = contextmanager(_fresh_postgres)


class Baseline:
    """The actions as imported; :meth:`restore` undoes whatever tests did to them."""

    COLUMNS = (
        "status",
        "rag",
        "due_date",
        "snoozed_until",
        "updated_at",
        "version",
        "title",
        "owner_id",
    )
    # /csp person role|remove|link and /csp group … change these: put them back too.
    PERSON_COLUMNS = ("role", "slack_user_id", "removed_at")
    GROUP_COLUMNS = ("lead_id", "closed_on")
    MEETING_COLUMNS = ("partnership_id", "subgroup_id", "title", "date", "time", "location")

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.factory: sessionmaker[Session] = session_factory(self.engine)
        with self.factory() as session:
            self.max_action = session.scalar(select(func.max(Action.id))) or 0
            self.max_update = session.scalar(select(func.max(ActionUpdate.id))) or 0
            self.max_note = session.scalar(select(func.max(Notification.id))) or 0
            self.rows = {
                row.id: {c: getattr(row, c) for c in self.COLUMNS}
                for row in session.scalars(select(Action))
            }
            # /csp meeting add, move and cancel change the meetings: put them back too.
            self.meetings = {
                row.id: {c: getattr(row, c) for c in self.MEETING_COLUMNS}
                for row in session.scalars(select(Meeting))
            }
            self.people = {
                row.id: {c: getattr(row, c) for c in self.PERSON_COLUMNS}
                for row in session.scalars(select(Person))
            }
            self.groups = {
                row.id: {c: getattr(row, c) for c in self.GROUP_COLUMNS}
                for row in session.scalars(select(SubGroup))
            }
            self.covers = [dict(r._mapping) for r in session.execute(select(subgroup_priority))]

    def restore(self) -> None:
        """Delete rows added since the snapshot and put the actions' values back."""
        with self.factory() as session:
            # Core statements: the ORM guard that keeps history append-only is for the bot.
            session.execute(delete(ActionUpdate).where(ActionUpdate.id > self.max_update))
            session.execute(delete(Notification).where(Notification.id > self.max_note))
            session.execute(delete(Action).where(Action.id > self.max_action))
            for action_id, values in self.rows.items():
                session.execute(update(Action).where(Action.id == action_id).values(**values))
            self._restore_meetings(session)
            self._restore_people_and_groups(session)
            session.commit()

    def _restore_meetings(self, session: Session) -> None:
        """Meetings added since the snapshot go; moved ones move back; cancelled ones return."""
        kept = list(self.meetings)
        added = select(Meeting.id).where(Meeting.id.not_in(kept))
        session.execute(delete(DigestSnapshot).where(DigestSnapshot.meeting_id.in_(added)))
        session.execute(delete(Meeting).where(Meeting.id.not_in(kept)))
        present = set(session.scalars(select(Meeting.id)))
        for meeting_id, values in self.meetings.items():
            if meeting_id in present:
                session.execute(update(Meeting).where(Meeting.id == meeting_id).values(**values))
            else:
                session.add(Meeting(id=meeting_id, **values))

    def _restore_people_and_groups(self, session: Session) -> None:
        """Groups added since the snapshot go; people's roles and links, groups' leads return."""
        session.execute(delete(PlanChange))
        session.execute(delete(subgroup_priority))
        session.execute(delete(SubGroup).where(SubGroup.id.not_in(list(self.groups))))
        for group_id, values in self.groups.items():
            session.execute(update(SubGroup).where(SubGroup.id == group_id).values(**values))
        if self.covers:
            session.execute(insert(subgroup_priority), self.covers)
        for person_id, values in self.people.items():
            session.execute(update(Person).where(Person.id == person_id).values(**values))

    def session(self) -> Session:
        """A new session on the same database as the server."""
        return self.factory()

    def action(self, ref: str, slug: str = "riverside") -> Action:
        """An action as the database holds it now (owner, group and history loaded)."""
        with self.factory() as session:
            return (
                session.scalars(
                    select(Action)
                    .join(Partnership, Partnership.id == Action.partnership_id)
                    .where(Partnership.slug == slug, Action.ref == ref)
                    .options(
                        joinedload(Action.owner),
                        joinedload(Action.updates).joinedload(ActionUpdate.by),
                    )
                )
                .unique()
                .one()
            )

    def new_updates(self) -> list[ActionUpdate]:
        """History entries written since the snapshot, oldest first."""
        with self.factory() as session:
            return list(
                session.scalars(
                    select(ActionUpdate)
                    .where(ActionUpdate.id > self.max_update)
                    .options(joinedload(ActionUpdate.action), joinedload(ActionUpdate.by))
                    .order_by(ActionUpdate.id)
                )
            )

    def new_actions(self) -> list[Action]:
        """Actions added since the snapshot."""
        with self.factory() as session:
            return list(session.scalars(select(Action).where(Action.id > self.max_action)))

    def set_updated(self, ref: str, days_ago: int, slug: str = "riverside") -> None:
        """Pretend an action was last updated ``days_ago`` days ago (to make it stale)."""
        import datetime as dt

        when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
        with self.factory() as session:
            partnership = select(Partnership.id).where(Partnership.slug == slug)
            session.execute(
                update(Action)
                .where(Action.ref == ref, Action.partnership_id.in_(partnership))
                .values(updated_at=when)
            )
            session.commit()

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()
