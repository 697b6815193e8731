"""The chairs' digest: its content, ``/csp digest preview|send``, the board papers, large plans.

Riverside on Saturday 21/11/2026 (kit.NOW): meetings on 10/12/2026 and
11/03/2027, none before, so "since" is the start of the financial year
(01/04/2026). A-1 (due 30/09/2026) and A-4 (due 31/10/2026), both Lee Lead's,
are overdue. Sending is tested through the outbox with the recording sender;
the schedule is tested in test_sweep_digests.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

import bot.cli.parser
from bot.cli import digest as cli_digest
from bot.cli.digest import md_escape, render_document
from bot.cli.plans import example_plans
from bot.cli.running import load_examples
from bot.render.blocks import pages, to_text
from bot.render.environment import render_blocks
from bot.schedule import digests
from commands.framework.dispatch import Outcome
from partnership import digest as digest_data
from partnership import digest_meetings
from partnership.context import Refused, Reply
from storage.models import (
    Action,
    ActionUpdate,
    Channel,
    DigestSnapshot,
    Direction,
    Measure,
    MeasureReading,
    Meeting,
    Notification,
    NotificationState,
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
from tests.db.test_cmd_priority import counting
from tests.db.test_sweep_digests import run_digests
from tests.sweepkit import RecordingSender, at

HOSTILE = "<!channel> <https://evil|x> {{ 7*7 }} *bold* <script>alert(1)</script>"
TODAY = kit.NOW.date()
FIRST = dt.date(2026, 12, 10)


# --------------------------------------------------------------------------- helpers


def person(session: Session, name: str) -> Person:
    return session.scalars(
        select(Person).where(
            Person.partnership_id == kit.partnership(session).id, Person.name == name
        )
    ).one()


def group(session: Session, name: str = "ASB Steering Group") -> SubGroup:
    return session.scalars(
        select(SubGroup).where(
            SubGroup.partnership_id == kit.partnership(session).id, SubGroup.name == name
        )
    ).one()


def digest(
    session: Session, day: dt.date = FIRST, now: dt.datetime = kit.NOW, slug: str = "riverside"
) -> dict[str, Any]:
    """The digest view-model for the meeting on ``day``, as the console operator would build it."""
    ctx = kit.context(session, slug, None, now=now)
    meetings = digest_meetings.board_meetings(ctx)
    meeting = next(m for m in meetings if m.date == day)
    return digest_data.build(ctx, meeting, meetings).data


def slack(data: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The digest as Slack pages, each checked against Block Kit."""
    paged = pages(render_blocks("digest", data))
    for page in paged:
        kit.valid_blocks(page)
    return paged


def text_chars(page: list[dict[str, Any]]) -> int:
    """The text a page carries: chat.postMessage refuses about 12,000 (msg_blocks_too_long)."""
    total = 0
    for block in page:
        total += len(block.get("text", {}).get("text", ""))
        total += sum(len(e.get("text", "")) for e in block.get("elements", []))
    return total


def text_of(paged: list[list[dict[str, Any]]]) -> str:
    return "\n".join(to_text(page) for page in paged)


def shown(outcome: Outcome) -> str:
    assert isinstance(outcome.result, Reply)
    return text_of(pages(render_blocks(outcome.result.template, outcome.result.data)))


def written(session: Session) -> tuple[int, int, int]:
    """Outbox rows, snapshots and history entries: a preview writes none of them."""
    return (
        session.scalar(select(func.count()).select_from(Notification)) or 0,
        session.scalar(select(func.count()).select_from(DigestSnapshot)) or 0,
        session.scalar(select(func.count()).select_from(ActionUpdate)) or 0,
    )


def add_return(
    session: Session,
    name: str,
    *,
    submitted: dt.datetime,
    escalations: str | None = None,
    by: str = "Gina Grouplead",
    quarter: tuple[int, int] = (2026, 2),
) -> None:
    session.add(
        QuarterlyReturn(
            partnership_id=kit.partnership(session).id,
            subgroup_id=group(session, name).id,
            fy_start_year=quarter[0],
            quarter=quarter[1],
            submitted_at=submitted,
            submitted_by_id=person(session, by).id,
            summary="Quarter summary",
            escalations=escalations,
        )
    )


@pytest.fixture
def plans(session: Session) -> Session:
    kit.load_plans(session)
    return session


