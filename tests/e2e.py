"""End-to-end harness: the real server in a subprocess, signed Slack requests, a clean slate.

:class:`Server` runs ``python -m bot.cli serve`` (gunicorn, Bolt's WSGI adapter)
against a database and a :class:`tests.fakeslack.FakeSlack`, and sends it
requests signed the way Slack signs them: slash commands, block actions,
view submissions and events. :class:`Baseline` remembers the database right
after the fixture plans were imported and puts it back before each test, so
tests sharing one server do not depend on each other's order.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Self
from urllib.parse import urlencode

import pytest
import yaml
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from storage.db import make_engine, session_factory, upgrade
from storage.models import Action, ActionUpdate, DigestSnapshot, Meeting, Notification, Partnership
from storage.planfile import load_plan_text
from storage.sync import apply_plan
from tests.conftest import _fresh_postgres
from tests.fakeslack import WAIT_LIMIT, Call, FakeSlack
from tests.service import Service

REPO = Path(__file__).resolve().parents[1]
PLANS = Path(__file__).resolve().parent / "fixtures" / "plans"
BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-secret"
EVENTS_PATH = "/slack/events"
# Slack gives up on an ack after 3 seconds; every ack must come well within that.
ACK_LIMIT = 2.5
# Safety nets only (seconds): the start follows /healthz and the process, a
# request its answer; only a hung test reaches these, never a busy machine.
START_TIMEOUT = 180.0
ANSWER_TIMEOUT = 120.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Response:
    """The server's answer: HTTP status, parsed JSON body (or text), and how long it took.

    It unpacks as ``status, body``.
    """

    status: int
    body: Any
    elapsed: float
    token: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        """Unpack as ``status, body``."""
        return iter((self.status, self.body))

    @property
    def json(self) -> dict[str, Any]:
        """The body as a JSON object (an empty ack is ``{}``)."""
        if self.body in ("", None):
            return {}
        assert isinstance(self.body, dict), f"not a JSON object: {self.body!r}"
        return self.body


# ------------------------------------------------------------------ database


def prepare_database(url: str, plans: list[Path]) -> None:
    """Migrate an empty database and import plan files into it."""
    prepare_database_text(url, [(p.name, p.read_text(encoding="utf-8")) for p in plans])


def prepare_database_text(url: str, plans: list[tuple[str, str]]) -> None:
    """Migrate an empty database and import plans given as (file name, YAML text)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        factory = session_factory(engine)
        for name, text in plans:
            with factory() as session:
                apply_plan(session, load_plan_text(text, name), source_name=name)
                session.commit()
    finally:
        engine.dispose()


# A new, empty PostgreSQL database (dropped afterwards), made as conftest makes them.
fresh_postgres = contextmanager(_fresh_postgres)


