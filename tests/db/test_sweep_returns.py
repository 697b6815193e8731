"""The returns sweep: reminders, the deadline day, chases and the coordinators' missing list.

Riverside's Q3 2026/27 returns are due Friday 22/01/2027 (15 working days after
31/12/2026, New Year's Day skipped). With the default settings the leads are
reminded on Friday 15/01 and on the 22nd, chased on 25/01, 01/02 and 08/02, and
the coordinators get the missing list on Monday 25/01.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import returns as sweep_returns
from bot.schedule.run import context
from partnership.context import Reply
from storage.models import Notification, Partnership, Person, SubGroup
from tests import kit
from tests.db.returnskit import add_groups, asb_form, configure, ctx_at, group, submit
from tests.db.rowkit import HOSTILE, counting
from tests.sweepkit import Post, RecordingSender, at, sweep

KINDS = ("return_reminder", "return_chase", "returns_missing")
GINA, LEE, CORA = "U0GINA", "U0LEE", "U0CORA"


def setup(session: Session) -> None:
    """Both fixture plans and Riverside's extra groups (see returnskit.add_groups)."""
    kit.load_plans(session)
    add_groups(session)


def posts(sender: RecordingSender) -> list[Post]:
    """Only the returns sweep's posts (the other sweeps run too)."""
    return [p for p in sender.posts if p.kind in KINDS]


def keys(sender: RecordingSender) -> list[str]:
    """The outbox keys of the returns sweep's posts, with people's ids as names."""
    return [p.key for p in posts(sender)]


def key(session: Session, kind: str, person: str, group_name: str | None, stage: str) -> str:
    """The outbox key of a message to ``person`` about ``group_name``'s Q3 2026/27 return."""
    pid = session.scalars(select(Person.id).where(Person.name == person)).first()
    if group_name is None:
        return f"{kind}|person:{pid}|2026Q3"
    return f"{kind}|person:{pid}|2026Q3:g{group(session, group_name).id}:{stage}"