# --------------------------------------------------------------------------- content


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
        "measures": {"on_track": 1, "off_track": 0, "no_data": 1},
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
        "*M-1* ASB incidents per 1,000 population: 36 (Q2 2026/27) ↓ better · target 32 — *on track*",
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


# --------------------------------------------------------------------------- preview


@pytest.mark.parametrize("who", ["Chris Chair", "Cora Coordinator", None])
def test_chairs_and_coordinators_preview_privately(plans: Session, who: str | None) -> None:
    before = written(plans)
    outcome, text = kit.run(kit.context(plans, "riverside", who), "digest preview")
    assert outcome.ok, text
    assert isinstance(outcome.result, Reply) and not outcome.result.public
    assert outcome.result.template == "digest"
    assert "Digest for the Leadership Group, Thursday 10/12/2026" in text
    assert (
        "*Preview, not sent.* It goes to Chris Chair (direct message) and the board channel on "
        "Thursday 03/12/2026 (5 working days before the meeting)" in text
    )
    assert outcome.result.text.startswith("Preview — Digest for the Riverside Leadership Group")
    kit.rendered(outcome)
    assert written(plans) == before


@pytest.mark.parametrize("who", ["Mo Member", "Lee Lead", "Gina Grouplead"])
def test_others_may_not_preview(plans: Session, who: str) -> None:
    before = written(plans)
    outcome, text = kit.run(kit.context(plans, "riverside", who), "digest preview")
    assert not outcome.ok
    assert isinstance(outcome.error, Refused)
    assert "only the chairs and coordinators (Cora Coordinator) of Riverside" in text
    assert "/csp priority status" in text
    assert written(plans) == before


def test_preview_of_a_meeting_by_date(plans: Session) -> None:
    ctx = kit.context(plans, "riverside", "Chris Chair")
    for line in ("digest preview 11/03/2027", "digest preview 11 March 2027"):
        outcome, text = kit.run(ctx, line)
        assert outcome.ok, text
        assert "Thursday 11/03/2027" in text
        assert "the last meeting on 10/12/2026 (not held yet" in text
        # Only the next meeting's digest may be sent early.
        assert "/csp digest send" not in text
    outcome, text = kit.run(ctx, "digest preview 10/12/2026")
    assert outcome.ok
    assert "a coordinator can send it now with `/csp digest send 10/12/2026`" in text


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (
            "digest preview 01/01/2027",
            "There is no Riverside Leadership Group meeting on 01/01/2027. Coming up: `10/12/2026`, `11/03/2027`.",
        ),
        ("digest preview banana", "`banana` is not a date I can read"),
        ("digest preview 31/02/2027", "is not a date I can read"),
        ("digest preview 12/10/2026", "no Riverside Leadership Group meeting on 12/10/2026"),
        ("digest preview 03/11/2027", "no Riverside Leadership Group meeting on 03/11/2027"),
        ("digest preview 03/13/2027", "not a date I can read: did you mean `13/03/2027`"),
    ],
)
def test_preview_of_a_date_with_no_meeting(plans: Session, line: str, says: str) -> None:
    outcome, text = kit.run(kit.context(plans, "riverside", "Chris Chair"), line)
    assert not outcome.ok
    assert says in text


def test_preview_of_a_past_meeting_and_with_no_meetings(plans: Session) -> None:
    ctx = kit.context(plans, "riverside", "Cora Coordinator", now=at("2027-01-05 10:00"))
    outcome, text = kit.run(ctx, "digest preview 10/12/2026")
    assert not outcome.ok
    assert "The meeting on 10/12/2026 has passed" in text and "`11/03/2027`" in text
    plans.execute(delete(Meeting).where(Meeting.partnership_id == kit.partnership(plans).id))
    plans.commit()
    outcome, text = kit.run(ctx, "digest preview")
    assert not outcome.ok
    assert "No Riverside Leadership Group meeting is coming up" in text
    assert "`meetings:` section" in text
    # A date typed is read and named, not passed over for "nothing is coming up".
    outcome, text = kit.run(ctx, "digest preview 18/03/2027")
    assert not outcome.ok
    assert (
        "There is no Riverside Leadership Group meeting on 18/03/2027. None is coming up." in text
    )
    assert "`meetings:` section" in text


