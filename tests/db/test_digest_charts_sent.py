"""The digest's charts, uploaded into its thread by the scheduled sweep, over the fake Slack.

The real :class:`~bot.schedule.sender.SlackSender` (slack-sdk's WebClient)
against the loopback fake Slack, on SQLite and PostgreSQL. Riverside's first
Leadership Group digest is due on Thursday 03/12/2026 to Chris Chair
(U0CHRIS, his DM D0CHRIS) and the board channel C0RBOARD.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.clock import scheduler_client
from bot.schedule.outbox import LEASE
from bot.schedule.run import run_due
from bot.schedule.sender import PrintSender, SlackSender
from bot.settings import Settings
from partnership.digest_uploads import ALT_CHARS, CHARTS
from storage.models import Notification, NotificationState
from tests.fakeslack import FakeSlack, Upload
from tests.sweepkit import RecordingSender, at

DIGEST_DAY = at("2026-12-03 09:30")
CONVERSATIONS = ("D0CHRIS", "C0RBOARD")


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def sender_for(slack: FakeSlack) -> SlackSender:
    settings = Settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.base_url)
    return SlackSender(scheduler_client(settings))


def run(factory: sessionmaker[Session], sender: object, when: dt.datetime) -> list[str]:
    """run_due for Riverside at ``when``: the outcomes of the charts' outbox keys."""
    tally = run_due(factory, sender, when, partnership="riverside")  # type: ignore[arg-type]
    return [o for k, o in tally.outcomes if k.startswith(CHARTS + "|")]


def digest_ts(slack: FakeSlack, conversation: str) -> str:
    """The ts of the digest's first message in a conversation."""
    [first] = [
        m
        for m in slack.messages(conversation)
        if not m["thread_ts"]
        and (m.get("metadata") or {}).get("event_payload", {}).get("key", "").startswith("digest|")
    ]
    return str(first["ts"])


def rows(factory: sessionmaker[Session], kind: str) -> list[tuple[str, NotificationState]]:
    with factory() as session:
        return sorted(
            (n.target.split(":")[0], n.state)
            for n in session.scalars(select(Notification).where(Notification.kind == kind))
        )


def by_conversation(uploads: list[Upload]) -> dict[str, list[Upload]]:
    found: dict[str, list[Upload]] = {}
    for upload in uploads:
        found.setdefault(upload.channel, []).append(upload)
    return found


def test_charts_go_once_into_each_digests_thread_with_their_words(
    imported: sessionmaker[Session], slack: FakeSlack
) -> None:
    sender = sender_for(slack)
    assert run(imported, sender, DIGEST_DAY) == ["sent", "sent"]
    uploads = slack.uploads()
    shared = by_conversation(uploads)
    assert set(shared) == set(CONVERSATIONS)
    first = shared["C0RBOARD"]
    assert len(first) == len(shared["D0CHRIS"]) >= 3  # measures, then the two grids
    for conversation in CONVERSATIONS:
        ts = digest_ts(slack, conversation)
        assert {u.thread_ts for u in shared[conversation]} == {ts}
    assert all(u.data.startswith(b"\x89PNG") for u in uploads)
    assert [u.filename for u in first][-2:] == [
        "digest-10-12-2026-rag-grid.png",
        "digest-10-12-2026-returns-grid.png",
    ]
    assert first[-2].title == "Priorities' RAG at each meeting"
    # Each file's description says its figures; none is longer than Slack takes.
    asked = slack.calls("files.getUploadURLExternal")
    assert len(asked) == len(uploads)
    alts = [str(c.params.get("alt_txt") or "") for c in asked]
    assert all(alts) and max(len(a) for a in alts) <= ALT_CHARS
    rag_alt = alts[len(first) - 2]
    assert rag_alt == "Priorities' RAG at each meeting. P1: red now; P2: green now."
    assert "words" in first[0].initial_comment  # the comment says where the figures are
    # One completeUploadExternal per conversation: the charts are shared together.
    completes = slack.calls("files.completeUploadExternal")
    assert len(completes) == 2
    assert all(len(json.loads(c.params["files"])) == len(first) for c in completes)
    assert rows(imported, CHARTS) == [
        ("channel", NotificationState.SENT),
        ("person", NotificationState.SENT),
    ]
    # Later runs, and a second clock at the same moment, upload nothing more.
    for when in (DIGEST_DAY, DIGEST_DAY + dt.timedelta(hours=2), at("2026-12-07 09:30")):
        assert run(imported, sender_for(slack), when) == []
    assert len(slack.uploads()) == len(uploads)


