"""The roll-up rule behind ``priority status`` (partnership/rollup.py): RAG, measures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnership.rollup import rollup
from storage.models import Action, Direction, Measure, MeasureReading, Rag, Status
from tests import kit
from tests.db.rowkit import TODAY, add_priorities, partnership_id, priority


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