def buttons(post: Post) -> list[dict[str, Any]]:
    """The buttons of a post."""
    return [
        element
        for page in post.pages
        for block in page
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_leads_on_slack_are_reminded_on_the_working_day(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    sender = RecordingSender()
    sweep(factory, sender, "2027-01-14 10:00")
    assert posts(sender) == []
    sweep(factory, sender, "2027-01-15 09:30")
    assert keys(sender) == [
        key(session, "return_reminder", "Gina Grouplead", "ASB Steering Group", "before5"),
        key(session, "return_reminder", "Lee Lead", "Night-time Economy Group", "before5"),
    ]
    # Olive (Youth Forum) is not on Slack, and the Knife Crime group has no lead.
    assert [p.address for p in posts(sender)] == [GINA, LEE]
    gina = posts(sender)[0]
    assert gina.text.startswith(
        "Hi Gina, a friendly reminder: *ASB Steering Group*'s quarterly return for "
        "*Q3 2026/27* (October to December 2026) is due by *Friday 22/01/2027*, "
        "in 5 working days."
    )
    assert '`/csp return submit group:"ASB Steering Group" quarter:"Q3 2026/27"`' in gina.text
    asb = group(session, "ASB Steering Group")
    assert buttons(gina) == [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Submit the return", "emoji": True},
            "action_id": "return_submit",
            "value": f"{asb.id}:2026-3@riverside",
            "style": "primary",
        }
    ]
    # The rest of the week: nothing new.
    for when in ("2027-01-15 15:00", "2027-01-18 09:30", "2027-01-21 16:00"):
        sweep(factory, sender, when)
    assert len(posts(sender)) == 2


def test_the_deadline_day(session: Session, factory: sessionmaker[Session]) -> None:
    setup(session)
    sender = RecordingSender()
    sweep(factory, sender, "2027-01-22 09:05")
    assert keys(sender) == [
        key(session, "return_reminder", "Gina Grouplead", "ASB Steering Group", "deadline"),
        key(session, "return_reminder", "Lee Lead", "Night-time Economy Group", "deadline"),
    ]
    assert "Hi Lee, *Night-time Economy Group*'s quarterly return for *Q3 2026/27*" in (
        posts(sender)[1].text
    )
    assert "is due *today*, Friday 22/01/2027, and it is not in yet." in posts(sender)[1].text


def test_a_skipped_stage_is_not_sent_late(session: Session, factory: sessionmaker[Session]) -> None:
    setup(session)
    configure(session, return_reminders="10,5")
    sender = RecordingSender()
    sweep(factory, sender, "2027-01-08 11:00")  # ten working days before
    assert [p.key.rsplit(":", 1)[1] for p in posts(sender)] == ["before10", "before10"]
    assert "in 10 working days" in posts(sender)[0].text
    # The bot was down on the 15th: on the 22nd only the deadline-day reminder goes.
    sweep(factory, sender, "2027-01-22 11:00")
    assert [p.key.rsplit(":", 1)[1] for p in posts(sender)] == [
        "before10",
        "before10",
        "deadline",
        "deadline",
    ]


def test_chases_then_silence(session: Session, factory: sessionmaker[Session]) -> None:
    setup(session)
    sender = RecordingSender()
    sent: dict[str, list[str]] = {}
    for day in ("25", "26", "29"):
        sweep(factory, sender, f"2027-01-{day} 10:00")
        sent[day] = [p.key for p in posts(sender)]
    for day in ("01", "05", "08", "12", "15", "22"):
        sweep(factory, sender, f"2027-02-{day} 10:00")
        sent[day] = [p.key for p in posts(sender)]
    chases = [p for p in posts(sender) if p.kind == "return_chase"]
    assert [(p.address, p.key.rsplit(":", 1)[1]) for p in chases] == [
        (GINA, "chase1"),
        (LEE, "chase1"),
        (GINA, "chase2"),
        (LEE, "chase2"),
        (GINA, "chase3"),
        (LEE, "chase3"),
    ]
    assert sent["26"] == sent["25"] == sent["29"]
    assert sent["12"] == sent["08"] == sent["15"] == sent["22"]  # nothing after the third
    assert chases[0].text.startswith(
        "Hi Gina, *ASB Steering Group*'s quarterly return for *Q3 2026/27* (October to "
        "December 2026) was due on Friday 22/01/2027 and is now 1 working day overdue."
    )
    assert "Reminder 1 of 3; they stop once the return is in." in chases[0].text
    assert "is now 6 working days overdue" in chases[2].text
    assert buttons(chases[4])[0]["action_id"] == "return_submit"


def test_coordinators_get_the_missing_list(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    gina = ctx_at(session, "Gina Grouplead")
    assert submit(gina, asb_form(gina)).ok
    sender = RecordingSender()
    sweep(factory, sender, "2027-01-22 10:00")
    assert sender.to(CORA, "returns_missing") == []  # not before the deadline has passed
    sweep(factory, sender, "2027-01-25 10:00")
    (listed,) = sender.to(CORA, "returns_missing")
    assert listed.key == key(session, "returns_missing", "Cora Coordinator", None, "")
    assert listed.text == (
        ":clipboard: *3 quarterly returns for Q3 2026/27 are missing* in Riverside Community "
        "Safety Partnership. The deadline was Friday 22/01/2027; 1 of 4 is in.\n"
        "*Leads being chased on Slack*\n"
        "• Night-time Economy Group: Lee Lead\n"
        ":email: *Chase by email* (not on Slack)\n"
        "• Youth Forum: Olive Offline, olive@victimsupport.example\n"
        ":grey_question: *No lead to chase*\n"
        "• Knife Crime Task Group\n"
        "Name a lead in the plan, or submit for the group yourself: "
        '`/csp return submit group:"Knife Crime Task Group"`\n'
        "  See every group's return: `/csp return status Q3 2026/27`"
    )
    sweep(factory, sender, "2027-01-26 10:00")
    assert len(sender.to(CORA, "returns_missing")) == 1
    # Hillford's coordinator hears nothing of Riverside's returns.
    assert [p for p in posts(sender) if p.address == "U0HANA"] == []


def test_missing_list_comes_later_in_its_window_but_not_after(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    sender = RecordingSender()
    sweep(factory, sender, "2027-01-28 10:00")  # the 25th was missed
    assert len(sender.to(CORA, "returns_missing")) == 1
    assert [p.key.rsplit(":", 1)[1] for p in sender.to(GINA)] == ["chase1"]
    late = RecordingSender()
    with factory() as fresh:  # as if the bot had never run
        fresh.execute(delete(Notification))
        fresh.commit()
    sweep(factory, late, "2027-02-01 10:00")  # the first chase's window has closed
    assert late.to(CORA, "returns_missing") == []
    assert [p.key.rsplit(":", 1)[1] for p in late.to(GINA)] == ["chase2"]


def test_nothing_when_every_return_is_in(session: Session, factory: sessionmaker[Session]) -> None:
    setup(session)
    cora = ctx_at(session, "Cora Coordinator")
    for name, rag in (
        ("ASB Steering Group", "rag:green"),
        ("Night-time Economy Group", "rag:amber"),
        ("Youth Forum", "rag:P1=green,P2=green"),
        ("Knife Crime Task Group", ""),
    ):
        outcome, text = kit.run(cora, f'return submit group:"{name}" summary:"Done" {rag}')
        assert outcome.ok, text
    sender = RecordingSender()
    for when in ("2027-01-15 10:00", "2027-01-22 10:00", "2027-01-25 10:00", "2027-02-01 10:00"):
        sweep(factory, sender, when)
    assert posts(sender) == []


def test_a_submitted_return_stops_its_reminders_at_once(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    sender = RecordingSender()
    sweep(factory, sender, "2027-01-15 10:00")
    assert [p.address for p in posts(sender)] == [GINA, LEE]
    gina = ctx_at(session, "Gina Grouplead", at("2027-01-22 09:10"))
    assert submit(gina, asb_form(gina)).ok
    sweep(factory, sender, "2027-01-22 09:15")
    sweep(factory, sender, "2027-01-25 09:15")
    later = posts(sender)[2:]
    assert [(p.kind, p.address) for p in later] == [
        ("return_reminder", LEE),
        ("return_chase", LEE),
        ("returns_missing", CORA),
    ]
    assert "ASB Steering Group" not in later[2].text


def test_running_twice_sends_nothing_new(session: Session, factory: sessionmaker[Session]) -> None:
    setup(session)
    sender = RecordingSender()
    first = sweep(factory, sender, "2027-01-25 10:00")
    again = sweep(factory, sender, "2027-01-25 10:00")
    ours = [k for k, _ in first.outcomes if k.split("|")[0] in KINDS]
    assert len(ours) == 3  # two chases and the coordinator's list
    assert {o for k, o in first.outcomes if k in ours} == {"sent"}
    assert {o for k, o in again.outcomes if k in ours} == {"already"}
    assert len(posts(sender)) == 3


def test_nothing_at_weekends_or_outside_hours(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    sender = RecordingSender()
    for when in ("2027-01-23 10:00", "2027-01-24 12:00", "2027-01-25 08:30", "2027-01-22 18:30"):
        sweep(factory, sender, when)
    assert posts(sender) == []
    # Monday morning: the first chase (the deadline day's reminder is not sent late).
    sweep(factory, sender, "2027-01-25 09:00")
    assert {p.kind for p in posts(sender)} == {"return_chase", "returns_missing"}


def test_the_review_rule_moves_every_stage(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    configure(session, return_deadline="10 working days before review")
    sender = RecordingSender()
    for when in ("2027-01-15 10:00", "2027-01-22 10:00", "2027-01-25 10:00"):
        sweep(factory, sender, when)
    assert posts(sender) == []
    # Due Thursday 25/02/2027, ten working days before the meeting on 11/03/2027.
    sweep(factory, sender, "2027-02-18 10:00")
    assert [p.key.rsplit(":", 1)[1] for p in posts(sender)] == ["before5", "before5"]
    assert "is due by *Thursday 25/02/2027*, in 5 working days" in posts(sender)[0].text


def test_a_lead_of_two_groups_gets_one_message_per_group(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    forum = group(session, "Youth Forum")
    forum.lead_id = group(session, "ASB Steering Group").lead_id
    session.commit()
    sender = RecordingSender()
    sweep(factory, sender, "2027-01-15 10:00")
    assert [p.address for p in posts(sender)] == [GINA, LEE, GINA]
    assert "*Youth Forum*" in posts(sender)[2].text


def test_what_people_typed_is_escaped(session: Session, factory: sessionmaker[Session]) -> None:
    setup(session)
    group(session, "ASB Steering Group").name = HOSTILE
    group(session, "Knife Crime Task Group").name = HOSTILE + " 2"
    session.commit()
    sender = RecordingSender()
    sweep(factory, sender, "2027-01-15 10:00")
    sweep(factory, sender, "2027-01-25 10:00")
    assert len(posts(sender)) == 5
    for post in posts(sender):
        out = json.dumps(post.pages)
        assert "<!channel>" not in out and "<https://evil" not in out and "49" not in out
    assert "&lt;!channel&gt; &lt;https://evil|click&gt; {{ 7*7 }}" in json.dumps(
        sender.to(CORA, "returns_missing")[0].pages
    )


def plain(value: Any) -> bool:
    """Whether a view-model holds only plain values (no ORM rows)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool | dt.date)


def test_queries_do_not_grow_with_the_groups_and_data_is_plain(session: Session) -> None:
    setup(session)
    partnership = session.scalars(select(Partnership).where(Partnership.slug == "riverside")).one()
    moment = at("2027-01-25 10:00")

    def measure() -> tuple[list[str], list[Reply]]:
        session.expunge_all()
        row = session.get(Partnership, partnership.id)
        assert row is not None
        ctx = context(session, row, moment)
        with counting(session) as statements:
            found = sweep_returns.due(ctx)
        return statements, [m.reply for m in found]

    small, replies = measure()
    assert len(replies) == 3 and all(plain(r.data) for r in replies)
    lead = session.scalars(select(Person.id).where(Person.name == "Lee Lead")).first()
    session.execute(
        insert(SubGroup),
        [
            {"partnership_id": partnership.id, "name": f"Group {i}", "lead_id": lead}
            for i in range(30)
        ],
    )
    session.commit()
    large, replies = measure()
    assert len(replies) == 33
    assert len(large) == len(small), large