class Baseline:
    """The actions as imported; :meth:`restore` undoes whatever tests did to them."""

    COLUMNS = ("status", "rag", "due_date", "snoozed_until", "updated_at", "version", "title")
    MEETING_COLUMNS = ("partnership_id", "subgroup_id", "title", "date", "time", "location")

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.factory: sessionmaker[Session] = session_factory(self.engine)
        with self.factory() as session:
            self.max_action = session.scalar(select(func.max(Action.id))) or 0
            self.max_update = session.scalar(select(func.max(ActionUpdate.id))) or 0
            self.max_note = session.scalar(select(func.max(Notification.id))) or 0
            self.rows = {
                row.id: {c: getattr(row, c) for c in self.COLUMNS}
                for row in session.scalars(select(Action))
            }
            # /csp meeting add, move and cancel change the meetings: put them back too.
            self.meetings = {
                row.id: {c: getattr(row, c) for c in self.MEETING_COLUMNS}
                for row in session.scalars(select(Meeting))
            }

    def restore(self) -> None:
        """Delete rows added since the snapshot and put the actions' values back."""
        with self.factory() as session:
            # Core statements: the ORM guard that keeps history append-only is for the bot.
            session.execute(delete(ActionUpdate).where(ActionUpdate.id > self.max_update))
            session.execute(delete(Notification).where(Notification.id > self.max_note))
            session.execute(delete(Action).where(Action.id > self.max_action))
            for action_id, values in self.rows.items():
                session.execute(update(Action).where(Action.id == action_id).values(**values))
            self._restore_meetings(session)
            session.commit()

    def _restore_meetings(self, session: Session) -> None:
        """Meetings added since the snapshot go; moved ones move back; cancelled ones return."""
        kept = list(self.meetings)
        added = select(Meeting.id).where(Meeting.id.not_in(kept))
        session.execute(delete(DigestSnapshot).where(DigestSnapshot.meeting_id.in_(added)))
        session.execute(delete(Meeting).where(Meeting.id.not_in(kept)))
        present = set(session.scalars(select(Meeting.id)))
        for meeting_id, values in self.meetings.items():
            if meeting_id in present:
                session.execute(update(Meeting).where(Meeting.id == meeting_id).values(**values))
            else:
                session.add(Meeting(id=meeting_id, **values))

    def session(self) -> Session:
        """A new session on the same database as the server."""
        return self.factory()

    def action(self, ref: str, slug: str = "riverside") -> Action:
        """An action as the database holds it now (owner, group and history loaded)."""
        with self.factory() as session:
            return (
                session.scalars(
                    select(Action)
                    .join(Partnership, Partnership.id == Action.partnership_id)
                    .where(Partnership.slug == slug, Action.ref == ref)
                    .options(
                        joinedload(Action.owner),
                        joinedload(Action.updates).joinedload(ActionUpdate.by),
                    )
                )
                .unique()
                .one()
            )

    def new_updates(self) -> list[ActionUpdate]:
        """History entries written since the snapshot, oldest first."""
        with self.factory() as session:
            return list(
                session.scalars(
                    select(ActionUpdate)
                    .where(ActionUpdate.id > self.max_update)
                    .options(joinedload(ActionUpdate.action), joinedload(ActionUpdate.by))
                    .order_by(ActionUpdate.id)
                )
            )

    def new_actions(self) -> list[Action]:
        """Actions added since the snapshot."""
        with self.factory() as session:
            return list(session.scalars(select(Action).where(Action.id > self.max_action)))

    def set_updated(self, ref: str, days_ago: int, slug: str = "riverside") -> None:
        """Pretend an action was last updated ``days_ago`` days ago (to make it stale)."""
        import datetime as dt

        when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
        with self.factory() as session:
            partnership = select(Partnership.id).where(Partnership.slug == slug)
            session.execute(
                update(Action)
                .where(Action.ref == ref, Action.partnership_id.in_(partnership))
                .values(updated_at=when)
            )
            session.commit()

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()


# -------------------------------------------------------------------- server