@pytest.mark.parametrize("method", ["files.completeUploadExternal", "files.getUploadURLExternal"])
def test_a_failed_upload_leaves_the_digest_sent_and_is_retried_once(
    imported: sessionmaker[Session], slack: FakeSlack, method: str
) -> None:
    slack.fail(method, "internal_error", times=2)
    sender = sender_for(slack)
    assert run(imported, sender, DIGEST_DAY) == ["retry", "retry"]
    assert slack.uploads() == []
    assert rows(imported, "digest") == [
        ("channel", NotificationState.SENT),
        ("person", NotificationState.SENT),
    ]
    assert {c for c in CONVERSATIONS if digest_ts(slack, c)} == set(CONVERSATIONS)
    assert rows(imported, CHARTS) == [
        ("channel", NotificationState.CLAIMED),
        ("person", NotificationState.CLAIMED),
    ]
    # Within the lease nothing is tried again; after it, each upload goes once.
    assert run(imported, sender, DIGEST_DAY + dt.timedelta(minutes=2)) == []
    later = DIGEST_DAY + LEASE + dt.timedelta(minutes=1)
    assert run(imported, sender, later) == ["sent", "sent"]
    shared = by_conversation(slack.uploads())
    assert set(shared) == set(CONVERSATIONS)
    for conversation in CONVERSATIONS:
        assert {u.thread_ts for u in shared[conversation]} == {digest_ts(slack, conversation)}
    count = len(slack.uploads())
    assert run(imported, sender, later + LEASE + dt.timedelta(minutes=1)) == []
    assert len(slack.uploads()) == count
    # The digests were posted once each: the failures touched only the charts.
    for conversation in CONVERSATIONS:
        assert len([m for m in slack.messages(conversation) if not m["thread_ts"]]) == 1


def test_charts_a_crash_left_in_the_thread_are_not_uploaded_again(
    imported: sessionmaker[Session], slack: FakeSlack
) -> None:
    """A take-over reads the digest's thread: a chart file there means Slack has them."""
    slack.fail("files.completeUploadExternal", "internal_error", times=2)
    sender = sender_for(slack)
    assert run(imported, sender, DIGEST_DAY) == ["retry", "retry"]
    slack.answer(
        "conversations.replies",
        lambda params: {
            "ok": True,
            "messages": [{"ts": "1.0", "files": [{"name": "digest-10-12-2026-rag-grid.png"}]}],
        },
    )
    later = DIGEST_DAY + LEASE + dt.timedelta(minutes=1)
    assert run(imported, sender, later) == ["recovered", "recovered"]
    assert slack.uploads() == []
    assert rows(imported, CHARTS) == [
        ("channel", NotificationState.SENT),
        ("person", NotificationState.SENT),
    ]


def test_an_upload_slack_refuses_is_reported_to_the_coordinators(
    imported: sessionmaker[Session], slack: FakeSlack
) -> None:
    slack.fail("files.completeUploadExternal", "not_in_channel", times=2)
    sender = sender_for(slack)
    assert run(imported, sender, DIGEST_DAY) == ["failed", "failed"]
    assert rows(imported, "digest") == [
        ("channel", NotificationState.SENT),
        ("person", NotificationState.SENT),
    ]
    told = [
        m
        for m in slack.messages("D0CORA")
        if "charts of the pre-meeting digest" in json.dumps(m.get("blocks") or [])
    ]
    assert len(told) == 1


def test_a_digest_without_charts_uploads_nothing(
    imported: sessionmaker[Session], slack: FakeSlack
) -> None:
    """A digest whose outbox entry keeps no charts (a sender that keeps none) has none to follow."""
    assert run(imported, RecordingSender(), DIGEST_DAY) == []
    assert rows(imported, "digest") == [
        ("channel", NotificationState.SENT),
        ("person", NotificationState.SENT),
    ]
    assert run(imported, sender_for(slack), DIGEST_DAY + dt.timedelta(hours=1)) == []
    assert slack.uploads() == [] and rows(imported, CHARTS) == []


def test_a_dry_run_names_the_charts_instead_of_drawing_them(
    imported: sessionmaker[Session],
) -> None:
    lines: list[str] = []
    printer = PrintSender(lines.append)
    tally = run_due(
        imported, printer, DIGEST_DAY, partnership="riverside", dry_run=True, out=lines.append
    )
    assert tally.count("due") >= 2
    said = "\n".join(lines)
    assert said.count("would attach") == 2
    assert "Priorities' RAG at each meeting" in said
    assert rows(imported, "digest") == [] and rows(imported, CHARTS) == []
