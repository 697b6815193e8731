"""A fresh workspace, from install to a running year, through Slack requests alone.

Against the real ``csp-bot serve`` on an empty (migrated) database and the
fake Slack: an admin of a workspace the bot holds nothing for asks for help,
sets a partnership up with the form, attaches a spreadsheet to ``/csp import``
(one row refused; the readable rows imported), adds a year of Leadership Group
meetings in one line, links the leads and the chair and names a sub-group's
lead; a lead moves a due date; a stale re-import of the same spreadsheet keeps
the lead's date. Then the real sweeps (``run_due``, the real ``WebClient``)
run each working morning for a year and the test reads what Slack was sent:
a digest to the chair and the board channel before every meeting, the
sub-group's return reminders each quarter, every message once.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.schedule.clock import scheduler_client
from bot.schedule.run import run_due
from bot.schedule.sender import EVENT_TYPE, SlackSender
from bot.settings import Settings
from storage.db import make_engine, session_factory
from storage.models import Action, Meeting, Partnership
from tests.e2e import (
    ACK_LIMIT,
    BOT_TOKEN,
    Response,
    Stack,
    all_text,
    validate,
)
from tests.process.setupkit import open_setup, submit, workspace_stack

LONDON = ZoneInfo("Europe/London")
TEAM, GEN = "T0EMPTY", "C0EGEN"  # setupkit's empty workspace and its channel
ADA, KATH, LEE, SAM = "U0ADMIN", "U0KATH", "U0LEE", "U0SAM"  # U0ADMIN is an admin
MAIN, BOARD = "C0EMAIN", "C0EBOARD"


def today() -> dt.date:
    """Today in London, as the server reckons it."""
    return dt.datetime.now(LONDON).date()


def spreadsheet() -> bytes:
    """The coordinator's action table: five good rows and one with an impossible date."""
    year = today().year + 1
    rows = [
        "Priority,Ref,Action,Lead Officer,Sub-group,When by?,RAG Rating",
        f"P1 Anti-social behaviour,1,Town centre PSPO consultation,Kath Rees,ASB Group,"
        f"30/04/{year},Amber",
        f"P1 Anti-social behaviour,1.1,Map ASB hotspots,Lee Hart,ASB Group,31/05/{year},Green",
        f"P1 Anti-social behaviour,1.2,Landlord forum,Lee Hart,ASB Group,31/02/{year},",
        f"P2 Domestic abuse,2,Needs assessment refresh,Kath Rees,,30/06/{year},Green",
        f"P2 Domestic abuse,2.1,GP routine enquiry training,Lee Hart,,31/07/{year},Amber",
        f"P3 Serious violence,3,Serious violence strategy,Kath Rees,,31/03/{year},Red",
    ]
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server on an empty database, and the fake Slack (U0ADMIN a workspace admin)."""
    workdir = tmp_path_factory.mktemp(f"install-{request.param}")
    with workspace_stack(request, workdir, []) as stack:
        yield stack


def acked(response: Response) -> dict[str, Any]:
    """A prompt 200 ack's JSON body (empty for a bare ack)."""
    assert response.status == 200, (response.status, response.body)
    assert response.elapsed < ACK_LIMIT, f"ack took {response.elapsed:.2f}s"
    body: dict[str, Any] = response.json if response.body else {}
    if body.get("blocks"):
        validate(body["blocks"])
    return body


def say(e2e: Stack, user: str, text: str) -> str:
    """Type ``/csp <text>`` in the workspace; the ack's text (no warning in it)."""
    body = acked(e2e.server.command(user, text, team=TEAM, channel=GEN))
    shown = all_text(body)
    assert ":warning:" not in shown, (text, shown)
    return shown


def send_import(e2e: Stack, data: bytes, name: str) -> dict[str, Any]:
    """Open ``/csp import``, submit the file, and return the private preview Slack was sent."""
    file_id = e2e.fake.add_file(data, name, token=BOT_TOKEN)
    opened = len(e2e.fake.calls("views.open"))
    told = len(e2e.fake.calls("chat.postEphemeral"))
    acked(e2e.server.command(ADA, "import", team=TEAM, channel=GEN))
    [*_, call] = e2e.fake.wait_for("views.open", opened + 1)
    view = call.params["view"]
    files = [{"id": file_id, "name": name}]
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "x"},
        "user": {"id": ADA, "username": "ada", "team_id": TEAM},
        "api_app_id": "A0CSP",
        "token": "verification-token-unused",
        "trigger_id": f"trigger.{uuid.uuid4().hex}",
        "view": {
            "id": "V1",
            "team_id": TEAM,
            "type": "modal",
            "hash": "1.abc",
            **view,
            "state": {"values": {"file": {"file": {"type": "file_input", "files": files}}}},
        },
        "response_urls": [],
    }
    acked(e2e.server.interactive(payload, label="submit import"))
    [*_, preview] = e2e.fake.wait_for("chat.postEphemeral", told + 1)
    validate(preview.params["blocks"])
    return dict(preview.params)


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """A message's buttons: action id -> value."""
    return {
        element["action_id"]: element.get("value", "")
        for block in message["blocks"]
        if block.get("type") == "actions"
        for element in block.get("elements", [])
        if element.get("type") == "button"
    }


