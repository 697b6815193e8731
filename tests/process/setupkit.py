"""What the set-up tests over signed HTTP share: the stack, its clean-up, the form's helpers.

The server runs with CSP_SETUP_USERS=U0NAMED on Riverside and Hillford (T0RIVER);
T0EMPTY holds no partnership; the fake Slack's ``users.info`` makes U0ADMIN an
admin and U0OWNER an owner. Each test starts from the two imported plans: the
partnerships a test made (and codes issued) are deleted after it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from storage.models import (
    Channel,
    ChannelOwner,
    Meeting,
    Partnership,
    Person,
    SetupCode,
)
from tests.databases import PostgresTemplate, SqliteTemplate
from tests.e2e import (
    ACK_LIMIT,
    PLANS,
    REPO,
    Baseline,
    Response,
    Server,
    Stack,
    all_text,
    prepare_database,
    validate,
)
from tests.fakeslack import FakeSlack

EMPTY, RIVER = "T0EMPTY", "T0RIVER"
ADMIN, OWNER, NAMED, NOBODY = "U0ADMIN", "U0OWNER", "U0NAMED", "U0NOBODY"
GEN = "C0EGEN"  # the empty workspace's channel the commands are typed in
FORM = {
    "name": "Eastmoor Community Safety Partnership",
    "slug": "eastmoor",
    "nation": "ENG",
    "leadership_group": "Eastmoor Board",
    "main_channel": "C0EMAIN",
    "board_channel": "C0EBOARD",
    "your_name": "Ada Admin",
}


def users_info(params: dict[str, Any]) -> dict[str, Any]:
    """``users.info``: U0ADMIN is an admin, U0OWNER an owner, everyone else a member."""
    user = str(params.get("user", ""))
    return {
        "ok": True,
        "user": {
            "id": user,
            "team_id": EMPTY,
            "is_admin": user == ADMIN,
            "is_owner": user == OWNER,
            "is_primary_owner": False,
        },
    }


@contextmanager
def workspace_stack(
    request: pytest.FixtureRequest,
    workdir: Path,
    plans: list[Path],
    env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """The server on a database holding ``plans`` (none: empty), the fake Slack answering
    ``users.info`` as :func:`users_info` does, for the backend ``request.param`` names."""
    backend = str(request.param)
    with ExitStack() as stack:
        if backend == "sqlite":
            sqlite: SqliteTemplate = request.getfixturevalue("sqlite_template")
            url = sqlite.copy(workdir / "bot.db")
        else:
            postgres: PostgresTemplate = request.getfixturevalue("postgres_template")
            url = stack.enter_context(contextmanager(postgres.copy)())
        prepare_database(url, plans)
        fake = stack.enter_context(FakeSlack())
        fake.answer("users.info", users_info)
        server = stack.enter_context(Server(url, fake, env=env or {}))
        db = Baseline(url)
        stack.callback(db.close)
        yield Stack(backend, url, fake, server, db, fake.calls())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server (CSP_SETUP_USERS=U0NAMED) on riverside and hillford, and the fake Slack."""
    workdir = tmp_path_factory.mktemp(f"setup-{request.param}")
    plans = [PLANS / "riverside.yaml", PLANS / "hillford.yaml"]
    with workspace_stack(request, workdir, plans, {"CSP_SETUP_USERS": NAMED}) as stack:
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the two imported plans; the server logs no traceback."""
    with e2e.db.session() as session:
        first_new = (session.scalar(select(func.max(Partnership.id))) or 0) + 1
    seen = len(e2e.server.output())
    yield e2e
    time.sleep(0.05)  # let a lazy listener's last log line land
    new = e2e.server.output()[seen:]
    e2e.reset()
    with e2e.db.session() as session:
        made = select(Partnership.id).where(Partnership.id >= first_new)
        session.execute(delete(SetupCode))
        session.execute(delete(Meeting).where(Meeting.partnership_id.in_(made)))
        session.execute(delete(Person).where(Person.partnership_id.in_(made)))
        session.execute(delete(Channel).where(Channel.partnership_id.in_(made)))
        session.execute(delete(ChannelOwner).where(ChannelOwner.partnership_id.in_(made)))
        session.execute(
            update(Partnership).where(Partnership.id >= first_new).values(parent_id=None)
        )
        session.execute(delete(Partnership).where(Partnership.id >= first_new))
        session.commit()
    assert "Traceback" not in new, new[-4000:]


def counts(e2e: Stack) -> tuple[int, int, int, int, int]:
    """How many partnerships, people, channels, channel owners and spent codes there are."""
    with e2e.db.session() as session:
        tables = [
            session.scalar(select(func.count()).select_from(t)) or 0
            for t in (Partnership, Person, Channel, ChannelOwner)
        ]
        spent = session.scalar(
            select(func.count()).select_from(SetupCode).where(SetupCode.partnership_id.is_not(None))
        )
    return (*tables, spent or 0)  # type: ignore[return-value]


def acked(response: Response) -> dict[str, Any]:
    """A prompt 200 ack's JSON body (empty for a bare ack)."""
    assert response.status == 200, (response.status, response.body)
    assert response.elapsed < ACK_LIMIT, f"ack took {response.elapsed:.2f}s"
    body = response.json if response.body else {}
    if body.get("blocks"):
        validate(body["blocks"])
    return body


