"""Which actions and owners are nudged, what the DM shows, and an undeliverable nudge."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import nudges
from bot.schedule.run import context as sweep_context
from storage.models import (
    Action,
    ActionUpdate,
    Notification,
    NotificationState,
    Partnership,
    Person,
    Status,
)
from tests import kit
from tests.db.nudgekit import (
    MONDAY,
    add_action,
    button_in,
    edit,
    get_person,
    memory,
    nudged,
    refs_in,
)
from tests.sweepkit import RecordingSender, at, sweep

# ------------------------------------------------------------------- snoozes


def test_snoozed_actions_are_skipped(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-4", snoozed_until=dt.date(2026, 11, 23))  # snoozed through today
    edit(imported, "A-1", snoozed_until=dt.date(2026, 11, 22))  # has run out
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [lee] = nudged(sender, "U0LEE")
    assert refs_in(lee) == ["A-1"]
    assert set(memory(imported)) == {"A-1"}
    sweep(imported, sender, "2026-11-24 09:30")  # the snooze has run out: A-4's turn
    assert refs_in(nudged(sender, "U0LEE")[-1]) == ["A-4"]


def test_everything_snoozed_means_no_message(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-1", snoozed_until=dt.date(2026, 12, 1))
    edit(imported, "A-4", snoozed_until=dt.date(2026, 12, 1))
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    assert nudged(sender, "U0LEE") == []


def test_closed_actions_are_not_nudged(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-1", status=Status.COMPLETE)
    edit(imported, "A-4", status=Status.DROPPED)
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    assert nudged(sender, "U0LEE") == []


# ------------------------------------------------------------- who and what


def test_owner_not_on_slack_gets_no_message(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-2", due_date=dt.date(2026, 11, 1))
    with imported() as session:
        partnership = get_person(session, "Olive Offline").partnership
        messages = nudges.due(sweep_context(session, partnership, at(MONDAY)))
    assert [m.recipient.name for m in messages] == ["Lee Lead"]
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    assert "A-2" not in memory(imported)
    # The coordinator's roll-up names her instead (tests/db/test_sweep_rollup.py covers it).
    [rollup] = sender.to("U0CORA", "rollup")
    assert "Olive Offline, olive@victimsupport.example: overdue: A-2" in rollup.text


def test_nudging_never_touches_the_action_row(imported: sessionmaker[Session]) -> None:
    def rows() -> tuple[list[tuple[Any, ...]], int]:
        with imported() as session:
            actions = session.execute(
                select(Action.id, Action.version, Action.updated_at).order_by(Action.id)
            ).all()
            history = len(session.scalars(select(ActionUpdate)).all())
        return [tuple(a) for a in actions], history

    before = rows()
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    assert nudged(sender, "U0LEE")
    assert rows() == before  # no version bump (a lead's open form stays valid), no history
    remembered = memory(imported)
    assert remembered["A-1"] == ("overdue", at(MONDAY))
    assert remembered["A-4"] == ("overdue", at(MONDAY))


def test_a_long_list_is_cut_and_counted(imported: sessionmaker[Session]) -> None:
    for n in range(20):
        add_action(imported, f"B-{n + 1}", "Lee Lead", dt.date(2026, 11, 1))
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [lee] = nudged(sender, "U0LEE")
    assert len(lee.pages) == 1 and len(lee.pages[0]) <= 50
    assert len(refs_in(lee)) == 15 and refs_in(lee)[:2] == ["A-1", "A-4"]
    assert "22 of your actions" in lee.text
    assert "…and 7 more actions: see them all with `/csp action list mine`" in lee.text
    assert len(memory(imported)) == 22  # told about all of them, so all wait out the interval


def test_hostile_title_is_shown_as_text(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-1", title="<!channel> {{ 7*7 }} & co")
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [lee] = nudged(sender, "U0LEE")
    raw = json.dumps(lee.pages)
    assert "<!channel>" not in raw and "49" not in raw
    assert "&lt;!channel&gt; {{ 7*7 }} &amp; co" in raw


def test_partnerships_are_nudged_apart(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [hana] = nudged(sender, "U0HANA")
    assert "Hillford covert operation" in hana.text and "Hillford Safer Communities" in hana.text
    assert "Riverside" not in hana.text and "youth diversion" not in hana.text
    assert "Hillford" not in nudged(sender, "U0LEE")[0].text
    assert button_in(hana, "action_done", "A-1")["value"] == "A-1@hillford"


def test_queries_do_not_grow_with_owners_or_actions(imported: sessionmaker[Session]) -> None:
    def count() -> int:
        with imported() as session:
            partnership = session.scalars(
                select(Partnership).where(Partnership.slug == "riverside")
            ).one()
            ctx = sweep_context(session, partnership, at(MONDAY))
            statements: list[str] = []
            engine = session.get_bind()

            def seen(*args: Any) -> None:
                statements.append(str(args[2]))

            event.listen(engine, "before_cursor_execute", seen)
            try:
                found = nudges.due(ctx)
            finally:
                event.remove(engine, "before_cursor_execute", seen)
            assert found
            return len(statements)

    before = count()
    with imported() as session:
        riverside = get_person(session, "Lee Lead").partnership
        for n in range(6):
            person = Person(
                partnership_id=riverside.id, name=f"Owner {n}", slack_user_id=f"U0OWN{n}"
            )
            session.add(person)
            for m in range(5):
                session.add(
                    Action(
                        partnership_id=riverside.id,
                        ref=f"C-{n * 5 + m + 1}",
                        title="Another overdue action",
                        owner=person,
                        due_date=dt.date(2026, 10, 1),
                        updated_at=kit.NOW,
                    )
                )
        session.commit()
    assert count() == before <= 3


# ----------------------------------------------------------- when it fails


def test_undeliverable_nudge_is_reported_to_coordinators_once(
    imported: sessionmaker[Session],
) -> None:
    sender = RecordingSender(fail={"U0LEE": ("user_not_found", False)})
    sweep(imported, sender, MONDAY)
    with imported() as session:
        note = session.scalars(
            select(Notification).where(
                Notification.kind == "nudge", Notification.address == "U0LEE"
            )
        ).one()
        assert note.state == NotificationState.FAILED
    [report] = sender.to("U0CORA", "undelivered")
    assert "A scheduled message from Riverside Community Safety Partnership" in report.text
    assert "*overdue/stale nudge* to Lee Lead (23/11/2026)" in report.text
    assert (
        "Slack has no such user; check their Slack id in the plan (user_not_found)" in report.text
    )
    assert "*What to do*" in report.text and "import the plan again" in report.text
    # Remembered at the claim, so a Slack id that will never work is not retried daily.
    assert set(memory(imported)) == {"A-1", "A-4"}
    sweep(imported, sender, "2026-11-24 09:30")
    assert len(sender.to("U0CORA", "undelivered")) == 1
