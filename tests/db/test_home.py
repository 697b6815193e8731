"""The App Home tab (partnership/home.py): my actions, my returns, priorities, meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.render.blocks import cap, fit, to_text
from bot.render.environment import render_blocks
from partnership.context import Reply
from partnership.home import home
from storage.models import Action, Meeting, Priority, QuarterlyReturn, SubGroup
from tests import kit
from tests.db.rowkit import (
    HOSTILE,
    TODAY,
    add_actions,
    add_priorities,
    counting,
    partnership_id,
    person_id,
    raw,
)


def tab(session: Session, slug: str, who: str | None) -> tuple[Reply, list[dict[str, Any]], str]:
    """The Home reply for a person, its blocks (validated, at most 100) and its text."""
    reply = home(kit.context(session, slug, who))
    blocks = render_blocks(reply.template, reply.data)
    kit.valid_blocks(fit(blocks), 100)
    assert cap(blocks) == fit(blocks), "the tab must fit without being cut"
    return reply, blocks, to_text(blocks)


def group(session: Session, name: str = "ASB Steering Group") -> SubGroup:
    """A Riverside sub-group by name."""
    return session.scalars(
        select(SubGroup).where(
            SubGroup.partnership_id == partnership_id(session), SubGroup.name == name
        )
    ).one()


def test_my_actions_overdue_first_with_menus(session: Session) -> None:
    kit.load_plans(session)
    reply, blocks, text = tab(session, "riverside", "Lee Lead")
    assert [a["ref"] for a in reply.data["actions"]] == ["A-1", "A-4"]
    assert "*My actions* · 2 open, *2 overdue*" in text
    assert "*A-1* Launch the youth diversion scheme" in text and "*overdue 52 days*" in text
    menus = [b["accessory"]["options"][0]["value"] for b in blocks if "accessory" in b]
    assert menus == ["update:A-1", "update:A-4"]
    assert "*P1* Reduce anti-social behaviour — red · 2 overdue" in text
    assert "Leadership Group* — Thursday 10/12/2026 (in 19 days)" in text
    assert "return" not in text  # Lee leads no sub-group
    assert "Nothing in the plan is assigned to you" not in text
    assert reply.text == "2 open actions, 2 overdue"


def test_many_actions_are_capped_and_ordered(session: Session) -> None:
    kit.load_plans(session)
    lee = person_id(session, "Lee Lead")
    p1 = session.scalars(select(Priority.id).where(Priority.code == "P1")).first()
    assert p1 is not None
    add_actions(session, 60, [p1], owner=lee)
    session.commit()
    reply, _, text = tab(session, "riverside", "Lee Lead")
    rows = reply.data["actions"]
    assert len(rows) == 20
    assert reply.data["more_actions"] == reply.data["open_actions"] - 20 > 0
    assert f"{reply.data['more_actions']} more: `/csp action list mine`" in text
    # Overdue first (most overdue first), then by due date, undated last.
    overdue = [r for r in rows if r["overdue"]]
    assert rows[: len(overdue)] == overdue
    days = [r["days_overdue"] for r in overdue]
    assert days == sorted(days, reverse=True)
    assert all(r["open"] for r in rows)
    mine = session.scalars(
        select(Action).where(
            Action.owner_id == lee, Action.status.in_(("not_started", "in_progress"))
        )
    ).all()
    dated = sorted((a for a in mine if a.due_date), key=lambda a: (a.due_date, a.id))
    undated = sorted((a for a in mine if not a.due_date), key=lambda a: a.id)
    assert [r["ref"] for r in rows] == [a.ref for a in dated + undated][:20]
    assert 0 < len(overdue) < 20


def test_group_lead_sees_this_quarters_return(session: Session) -> None:
    kit.load_plans(session)
    asb = group(session)
    _, _, text = tab(session, "riverside", "Gina Grouplead")
    assert "*My sub-group's quarterly return · Q3 2026/27*" in text
    assert "*ASB Steering Group*: no return record yet for Q3 2026/27" in text
    pid = partnership_id(session)
    # A return for another quarter is not this quarter's.
    session.add(QuarterlyReturn(partnership_id=pid, subgroup=asb, fy_start_year=2026, quarter=2))
    ret = QuarterlyReturn(
        partnership_id=pid,
        subgroup=asb,
        fy_start_year=2026,
        quarter=3,
        deadline=dt.date(2027, 1, 15),
    )
    session.add(ret)
    session.commit()
    _, _, text = tab(session, "riverside", "Gina Grouplead")
    assert "*ASB Steering Group*: not submitted, deadline 15/01/2027" in text
    ret.deadline = dt.date(2026, 11, 20)
    session.commit()
    _, _, text = tab(session, "riverside", "Gina Grouplead")
    assert "not submitted, *deadline was 20/11/2026*" in text
    ret.submitted_at = dt.datetime(2026, 11, 19, 23, 30, tzinfo=dt.UTC)
    ret.submitted_by_id = person_id(session, "Gina Grouplead")
    session.commit()
    _, _, text = tab(session, "riverside", "Gina Grouplead")
    assert "*ASB Steering Group*: submitted on 19/11/2026 by Gina Grouplead" in text
    # Summer time: 23:30 UTC on 30 June is 1 July in London.
    ret.submitted_at = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)
    session.commit()
    _, _, text = tab(session, "riverside", "Gina Grouplead")
    assert "submitted on 01/07/2026" in text


def test_next_meetings_leadership_group_first(session: Session) -> None:
    kit.load_plans(session)
    pid = partnership_id(session)
    asb = group(session)
    session.add_all(
        [
            Meeting(partnership_id=pid, subgroup=asb, date=dt.date(2026, 11, 25), title="ASB"),
            Meeting(partnership_id=pid, date=dt.date(2026, 11, 1), title="Past meeting"),
        ]
    )
    session.commit()
    reply, _, text = tab(session, "riverside", "Gina Grouplead")
    assert [m["date"] for m in reply.data["meetings"]] == ["10/12/2026", "25/11/2026"]
    assert "Past meeting" not in text
    # Someone who leads no group sees only the Leadership Group's.
    reply, _, _ = tab(session, "riverside", "Mo Member")
    assert [m["date"] for m in reply.data["meetings"]] == ["10/12/2026"]


def test_someone_with_nothing_is_told_how_to_start(session: Session) -> None:
    kit.load_plans(session)
    reply, _, text = tab(session, "riverside", "Chris Chair")
    assert reply.data["empty"]
    assert "Nothing in the plan is assigned to you yet" in text and "`/csp help`" in text
    assert "My actions" not in text
    reply, _, text = tab(session, "riverside", None)  # the console operator
    assert reply.data["empty"] and "`/csp help`" in text


def test_hillford_home_shows_only_hillford(session: Session) -> None:
    kit.load_plans(session)
    # Lee Lead has the same Slack id in both; in Hillford he owns nothing.
    reply, _, text = tab(session, "hillford", "Lee Lead")
    assert reply.data["actions"] == [] and reply.data["empty"]
    assert "Secret Hillford priority" in text
    for riverside in ("youth diversion", "Reduce anti-social", "Leadership Group", "*A-1*"):
        assert riverside not in text
    _, _, text = tab(session, "hillford", "Hana Hillford")
    assert "*A-1* Hillford covert operation" in text
    _, _, text = tab(session, "riverside", "Lee Lead")
    assert "Hillford" not in text and "covert" not in text


def test_hostile_text_is_escaped(session: Session) -> None:
    kit.load_plans(session)
    action = session.scalars(
        select(Action).where(Action.partnership_id == partnership_id(session), Action.ref == "A-1")
    ).one()
    action.title = HOSTILE
    for p in session.scalars(select(Priority)):
        p.title = HOSTILE
    group(session).name = HOSTILE
    session.execute(
        insert(Meeting),
        [{"partnership_id": partnership_id(session), "date": TODAY, "title": HOSTILE}],
    )
    session.commit()
    for who in ("Lee Lead", "Gina Grouplead"):
        _, blocks, text = tab(session, "riverside", who)
        out = raw(blocks)
        assert "<!channel>" not in out and "<https://evil" not in out
        assert "&lt;!channel&gt; &lt;https://evil|click&gt; {{ 7*7 }}" in out
        assert "49" not in out
        assert "(today)" in text


def test_a_big_plan_stays_under_a_hundred_blocks(session: Session) -> None:
    kit.load_plans(session)
    pid = partnership_id(session)
    gina = person_id(session, "Gina Grouplead")
    ids = add_priorities(session, 60, title="A long priority title " * 20)
    add_actions(session, 400, ids, owner=gina, title="A long action title " * 15)
    session.execute(
        insert(SubGroup),
        [
            {"partnership_id": pid, "name": f"Task group {i} " + "x" * 150, "lead_id": gina}
            for i in range(25)
        ],
    )
    session.commit()
    reply, blocks, text = tab(session, "riverside", "Gina Grouplead")
    assert len(fit(blocks)) <= 60
    assert "+16 more groups you lead" in text
    assert "+37 more priorities" in text  # 62 priorities, 25 shown
    assert len(reply.data["actions"]) == 20


def test_query_count_does_not_grow_with_the_plan(session: Session) -> None:
    kit.load_plans(session)
    lee = person_id(session, "Lee Lead")
    ids = add_priorities(session, 3)
    add_actions(session, 10, ids, owner=lee)
    session.commit()
    session.expunge_all()  # both measurements start from an empty identity map
    ctx = kit.context(session, "riverside", "Lee Lead")
    with counting(session) as small:
        home(ctx)
    session.commit()
    add_actions(session, 300, ids, owner=lee, start=5000)
    session.execute(
        insert(Priority),
        [
            {"partnership_id": partnership_id(session), "code": f"Z{i}", "title": "z"}
            for i in range(30)
        ],
    )
    session.commit()
    session.expunge_all()
    ctx = kit.context(session, "riverside", "Lee Lead")
    with counting(session) as large:
        home(ctx)
    assert len(large) == len(small), large
