"""The coordinators' weekly roll-up: once per ISO week, what is overdue and who to email.

Riverside on Monday 23/11/2026 (ISO week 48): A-1 (Lee Lead, lead partner
Riverside Police, not in a sub-group) and A-4 (Lee Lead, ASB Steering Group, no
lead partner named) are overdue; Olive Offline is not on Slack; A-5 has no
owner; Cora Coordinator is the coordinator (U0CORA).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import rollup
from bot.schedule.run import context as sweep_context
from storage import partnership_settings
from storage.models import Action, Organisation, Person, Role, Status, SubGroup
from tests import kit
from tests.sweepkit import Post, RecordingSender, at, sweep

MONDAY = "2026-11-23 09:30"


def get_action(session: Session, ref: str) -> Action:
    return session.scalars(
        select(Action).where(
            Action.partnership_id == kit.partnership(session).id, Action.ref == ref
        )
    ).one()


def get_person(session: Session, name: str) -> Person:
    return session.scalars(
        select(Person).where(
            Person.partnership_id == kit.partnership(session).id, Person.name == name
        )
    ).one()


def edit(factory: sessionmaker[Session], ref: str, **values: Any) -> None:
    with factory() as session:
        action = get_action(session, ref)
        for name, value in values.items():
            setattr(action, name, value)
        session.commit()


def configure(factory: sessionmaker[Session], **values: Any) -> None:
    with factory() as session:
        partnership = kit.partnership(session)
        current = partnership_settings.of(partnership)
        partnership_settings.store(partnership, partnership_settings.change(current, values))
        session.commit()


def rollups(sender: RecordingSender, address: str = "U0CORA") -> list[Post]:
    return sender.to(address, "rollup")


def test_monday_roll_up_by_sub_group_and_organisation(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()  # validates every page against Block Kit
    sweep(imported, sender, MONDAY)
    [post] = rollups(sender)
    assert post.key.endswith("|2026-W48")
    text = post.text
    assert "Weekly roll-up: week 48, w/c 23/11/2026" in text
    assert "*Riverside Community Safety Partnership*" in text
    assert "*2 overdue actions*" in text
    group = text.index("*Overdue by sub-group*")
    org = text.index("*Overdue by organisation*")
    assert group < org
    assert "• ASB Steering Group: *1* (A-4)" in text[group:org]
    assert "• Not in a sub-group: *1* (A-1)" in text[group:org]
    # A-4 names no lead partner: its owner's organisation answers for it.
    assert "• Riverside Police: *2* (A-1, A-4)" in text[org:]
    assert "Hillford" not in text and "Hana" not in text


def test_roll_up_goes_only_to_coordinators_on_slack(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        partnership = kit.partnership(session)
        session.add(
            Person(
                partnership_id=partnership.id,
                name="Colin Coordinator",
                role=Role.COORDINATOR,
                slack_user_id="U0COLIN",
            )
        )
        session.add(
            Person(
                partnership_id=partnership.id,
                name="Carla Offline",
                role=Role.COORDINATOR,
                email="carla@riverside.example",
            )
        )
        session.commit()
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    riverside_rollups = [p.address for p in sender.posts if p.kind == "rollup"]
    assert sorted(riverside_rollups) == ["U0COLIN", "U0CORA", "U0HANA"]  # Hana: Hillford's
    assert "U0LEE" not in riverside_rollups and "U0CHRIS" not in riverside_rollups


def test_once_per_iso_week(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    for moment in (MONDAY, "2026-11-23 15:00", "2026-11-24 09:30", "2026-11-27 17:00"):
        sweep(imported, sender, moment)
    assert len(rollups(sender)) == 1
    sweep(imported, sender, "2026-11-30 09:30")
    first, second = rollups(sender)
    assert first.key.endswith("|2026-W48") and second.key.endswith("|2026-W49")
    assert "week 49, w/c 30/11/2026" in second.text


def test_catch_up_later_in_the_week(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, "2026-11-25 11:00")  # no sweep ran on Monday or Tuesday
    [post] = rollups(sender)
    assert post.key.endswith("|2026-W48") and "w/c 23/11/2026" in post.text
    sweep(imported, sender, "2026-11-26 09:30")
    assert len(rollups(sender)) == 1


def test_roll_up_day_is_a_setting(imported: sessionmaker[Session]) -> None:
    configure(imported, rollup_day="Fri")
    sender = RecordingSender()
    for day in range(23, 27):  # Monday to Thursday
        sweep(imported, sender, f"2026-11-{day} 09:30")
    assert rollups(sender) == []
    sweep(imported, sender, "2026-11-27 09:30")
    assert [p.key[-8:] for p in rollups(sender)] == ["2026-W48"]
    sweep(imported, sender, "2026-11-30 09:30")  # next Monday: before next week's Friday
    assert len(rollups(sender)) == 1


def test_bank_holiday_monday_moves_it_to_tuesday(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, "2026-12-28 09:30")  # Boxing Day (observed)
    assert rollups(sender) == []
    sweep(imported, sender, "2026-12-29 09:30")
    [post] = rollups(sender)
    assert post.key.endswith("|2026-W53")


def test_owners_not_on_slack_are_listed_to_chase_by_email(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-2", updated_at=at(MONDAY) - dt.timedelta(days=45))
    with imported() as session:
        olive = get_person(session, "Olive Offline")
        session.add(
            Action(
                partnership_id=olive.partnership_id,
                ref="B-1",
                title="Victim survey",
                owner=olive,
                due_date=dt.date(2026, 11, 2),
                updated_at=kit.NOW,
            )
        )
        nomail = Person(partnership_id=olive.partnership_id, name="Nell Nomail")
        session.add(nomail)
        session.add(
            Action(
                partnership_id=olive.partnership_id,
                ref="B-2",
                title="Refuge referrals audit",
                owner=nomail,
                due_date=dt.date(2026, 11, 3),
                updated_at=kit.NOW,
            )
        )
        session.commit()
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [post] = rollups(sender)
    text = post.text
    assert ":email: *Chase by email* (not on Slack, so not nudged)" in text
    assert (
        "• Olive Offline, olive@victimsupport.example: overdue: B-1; "
        "no update for 30 days: A-2" in text
    )
    assert "• Nell Nomail, _no email on file_: overdue: B-2" in text
    assert "*4 overdue actions*, and 1 more action with no update" in text
    # Not on Slack, so never nudged.
    assert [p for p in sender.posts if p.kind == "nudge" and "Olive" in p.text] == []


def test_snoozed_owner_action_is_not_for_chasing_but_still_overdue(
    imported: sessionmaker[Session],
) -> None:
    edit(imported, "A-2", due_date=dt.date(2026, 11, 2), snoozed_until=dt.date(2026, 12, 1))
    edit(imported, "A-4", snoozed_until=dt.date(2026, 12, 1))
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [post] = rollups(sender)
    assert "Chase by email" not in post.text
    assert "*3 overdue actions*" in post.text
    assert "2 of these are snoozed by their owners" in post.text


def test_actions_with_no_owner_are_listed(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [post] = rollups(sender)
    assert ":grey_question: *No owner* (nobody is reminded about these)" in post.text
    assert (
        "• *A-5* Set up the community trigger panel: ASB Steering Group, lead Gina Grouplead"
        " · due 15/01/2027" in post.text
    )
    assert 'Give each an owner: `/csp action update A-5 owner:"Name"`' in post.text


def test_nothing_overdue_is_still_sent(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-1", status=Status.COMPLETE)
    edit(imported, "A-4", due_date=dt.date(2027, 1, 31))
    edit(imported, "A-5", owner_id=None, status=Status.DROPPED)
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [post] = rollups(sender)
    assert ":white_check_mark: *Nothing overdue* this week." in post.text
    assert "Overdue by" not in post.text and "No owner" not in post.text
    with imported() as session:
        ctx = sweep_context(session, kit.partnership(session), at(MONDAY))
        [message] = rollup.due(ctx)
        assert message.reply.text.endswith("nothing overdue")


def test_stale_count_when_nothing_is_overdue(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-1", status=Status.COMPLETE)
    edit(imported, "A-4", status=Status.COMPLETE)
    edit(imported, "A-3", updated_at=at(MONDAY) - dt.timedelta(days=31))
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [post] = rollups(sender)
    assert "*Nothing overdue* this week. 1 action has had no update for 30 days or more." in (
        post.text
    )


def test_a_large_plan_is_capped_and_valid(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        pid = kit.partnership(session).id
        for g in range(30):
            group = SubGroup(partnership_id=pid, name=f"Task group {g + 1:02d}")
            organisation = Organisation(partnership_id=pid, name=f"Agency {g + 1:02d}")
            session.add_all([group, organisation])
            for n in range(g % 4 + 1 + (5 if g == 0 else 0)):
                session.add(
                    Action(
                        partnership_id=pid,
                        ref=f"T-{g + 1}-{n + 1}",
                        title="Overdue task " + "x" * 200,
                        subgroup=group,
                        lead_organisation=organisation,
                        due_date=dt.date(2026, 10, 1),
                        updated_at=kit.NOW,
                    )
                )
        session.commit()
    sender = RecordingSender()  # every page checked: ≤50 blocks, sections ≤3000 characters
    sweep(imported, sender, MONDAY)
    [post] = rollups(sender)
    text = post.text
    group_lines = [
        line for line in text.splitlines() if line.startswith("• Task group") and "*" in line
    ]
    assert len(group_lines) == rollup.MAX_LINES
    assert "• Task group 01: *6* (T-1-1, T-1-2, T-1-3, T-1-4, T-1-5 and 1 more)" in text
    assert "…and 12 more groups" in text  # 30 task groups, ASB and "not in a sub-group"
    assert "…and 11 more organisations" in text  # 30 agencies and Riverside Police
    unowned = sum(g % 4 + 1 for g in range(30)) + 5 + 1  # the task actions and A-5
    assert f"…and {unowned - rollup.MAX_NO_OWNER} more: `/csp action list` shows them." in text
    for page in post.pages:
        for block in page:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000


def test_hostile_text_is_shown_as_text(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-5", title="<!channel> {{ 7*7 }} & co")
    with imported() as session:
        get_person(session, "Olive Offline").email = "<!here>@x.example"
        session.commit()
    edit(imported, "A-2", due_date=dt.date(2026, 11, 2))
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [post] = rollups(sender)
    raw = json.dumps(post.pages)
    assert "<!channel>" not in raw and "<!here>" not in raw and "49" not in raw
    assert "&lt;!channel&gt; {{ 7*7 }} &amp; co" in raw


def test_queries_do_not_grow_with_the_plan(imported: sessionmaker[Session]) -> None:
    def count() -> int:
        with imported() as session:
            ctx = sweep_context(session, kit.partnership(session), at(MONDAY))
            statements: list[str] = []
            engine = session.get_bind()

            def seen(*args: Any) -> None:
                statements.append(str(args[2]))

            event.listen(engine, "before_cursor_execute", seen)
            try:
                assert rollup.due(ctx)
            finally:
                event.remove(engine, "before_cursor_execute", seen)
            return len(statements)

    before = count()
    with imported() as session:
        pid = kit.partnership(session).id
        for n in range(8):
            organisation = Organisation(partnership_id=pid, name=f"Agency {n}")
            group = SubGroup(partnership_id=pid, name=f"Group {n}")
            owner = Person(partnership_id=pid, name=f"Owner {n}", organisation=organisation)
            for m in range(4):
                session.add(
                    Action(
                        partnership_id=pid,
                        ref=f"Q-{n * 4 + m + 1}",
                        title="Overdue",
                        owner=owner,
                        subgroup=group,
                        due_date=dt.date(2026, 10, 1),
                        updated_at=kit.NOW,
                    )
                )
        session.commit()
    assert count() == before <= 3


def test_week_of() -> None:
    assert rollup.week_of(dt.date(2026, 11, 23)) == "2026-W48"
    assert rollup.week_of(dt.date(2027, 1, 1)) == "2026-W53"  # ISO week, not calendar year
    assert rollup.week_of(dt.date(2027, 1, 4)) == "2027-W01"
