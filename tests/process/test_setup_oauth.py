"""The installer may set up (OAuth mode): slack-sdk's installation store knows who installed.

The real WSGI app in OAuth mode, called in-process, against a FakeSlack that
answers ``oauth.v2.access`` as Slack does (installer U0CORA, workspace
T0RIVER), on a database holding no partnership, on both backends. Nobody in
T0RIVER is an admin here (``users.info`` says so), so only the install counts.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine, func, select

from bot.settings import Settings
from bot.slack.server import build_wsgi
from storage.db import make_engine
from storage.models import Partnership, Person
from tests import fakeslack
from tests.e2e import SIGNING_SECRET, all_text, prepare_database
from tests.fakeslack import FakeSlack
from tests.process.oauthkit import (
    CLIENT_ID,
    CLIENT_SECRET,
    Http,
    redirect,
    slack_answer,
    start_install,
)

INSTALLER, OTHER = "U0CORA", "U0OTHER"
VALUES = {
    "name": "Riverside Community Safety Partnership",
    "slug": "riverside",
    "nation": "ENG",
    "leadership_group": "Riverside Leadership Group",
    "your_name": "Cora Coordinator",
}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    """A FakeSlack that answers oauth.v2.access like Slack, and users.info with no admin."""
    monkeypatch.setattr(fakeslack.server, "default_response", slack_answer)
    with FakeSlack() as server:
        server.answer(
            "users.info",
            lambda p: {
                "ok": True,
                "user": {"id": p.get("user"), "is_admin": False, "is_owner": False},
            },
        )
        yield server


@pytest.fixture
def stack(
    database_url: str, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Http, Engine]]:
    """The app in OAuth mode on a database with no partnership, installed by U0CORA."""
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "CSP_SETUP_USERS",
    ):
        monkeypatch.delenv(name, raising=False)
    prepare_database(database_url, [])
    settings = Settings(
        DATABASE_URL=database_url,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
    )
    assert settings.oauth_mode
    engine = make_engine(database_url)
    http = Http(build_wsgi(settings))
    state = start_install(http)
    assert redirect(http, state, state) == 200
    try:
        yield http, engine
    finally:
        engine.dispose()


def submit(http: Http, user: str, view: dict[str, Any], values: dict[str, str]) -> tuple[int, str]:
    """A signed view_submission of the setup form with ``values`` (channels picked)."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        kind = block["element"]["type"]
        given = values.get(block["block_id"])
        if kind == "conversations_select":
            entry: dict[str, Any] = {"type": kind, "selected_conversation": given}
        elif kind == "static_select":
            entry = {
                "type": kind,
                "selected_option": {"value": given}
                if given
                else block["element"].get("initial_option"),
            }
        else:
            entry = {"type": kind, "value": given}
        state[block["block_id"]] = {block["element"]["action_id"]: entry}
    payload = {
        "type": "view_submission",
        "team": {"id": "T0RIVER"},
        "user": {"id": user, "team_id": "T0RIVER"},
        "api_app_id": "A0CSP",
        "is_enterprise_install": False,
        "trigger_id": f"trigger.{uuid.uuid4().hex}",
        "view": {**view, "id": "V1", "team_id": "T0RIVER", "state": {"values": state}},
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    status, _, text = http(
        "POST",
        "/slack/events",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        },
        body=body,
    )
    return status, text


def partnerships(engine: Engine) -> int:
    """How many partnerships there are."""
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Partnership.__table__)) or 0


def test_the_installer_is_welcomed_may_set_up_and_becomes_coordinator(
    stack: tuple[Http, Engine], fake: FakeSlack
) -> None:
    http, engine = stack
    status, _, text = http.command(INSTALLER, "help", fake)
    assert status == 200, text
    said = all_text(json.loads(text))
    assert "No partnership is set up in this workspace yet" in said
    assert "You may set it up: type `/csp setup`" in said
    assert fake.calls("users.info") == []  # the installation said enough

    status, _, text = http.command(INSTALLER, "setup", fake)
    assert (status, text) == (200, "")
    [opened] = fake.wait_for("views.open")
    view = opened.params["view"]
    assert opened.authorization.startswith("Bearer xoxb-111-222")  # the installed token
    status, text = submit(
        http, INSTALLER, view, {**VALUES, "main_channel": "C0RGEN", "board_channel": "C0RBOARD"}
    )
    assert (status, text) == (200, "")
    with engine.connect() as conn:
        [(slug, team)] = conn.execute(select(Partnership.slug, Partnership.slack_team_id)).all()
        [(name, role, user)] = conn.execute(
            select(Person.name, Person.role, Person.slack_user_id)
        ).all()
    assert (slug, team, name, str(role), user) == (
        "riverside",
        "T0RIVER",
        "Cora Coordinator",
        "coordinator",
        INSTALLER,
    )
    status, _, text = http.command(INSTALLER, "whoami", fake)
    assert "coordinator" in all_text(json.loads(text))


def test_someone_else_in_the_installed_workspace_is_refused(
    stack: tuple[Http, Engine], fake: FakeSlack
) -> None:
    http, engine = stack
    status, _, text = http.command(OTHER, "setup", fake)
    assert status == 200
    assert "Sorry, you can't set up a partnership" in all_text(json.loads(text))
    assert [c.params["user"] for c in fake.calls("users.info")] == [OTHER]
    assert fake.calls("views.open") == []
    assert partnerships(engine) == 0