def test_preview_names_chairs_not_on_slack_and_a_missing_board_channel(plans: Session) -> None:
    person(plans, "Chris Chair").slack_user_id = None
    plans.commit()
    outcome, text = kit.run(kit.context(plans, "riverside", "Cora Coordinator"), "digest preview")
    assert outcome.ok
    assert "It goes to the board channel on" in text
    assert "Not on Slack (send them the board papers): Chris Chair." in text
    plans.execute(delete(Channel).where(Channel.slack_channel_id == "C0RBOARD"))
    plans.commit()
    outcome, text = kit.run(kit.context(plans, "riverside", "Cora Coordinator"), "digest preview")
    assert "Nobody would receive it: no chair is on Slack and there is no board channel." in text


def test_digest_topic_lists_its_commands(plans: Session) -> None:
    outcome, text = kit.run(kit.context(plans, "riverside", "Chris Chair"), "digest")
    assert not outcome.ok
    assert "`digest preview`" in text and "`digest send`" in text


# --------------------------------------------------------------------------- send


def send(
    factory: sessionmaker[Session],
    sender: RecordingSender,
    who: str | None,
    line: str = "digest send",
) -> tuple[Outcome, str]:
    """``/csp digest send`` as the Slack edge runs it: the command, then the outbox."""
    with factory() as session:
        outcome, text = kit.run(kit.context(session, "riverside", who), line)
    if outcome.ok:
        assert isinstance(outcome.result, Reply)
        outcome.result = digests.finish_send(factory, sender, outcome.result, kit.NOW)
        text = shown(outcome)
    return outcome, text