def press(e2e: Stack, action_id: str, value: str) -> str:
    """Press a button as the coordinator; the text of the reply it posted."""
    response = e2e.server.block_action(
        ADA, {"type": "button", "action_id": action_id, "value": value}, team=TEAM, channel=GEN
    )
    acked(response)
    [posted] = e2e.fake.wait_for("response_url", where=lambda c: c.path.endswith(response.token))
    return all_text(posted.params)


def morning(day: dt.date) -> dt.datetime:
    """10:00 in London on ``day``, in UTC."""
    return dt.datetime.combine(day, dt.time(10), tzinfo=LONDON).astimezone(dt.UTC)


def test_a_fresh_workspace_runs_its_year_from_slack_alone(e2e: Stack) -> None:
    # A workspace the bot holds nothing for: help says what the bot is and how to start.
    assert "/csp setup" in say(e2e, ADA, "help")
    view = open_setup(e2e, ADA)
    form = {
        "name": "Eastmoor Community Safety Partnership",
        "slug": "eastmoor",
        "nation": "ENG",
        "leadership_group": "Eastmoor Board",
        "main_channel": MAIN,
        "board_channel": BOARD,
        "your_name": "Ada Admin",
    }
    done = submit(e2e, ADA, view, form)
    assert done.status == 200 and "errors" not in (done.json if done.body else {}), done.body
    assert "Ada Admin" in say(e2e, ADA, "whoami")

    # The spreadsheet: a preview first (one row refused), then the readable rows.
    preview = send_import(e2e, spreadsheet(), "eastmoor-plan.csv")
    text = all_text(preview)
    assert "row 4" in text and "31/02/" in text, text
    with e2e.db.session() as session:
        assert not session.scalars(select(Action)).all()  # nothing written by a preview
    pressed = buttons(preview)
    assert "Imported" in press(e2e, "import_readable", pressed["import_readable"])
    with e2e.db.session() as session:
        assert sorted(session.scalars(select(Action.ref))) == ["1", "1.1", "2", "2.1", "3"]

    # A year of meetings in one line, shown back, then confirmed by typing.
    start = today() + dt.timedelta(days=1)
    end = start + dt.timedelta(days=364)
    series = (
        f"meeting add every third Thursday of Jan, Apr, Jul and Oct from {start:%d/%m/%Y} "
        f"until {end:%d/%m/%Y}"
    )
    assert "Nothing is saved until you confirm" in say(e2e, ADA, series)
    assert "4 meetings added" in say(e2e, ADA, f"{series} confirm")

    # Leads and the chair on Slack; the sub-group's lead and what it covers.
    say(e2e, ADA, f'person add <@{KATH}|kath> name:"Kath Rees"')
    say(e2e, ADA, f'person add <@{LEE}|lee> name:"Lee Hart"')
    say(e2e, ADA, f'person add <@{SAM}|sam> name:"Sam Chair" role:chair')
    assert "Kath Rees" in say(e2e, ADA, f"group lead ASB Group <@{KATH}|kath>")
    say(e2e, ADA, "group covers ASB Group P1")

    # A lead moves a date; re-importing last month's spreadsheet keeps her date.
    moved = dt.date(today().year + 1, 9, 30)
    assert "updated" in say(e2e, LEE, f"action update 1.1 due:{moved:%d/%m/%Y}")
    stale = send_import(e2e, spreadsheet(), "eastmoor-plan.csv")
    again = buttons(stale)
    if "import_readable" in again:  # the refused row still stands; nothing else would change
        press(e2e, "import_readable", again["import_readable"])
    with e2e.db.session() as session:
        due = session.scalar(select(Action.due_date).where(Action.ref == "1.1"))
        assert due == moved
        meetings = list(session.scalars(select(Meeting.date).order_by(Meeting.date)))
        eastmoor = session.scalar(select(Partnership.id).where(Partnership.slug == "eastmoor"))
    assert len(meetings) == 4 and eastmoor is not None

    # The year: the real sweeps each morning, the real WebClient, the fake Slack.
    engine = make_engine(e2e.url)
    factory = session_factory(engine)
    settings = Settings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=e2e.fake.base_url)
    sender = SlackSender(scheduler_client(settings))
    posted_before = len(e2e.fake.calls("chat.postMessage"))
    day = start
    try:
        while day <= end:
            run_due(factory, sender, morning(day))
            day += dt.timedelta(days=1)
    finally:
        engine.dispose()
    keys: list[str] = []
    where: dict[str, str] = {}
    for call in e2e.fake.calls("chat.postMessage")[posted_before:]:
        meta = call.params.get("metadata")
        if not meta:  # a continuation page in a thread
            continue
        if isinstance(meta, str):
            meta = json.loads(meta)
        assert meta["event_type"] == EVENT_TYPE
        key = meta["event_payload"]["key"]
        keys.append(key)
        where[key] = str(call.params["channel"])
    assert max(Counter(keys).values()) == 1, Counter(keys).most_common(3)  # each once
    kinds = Counter(key.split("|")[0] for key in keys)
    digests = [k for k in keys if k.startswith("digest|")]
    # A digest to the chair and to the board channel before each of the four meetings.
    assert len(digests) == 8, digests
    assert sum(1 for k in digests if where[k] == BOARD) == 4
    assert kinds["return_reminder"] >= 4, kinds  # the sub-group's lead, each quarter
    assert all(
        where[k] in (KATH, f"D{KATH}") or where[k].startswith("D")
        for k in keys
        if k.startswith("return_reminder|")
    )
    assert kinds["rollup"] >= 40, kinds  # the coordinator's weekly roll-up