class Server(Service):
    """The real ``csp-bot serve`` in a subprocess, talking to a FakeSlack."""

    def __init__(
        self,
        database_url: str,
        fake: FakeSlack,
        *,
        secret: str = SIGNING_SECRET,
        workers: int = 1,
        threads: int = 4,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.env = dict(env or {})  # set last: e.g. SLACK_APP_TOKEN, HTTPS_PROXY
        self.fake = fake
        self.secret = secret
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.verifier = SignatureVerifier(secret)
        self.timings: list[tuple[str, float]] = []
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # ------------------------------------------------------------- lifecycle

    def argv(self) -> list[str]:
        """The command line that runs the server: ``csp-bot serve`` on our database."""
        return [
            sys.executable,
            "-m",
            "bot.cli",
            "--database-url",
            self.database_url,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]

    def start(self) -> Self:
        """Start the server and wait until /healthz answers 200."""
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": self.secret,
            "SLACK_API_URL": self.fake.base_url,
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("DATABASE_URL", "SLACK_APP_TOKEN"):
            env.pop(name, None)
        env.update(self.env)
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        command = self.argv()
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.fake.watch(self)  # a wait on the fake gives up at once if the server dies
        name = "the server (" + " ".join(command[1:]) + ")"
        # Until /healthz answers 200 or the server exits; the deadline is a safety net.
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {self.process.returncode}:\n{self.output()}"
                )
            # Waits for a worker to answer (a refused connection returns at once).
            if self.health(timeout=max(0.1, deadline - time.monotonic())) == 200:
                return self
            time.sleep(0.1)  # nothing listens yet: look again shortly
        output = self.output()
        self.stop()
        raise RuntimeError(
            f"{name} did not answer /healthz within the {START_TIMEOUT:.0f}s safety net:\n{output}"
        )

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL to its process group if it lingers."""
        self.fake.unwatch(self)  # stopped on purpose: later waits are not about it
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()  # SIGKILL cannot be refused
        if self._log is not None:
            self._log.close()
            self._log = None

    def output(self) -> str:
        """What the server has written to stdout and stderr so far."""
        if self._log is None:
            return ""
        # The server writes through the same open file (same offset): seeking it
        # here would make a line written meanwhile land over the file's start.
        # pread reads at an offset without moving the shared one.
        fd = self._log.fileno()
        data = os.pread(fd, os.fstat(fd).st_size, 0)
        return data.decode("utf-8", "replace")

    def wait_logged(self, text: str, since: int = 0) -> str:
        """The output after offset ``since`` once it holds ``text``; fails if the server ends first."""
        deadline = time.monotonic() + WAIT_LIMIT  # a safety net: the line is the event
        while True:
            new = self.output()[since:]
            if text in new:
                return new
            ended = self.poll()
            if ended is not None or time.monotonic() > deadline:
                why = f"the server exited with {ended}" if ended is not None else "the safety net"
                raise AssertionError(f"{text!r} never logged ({why}):\n{new[-4000:]}")
            time.sleep(0.05)  # the log is a file: look again shortly

    def poll(self) -> int | None:
        """The server's exit status, or None while it runs (-1 once stopped)."""
        return self.process.poll() if self.process is not None else -1

    def health(self, timeout: float = ANSWER_TIMEOUT) -> int:
        """The status of GET /healthz (0 when nothing answers)."""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                conn.request("GET", "/healthz")
                return conn.getresponse().status
            finally:
                conn.close()
        except OSError:
            return 0

    # -------------------------------------------------------------- requests

    def sign(self, timestamp: str, body: bytes) -> str:
        """Slack's v0 signature of a body at a timestamp."""
        try:
            signature = self.verifier.generate_signature(timestamp=timestamp, body=body)
        except UnicodeDecodeError:  # slack_sdk decodes bytes first; sign raw bytes ourselves
            base = b"v0:" + timestamp.encode() + b":" + body
            return "v0=" + hmac.new(self.secret.encode(), base, hashlib.sha256).hexdigest()
        assert signature is not None
        return signature

    def signed_headers(
        self,
        body: bytes,
        content_type: str = "application/x-www-form-urlencoded",
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
    ) -> dict[str, str]:
        """Slack's headers for a body: its type, a timestamp (now) and its signature."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature if signature is not None else self.sign(stamp, body),
        }

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        path: str = EVENTS_PATH,
        label: str = "",
        token: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """POST a (signed, unless a signature is given) body and read the answer."""
        headers = {
            **self.signed_headers(body, content_type, timestamp=timestamp, signature=signature),
            **(headers or {}),
        }
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=ANSWER_TIMEOUT)
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            got = {k.lower(): v for k, v in answer.getheaders()}
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        self.timings.append((label or path, elapsed))
        text_ = data.decode("utf-8", "replace")
        parsed: Any = text_
        if text_ and "json" in got.get("content-type", ""):
            parsed = json.loads(text_)
        return Response(answer.status, parsed, elapsed, token, got)

    def form(self, fields: Mapping[str, str], **kwargs: Any) -> Response:
        """POST form-encoded fields, signed."""
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded", **kwargs)

    def command_body(
        self,
        user: str,
        text: str,
        team: str = "T0RIVER",
        channel: str = "C0RGEN",
        token: str | None = None,
    ) -> tuple[bytes, str]:
        """A slash command's form body (and its response-URL token)."""
        token = token or uuid.uuid4().hex
        fields = {
            "token": "verification-token-unused",
            "team_id": team,
            "team_domain": "riverside",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/csp",
            "text": text,
            "api_app_id": "A0CSP",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(token),
            "trigger_id": f"trigger.{uuid.uuid4().hex}",
        }
        return urlencode(fields).encode(), token

    def command(
        self,
        user: str,
        text: str,
        team: str = "T0RIVER",
        channel: str = "C0RGEN",
        **kwargs: Any,
    ) -> Response:
        """Send ``/csp <text>`` as ``user``; the ack comes back in the response."""
        body, token = self.command_body(user, text, team, channel)
        return self.post(
            body,
            "application/x-www-form-urlencoded",
            label=f"/csp {text[:40]}",
            token=token,
            **kwargs,
        )

    def interactive(self, payload: Mapping[str, Any], **kwargs: Any) -> Response:
        """POST an interactivity payload (``payload=<json>``), signed."""
        kwargs.setdefault("label", str(payload.get("type", "interactive")))
        return self.form({"payload": json.dumps(payload)}, **kwargs)

    def block_action(
        self,
        user: str,
        action: Mapping[str, Any],
        team: str = "T0RIVER",
        channel: str | None = "C0RGEN",
        *,
        home: bool = False,
    ) -> Response:
        """Press a button or pick an overflow item, on a message or on the Home tab."""
        token = uuid.uuid4().hex
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": team, "domain": "riverside"},
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "A0CSP",
            "token": "verification-token-unused",
            "trigger_id": f"trigger.{uuid.uuid4().hex}",
            "actions": [{"block_id": "b1", "action_ts": f"{time.time():.6f}", **action}],
        }
        if home:
            payload["container"] = {"type": "view", "view_id": "V1"}
            payload["view"] = {"id": "V1", "type": "home", "blocks": []}
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": channel,
                "is_ephemeral": True,
            }
            payload["channel"] = {"id": channel, "name": "general"}
            payload["response_url"] = self.fake.response_url(token)
        response = self.interactive(payload, label=f"button {action.get('action_id')}")
        response.token = token
        return response

    def view_submission(
        self,
        user: str,
        view: Mapping[str, Any],
        values: Mapping[str, str],
        team: str = "T0RIVER",
    ) -> Response:
        """Submit a modal as Slack would: its blocks, metadata and the inputs' state."""
        submitted = {
            "id": "V1",
            "team_id": team,
            "type": "modal",
            "hash": "1.abc",
            **view,
            "state": {"values": state_for(view, values)},
        }
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "riverside"},
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "A0CSP",
            "token": "verification-token-unused",
            "trigger_id": f"trigger.{uuid.uuid4().hex}",
            "view": submitted,
            "response_urls": [],
        }
        return self.interactive(payload, label=f"submit {view.get('callback_id')}")

    def event(
        self,
        user: str,
        event_type: str = "app_home_opened",
        team: str = "T0RIVER",
        **fields: Any,
    ) -> Response:
        """Deliver an Events API ``event_callback`` (by default the Home tab being opened)."""
        event = {
            "type": event_type,
            "user": user,
            "channel": "D" + user[1:],
            "event_ts": f"{time.time():.6f}",
            **({"tab": "home"} if event_type == "app_home_opened" else {}),
            **fields,
        }
        body = {
            "token": "verification-token-unused",
            "team_id": team,
            "api_app_id": "A0CSP",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
            ],
            "is_ext_shared_channel": False,
        }
        return self.post(json.dumps(body).encode(), "application/json", label=event_type)


