"""``/csp priority status``: the reply, isolation, escaping, size and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.render.blocks import pages
from bot.render.environment import render_blocks
from partnership.context import Reply
from storage.models import Action, Direction, Measure, MeasureReading
from tests import kit
from tests.db.rowkit import (
    HOSTILE,
    add_actions,
    add_priorities,
    counting,
    partnership_id,
    priority,
    raw,
    rows,
)


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
    # The status's own reads, plus one for a county board's districts and one for the SARA counts.
    assert counts[0] <= 9


@pytest.mark.parametrize("line", ["priority status", "priority status P1", "help priority"])
def test_console_operator_and_help(session: Session, line: str) -> None:
    kit.load_plans(session)
    outcome, text = kit.run(kit.context(session, "riverside", None), line)
    assert outcome.ok, text
    kit.rendered(outcome)
