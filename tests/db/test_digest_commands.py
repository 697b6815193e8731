"""``/csp digest preview|send``: who may use them, what they show, what sending writes."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import digests
from commands.framework.dispatch import Outcome
from partnership.context import Refused, Reply
from storage.models import Channel, DigestSnapshot, Meeting, Notification, NotificationState, Source
from tests import kit
from tests.db.digestkit import FIRST, person, plans, shown, written
from tests.db.test_sweep_digests import run_digests
from tests.sweepkit import RecordingSender, at

__all__ = ["plans"]  # fixtures shared through the kit


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