# ------------------------------------------------------------------ payloads


def state_for(view: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """A submitted view's ``state.values``: each input's initial value unless ``values`` says."""
    state: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        block_id = block["block_id"]
        element = block["element"]
        kind = element["type"]
        given = values.get(block_id)
        if kind == "static_select":
            initial = element.get("initial_option")
            chosen = (
                {"text": {"type": "plain_text", "text": given}, "value": given}
                if given is not None
                else initial
            )
            entry: dict[str, Any] = {"type": kind, "selected_option": chosen}
        elif kind == "datepicker":
            entry = {"type": kind, "selected_date": given or element.get("initial_date")}
        elif kind == "users_select":
            entry = {"type": kind, "selected_user": given or element.get("initial_user")}
        else:
            entry = {
                "type": kind,
                "value": given if given is not None else element.get("initial_value"),
            }
        state[block_id] = {element.get("action_id", block_id): entry}
    return state


def button(action_id: str, ref: str) -> dict[str, Any]:
    """A button press as it appears in a block_actions payload."""
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": action_id.removeprefix("action_").title()},
        "value": ref,
    }


def overflow(value: str, action_id: str = "action_menu") -> dict[str, Any]:
    """An overflow-menu choice (``verb:ref``) as it appears in a block_actions payload."""
    return {
        "type": "overflow",
        "action_id": action_id,
        "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
    }