def test_send_early_goes_once_under_the_scheduled_key(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    with imported() as session:
        outcome, text = kit.run(
            kit.context(session, "riverside", "Cora Coordinator"), "digest send"
        )
    assert outcome.ok, text
    assert outcome.command is not None and outcome.command.slow
    assert (
        "Sending the digest for the Riverside Leadership Group on Thursday 10/12/2026 to "
        "Chris Chair (direct message) and the board channel…" in text
    )
    assert sender.posts == []  # the command alone sends nothing: the edge finishes it

    outcome, text = send(imported, sender, "Cora Coordinator")
    assert outcome.ok
    assert "• Chris Chair: sent" in text and "• the board channel: sent" in text
    assert "It will not be sent again on its scheduled day." in text
    assert sorted(p.address for p in sender.posts) == ["C0RBOARD", "U0CHRIS"]
    assert all(p.kind == "digest" for p in sender.posts)
    assert "Digest for the Leadership Group, Thursday 10/12/2026" in sender.posts[0].text
    with imported() as session:
        meeting = session.scalars(select(Meeting.id).where(Meeting.date == FIRST)).one()
        rows = session.scalars(select(Notification)).all()
        assert {(n.kind, n.period, n.state) for n in rows} == {
            ("digest", f"meeting:{meeting}", NotificationState.SENT)
        }
        assert len(rows) == 2
        assert session.scalar(select(func.count()).select_from(DigestSnapshot)) == 2

    # Asked again: says when and to whom, and sends nothing.
    outcome, text = send(imported, sender, "Cora Coordinator")
    assert outcome.ok
    assert "has gone already, so nothing was sent again" in text
    assert "• Chris Chair: sent on 21/11/2026 at 10:00" in text
    assert "• the board channel: sent on 21/11/2026 at 10:00" in text
    assert len(sender.posts) == 2
    # The outbox refuses a second send even when asked directly.
    assert digests.send_digest(imported, sender, "riverside", meeting, kit.NOW) == [
        ("Chris Chair", "already"),
        ("the board channel", "already"),
    ]
    # And the schedule does not send it again on the digest day.
    assert run_digests(imported, sender, "2026-12-03 09:30") == []
    assert len(sender.posts) == 2


@pytest.mark.parametrize("who", ["Chris Chair", "Lee Lead"])
def test_only_coordinators_send(imported: sessionmaker[Session], who: str) -> None:
    sender = RecordingSender()
    outcome, text = send(imported, sender, who)
    assert not outcome.ok and isinstance(outcome.error, Refused)
    assert "only a coordinator (Cora Coordinator) can use `/csp digest send`" in text
    assert sender.posts == []


def test_send_refusals_say_what_to_do(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    outcome, text = send(imported, sender, "Cora Coordinator", "digest send 11/03/2027")
    assert not outcome.ok
    assert "only the next meeting's digest can be sent: `/csp digest send 10/12/2026`" in text
    with imported() as session:
        console = kit.context(session, "riverside", None, source=Source.CONSOLE)
        outcome, text = kit.run(console, "digest send")
    assert not outcome.ok and "works only in Slack" in text and "csp-bot digest" in text
    with imported() as session:
        person(session, "Chris Chair").slack_user_id = None
        session.execute(delete(Channel).where(Channel.slack_channel_id == "C0RBOARD"))
        session.commit()
    outcome, text = send(imported, sender, "Cora Coordinator")
    assert not outcome.ok
    assert (
        "Nobody would receive the digest: no chair is on Slack (Chris Chair not on Slack)" in text
    )
    assert "/csp settings board_channel:#csp-board" in text
    assert sender.posts == []
    with imported() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_finish_send_leaves_other_replies_alone(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    reply = Reply("priority_status", {"send": {"partnership": "riverside", "meeting_id": 1}})
    assert digests.finish_send(imported, sender, reply, kit.NOW) is reply
    assert sender.posts == []


# --------------------------------------------------------------------------- escaping


def hostile_plan(session: Session) -> None:
    pid = kit.partnership(session).id
    session.scalars(select(Priority).where(Priority.partnership_id == pid)).first().title = HOSTILE  # type: ignore[union-attr]
    for action in session.scalars(select(Action).where(Action.partnership_id == pid)):
        action.title = HOSTILE
    person(session, "Lee Lead").name = "Lee " + HOSTILE
    group(session).name = "ASB " + HOSTILE
    session.scalars(select(Measure).where(Measure.partnership_id == pid)).first().name = HOSTILE  # type: ignore[union-attr]
    add_return(
        session,
        "ASB " + HOSTILE,
        submitted=at("2026-10-15 11:00"),
        escalations=f"{HOSTILE}\n# not a heading\n- not a list\n1. not numbered\n===\n| not | a table |",
    )
    session.commit()


class Tags(HTMLParser):
    """Every element an HTML document really contains."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_hostile_text_is_only_text_in_slack_markdown_and_html(plans: Session) -> None:
    hostile_plan(plans)
    data = digest(plans)

    blocks = json.dumps([b for page in slack(data) for b in page], ensure_ascii=False)
    assert "<!channel>" not in blocks and "<https://evil" not in blocks and "<script>" not in blocks
    assert "&lt;!channel&gt; &lt;https://evil|x&gt; {{ 7*7 }}" in blocks
    assert "49" not in blocks

    md = render_document(data, "md")
    assert "<" not in md.replace("\\<", "")
    assert "\\<!channel\\> \\<https://evil\\|x\\> {{ 7\\*7 }} \\*bold\\* \\<script\\>" in md
    assert "49" not in md
    # Escalation lines cannot start a heading, a list, a numbered list, a rule or a table.
    for line in (
        "> \\# not a heading",
        "> \\- not a list",
        "> 1\\. not numbered",
        "> \\===",
        "> \\| not \\| a table \\|",
    ):
        assert line in md, line
    for line in md.splitlines():
        assert not line.startswith(("# not", "- not", "> # ", "> - ", "> 1. ")), line

    html = render_document(data, "html")
    tags = Tags()
    tags.feed(html)
    assert "script" not in tags.tags and "a" not in tags.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;!channel&gt; &lt;https://evil|x&gt; {{ 7*7 }} *bold*" in html
    # The charts' pictures are base64 inside the page: look for 49 in its text only.
    assert "49" not in re.sub(r'"data:image/[^"]*"', '""', html)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain words, 1,234 and 12.5%", "plain words, 1,234 and 12.5%"),
        (
            "*a* _b_ `c` [d](e) <f> a|b ~g~ & \\",
            "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f\\> a\\|b \\~g\\~ \\& \\\\",
        ),
        ("# head", "\\# head"),
        ("+ item", "\\+ item"),
        ("12) item", "12\\) item"),
        ("two\nlines\n# no", "two lines # no"),  # mid-line, "#" starts nothing
    ],
)
def test_markdown_escaping(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped


# --------------------------------------------------------------------------- the command line


Run = Callable[..., int]


@pytest.fixture
def cli(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """``csp-bot`` with Riverside imported, at kit.NOW, with ``digest`` registered."""
    original = bot.cli.parser.build_parser

    def build_parser() -> argparse.ArgumentParser:
        parser = original()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "digest" not in sub.choices:
            # The registration bot/cli/ carries (see bot/cli/digest.py).
            doc = (cli_digest.cmd_digest.__doc__ or "").strip()
            digest_parser = sub.add_parser("digest", help=doc, description=doc)
            digest_parser.set_defaults(func=cli_digest.cmd_digest)
            cli_digest.add_arguments(digest_parser)
        return parser

    monkeypatch.setattr(bot.cli.parser, "build_parser", build_parser)
    monkeypatch.setattr(cli_digest, "now", lambda: kit.NOW)
    assert (
        bot.cli.parser.main(
            ["--database-url", sqlite_url, "import", str(kit.PLANS / "riverside.yaml")]
        )
        == 0
    )
    capsys.readouterr()

    def run(*args: str) -> int:
        return bot.cli.parser.main(["--database-url", sqlite_url, *args])

    yield run


def test_cli_writes_markdown_to_stdout(cli: Run, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("digest") == 0
    out = capsys.readouterr().out
    assert out.startswith("# Digest for the Leadership Group, Thursday 10/12/2026\n")
    assert "| **P1** Reduce anti-social behaviour | red |  | 4 | 2 | 0 |" in out
    assert "### Lee Lead (2)" in out
    assert cli("digest", "--partnership", "riverside", "--meeting", "11/03/2027") == 0
    assert "Thursday 11/03/2027" in capsys.readouterr().out


def test_cli_writes_html_to_a_file(
    cli: Run, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "papers" / "digest.html"
    assert cli("digest", "--format", "html", "-o", str(target)) == 0
    assert capsys.readouterr().out.strip() == (
        f"Wrote the digest for the Riverside Leadership Group on 10/12/2026 (riverside) to {target}."
    )
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<h1>Digest for the Leadership Group" in html


def test_cli_papers_for_a_day_the_plan_does_not_hold(
    cli: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    """Board papers for an extraordinary meeting: the day is used, with a note on stderr."""
    assert cli("digest", "--meeting", "18/03/2027") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(
        "# Digest for the Riverside Leadership Group, Thursday 18/03/2027\n"
    )
    # "Since" is measured from the last recorded meeting before that day.
    assert "None raised in returns since 11/03/2027." in captured.out
    assert captured.err.startswith("Note: 18/03/2027 is not a Riverside Leadership Group meeting")
    # Relative days are read from today (kit.NOW), as in Slack.
    assert cli("digest", "--meeting", "+2w", "--format", "md") == 0
    assert "Note: " in capsys.readouterr().err


def test_cli_with_no_meetings_names_the_date_and_the_way_out(
    cli: Run, capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    """A plan with no meetings (like every shipped example) refuses the default, takes a day."""
    from sqlalchemy import create_engine

    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(delete(Meeting))
    engine.dispose()
    assert cli("digest") == 1
    err = capsys.readouterr().err
    assert "No Riverside Leadership Group meeting is coming up" in err
    assert "--meeting DD/MM/YYYY" in err and "Traceback" not in err
    assert cli("digest", "--partnership", "riverside", "--meeting", "18/03/2027") == 0
    assert "Thursday 18/03/2027" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        (("--meeting", "31/02/2027"), 2, "csp-bot: argument --meeting: '31/02/2027' is not a date"),
        (("--meeting", "03/13/2027"), 2, "is not a date: did you mean 13/03/2027 (13 March 2027)?"),
        (("--format", "docx"), 2, "csp-bot: argument --format: invalid choice: 'docx'"),
        (
            ("--meeting", "01/09/2026"),
            1,
            "01/09/2026 has passed; a digest shows where things stand before a meeting",
        ),
        (("--partnership", "nowhere"), 1, "No partnership called 'nowhere'"),
    ],
)
def test_cli_errors(
    cli: Run, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], status: int, says: str
) -> None:
    if status == 2:
        with pytest.raises(SystemExit) as info:
            cli("digest", *args)
        assert info.value.code == 2
    else:
        assert cli("digest", *args) == 1
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- size


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
    assert len(large) <= 20
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
