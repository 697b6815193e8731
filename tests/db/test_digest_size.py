"""Large plans: the digest of the largest example and of 2,000 generated actions fits Slack."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.digest import render_document
from bot.cli.plans import example_plans
from bot.cli.running import load_examples
from partnership import digest as digest_data
from partnership.context import Reply
from storage.models import (
    Action,
    ActionUpdate,
    Direction,
    Measure,
    MeasureReading,
    Meeting,
    Organisation,
    Partnership,
    Person,
    Priority,
    QuarterlyReturn,
    Rag,
    Role,
    Source,
    Status,
    SubGroup,
)
from tests import kit
from tests.db.digestkit import FIRST, HOSTILE, TODAY, digest, plans, slack, text_chars, text_of
from tests.db.rowkit import counting
from tests.sweepkit import RecordingSender, at

__all__ = ["plans"]  # fixtures shared through the kit


def test_the_largest_example_plan_fits_slack(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        load_examples(factory, lambda _line: None, example_plans())
        counts = session.execute(
            select(Partnership.slug, func.count(Action.id))
            .join(Action, Action.partnership_id == Partnership.id)
            .group_by(Partnership.slug)
            .order_by(func.count(Action.id).desc(), Partnership.slug)
        ).all()
        slug, actions = counts[0]
        assert actions >= 30
        largest = session.scalars(select(Partnership).where(Partnership.slug == slug)).one()
        session.add(Meeting(partnership_id=largest.id, date=FIRST, title="Board"))
        session.commit()
        data = digest(session, slug=slug)
    paged = slack(data)
    assert len(paged) == 1
    assert text_chars(paged[0]) <= 6_000
    assert len(data["priorities"]) >= 3 and data["measures"]
    text = text_of(paged)
    assert "Digest for the Board, Thursday 10/12/2026" in text
    for fmt in ("md", "html"):
        assert data["priorities"][0]["code"] in render_document(data, fmt)
    sender = RecordingSender()  # validates every page as the outbox would prepare it
    payload = sender.prepare(Reply("digest", data, text=digest_data.summary(data)), slug)
    assert payload["pages"] == paged


def big_plan(session: Session, actions: int = 2000) -> None:
    """A generated Riverside of ``actions`` actions, with history, returns and measures."""
    pid = kit.partnership(session).id
    long = "An unusually long action title that goes on and on " * 3 + HOSTILE
    session.execute(
        insert(Priority),
        [
            {
                "partnership_id": pid,
                "code": f"Q{i}",
                "title": f"Generated priority {i} " * 6 + HOSTILE,
                "position": 10 + i,
            }
            for i in range(20)
        ],
    )
    session.execute(
        insert(Organisation),
        [{"partnership_id": pid, "name": f"Agency {i}"} for i in range(12)],
    )
    orgs = list(
        session.scalars(
            select(Organisation.id)
            .where(Organisation.partnership_id == pid)
            .order_by(Organisation.id)
        )
    )
    session.execute(
        insert(Person),
        [
            {
                "partnership_id": pid,
                "name": f"Owner {i:02d} {HOSTILE}",
                "role": Role.LEAD,
                "organisation_id": orgs[i % len(orgs)] if i % 5 else None,
            }
            for i in range(60)
        ],
    )
    people = list(
        session.scalars(
            select(Person.id)
            .where(Person.partnership_id == pid, Person.name.like("Owner %"))
            .order_by(Person.id)
        )
    )
    session.execute(
        insert(SubGroup),
        [
            {"partnership_id": pid, "name": f"Group {i} {HOSTILE}", "lead_id": people[i]}
            for i in range(30)
        ],
    )
    groups = list(
        session.scalars(
            select(SubGroup.id).where(SubGroup.partnership_id == pid, SubGroup.name.like("Group %"))
        )
    )
    priorities = list(
        session.scalars(
            select(Priority.id).where(Priority.partnership_id == pid, Priority.code.like("Q%"))
        )
    )
    statuses = [
        Status.IN_PROGRESS,
        Status.NOT_STARTED,
        Status.COMPLETE,
        Status.DROPPED,
        Status.IN_PROGRESS,
    ]
    rags = [None, Rag.RED, Rag.AMBER, Rag.GREEN]
    session.execute(
        insert(Action),
        [
            {
                "partnership_id": pid,
                "ref": f"G-{i}",
                "title": f"{long} {i}",
                "priority_id": priorities[i % len(priorities)],
                "subgroup_id": groups[i % len(groups)],
                "owner_id": people[i % len(people)] if i % 9 else None,
                "lead_organisation_id": orgs[i % len(orgs)] if i % 4 else None,
                "status": statuses[i % len(statuses)],
                "rag": rags[i % len(rags)],
                "due_date": TODAY + dt.timedelta(days=(i % 300) - 200),
                "position": i,
            }
            for i in range(actions)
        ],
    )
    ids = {
        ref: action_id
        for ref, action_id in session.execute(
            select(Action.ref, Action.id).where(
                Action.partnership_id == pid, Action.ref.like("G-%")
            )
        )
    }
    history = []
    for i in range(actions):
        if statuses[i % len(statuses)] == Status.COMPLETE:
            change = {"status": ["in_progress", "complete"]}
        elif i % 3 == 0:
            change = {"due_date": ["2026-06-30", "2027-01-31"], "rag": ["green", "red"]}
        else:
            continue
        history.append(
            {
                "partnership_id": pid,
                "action_id": ids[f"G-{i}"],
                "at": at("2026-09-01 10:00") + dt.timedelta(minutes=i),
                "source": Source.COMMAND,
                "changes": change,
                "note": HOSTILE,
            }
        )
    session.execute(insert(ActionUpdate), history)
    session.execute(
        insert(QuarterlyReturn),
        [
            {
                "partnership_id": pid,
                "subgroup_id": g,
                "fy_start_year": 2026,
                "quarter": 2,
                "submitted_at": at("2026-10-12 10:00"),
                "summary": "Summary",
                "escalations": ("A long escalation for the board " * 60 + HOSTILE + "\n") * 2,
            }
            for g in groups[:20]
        ],
    )
    session.execute(
        insert(Measure),
        [
            {
                "partnership_id": pid,
                "ref": f"GM-{i}",
                "name": f"Generated measure with a long name {i} " * 4 + HOSTILE,
                "priority_id": priorities[i % len(priorities)],
                "baseline": 100.0,
                "target": 80.0,
                "direction": Direction.LOWER,
                "unit": "per 1,000",
                "position": i,
            }
            for i in range(60)
        ],
    )
    measures = list(
        session.scalars(
            select(Measure.id).where(Measure.partnership_id == pid, Measure.ref.like("GM-%"))
        )
    )
    session.execute(
        insert(MeasureReading),
        [
            {
                "partnership_id": pid,
                "measure_id": m,
                "period": period,
                "period_end": end,
                "value": value + (k % 7),
            }
            for k, m in enumerate(measures)
            for period, end, value in (
                ("Q1 2026/27", dt.date(2026, 6, 30), 95.0),
                ("Q2 2026/27", dt.date(2026, 9, 30), 90.0),
            )
        ],
    )
    session.commit()


def test_a_generated_plan_of_two_thousand_actions_fits_slack(plans: Session) -> None:
    with counting(plans) as small:
        digest(plans)
    big_plan(plans)
    with counting(plans) as large:
        data = digest(plans)
    # A fixed number of queries, whatever the plan's size.
    assert len(large) == len(small), large
    # 21: the digest's own reads, with one each for the districts, the reports, the SARA counts
    # and the measures' recent readings.
    assert len(large) <= 21
    assert (plans.scalar(select(func.count()).select_from(Action)) or 0) >= 2000
    head = data["headline"]
    assert head["overdue"] > 500 and head["completed"] == 400 and head["slipped"] > 500
    assert len(data["escalations"]) == 20 and len(data["measures"]) == 62

    paged = slack(data)
    assert 1 <= len(paged) <= 3, [len(p) for p in paged]
    # Every title, name and escalation here is long and full of characters that escape
    # to entities; the digest still stays under what chat.postMessage accepts.
    assert all(text_chars(page) <= 11_000 for page in paged), [text_chars(p) for p in paged]
    blocks = [b for page in paged for b in page]
    raw = json.dumps(blocks, ensure_ascii=False)
    assert len(raw) < 60_000
    assert "<!channel>" not in raw
    text = text_of(paged)
    assert f"…and {head['completed'] - 8} more — the full list is in the board papers" in text
    assert "`csp-bot digest --format html --meeting 10/12/2026`" in text
    assert "more owners" in text and "…and 17 more — all of them in the board papers" in text
    # Through the sender, as the outbox stores it: every page validated again.
    payload = RecordingSender().prepare(
        Reply("digest", data, text=digest_data.summary(data)), "riverside"
    )
    assert len(payload["pages"]) == len(paged)

    # The board papers carry every row.
    md = render_document(data, "md")
    assert len(re.findall(r"\b(?:days?|months?|years?) overdue", md)) == head["overdue"]
    assert (
        sum(1 for line in md.splitlines() if line.startswith("- **G-") and "completed" in line)
        == 400
    )
    html = render_document(data, "html")
    assert len(re.findall(r"\b(?:days?|months?|years?) overdue", html)) == head["overdue"]