def texts(value: Any) -> list[str]:
    """Every ``text`` string anywhere inside blocks, a view or a message."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                found.append(item)
            else:
                found += texts(item)
    elif isinstance(value, list):
        for item in value:
            found += texts(item)
    return found


def all_text(value: Any) -> str:
    """Every text string inside ``value``, joined by newlines (for ``in`` assertions)."""
    return "\n".join(texts(value))


def validate(blocks: list[dict[str, Any]], limit: int = 50) -> list[dict[str, Any]]:
    """Assert blocks pass slack_sdk's Block Kit validation and Slack's count limit."""
    from slack_sdk.models.blocks import Block

    assert len(blocks) <= limit, f"{len(blocks)} blocks > {limit}"
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
    return blocks


# ------------------------------------------------------------------- stacks


@dataclass
class Stack:
    """One running end-to-end setup: database, fake Slack and the real server."""

    backend: str
    url: str
    fake: FakeSlack = field(repr=False)
    server: Server = field(repr=False)
    db: Baseline = field(repr=False)
    startup: list[Call] = field(default_factory=list, repr=False)

    def reset(self) -> None:
        """Put the database back as imported and forget what Slack was sent."""
        self.db.restore()
        self.fake.reset()


def long_plan(path: Path, count: int = 120) -> Path:
    """Write a plan for a third partnership (its own team) holding ``count`` actions."""
    plan = {
        "version": 1,
        "partnership": {
            "name": "Longford Community Safety Partnership",
            "slug": "longford",
            "slack": {"team_id": "T0LONG", "channels": {"general": "C0LGEN"}},
        },
        "people": [
            {"name": "Lena Longford", "role": "coordinator", "slack": "U0LENA"},
            {"name": "Len Lead", "role": "lead", "slack": "U0LEN"},
        ],
        "priorities": [
            {
                "code": "P1",
                "title": "Keep the long plan on track",
                "actions": [
                    {
                        "ref": f"A-{i}",
                        "title": f"Long plan action number {i} with a reasonably long title",
                        "owner": "Len Lead",
                        "due": f"{1 + i % 28:02d}/{1 + i % 12:02d}/2027",
                    }
                    for i in range(1, count + 1)
                ],
            }
        ],
    }
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return path


@contextmanager
def running(
    request: pytest.FixtureRequest, workdir: Path, extra_plans: Sequence[Path] = ()
) -> Iterator[Stack]:
    """A migrated database with the fixture plans, a FakeSlack and the server, on one backend."""
    backend = str(request.param)
    with ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{workdir / 'bot.db'}"
        else:
            admin: Engine = request.getfixturevalue("postgres_admin")
            url = stack.enter_context(fresh_postgres(admin))
        prepare_database(url, [PLANS / "riverside.yaml", PLANS / "hillford.yaml", *extra_plans])
        fake = stack.enter_context(FakeSlack())
        server = stack.enter_context(Server(url, fake))
        db = Baseline(url)
        stack.callback(db.close)
        yield Stack(backend, url, fake, server, db, fake.calls())
