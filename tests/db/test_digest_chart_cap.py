"""A partnership with very many measures: its digest's thread gets ten pictures, not hundreds.

Riverside with sixty more measures, each with readings; the digest due on
03/12/2026 goes to the chair's DM and the board channel over the fake Slack.
The comment names the charts left out and points to the board paper, which has
every chart.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.digest import render_document
from bot.schedule.clock import scheduler_client
from bot.schedule.run import run_due
from bot.schedule.sender import SlackSender
from bot.settings import Settings
from partnership import digest as digest_data
from partnership import digest_meetings
from partnership.digest_uploads import CHARTS, SLACK_FILES
from storage.models import Measure, MeasureReading
from tests import kit
from tests.fakeslack import FakeSlack
from tests.sweepkit import at

DIGEST_DAY = at("2026-12-03 09:30")
EXTRA = 60


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def crowded(imported: sessionmaker[Session]) -> sessionmaker[Session]:
    """Riverside with sixty more measures, X-0 to X-59, each read in two quarters."""
    with imported() as session:
        pid = kit.partnership(session).id
        extra = [
            Measure(partnership_id=pid, ref=f"X-{i}", name=f"Extra measure {i}", position=100 + i)
            for i in range(EXTRA)
        ]
        session.add_all(extra)
        session.flush()
        quarters = (("Q1 2026/27", dt.date(2026, 6, 30)), ("Q2 2026/27", dt.date(2026, 9, 30)))
        session.add_all(
            MeasureReading(partnership_id=pid, measure_id=m.id, period=q, period_end=end, value=v)
            for m in extra
            for (q, end), v in zip(quarters, (10.0, 9.0), strict=True)
        )
        session.commit()
    return imported


def test_the_thread_gets_ten_files_and_names_the_rest(
    crowded: sessionmaker[Session], slack: FakeSlack
) -> None:
    settings = Settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.base_url)
    tally = run_due(crowded, SlackSender(scheduler_client(settings)), DIGEST_DAY,
                    partnership="riverside")  # fmt: skip
    assert [o for k, o in tally.outcomes if k.startswith(CHARTS + "|")] == ["sent", "sent"]
    completes = slack.calls("files.completeUploadExternal")
    assert len(completes) == 2
    assert all(len(json.loads(c.params["files"])) == SLACK_FILES for c in completes)
    assert len(slack.uploads()) == 2 * SLACK_FILES
    for upload in slack.uploads()[:1]:
        comment = upload.initial_comment
        assert "measure charts are not posted in Slack (" in comment
        assert "X-59" in comment or "more)" in comment
        assert "`/csp digest paper`" in comment


def test_the_board_paper_has_every_chart_and_says_which_slack_left_out(
    crowded: sessionmaker[Session],
) -> None:
    with crowded() as session:
        ctx = kit.context(session, "riverside", None)
        meetings = digest_meetings.board_meetings(ctx)
        meeting = next(m for m in meetings if m.date == dt.date(2026, 12, 10))
        data = digest_data.build(ctx, meeting, meetings).data
    charts = data["charts"]
    assert len(charts["measures"]) > EXTRA
    shown = len(charts["slack"]["keys"])
    assert shown == SLACK_FILES - 2  # beside the two grids
    assert len(charts["slack"]["left_out"]) == len(charts["measures"]) - shown
    html = render_document(data, "html")
    assert html.count('<figure class="chart">') == len(charts["measures"])
    assert f"The digest&#39;s Slack thread carries {shown} of these charts" in html
