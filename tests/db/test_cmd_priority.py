"""``/csp priority status`` and the roll-up rule behind it (partnership/rollup.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from bot.render.blocks import pages
from bot.render.environment import render_blocks
from partnership.context import Reply
from partnership.rollup import rollup
from storage.models import (
    Action,
    ActionUpdate,
    Direction,
    Measure,
    MeasureReading,
    Partnership,
    Person,
    Priority,
    Rag,
    Status,
)
from tests import kit

HOSTILE = "<!channel> <https://evil|click> {{ 7*7 }}"
TODAY = kit.NOW.date()


# Helpers shared with the measure and home tests (no test_ prefix: not collected twice).


def partnership_id(session: Session, slug: str = "riverside") -> int:
    """The id of a fixture partnership."""
    return session.scalars(select(Partnership.id).where(Partnership.slug == slug)).one()


def person_id(session: Session, name: str, slug: str = "riverside") -> int:
    """The id of a person in a fixture partnership."""
    return session.scalars(
        select(Person.id).where(
            Person.partnership_id == partnership_id(session, slug), Person.name == name
        )
    ).one()


def priority(session: Session, code: str, slug: str = "riverside") -> Priority:
    """A priority by code."""
    return session.scalars(
        select(Priority).where(
            Priority.partnership_id == partnership_id(session, slug), Priority.code == code
        )
    ).one()


def add_priorities(session: Session, n: int, *, title: str = "Bulk priority") -> list[int]:
    """Add ``n`` priorities to Riverside; their ids."""
    pid = partnership_id(session)
    session.execute(
        insert(Priority),
        [
            {"partnership_id": pid, "code": f"Q{i}", "title": f"{title} {i}", "position": 100 + i}
            for i in range(n)
        ],
    )
    return list(
        session.scalars(
            select(Priority.id)
            .where(Priority.partnership_id == pid, Priority.code.like("Q%"))
            # In the order added: a table emptied between tests (tests/databases.py)
            # hands rows back in no particular order without one.
            .order_by(Priority.position)
        )
    )


def add_actions(
    session: Session,
    n: int,
    priorities: list[int],
    *,
    start: int = 1000,
    owner: int | None = None,
    title: str = "Bulk action",
) -> None:
    """Add ``n`` Riverside actions spread over ``priorities``: mixed status, RAG and due dates."""
    pid = partnership_id(session)
    statuses = [Status.IN_PROGRESS, Status.NOT_STARTED, Status.COMPLETE, Status.DROPPED]
    rags = [None, Rag.RED, Rag.AMBER, Rag.GREEN, None]
    rows: list[dict[str, Any]] = []
    for i in range(n):
        rows.append(
            {
                "partnership_id": pid,
                "ref": f"B-{start + i}",
                "title": f"{title} {start + i}",
                "priority_id": priorities[i % len(priorities)],
                "owner_id": owner,
                "status": statuses[i % len(statuses)],
                "rag": rags[i % len(rags)],
                "due_date": None if i % 7 == 0 else TODAY + dt.timedelta(days=(i % 61) - 30),
            }
        )
    session.execute(insert(Action), rows)


@contextmanager
def counting(session: Session) -> Iterator[list[str]]:
    """Collect every SQL statement the session's engine runs inside the block."""
    statements: list[str] = []
    bind = session.get_bind()

    def before(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(bind, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", before)


def rows(session: Session) -> tuple[int, int, int]:
    """Counts of actions, history entries and readings (a read command must write none)."""
    return (
        session.scalar(select(func.count()).select_from(Action)) or 0,
        session.scalar(select(func.count()).select_from(ActionUpdate)) or 0,
        session.scalar(select(func.count()).select_from(MeasureReading)) or 0,
    )


def raw(blocks: list[dict[str, Any]]) -> str:
    """Blocks as the JSON Slack would receive."""
    return json.dumps(blocks, ensure_ascii=False)


def test_status_of_every_priority_is_private_and_explains_itself(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", "Mo Member")
    outcome, text = kit.run(ctx, "priority status")
    assert outcome.ok, text
    assert isinstance(outcome.result, Reply) and not outcome.result.public
    kit.rendered(outcome)
    assert "*P1* Reduce anti-social behaviour — *red*" in text
    assert "2 of 4 dated open actions overdue" in text
    assert "*A-1* Launch the youth diversion scheme — Lee Lead, 52 days overdue" in text
    assert "*A-4* Map ASB hotspots with housing providers — Lee Lead, 21 days overdue" in text
    assert "*M-1* ASB incidents per 1,000 population: 38 (Q1 2026/27)" in text
    assert "target 32" in text and "*on track*" in text
    assert "*P2* Tackle domestic abuse — *green*" in text
    assert "M-2* Repeat victimisation after MARAC: no reading yet" in text
    assert outcome.result.text == "Priority status: P1 red, P2 green"


def test_one_priority_by_code_or_title_and_post_makes_it_public(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", "Mo Member")
    outcome, text = kit.run(ctx, "priority status P2 post")
    assert outcome.ok, text
    assert isinstance(outcome.result, Reply) and outcome.result.public
    assert "Priority P2 status" in text and "shared by Mo Member" in text
    assert "P1" not in text.replace("priority status P1", "")
    kit.rendered(outcome)
    for line in (
        "priority status tackle domestic abuse",
        'priority status "Tackle domestic abuse"',
    ):
        outcome, text = kit.run(ctx, line)
        assert outcome.ok, text
        assert isinstance(outcome.result, Reply) and not outcome.result.public
        assert "*P2* Tackle domestic abuse" in text and "Reduce anti-social" not in text
    outcome, text = kit.run(ctx, "priority status tackle domestic abuse post")
    assert outcome.ok and isinstance(outcome.result, Reply) and outcome.result.public


def test_unknown_priority_says_which_exist_and_writes_nothing(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", "Mo Member")
    before = rows(session)
    outcome, text = kit.run(ctx, "priority status P9")
    assert not outcome.ok
    assert "There is no priority `P9`" in text and "`P1`, `P2`" in text
    outcome, text = kit.run(ctx, "priority status P1 posted")
    assert not outcome.ok
    assert rows(session) == before


def test_hillford_sees_only_hillford(session: Session) -> None:
    kit.load_plans(session)
    # Lee Lead has the same Slack id in both partnerships.
    hill = kit.context(session, "hillford", "Lee Lead")
    outcome, text = kit.run(hill, "priority status")
    assert outcome.ok, text
    assert "Secret Hillford priority" in text and "Hillford covert operation" in text
    for riverside in ("Reduce anti-social", "Tackle domestic", "youth diversion", "M-1", "ASB"):
        assert riverside not in text
    outcome, text = kit.run(hill, "priority status P2")
    assert not outcome.ok and "no priority `P2` in Hillford" in text
    river = kit.context(session, "riverside", "Lee Lead")
    outcome, text = kit.run(river, "priority status")
    assert "Secret Hillford" not in text and "covert" not in text


def test_hostile_titles_are_shown_as_text(session: Session) -> None:
    kit.load_plans(session)
    p1 = priority(session, "P1")
    p1.title = HOSTILE
    session.scalars(select(Measure).where(Measure.ref == "M-1")).one().name = HOSTILE
    action = session.scalars(select(Action).where(Action.ref == "A-4")).first()
    assert action is not None
    action.title = HOSTILE
    session.commit()
    outcome, _ = kit.run(kit.context(session, "riverside", "Mo Member"), "priority status P1 post")
    assert outcome.ok
    blocks = kit.rendered(outcome)
    out = raw(blocks)
    assert "<!channel>" not in out and "<https://evil" not in out
    assert "&lt;!channel&gt; &lt;https://evil|click&gt; {{ 7*7 }}" in out
    assert "49" not in out


def test_rule_red_amber_green_and_not_rated(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", None)
    pid = partnership_id(session)
    ids = add_priorities(session, 6)
    q = dict(zip(range(6), sorted(ids), strict=True))

    def act(ref: str, p: int, **kw: Any) -> None:
        session.add(Action(partnership_id=pid, ref=ref, title=ref, priority_id=q[p], **kw))

    late, soon = TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=30)
    # Q0: a red action is red even with nothing overdue.
    act("R-1", 0, rag=Rag.RED, status=Status.IN_PROGRESS, due_date=soon)
    # Q1: 1 of 4 dated open actions overdue (25%, not more) is amber.
    act("R-2", 1, due_date=late)
    for i in range(3):
        act(f"R-3{i}", 1, rag=Rag.GREEN, due_date=soon)
    # Q2: complete actions and a green one: green. A red rating on a complete action is history.
    act("R-4", 2, rag=Rag.GREEN, due_date=soon)
    act("R-5", 2, rag=Rag.RED, status=Status.COMPLETE, due_date=late)
    act("R-6", 2, rag=Rag.RED, status=Status.DROPPED, due_date=late)
    # Q3: nothing rated, nothing late: not rated. Q5 has no actions at all.
    act("R-7", 3, due_date=soon)
    # Q4: green actions, but a measure worse than its baseline: red.
    act("R-8", 4, rag=Rag.GREEN, due_date=soon)
    worse = Measure(
        partnership_id=pid,
        ref="M-9",
        name="Worse",
        priority_id=q[4],
        baseline=10,
        target=5,
        direction=Direction.LOWER,
    )
    session.add(worse)
    session.flush()
    session.add(
        MeasureReading(
            partnership_id=pid,
            measure_id=worse.id,
            period="Q1 2026/27",
            period_end=dt.date(2026, 6, 30),
            value=12,
        )
    )
    session.commit()
    got = {s.code: s for s in rollup(ctx)}
    assert got["Q0"].rag == "red" and got["Q0"].reasons == ["1 open action rated red"]
    assert got["Q1"].rag == "amber" and got["Q1"].reasons == ["1 action overdue"]
    assert got["Q2"].rag == "green" and got["Q2"].counts["blue"] == 1 and got["Q2"].dropped == 1
    assert got["Q3"].rag == "not rated" and got["Q3"].counts["unrated"] == 1
    assert got["Q4"].rag == "red" and got["Q4"].reasons == ["M-9: worse than the baseline"]
    assert got["Q5"].rag == "not rated" and got["Q5"].total == 0
    # One more overdue in Q1 makes 2 of 5: over a quarter, red.
    act("R-9", 1, due_date=late)
    session.commit()
    q1 = rollup(ctx, q[1])
    assert [s.code for s in q1] == ["Q1"]
    assert q1[0].rag == "red" and q1[0].reasons == ["2 of 5 dated open actions overdue"]
    # The fixture: P1 has an amber action and 2 of its 4 dated open actions overdue.
    p1 = rollup(ctx, priority(session, "P1").id)[0]
    assert p1.counts == {"red": 0, "amber": 1, "green": 0, "unrated": 3, "blue": 0}
    assert (p1.open_dated, p1.overdue_count) == (4, 2)
    assert [(o.ref, o.owner, o.days) for o in p1.overdue] == [
        ("A-1", "Lee Lead", 52),
        ("A-4", "Lee Lead", 21),
    ]


def test_measure_judgement(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", None)
    m1 = session.scalars(select(Measure).where(Measure.ref == "M-1")).one()
    from partnership.measures import judge_measure

    def judge(value: float | None, end: dt.date | None = dt.date(2026, 9, 30)) -> tuple[str, str]:
        s = judge_measure(m1, value, end, "Q2 2026/27", ctx.fy)
        return s.state, s.reason

    # Baseline 40, target 32, lower is better; no baseline period or target date.
    assert judge(None) == ("no data", "no reading yet")
    assert judge(41) == ("off track", "worse than the baseline")
    assert judge(40) == ("off track", "no change from the baseline")
    assert judge(36) == ("on track", "better than the baseline")
    assert judge(32) == ("on track", "target met")
    # With a baseline period and a target date, progress is compared with a straight line.
    m1.baseline_period = "2025/26"  # ends 31/03/2026
    m1.target_date = dt.date(2027, 3, 31)  # halfway at 30/09/2026: expect 36
    assert judge(37)[0] == "off track" and "expected 36" in judge(37)[1]
    assert judge(35) == ("on track", "on the path to target")
    assert judge(33, dt.date(2027, 6, 30)) == ("off track", "target date passed, target not met")
    m1.direction = None
    assert judge(33)[0] == "no data"
    session.rollback()


def test_forty_priorities_of_five_hundred_actions_fit_slack(session: Session) -> None:
    kit.load_plans(session)
    ids = add_priorities(session, 40, title="A very long priority title " * 12 + HOSTILE)
    add_actions(session, 40 * 500, ids, title="A long overdue action title " * 6)
    pid = partnership_id(session)
    session.execute(
        insert(Measure),
        [
            {
                "partnership_id": pid,
                "ref": f"M-{100 + i}",
                "name": f"A measure with a long name {i} " * 8,
                "priority_id": ids[i % 40],
                "baseline": 100.0,
                "target": 80.0,
                "direction": Direction.LOWER,
                "unit": "per 1,000 population",
                "position": i,
            }
            for i in range(40 * 8)
        ],
    )
    session.commit()
    outcome, _ = kit.run(kit.context(session, "riverside", "Mo Member"), "priority status")
    assert outcome.ok
    assert isinstance(outcome.result, Reply)
    blocks = render_blocks(outcome.result.template, outcome.result.data)
    assert "<!channel>" not in raw(blocks)
    paged = pages(blocks)
    assert len(paged) > 1
    for page in paged:
        kit.valid_blocks(page)
    text = raw(blocks)
    assert "more — `/csp action list overdue priority:Q0`" in text
    assert "+2 more measures" in text


def test_query_count_does_not_grow_with_the_plan(session: Session) -> None:
    kit.load_plans(session)
    ids = add_priorities(session, 3)
    add_actions(session, 10, ids)
    session.commit()
    ctx = kit.context(session, "riverside", "Mo Member")
    counts = []
    for line in ("priority status", "priority status Q1"):
        with counting(session) as small:
            outcome, _ = kit.run(ctx, line)
        assert outcome.ok
        counts.append(len(small))
    add_actions(session, 290, ids, start=5000)
    pid = partnership_id(session)
    measures = [
        Measure(partnership_id=pid, ref=f"M-{i}0", name=f"More {i}", priority_id=ids[i % 3])
        for i in range(20)
    ]
    session.add_all(measures)
    session.flush()
    session.add_all(
        MeasureReading(
            partnership_id=pid,
            measure_id=m.id,
            period=f"Q{q} 2025/26",
            period_end=dt.date(2025, 3 + 3 * q, 28),
            value=q,
        )
        for m in measures
        for q in (1, 2, 3)
    )
    session.commit()
    for line, expected in zip(("priority status", "priority status Q1"), counts, strict=True):
        with counting(session) as large:
            outcome, _ = kit.run(ctx, line)
        assert outcome.ok
        assert len(large) == expected, large
    assert counts[0] <= 8


@pytest.mark.parametrize("line", ["priority status", "priority status P1", "help priority"])
def test_console_operator_and_help(session: Session, line: str) -> None:
    kit.load_plans(session)
    outcome, text = kit.run(kit.context(session, "riverside", None), line)
    assert outcome.ok, text
    kit.rendered(outcome)
