"""``csp-bot socket`` end to end: the real process, a fake Socket Mode server, a fake Web API.

The process asks the fake Web API for a WebSocket URL (``apps.connections.open``)
and connects to :class:`tests.fakesocket.SocketModeServer`, which greets it and
delivers envelopes. :class:`SocketApp` is the HTTP harness's :class:`Server`
with ``post`` sending each request as an envelope instead, so the same
payload builders (``command``, ``block_action``, ``view_submission``) drive
both; the ack's payload comes back as the response body.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from storage.models import Rag, Source, Status
from tests.e2e import (
    PLANS,
    Baseline,
    Response,
    Server,
    all_text,
    button,
    free_port,
    prepare_database,
)
from tests.fakeslack import FakeSlack
from tests.fakesocket import SocketModeServer
from tests.proxy import Proxy

APP_TOKEN = "xapp-1-A0CSP-1-test"


class SocketApp(Server):
    """``csp-bot socket`` in a subprocess; requests go to it as Socket Mode envelopes."""

    def __init__(self, database_url: str, fake: FakeSlack, ws: SocketModeServer) -> None:
        super().__init__(database_url, fake, env={"SLACK_APP_TOKEN": APP_TOKEN})
        self.ws = ws

    def argv(self) -> list[str]:
        """``csp-bot --database-url URL socket``."""
        return [*super().argv()[:5], "socket"]

    def health(self, timeout: float = 0) -> int:
        """No port to ask: started as soon as the process runs (tests wait for the hello)."""
        return 200

    def post(self, body: bytes, content_type: str, **kwargs: Any) -> Response:
        """Send what the HTTP harness would POST as an envelope; the ack is the answer."""
        if "json" in content_type:
            kind, payload = "events_api", json.loads(body)
        else:
            fields = dict(parse_qsl(body.decode()))
            if "payload" in fields:
                kind, payload = "interactive", json.loads(fields["payload"])
            else:
                kind, payload = "slash_commands", fields
        accepts = kind == "slash_commands" or payload.get("type") == "view_submission"
        ack = self.ws.request(kind, payload, self, accepts_response_payload=accepts)
        return Response(200, ack.get("payload") or "", ack["_seconds"], kwargs.get("token", ""))


@pytest.fixture
def plan_db(database_url: str) -> Iterator[Baseline]:
    """A database (each backend) holding the Riverside plan."""
    prepare_database(database_url, [PLANS / "riverside.yaml"])
    db = Baseline(database_url)
    yield db
    db.close()


@pytest.fixture
def ws() -> Iterator[SocketModeServer]:
    with SocketModeServer() as server:
        yield server


def connected(ws: SocketModeServer, app: SocketApp, count: int) -> None:
    """Wait for the ``count``-th greeted connection; fail at once if the process ends."""
    assert ws.wait_connections(count, app) >= count, f"no connection number {count}"


def test_commands_buttons_and_forms_over_socket_mode_and_reconnects(
    plan_db: Baseline, ws: SocketModeServer
) -> None:
    with FakeSlack() as fake:
        fake.answer("apps.connections.open", ws.connections_open)
        with SocketApp(plan_db.engine.url.render_as_string(False), fake, ws) as app:
            connected(ws, app, 1)
            [opened] = fake.calls("apps.connections.open")
            assert opened.authorization == f"Bearer {APP_TOKEN}"

            # A /csp command: the reply travels in the ack's payload.
            listed = app.command("U0LEE", "action list mine")
            assert "A-1" in all_text(listed.json) and listed.json["response_type"] == "ephemeral"

            # A button: acknowledged at once, the change saved, the reply to response_url.
            pressed = app.block_action("U0LEE", button("action_done", "A-4"))
            assert pressed.json == {}
            [reply] = fake.wait_for("response_url", where=lambda c: pressed.token in c.path)
            assert "A-4" in all_text(reply.params)
            assert plan_db.action("A-4").status == Status.COMPLETE

            # A form: the command opens it (views.open), its submission saves and confirms.
            assert app.command("U0LEE", "action update A-1").json == {}
            [opened_form] = fake.wait_for("views.open")
            view = opened_form.params["view"]
            saved = app.view_submission("U0LEE", view, {"rag": "red", "note": "Venue booked"})
            assert saved.json == {}
            action = plan_db.action("A-1")
            assert action.rag == Rag.RED
            assert [(u.source, u.note) for u in plan_db.new_updates()][-1] == (
                Source.MODAL,
                "Venue booked",
            )
            [confirmed] = fake.wait_for("chat.postEphemeral")
            assert confirmed.params["user"] == "U0LEE" and "A-1" in all_text(confirmed.params)

            # Slack asks for a reconnect: a new URL, a new hello, and the next envelope works.
            ws.refresh()
            connected(ws, app, 2)
            assert len(fake.calls("apps.connections.open")) == 2
            assert "A-1" in all_text(app.command("U0MO", "action show A-1").json)

            # Slack closes the WebSocket: the same again.
            ws.close_current()
            connected(ws, app, 3)
            assert len(fake.calls("apps.connections.open")) == 3
            assert "Cora Coordinator" in all_text(app.command("U0CORA", "whoami").json)
            out = app.output()
    assert len(set(ws.issued)) == 3  # each connection on its own URL
    assert "Traceback" not in out, out
    assert APP_TOKEN not in out and "xoxb-test-token" not in out


def test_socket_mode_starts_and_waits_while_slack_is_away(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'socket.db'}"
    prepare_database(url, [PLANS / "riverside.yaml"])
    fake = FakeSlack(port=free_port())
    with SocketModeServer() as ws, SocketApp(url, fake, ws) as app:
        fake.answer("apps.connections.open", ws.connections_open)
        app.wait_logged("Slack (Socket Mode) cannot be reached")
        assert app.process is not None and app.process.poll() is None  # still running
        with fake:  # Slack comes back
            connected(ws, app, 1)
            app.wait_logged("Slack (Socket Mode) is reachable again")
            due = (dt.date.today() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
            answer = app.command("U0LEE", f"action update A-4 due:{due}")
            assert "updated" in all_text(answer.json)
            out = app.output()
    assert out.count("cannot be reached") == 1, out
    assert "Traceback" not in out, out


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 and the (self-signed) certificate to trust."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        (
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
            f" -keyout {key} -out {cert} -days 1 -subj /CN=127.0.0.1"
            " -addext subjectAltName=IP:127.0.0.1"
        ).split(),
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


@pytest.mark.parametrize("bypass", [False, True], ids=["through-proxy", "no-proxy"])
def test_socket_mode_goes_through_the_proxy_unless_no_proxy_says(
    tmp_path: Path, tls: tuple[ssl.SSLContext, Path], bypass: bool
) -> None:
    """HTTPS_PROXY carries apps.connections.open and tunnels the WebSocket (CONNECT, then
    TLS: slack-sdk always speaks TLS through a proxy); with NO_PROXY naming the host,
    both go direct (slack-sdk alone would still tunnel the WebSocket)."""
    url = f"sqlite:///{tmp_path / 'socket.db'}"
    prepare_database(url, [PLANS / "riverside.yaml"])
    context, cert = tls
    with (
        FakeSlack() as fake,
        SocketModeServer(None if bypass else context) as ws,
        Proxy() as proxy,
    ):
        fake.answer("apps.connections.open", ws.connections_open)
        app = SocketApp(url, fake, ws)
        app.env.update(
            HTTPS_PROXY=proxy.url,
            HTTP_PROXY=proxy.url,
            NO_PROXY="localhost,127.0.0.1" if bypass else "",
            SSL_CERT_FILE=str(cert),  # trust the test certificate
        )
        with app:
            connected(ws, app, 1)
            assert "A-1" in all_text(app.command("U0LEE", "action show A-1").json)
            out = app.output()
    if bypass:
        assert proxy.seen == []
    else:
        assert proxy.carried(f"127.0.0.1:{fake.port}/api/apps.connections.open"), proxy.seen
        assert proxy.carried(f"CONNECT 127.0.0.1:{ws.port}"), proxy.seen
    assert "Traceback" not in out, out
