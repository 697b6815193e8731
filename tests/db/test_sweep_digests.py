"""The scheduled pre-meeting digest: its window, its recipients, once only, and its snapshot.

Riverside holds Leadership Group meetings on Thursday 10/12/2026 and Thursday
11/03/2027. With the default of 5 working days, the first digest is due on
Thursday 03/12/2026 and the second on Thursday 04/03/2027. Chris Chair is on
Slack (U0CHRIS) and the board channel is C0RBOARD.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import digests
from bot.schedule.outbox import deliver
from bot.schedule.run import context as sweep_context
from bot.schedule.run import due_now
from partnership import digest as digest_data
from partnership import digest_meetings
from partnership.context import Context
from storage import partnership_settings
from storage.db import make_engine, session_factory, upgrade
from storage.models import (
    Action,
    Channel,
    DigestSnapshot,
    Meeting,
    Notification,
    NotificationState,
    Person,
    Priority,
    Rag,
    Role,
    Status,
)
from tests import kit
from tests.fakeslack import WAIT_LIMIT
from tests.sweepkit import RecordingSender, at, sweep

FIRST_MEETING = dt.date(2026, 12, 10)
DIGEST_DAY = "2026-12-03 09:30"
SECOND_DIGEST_DAY = "2027-03-04 09:30"


def ctx_at(session: Session, when: str) -> Context:
    """The scheduler's context for Riverside at a London wall-clock moment."""
    return sweep_context(session, kit.partnership(session), at(when))


def meeting_id(session: Session, day: dt.date) -> int:
    return session.scalars(
        select(Meeting.id).where(
            Meeting.partnership_id == kit.partnership(session).id, Meeting.date == day
        )
    ).one()


def run_digests(factory: sessionmaker[Session], sender: RecordingSender, when: str) -> list[str]:
    """What the orchestrator does for the digests sweep alone: due now, then the outbox."""
    now = at(when)
    with factory() as session:
        partnership = kit.partnership(session)
        messages = due_now(sweep_context(session, partnership, now), only="digests")
        pid, slug = partnership.id, partnership.slug
    return [deliver(factory, sender, m, pid, slug, now) for m in messages]


def due_targets(session: Session, when: str) -> set[tuple[str, str]]:
    """(target, period) of each digest due at a moment (hours not considered)."""
    return {(m.recipient.target, m.period) for m in digests.due(ctx_at(session, when))}


def configure(session: Session, **values: Any) -> None:
    partnership = kit.partnership(session)
    current = partnership_settings.of(partnership)
    partnership_settings.store(partnership, partnership_settings.change(current, values))
    session.commit()


def set_action(session: Session, ref: str, **values: Any) -> None:
    action = session.scalars(
        select(Action).where(
            Action.partnership_id == kit.partnership(session).id, Action.ref == ref
        )
    ).one()
    for name, value in values.items():
        setattr(action, name, value)


def snapshots(factory: sessionmaker[Session], day: dt.date) -> dict[str, str]:
    """A meeting's snapshot as {priority code: rag}."""
    with factory() as session:
        rows = session.execute(
            select(Priority.code, DigestSnapshot.rag)
            .join(Priority, Priority.id == DigestSnapshot.priority_id)
            .where(DigestSnapshot.meeting_id == meeting_id(session, day))
        ).all()
    return {code: rag for code, rag in rows}


# ------------------------------------------------------------------ the window


