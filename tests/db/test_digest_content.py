"""What the chairs' digest says: overdue actions, returns, RAG changes, the period it covers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnership import digest as digest_data
from storage.models import Action, Measure, MeasureReading, Organisation, Status, SubGroup
from tests import kit
from tests.db.digestkit import TODAY, add_return, digest, person, plans, slack, text_of
from tests.sweepkit import at

__all__ = ["plans"]  # fixtures shared through the kit


def test_what_the_digest_says_about_riverside(plans: Session) -> None:
    session = plans
    ctx = kit.context(session, "riverside", "Cora Coordinator")
    for line in (
        "action done A-3 trained 210 staff",
        "action update A-2 due:30/06/2027",
        "action update A-5 rag:green",
        "action update A-5 rag:red",
        "action update A-1 rag:red",
    ):
        outcome, text = kit.run(ctx, line)
        assert outcome.ok, text
    pid = kit.partnership(session).id
    session.add(SubGroup(partnership_id=pid, name="Night-time Economy Group", lead_id=None))
    session.add(
        SubGroup(
            partnership_id=pid, name="Old Task Group", end_date=dt.date(2026, 3, 31), lead_id=None
        )
    )
    session.flush()
    add_return(
        session,
        "ASB Steering Group",
        submitted=at("2026-10-15 11:00"),
        escalations="Funding for CCTV ends in March.\nDecision needed on match funding.",
    )
    # An escalation from before the window is not this meeting's business.
    add_return(
        session,
        "ASB Steering Group",
        submitted=at("2026-03-20 11:00"),
        escalations="An old escalation",
        quarter=(2025, 4),
    )
    m1 = session.scalars(select(Measure).where(Measure.partnership_id == pid)).first()
    assert m1 is not None and m1.ref == "M-1"
    session.add(
        MeasureReading(
            partnership_id=pid,
            measure_id=m1.id,
            period="Q2 2026/27",
            period_end=dt.date(2026, 9, 30),
            value=36,
        )
    )
    session.commit()

    data = digest(session)
    assert data["meeting"] == {
        "id": data["meeting"]["id"],
        "date": "10/12/2026",
        "weekday": "Thursday",
        "title": "Leadership Group",
        "time": "",
        "location": "",
    }
    assert data["since"]["date"] == "01/04/2026" and not data["since"]["meeting"]
    assert "no earlier Riverside Leadership Group meeting" in data["since"]["text"]
    assert not data["changes_known"]
    assert [
        (p["code"], p["rag"], p["open"], p["overdue"], p["complete"]) for p in data["priorities"]
    ] == [
        ("P1", "red", 4, 2, 0),
        ("P2", "green", 0, 0, 1),
    ]
    assert data["completed"] == [
        {
            "ref": "A-3",
            "title": "Train 200 front-line staff in DA awareness",
            "priority": "P2",
            "owner": "Mo Member",
            "on": "21/11/2026",
            "by": "Cora Coordinator",
        }
    ]
    slipped = {a["ref"]: a["reasons"] for a in data["slipped"]}
    assert slipped == {
        "A-1": ["overdue since 01/10/2026", "RAG amber → red"],
        "A-2": ["due date moved from 31/03/2027 to 30/06/2027"],
        "A-4": ["overdue since 01/11/2026"],
        "A-5": ["RAG green → red"],
    }
    # The import that created the actions is not "completed" or "slipped" by itself.
    overdue = data["overdue"]
    assert overdue["count"] == 2
    assert [(o["name"], [a["ref"] for a in o["actions"]]) for o in overdue["by_owner"]] == [
        ("Lee Lead", ["A-1", "A-4"])
    ]
    assert overdue["by_owner"][0]["actions"][0]["days"] == 52
    assert [(o["name"], o["refs"]) for o in overdue["by_org"]] == [
        ("Riverside Police", ["A-1", "A-4"])
    ]
    returns = data["returns"]
    assert returns["quarter"] == "Q2 2026/27" and returns["deadline"] == "21/10/2026"
    assert returns["expected"] == 2  # the Old Task Group ended before the quarter
    assert returns["in"] == [
        {
            "group": "ASB Steering Group",
            "submitted": "15/10/2026",
            "by": "Gina Grouplead",
            "late": False,
        }
    ]
    assert returns["missing"] == [
        {"group": "Night-time Economy Group", "lead": "", "overdue": True, "deadline": "21/10/2026"}
    ]
    assert data["escalations"] == [
        {
            "group": "ASB Steering Group",
            "quarter": "Q2 2026/27",
            "submitted": "15/10/2026",
            "text": "Funding for CCTV ends in March. Decision needed on match funding.",
            "lines": ["Funding for CCTV ends in March.", "Decision needed on match funding."],
        }
    ]
    m1_row, m2_row = data["measures"]
    assert (m1_row["latest"], m1_row["period"], m1_row["previous"]) == ("36", "Q2 2026/27", "38")
    assert m1_row["trend"] == {"arrow": "↓", "word": "better"}
    assert m1_row["target"] == "32" and m1_row["state"] == "on track"
    assert m2_row["state"] == "no data" and m2_row["trend"] == {"arrow": "", "word": ""}
    assert data["headline"] == {
        "priorities": 2,
        "rag": {"red": 1, "amber": 0, "green": 1, "not_rated": 0},
        "open": 4,
        "overdue": 2,
        "completed": 1,
        "slipped": 4,
        "worse": 0,
        "better": 0,
        "returns_in": 1,
        "returns_expected": 2,
        "escalations": 1,
        "measures": {"on_track": 1, "slightly_off": 0, "off_track": 0, "no_data": 1},
    }
    # Plain values only: the view-model survives JSON, so it needs no open session.
    assert json.loads(json.dumps(data)) == data

    text = text_of(slack(data))
    for line in (
        "Digest for the Leadership Group, Thursday 10/12/2026",
        ":red_circle: 1 red · :large_orange_circle: 0 amber · :large_green_circle: 1 green — 2 priorities",
        "*4* open actions, *2* overdue · since 01/04/2026: *1* completed, *4* slipped",
        "Quarterly returns for Q2 2026/27: *1 of 2* in, *1* missing",
        ":red_circle: *P1* Reduce anti-social behaviour — *red* · 4 open, 2 overdue",
        ":large_green_circle: *P2* Tackle domestic abuse — *green* · 0 open, 0 overdue, 1 complete",
        "*Priorities* _(no earlier meeting to compare RAG with)_",
        "*M-1* ASB incidents per 1,000 population: 38 → 36 (Q2 2026/27) ↓ better · target 32 — *on track*",
        "• *A-3* Train 200 front-line staff in DA awareness — Mo Member, 21/11/2026",
        "• *A-2* Street lighting review in the town centre — Olive Offline: due date moved from 31/03/2027 to 30/06/2027",
        "• *Lee Lead* (2): A-1 (52 days), A-4 (21 days)",
        "• Riverside Police: 2",
        "Missing: Night-time Economy Group",
        "*Quarterly returns for Q2 2026/27* (due 21/10/2026): 1 of 2 in",
        "• *ASB Steering Group* (Q2 2026/27, 15/10/2026): Funding for CCTV ends in March. Decision needed on match funding.",
    ):
        assert line in text, line
    assert "An old escalation" not in text
    assert "Hillford" not in text and "covert" not in text


def test_overdue_by_organisation_falls_back_to_the_lead_organisation(plans: Session) -> None:
    session = plans
    pid = kit.partnership(session).id
    council = session.scalars(
        select(Organisation).where(
            Organisation.partnership_id == pid, Organisation.name == "Riverside Council"
        )
    ).one()
    old = TODAY - dt.timedelta(days=10)
    # No owner, lead organisation set; owner without an organisation and no lead one.
    session.add_all(
        [
            Action(
                partnership_id=pid,
                ref="X-1",
                title="Orphan",
                due_date=old,
                lead_organisation_id=council.id,
            ),
            Action(
                partnership_id=pid,
                ref="X-2",
                title="Unplaced",
                due_date=old,
                owner_id=person(session, "Chris Chair").id,
            ),
            Action(
                partnership_id=pid, ref="X-3", title="Done", due_date=old, status=Status.COMPLETE
            ),
            Action(
                partnership_id=pid, ref="X-4", title="Dropped", due_date=old, status=Status.DROPPED
            ),
        ]
    )
    session.commit()
    overdue = digest(session)["overdue"]
    assert overdue["count"] == 4
    assert [(o["name"], o["count"]) for o in overdue["by_owner"]] == [
        ("Lee Lead", 2),
        ("Chris Chair", 1),
        ("No owner", 1),
    ]
    assert [(o["name"], o["refs"]) for o in overdue["by_org"]] == [
        ("Riverside Police", ["A-1", "A-4"]),
        ("Riverside Council", ["X-1"]),
        ("No organisation", ["X-2"]),
    ]


def test_a_meeting_with_one_before_counts_from_that_meeting(plans: Session) -> None:
    session = plans
    outcome, _ = kit.run(kit.context(session, "riverside", None), "action done A-3")
    assert outcome.ok
    data = digest(session, dt.date(2027, 3, 11), now=at("2027-03-04 10:00"))
    assert data["since"] == {
        "date": "10/12/2026",
        "meeting": True,
        "text": "the last meeting on 10/12/2026",
        "future": False,
    }
    # Completed on 21/11/2026: before the last meeting, so not in this digest.
    assert data["completed"] == []
    # No digest went before 10/12/2026, so no change can be shown.
    assert not data["changes_known"]
    assert all(p["change"]["word"] == "" for p in data["priorities"])
    assert "changes in RAG are not shown" in text_of(slack(data))
    # Previewed now, the December meeting has not been held yet.
    assert digest(session, dt.date(2027, 3, 11))["since"]["future"]


@pytest.mark.parametrize(
    ("before", "now", "change"),
    [
        ("red", "green", {"mark": "↑", "word": "better", "before": "red"}),
        ("green", "amber", {"mark": "↓", "word": "worse", "before": "green"}),
        ("amber", "amber", {"mark": "=", "word": "no change", "before": "amber"}),
        (None, "red", {"mark": "new", "word": "new", "before": ""}),
        ("not rated", "green", {"mark": "≠", "word": "was not rated", "before": "not rated"}),
    ],
)
def test_rag_change_words(before: str | None, now: str, change: dict[str, str]) -> None:
    assert digest_data.rag_change(before, now, True) == change
    assert digest_data.rag_change(before, now, False) == {"mark": "", "word": "", "before": ""}