def open_setup(e2e: Stack, user: str, text: str = "setup", team: str = EMPTY) -> dict[str, Any]:
    """``/csp setup`` as ``user``: the bare ack, and the modal Slack was asked to open."""
    before = len(e2e.fake.calls("views.open"))
    assert acked(e2e.server.command(user, text, team=team, channel=GEN)) == {}
    [*_, opened] = e2e.fake.wait_for("views.open", before + 1)
    view = opened.params["view"]
    assert view["callback_id"] == "setup"
    validate(view["blocks"], limit=100)
    return dict(view)


def state_of(view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """A submitted setup form's ``state.values``: text, selects and channel pickers."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        block_id, element = block["block_id"], block["element"]
        given = values.get(block_id)
        kind = element["type"]
        if kind == "conversations_select":
            entry: dict[str, Any] = {"type": kind, "selected_conversation": given}
        elif kind == "static_select":
            initial = element.get("initial_option")
            chosen = {"text": {"type": "plain_text", "text": given}, "value": given}
            entry = {"type": kind, "selected_option": chosen if given else initial}
        else:
            entry = {
                "type": kind,
                "value": given if given is not None else element.get("initial_value"),
            }
        state[block_id] = {element["action_id"]: entry}
    return state


def submit(
    e2e: Stack, user: str, view: dict[str, Any], values: dict[str, str], team: str = EMPTY
) -> Response:
    """Submit the setup form as Slack would, with the inputs' state."""
    import json
    import uuid

    payload = {
        "type": "view_submission",
        "team": {"id": team, "domain": "x"},
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": "A0CSP",
        "token": "verification-token-unused",
        "trigger_id": f"trigger.{uuid.uuid4().hex}",
        "view": {
            "id": "V1",
            "team_id": team,
            "type": "modal",
            "hash": "1.abc",
            **view,
            "state": {"values": state_of(view, values)},
        },
        "response_urls": [],
    }
    return e2e.server.form({"payload": json.dumps(payload)}, label="submit setup")


def set_up(e2e: Stack, user: str, values: dict[str, str], team: str = EMPTY) -> Partnership:
    """Open the form as ``user``, submit ``values``; the partnership it made."""
    view = open_setup(e2e, user, team=team)
    assert acked(submit(e2e, user, view, values, team=team)) == {}
    with e2e.db.session() as session:
        made = session.scalar(select(Partnership).where(Partnership.slug == values["slug"]))
        assert made is not None
        session.expunge(made)
        return made


def confirmation(e2e: Stack, user: str) -> str:
    """The private confirmation the submitter got in the channel they typed in."""
    [told] = e2e.fake.wait_for("chat.postEphemeral", where=lambda c: c.params.get("user") == user)
    assert told.params["channel"] == GEN
    return all_text(told.params["blocks"])


def cli(e2e: Stack, *args: str) -> str:
    """Run ``csp-bot`` on the stack's database; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--database-url", e2e.url, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
