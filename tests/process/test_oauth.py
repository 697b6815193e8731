"""Many workspaces: the OAuth install flow, the stored installation, tokens never logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine, select

from bot.settings import Settings
from bot.slack import oauth
from storage import models
from storage.models import Rag
from tests.e2e import Baseline, all_text
from tests.fakeslack import FakeSlack
from tests.process.oauthkit import (
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN,
    Http,
    fake,
    installations,
    redirect,
    stack,
    start_install,
)

__all__ = ["fake", "stack"]  # fixtures shared through the kit


def test_install_flow_stores_the_installation_and_commands_use_it(
    stack: tuple[Http, Engine, Baseline], fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """Install, then a command from that workspace runs with the stored token; no token logged."""
    http, engine, db = stack
    caplog.set_level(logging.DEBUG)
    state = start_install(http)
    assert redirect(http, state, state) == 200
    [row] = installations(engine)
    assert (row["team_id"], row["bot_token"], row["client_id"]) == ("T0RIVER", TOKEN, CLIENT_ID)
    assert row["bot_scopes"] == ",".join(oauth.BOT_SCOPES)
    [access] = fake.calls("oauth.v2.access")
    assert access.params["code"] == "good-code"
    with engine.connect() as conn:
        assert list(conn.execute(select(models.slack_oauth_states))) == []  # used up

    status, _, text = http.command("U0LEE", "action update A-1 rag:red", fake)
    assert status == 200, text
    assert db.action("A-1").rag == Rag.RED
    auth = fake.calls("auth.test")
    assert auth and auth[-1].authorization == f"Bearer {TOKEN}"

    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "oauth.v2.access" in logged  # the client's debug lines were captured, redacted
    assert TOKEN not in logged
    assert CLIENT_SECRET not in logged


def test_command_from_a_workspace_without_installation_is_refused(
    stack: tuple[Http, Engine, Baseline], fake: FakeSlack
) -> None:
    """No installation for the team: Bolt asks for the app to be installed; nothing runs."""
    http, _, db = stack
    status, _, text = http.command("U0LEE", "action update A-1 rag:red", fake)
    assert status == 200 and text == ""  # Bolt answers through the response URL
    [told] = fake.wait_for("response_url")
    assert "install" in all_text(told.params).lower()
    assert db.action("A-1").rag == Rag.AMBER
    assert db.new_updates() == []


def test_bad_state_is_refused(stack: tuple[Http, Engine, Baseline], fake: FakeSlack) -> None:
    """A forged state, a missing cookie, a bad code or a replayed state installs nothing."""
    http, engine, _ = stack
    state = start_install(http)
    assert redirect(http, "forged-state", "forged-state") == 401  # not issued by us
    assert redirect(http, state, None) == 400  # not the browser that started
    assert redirect(http, state, "another-state") == 400
    assert installations(engine) == []
    assert fake.calls("oauth.v2.access") == []
    assert redirect(http, state, state, code="bad-code") == 401  # Slack refuses the code
    assert installations(engine) == []
    assert redirect(http, state, state) == 401  # the state was used up
    assert installations(engine) == []
    fresh = start_install(http)
    assert redirect(http, fresh, fresh) == 200
    assert len(installations(engine)) == 1


def test_hostile_requests_to_every_path_get_no_5xx(
    stack: tuple[Http, Engine, Baseline], fake: FakeSlack
) -> None:
    """The install and redirect pages, health, unknown paths: odd input is a 4xx, never a 5xx."""
    http, engine, _ = stack
    nested = "[" * 1000 + "]" * 1000
    hostile = [
        ("GET", "/slack/install", {"x": nested}, {}),
        ("GET", "/slack/install", {}, {"Cookie": "\x00" * 50}),
        ("GET", "/slack/oauth_redirect", {}, {}),
        ("GET", "/slack/oauth_redirect", {"state": nested, "code": nested}, {}),
        ("GET", "/slack/oauth_redirect", {"error": "access_denied", "state": "x"}, {}),
        ("GET", "/slack/oauth_redirect", {"code": "c", "state": "s"}, {"Cookie": nested}),
        ("POST", "/slack/install", {}, {}),
        ("DELETE", "/slack/oauth_redirect", {}, {}),
        ("POST", "/healthz", {}, {}),
        ("GET", "/../../etc/passwd", {}, {}),
        ("GET", "/slack/events", {}, {}),
    ]
    for method, path, query, headers in hostile:
        status, _, _ = http(method, path, query, headers=headers)
        assert 200 <= status < 500, (method, path, status)
    assert installations(engine) == []
    assert fake.calls("oauth.v2.access") == []


def test_client_for_team_uses_the_stored_token(
    stack: tuple[Http, Engine, Baseline], fake: FakeSlack
) -> None:
    """The scheduler's client for a team carries that team's token; none before install."""
    http, engine, _ = stack
    settings = Settings(
        SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, SLACK_API_URL=fake.base_url
    )
    store = oauth.installation_store(settings, engine)
    assert oauth.client_for_team(settings, "T0RIVER", store) is None
    assert oauth.client_for_team(settings, None, store) is None
    state = start_install(http)
    assert redirect(http, state, state) == 200
    client = oauth.client_for_team(settings, "T0RIVER", store)
    assert client is not None and client.token == TOKEN
    assert client.base_url == fake.base_url
    assert oauth.client_for_team(settings, "T0OTHER", store) is None


def test_the_scheduler_sends_with_each_workspaces_stored_token(
    stack: tuple[Http, Engine, Baseline], fake: FakeSlack
) -> None:
    """OAuth mode: run-due sends nothing for a workspace without the app, then, once it is
    installed, each message with the token stored for that workspace."""
    from bot.schedule.clock import sweep
    from storage.db import session_factory
    from tests.sweepkit import at

    http, engine, _ = stack
    settings = Settings(
        SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, SLACK_API_URL=fake.base_url
    )
    factory = session_factory(engine)
    monday = at("2026-11-23 09:30")
    assert sweep(settings, factory, monday).outcomes == []
    assert fake.calls("chat.postMessage") == []
    state = start_install(http)
    assert redirect(http, state, state) == 200
    tally = sweep(settings, factory, monday)
    posts = fake.calls("chat.postMessage")
    assert tally.count("sent") == len(posts) > 0
    assert {c.authorization for c in posts} == {f"Bearer {TOKEN}"}


def test_a_slow_commands_messages_go_through_the_partnerships_workspace_bot(
    stack: tuple[Http, Engine, Baseline], fake: FakeSlack
) -> None:
    """OAuth mode: `/csp chase` DMs are sent with the token installed where the partnership
    is (whoever's workspace the request came through); the request's bot until it is."""
    from slack_sdk import WebClient

    from storage.db import session_factory

    http, engine, _ = stack
    settings = Settings(
        SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, SLACK_API_URL=fake.base_url
    )
    senders = oauth.TeamSenders(
        settings, oauth.installation_store(settings, engine), session_factory(engine)
    )
    request = WebClient(token="xoxb-the-requests-own", base_url=fake.base_url)
    assert senders(request, "riverside").client is request
    state = start_install(http)
    assert redirect(http, state, state) == 200
    assert senders(request, "riverside").client.token == TOKEN
    assert senders(request, None).client is request
