"""Shared fixtures of the OAuth tests (test_oauth*.py): the patched FakeSlack, the OAuth app.

The real WSGI app (``build_wsgi``) in OAuth mode is called in-process, so
``caplog`` sees every log record, against a FakeSlack whose ``oauth.v2.access``
answers like Slack's (patched only where these fixtures are used), on both backends.
"""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine, select

from bot.settings import Settings
from bot.slack import oauth
from bot.slack.server import WSGIApp, build_wsgi
from storage import models
from storage.db import make_engine
from tests import fakeslack
from tests.e2e import PLANS, SIGNING_SECRET, Baseline, prepare_database
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