def test_due_from_the_digest_day_until_the_meeting(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        first = meeting_id(session, dt.date(2026, 12, 10))
        second = meeting_id(session, dt.date(2027, 3, 11))
        chris = session.scalars(select(Person.id).where(Person.slack_user_id == "U0CHRIS")).one()
        both = {(f"person:{chris}", f"meeting:{first}"), ("channel:C0RBOARD", f"meeting:{first}")}
        assert due_targets(session, "2026-11-21 10:00") == set()
        assert due_targets(session, "2026-12-02 17:59") == set()
        assert due_targets(session, DIGEST_DAY) == both
        assert due_targets(session, "2026-12-10 17:00") == both  # the meeting day itself
        assert due_targets(session, "2026-12-11 09:30") == set()  # never after the meeting
        assert due_targets(session, "2027-03-03 17:00") == set()
        assert due_targets(session, SECOND_DIGEST_DAY) == {
            (f"person:{chris}", f"meeting:{second}"),
            ("channel:C0RBOARD", f"meeting:{second}"),
        }
        message = digests.due(ctx_at(session, DIGEST_DAY))[0]
        assert message.kind == "digest" and message.reply.template == "digest"
        assert message.reply.data["meeting"]["date"] == "10/12/2026"
        assert message.on_claim is not None
        # Nothing is written by finding what is due.
        assert session.scalar(select(func.count()).select_from(DigestSnapshot)) == 0


def test_weekends_and_quiet_hours_wait_for_the_next_working_morning(
    imported: sessionmaker[Session],
) -> None:
    with imported() as session:
        # Saturday 05/12 and before 09:00 on the digest day: due, but the orchestrator holds it.
        for closed in ("2026-12-05 11:00", "2026-12-03 08:30", "2026-12-03 18:30"):
            assert digests.due(ctx_at(session, closed)), closed
            assert due_now(ctx_at(session, closed), only="digests") == [], closed
        assert len(due_now(ctx_at(session, "2026-12-07 09:00"), only="digests")) == 2


def test_the_digest_days_setting_moves_the_digest_day(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        configure(session, digest_days=2)
        assert due_targets(session, "2026-12-07 10:00") == set()
        assert len(due_targets(session, "2026-12-08 10:00")) == 2  # Tuesday, 2 working days before
        configure(session, digest_days=12)
        # 12 working days before Thursday 10/12/2026 is Tuesday 24/11/2026.
        assert due_targets(session, "2026-11-23 10:00") == set()
        assert len(due_targets(session, "2026-11-24 10:00")) == 2


def test_sent_once_to_each_chair_and_the_board_channel(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    assert run_digests(imported, sender, DIGEST_DAY) == ["sent", "sent"]
    assert {p.address for p in sender.posts} == {"U0CHRIS", "C0RBOARD"}
    post = sender.to("C0RBOARD", "digest")[0]
    assert "Digest for the Leadership Group, Thursday 10/12/2026" in post.text
    assert ":red_circle: *P1* Reduce anti-social behaviour — *red*" in post.text
    assert "Hillford" not in post.text and "covert" not in post.text
    # Later the same day, and on the following days: claimed already, so nothing is even due.
    for when in ("2026-12-03 15:00", "2026-12-07 09:30", "2026-12-10 09:30"):
        assert run_digests(imported, sender, when) == []
    assert len(sender.posts) == 2
    with imported() as session:
        rows = session.scalars(select(Notification).where(Notification.kind == "digest")).all()
        assert {(n.target.split(":")[0], n.state) for n in rows} == {
            ("person", NotificationState.SENT),
            ("channel", NotificationState.SENT),
        }


def test_a_claimed_digest_is_not_rebuilt(
    imported: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = RecordingSender()
    run_digests(imported, sender, DIGEST_DAY)

    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("the digest was rebuilt although every recipient has it")

    monkeypatch.setattr(digests, "build", refuse)
    with imported() as session:
        assert digests.due(ctx_at(session, "2026-12-04 10:00")) == []


def test_catches_up_when_the_bot_was_down_but_never_after_the_meeting(
    imported: sessionmaker[Session],
) -> None:
    sender = RecordingSender()
    # Down from Thursday 03/12 to Wednesday 09/12: it goes out then, before the meeting.
    assert run_digests(imported, sender, "2026-12-09 14:00") == ["sent", "sent"]
    later = RecordingSender()
    with imported() as session:
        session.execute(delete(Notification))
        session.execute(delete(DigestSnapshot))
        session.commit()
    assert run_digests(imported, later, "2026-12-11 09:30") == []
    assert later.posts == []


def test_chairs_not_on_slack_and_no_board_channel(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        chris = session.scalars(select(Person).where(Person.slack_user_id == "U0CHRIS")).one()
        chris.slack_user_id = None
        session.commit()
        assert {t for t, _ in due_targets(session, DIGEST_DAY)} == {"channel:C0RBOARD"}
        session.execute(
            delete(Channel).where(
                Channel.partnership_id == kit.partnership(session).id, Channel.purpose == "board"
            )
        )
        session.commit()
        assert digests.due(ctx_at(session, DIGEST_DAY)) == []


def test_a_second_chair_added_after_the_digest_went_gets_it_too(
    imported: sessionmaker[Session],
) -> None:
    sender = RecordingSender()
    run_digests(imported, sender, DIGEST_DAY)
    with imported() as session:
        session.add(
            Person(
                partnership_id=kit.partnership(session).id,
                name="Vic Vicechair",
                role=Role.CHAIR,
                slack_user_id="U0VIC",
            )
        )
        session.commit()
    assert run_digests(imported, sender, "2026-12-04 09:30") == ["sent"]
    assert [p.address for p in sender.posts[2:]] == ["U0VIC"]


# ------------------------------------------------------------------ snapshots and change


def test_snapshot_taken_once_and_the_next_digest_shows_the_change(
    imported: sessionmaker[Session],
) -> None:
    sender = RecordingSender()
    run_digests(imported, sender, DIGEST_DAY)
    # Two recipients, one snapshot per priority.
    assert snapshots(imported, dt.date(2026, 12, 10)) == {"P1": "red", "P2": "green"}
    with imported() as session:
        p1 = kit.partnership(session)
        assert session.scalar(select(func.count()).select_from(DigestSnapshot)) == 2
        # Between the meetings: P1's overdue actions are done, P2's is rated red, P3 is new.
        ctx = kit.context(session, "riverside", None, now=at("2027-01-11 10:00"))
        for ref in ("A-1", "A-4", "A-5"):
            outcome, text = kit.run(ctx, f"action done {ref}")
            assert outcome.ok, text
        outcome, text = kit.run(ctx, "action update A-3 rag:red")
        assert outcome.ok, text
        session.add(Priority(partnership_id=p1.id, code="P3", title="Serious violence", position=3))
        session.commit()
    run_digests(imported, sender, SECOND_DIGEST_DAY)
    post = sender.to("C0RBOARD", "digest")[-1]
    text = post.text
    assert "Thursday 11/03/2027" in text
    assert '"since" means since the last meeting on 10/12/2026' in text
    assert "*P1* Reduce anti-social behaviour — *green* ↑ better (was red)" in text
    assert "*P2* Tackle domestic abuse — *red* ↓ worse (was green)" in text
    assert "*P3* Serious violence — *not rated* (new since the last meeting)" in text
    assert "1 worse and 1 better than at the last meeting" in text
    assert "*3* completed" in text
    for ref in ("A-1", "A-4", "A-5"):
        assert f"• *{ref}* " in text.split("Completed since 10/12/2026")[1].split("Slipped")[0]
    slipped = text.split("Slipped since 10/12/2026")[1].split("Overdue by owner")[0]
    assert (
        "*A-3* Train 200 front-line staff in DA awareness — Mo Member: RAG green → red" in slipped
    )
    assert "overdue since 01/01/2027" in slipped
    assert snapshots(imported, dt.date(2027, 3, 11)) == {
        "P1": "green",
        "P2": "red",
        "P3": "not rated",
    }
    # The first meeting's snapshot is kept as it was.
    assert snapshots(imported, dt.date(2026, 12, 10)) == {"P1": "red", "P2": "green"}


def test_snapshot_of_a_meeting_is_not_replaced_by_a_later_claim(
    imported: sessionmaker[Session],
) -> None:
    with imported() as session:
        ctx = ctx_at(session, DIGEST_DAY)
        meeting = next(
            m for m in digest_meetings.board_meetings(ctx) if m.date == dt.date(2026, 12, 10)
        )
        first = digests.snapshot_on_claim(
            ctx.partnership.id,
            meeting.id,
            digest_data.build(ctx, meeting).snapshot,
            ctx.now,
        )
        session.rollback()
    with imported.begin() as claim:
        first(claim)
    with imported() as session:
        set_action(session, "A-1", status=Status.COMPLETE)
        set_action(session, "A-4", status=Status.COMPLETE)
        set_action(session, "A-5", rag=Rag.GREEN)
        session.commit()
        ctx = ctx_at(session, "2026-12-04 10:00")
        meeting = next(
            m for m in digest_meetings.board_meetings(ctx) if m.date == dt.date(2026, 12, 10)
        )
        later = digests.snapshot_on_claim(
            ctx.partnership.id, meeting.id, digest_data.build(ctx, meeting).snapshot, ctx.now
        )
        assert {r.rag for r in digest_data.build(ctx, meeting).snapshot} == {"green"}
        session.rollback()
    with imported.begin() as claim:
        later(claim)
    assert snapshots(imported, dt.date(2026, 12, 10)) == {"P1": "red", "P2": "green"}


# ------------------------------------------------------------------ the orchestrator


def test_run_due_sends_the_digest_with_the_other_sweeps(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, DIGEST_DAY)
    assert sorted(p.address for p in sender.posts if p.kind == "digest") == ["C0RBOARD", "U0CHRIS"]
    sweep(imported, sender, "2026-12-03 11:30")
    assert len([p for p in sender.posts if p.kind == "digest"]) == 2
    # Hillford has no Leadership Group meeting: its board channel gets no digest.
    assert sender.to("C0HBOARD", "digest") == []


def test_two_claims_racing_to_keep_the_snapshot_both_go_on(postgres_url: str) -> None:
    """On PostgreSQL a second claim's snapshot insert waits for the first, fails, and is let go."""
    engine = make_engine(postgres_url)
    upgrade(engine)
    factory = session_factory(engine)
    try:
        with factory() as session:
            kit.load_plans(session)
            ctx = ctx_at(session, DIGEST_DAY)
            meeting = next(
                m for m in digest_meetings.board_meetings(ctx) if m.date == FIRST_MEETING
            )
            keep = digests.snapshot_on_claim(
                ctx.partnership.id, meeting.id, digest_data.build(ctx, meeting).snapshot, ctx.now
            )
            pid = ctx.partnership.id
        outcome: dict[str, object] = {}

        def second_claim() -> None:
            try:
                with factory.begin() as claim:
                    keep(claim)  # finds no rows yet, inserts, waits for the first claim's
                    claim.add(
                        Notification(
                            partnership_id=pid,
                            kind="digest",
                            target="channel:C0RBOARD",
                            period=f"meeting:{meeting.id}",
                            claimed_at=at(DIGEST_DAY),
                        )
                    )
                outcome["ok"] = True
            except Exception as exc:  # reported below rather than lost in the thread
                outcome["error"] = exc

        with factory() as first, first.begin():
            keep(first)
            first.flush()
            racer = threading.Thread(target=second_claim)
            racer.start()
            # Until the second claim waits on a lock, or ends without waiting (the
            # failure); the deadline is a safety net against a hung test.
            deadline = time.monotonic() + WAIT_LIMIT
            blocked: int | None = 0
            with engine.connect() as probe:
                while racer.is_alive() and time.monotonic() < deadline:
                    blocked = probe.execute(
                        text("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    ).scalar()
                    if blocked:
                        break
                    time.sleep(0.05)
            assert blocked, f"the second claim never waited for the first: {outcome}"
        racer.join(WAIT_LIMIT)
        assert not racer.is_alive(), "the second claim still waits after the first committed"
        assert outcome == {"ok": True}
        assert snapshots(factory, FIRST_MEETING) == {"P1": "red", "P2": "green"}
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(Notification)) == 1
    finally:
        engine.dispose()
