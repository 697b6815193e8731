"""End to end over HTTP: buttons in scheduled messages, the request log, failures."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from slack_sdk.models.views import View

from storage.models import Rag
from tests.e2e import BOT_TOKEN, Stack, all_text, button, validate
from tests.process.httpkit import acked, clean, e2e, today

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


def test_snooze_until_button_opens_a_date_form_that_saves(e2e: Stack) -> None:
    """The nudge's "Snooze until a date…" opens a date picker; its submission snoozes."""
    pressed = button("action_snooze_until", "A-4@riverside")  # as nudges tag their buttons
    acked(e2e.server.block_action("U0LEE", pressed, channel="D0LEE"))
    [call] = e2e.fake.wait_for("views.open")
    view = call.params["view"]
    View(**view).validate_json()
    assert view["callback_id"] == "action_snooze"
    until = today() + dt.timedelta(days=20)
    saved = e2e.server.view_submission("U0LEE", view, {"until": until.isoformat()})
    assert saved.status == 200 and saved.json.get("response_action") != "errors", saved.json
    assert e2e.db.action("A-4").snoozed_until == until
    too_far = e2e.server.view_submission(
        "U0LEE", view, {"until": (today() + dt.timedelta(days=200)).isoformat()}
    )
    assert too_far.json.get("response_action") == "errors" and "until" in too_far.json["errors"]
    assert e2e.db.action("A-4").snoozed_until == until


def test_return_button_in_a_reminder_opens_the_form_and_records_the_return(e2e: Stack) -> None:
    """The reminder's "Submit the return" button, pressed in the DM, round-trips the form."""
    from sqlalchemy import func, select

    from storage.models import QuarterlyReturn, SubGroup

    with e2e.db.session() as session:
        group_id = session.scalars(
            select(SubGroup.id).where(SubGroup.name == "ASB Steering Group")
        ).one()
    pressed = {
        "action_id": "return_submit",
        "type": "button",
        "value": f"{group_id}:2026-3@riverside",
    }
    acked(e2e.server.block_action("U0GINA", pressed, channel="D0GINA"))
    [call] = e2e.fake.wait_for("views.open")
    view = call.params["view"]
    View(**view).validate_json()
    assert view["callback_id"] == "return_submit"
    empty = e2e.server.view_submission("U0GINA", view, {"summary": ""})
    assert empty.json.get("response_action") == "errors" and "summary" in empty.json["errors"]
    saved = e2e.server.view_submission(
        "U0GINA",
        view,
        {
            "summary": "Hotspot map agreed <!channel>",
            "escalations": "CCTV funding",
            "rag_P1": "amber",
        },
    )
    assert saved.status == 200 and saved.json.get("response_action") != "errors", saved.json
    with e2e.db.session() as session:
        row = session.scalars(select(QuarterlyReturn).where(QuarterlyReturn.quarter == 3)).one()
        assert row.summary == "Hotspot map agreed <!channel>" and row.escalations == "CCTV funding"
        assert [r.rag for r in row.priority_rags] == [Rag.AMBER]
        assert session.scalar(select(func.count()).select_from(QuarterlyReturn)) == 1
    # Someone else's group: refused by direct message, nothing opened.
    e2e.fake.reset()
    acked(e2e.server.block_action("U0MO", pressed, channel="D0MO"))
    [dm] = e2e.fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U0MO" and "Gina Grouplead" in all_text(dm.params)
    assert e2e.fake.calls("views.open") == []


def test_digest_send_posts_once_to_the_chair_and_the_board_channel(e2e: Stack) -> None:
    """`/csp digest send` goes through the outbox: a second send sends nothing."""
    acked(e2e.server.command("U0CORA", "digest send"))
    [report] = e2e.fake.wait_for("response_url")
    assert "Chris Chair" in all_text(report.params)
    chair, board = e2e.fake.messages("U0CHRIS"), e2e.fake.messages("C0RBOARD")
    assert len(chair) == 1 and len(board) == 1
    assert chair[0]["metadata"]["event_payload"]["key"].startswith("digest|person:")
    for message in chair + board:
        validate(message["blocks"])
    acked(e2e.server.command("U0CORA", "digest send"))
    again = e2e.fake.wait_for("response_url", count=2)[-1]
    assert "already" in all_text(again.params).lower()
    assert len(e2e.fake.messages("U0CHRIS")) == 1 and len(e2e.fake.messages("C0RBOARD")) == 1


def test_one_json_log_line_per_request_without_text_or_tokens(e2e: Stack) -> None:
    """The server logs partnership, command, outcome and duration; never what was typed."""
    note = "secret-note-7f3a about a named offender"
    seen = len(e2e.server.output())
    acked(e2e.server.command("U0LEE", f'action update A-4 rag:amber "{note}"'))
    e2e.server.wait_logged('"event": "request"', seen)
    lines = [
        json.loads(line)
        for line in e2e.server.output().splitlines()
        if line.startswith("{") and '"event": "request"' in line
    ]
    assert any(
        entry["command"] == "action update" and entry["partnership"] == "riverside" and entry["ok"]
        for entry in lines
    ), lines
    assert all(isinstance(entry["ms"], float | int) for entry in lines)
    output = e2e.server.output()
    assert note not in output and "secret-note" not in output
    assert BOT_TOKEN not in output


def test_the_database_dropping_every_connection_under_the_server(e2e: Stack) -> None:
    """PostgreSQL restarting (every connection of the server's pool killed): the next
    request succeeds and its update is saved; /healthz says ok again."""
    if e2e.backend != "postgresql":
        pytest.skip("a SQLite file has no server to restart")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    acked(e2e.server.command("U0MO", "whoami"))  # the workers hold pooled connections now
    admin = create_engine(make_url(e2e.url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": make_url(e2e.url).database},
        ).scalar()
    admin.dispose()
    assert killed and killed > 0
    body = acked(e2e.server.command("U0LEE", 'action update A-4 rag:amber "after the restart"'))
    assert ":warning:" not in all_text(body), all_text(body)
    assert [u.note for u in e2e.db.new_updates()] == ["after the restart"]
    assert e2e.server.health() == 200


def test_a_hung_views_open_does_not_hold_the_ack(e2e: Stack) -> None:
    """Slack not answering views.open: the ack still comes inside Slack's 3 seconds,
    saying to type the values instead, and nothing is written."""
    e2e.fake.hang("views.open", accept=False, times=1)
    try:
        response = e2e.server.command("U0LEE", "action update A-4")
    finally:
        e2e.fake.release()
    # The form's own 2-second timeout, then the answer: inside Slack's 3 seconds.
    assert response.status == 200 and response.elapsed < 3.0, response.elapsed
    body = response.json
    assert "type the values" in all_text(body).lower(), all_text(body)
    assert e2e.db.new_updates() == []
