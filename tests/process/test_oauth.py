"""Many workspaces: the OAuth install flow, the stored installation, tokens never logged.

The real WSGI app (``build_wsgi``) in OAuth mode is called in-process, so
``caplog`` sees every log record, against a FakeSlack whose ``oauth.v2.access``
answers like Slack's (patched in this module only), on both backends.
"""

from __future__ import annotations

import io
import logging
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import yaml
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from bot.settings import Settings
from bot.slack import oauth
from bot.slack.server import WSGIApp, build_wsgi
from storage import models
from storage.db import make_engine
from storage.models import Rag
from tests import fakeslack
from tests.conftest import REPO
from tests.e2e import PLANS, SIGNING_SECRET, Baseline, all_text, prepare_database
from tests.fakeslack import FakeSlack

TOKEN = "xoxb-111-222-installedSecretToken"
CLIENT_ID = "111.222"
CLIENT_SECRET = "client-secret-do-not-log"
COOKIE = "slack-app-oauth-state"


def slack_answer(method: str, params: Any) -> dict[str, Any]:
    """FakeSlack's answers, with ``oauth.v2.access`` answering as Slack does for a bot install."""
    if method == "oauth.v2.access":
        if params.get("code") != "good-code":
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "access_token": TOKEN,
            "token_type": "bot",
            "scope": ",".join(oauth.BOT_SCOPES),
            "bot_user_id": "UBOT",
            "app_id": "A0CSP",
            "team": {"id": "T0RIVER", "name": "Riverside"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U0CORA"},
        }
    return ORIGINAL(method, params)


ORIGINAL = fakeslack.default_response


class Http:
    """Calls the WSGI app in-process and reads status, headers and body."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(
        self,
        method: str,
        path: str,
        query: dict[str, str] | None = None,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> tuple[int, dict[str, list[str]], str]:
        """One request; the answer's status, headers (lower-case names) and text."""
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": urlencode(query or {}),
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE",) else "HTTP_" + key] = value
        got: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> Any:
            got["status"] = int(status.split()[0])
            got["headers"] = {}
            for name, value in response_headers:
                got["headers"].setdefault(name.lower(), []).append(value)

        data = b"".join(self.app(environ, start_response))
        return got["status"], got["headers"], data.decode("utf-8", "replace")

    def command(self, user: str, text: str, fake: FakeSlack, team: str = "T0RIVER") -> Any:
        """A signed ``/csp`` slash command; the ack's status and text."""
        fields = {
            "team_id": team,
            "channel_id": "C0RGEN",
            "user_id": user,
            "command": "/csp",
            "text": text,
            "api_app_id": "A0CSP",
            "is_enterprise_install": "false",
            "response_url": fake.response_url(uuid.uuid4().hex),
            "trigger_id": f"trigger.{uuid.uuid4().hex}",
        }
        body = urlencode(fields).encode()
        stamp = str(int(time.time()))
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        return self(
            "POST",
            "/slack/events",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature,
            },
            body=body,
        )


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    """A FakeSlack that answers oauth.v2.access like Slack."""
    monkeypatch.setattr(fakeslack.server, "default_response", slack_answer)  # where _handle looks
    with FakeSlack() as server:
        yield server


@pytest.fixture
def stack(
    database_url: str, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Http, Engine, Baseline]]:
    """The app in OAuth mode on a database holding Riverside's plan (each backend)."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    prepare_database(database_url, [PLANS / "riverside.yaml"])
    settings = Settings(
        DATABASE_URL=database_url,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
    )
    assert settings.oauth_mode
    engine = make_engine(database_url)
    db = Baseline(database_url)
    try:
        yield Http(build_wsgi(settings)), engine, db
    finally:
        db.close()
        engine.dispose()


def start_install(http: Http) -> str:
    """Open /slack/install: the page links to Slack's authorize URL; return the state."""
    status, headers, page = http("GET", "/slack/install")
    assert status == 200, page
    [link] = re.findall(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page)
    query = parse_qs(urlparse(link.replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == [",".join(oauth.BOT_SCOPES)]
    state = str(query["state"][0])
    [cookie] = headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={state};")
    return state


def redirect(http: Http, state: str, cookie: str | None, code: str = "good-code") -> int:
    """Slack sends the installer back with a code and the state; return the status."""
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie is not None else {}
    status, _, _ = http(
        "GET", "/slack/oauth_redirect", {"code": code, "state": state}, headers=headers
    )
    return status


def installations(engine: Engine) -> list[Any]:
    """The rows of slack_installations."""
    with engine.connect() as conn:
        return list(conn.execute(select(models.slack_installations)).mappings())


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


# ---------------------------------------------------------------------- units


def test_scopes_are_the_manifests() -> None:
    """The install link asks for exactly the bot scopes manifest.yml declares."""
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())
    assert list(oauth.BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]


@pytest.mark.parametrize(
    "dialect",
    [sqlite.dialect(), postgresql.dialect()],  # type: ignore[no-untyped-call]
    ids=["sqlite", "pg"],
)
def test_our_tables_are_the_stores_tables(dialect: Any) -> None:
    """storage.models declares slack-sdk's store tables exactly (the migration makes them)."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
    from sqlalchemy import MetaData

    theirs = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(theirs, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, "slack_oauth_states")
    for name, table in theirs.tables.items():
        ours = models.Base.metadata.tables[name]

        def ddl(t: Any) -> str:
            text = str(CreateTable(t).compile(dialect=dialect))
            return re.sub(r"CONSTRAINT \w+ PRIMARY KEY", "PRIMARY KEY", text)

        assert ddl(ours) == ddl(table), name
        assert sorted(str(CreateIndex(i).compile(dialect=dialect)) for i in ours.indexes) == sorted(
            str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes
        )


def test_redaction_blanks_tokens_and_secrets() -> None:
    """The log filter removes tokens, secret fields and the configured secrets."""
    redact = oauth.RedactSecrets(("s3cr3t",)).redact
    text = redact(
        "body: {'access_token': 'abc', 'client_secret': 'zzz', 'x': 'xoxb-1-2-abc', "
        "'y': 'xoxp-9', 'z': 's3cr3t'}"
    )
    for secret in ("abc", "zzz", "xoxb-1-2", "xoxp-9", "s3cr3t"):
        assert secret not in text
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token %s", (TOKEN,), None)
    assert oauth.RedactSecrets().filter(record)
    assert TOKEN not in record.getMessage()


def test_token_mode_is_unchanged() -> None:
    """A bot token keeps single-workspace token mode even with a client id and secret."""
    settings = Settings(
        SLACK_BOT_TOKEN="xoxb-single", SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET="s"
    )
    assert not settings.oauth_mode
    assert CLIENT_SECRET not in repr(Settings(SLACK_CLIENT_SECRET=CLIENT_SECRET))


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
