"""Getting started from Slack, end to end: signed HTTP into the real server, the fake Slack.

A workspace with no partnership (T0EMPTY) is told what the bot is and how to
start; ``/csp setup`` (and the Home tab's button) opens the form for those who
may (a workspace admin or owner from ``users.info``, someone CSP_SETUP_USERS
names, someone holding a one-time code from ``csp-bot setup-code``, a
coordinator already here) and refuses everyone else; the form's submission
creates the partnership, its channels and its first coordinator, who can then
run commands. Every refusal is checked against row counts. The installer (OAuth
mode) is tested in test_setup_oauth.py. Both backends.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server (CSP_SETUP_USERS=U0NAMED) on riverside and hillford, and the fake Slack."""
    backend = str(request.param)
    workdir = tmp_path_factory.mktemp(f"setup-{backend}")
    with ExitStack() as stack:
        if backend == "sqlite":
            sqlite: SqliteTemplate = request.getfixturevalue("sqlite_template")
            url = sqlite.copy(workdir / "bot.db")
        else:
            postgres: PostgresTemplate = request.getfixturevalue("postgres_template")
            url = stack.enter_context(contextmanager(postgres.copy)())
        prepare_database(url, [PLANS / "riverside.yaml", PLANS / "hillford.yaml"])
        fake = stack.enter_context(FakeSlack())
        fake.answer("users.info", users_info)
        server = stack.enter_context(Server(url, fake, env={"CSP_SETUP_USERS": NAMED}))
        db = Baseline(url)
        stack.callback(db.close)
        yield Stack(backend, url, fake, server, db, fake.calls())


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


# --------------------------------------------------------------------------- strangers


def test_help_in_an_empty_workspace_says_what_the_bot_is_and_who_may_start(e2e: Stack) -> None:
    for text in ("help", "", "action list mine"):
        body = acked(e2e.server.command(NOBODY, text, team=EMPTY, channel=GEN))
        said = all_text(body["blocks"])
        assert body["response_type"] == "ephemeral"
        assert "No partnership is set up in this workspace yet" in said
        assert "Who can set up a partnership" in said and "installed csp-bot" in said
        assert "If that is you, type `/csp setup`" in said
        # Only a command that cannot run says so; help is just the welcome.
        assert ("I don't know you yet" in said) is (text == "action list mine")
    named = all_text(acked(e2e.server.command(NAMED, "help", team=EMPTY, channel=GEN))["blocks"])
    assert "You may set it up: type `/csp setup`" in named
    assert e2e.fake.calls("users.info") == []  # an ack never waits on Slack for this


def test_home_tab_in_an_empty_workspace_has_the_button_for_those_who_may(e2e: Stack) -> None:
    for user, button in ((NOBODY, False), (OWNER, True)):
        before = len(e2e.fake.calls("views.publish"))
        assert e2e.server.event(user, team=EMPTY).status == 200
        [*_, published] = e2e.fake.wait_for("views.publish", before + 1)
        assert published.params["user_id"] == user
        view = published.params["view"]
        validate(view["blocks"], limit=100)
        assert "No partnership is set up" in all_text(view)
        ids = [e.get("action_id") for b in view["blocks"] for e in b.get("elements", [])]
        assert ("setup_open" in ids) is button


def test_someone_in_no_partnership_of_a_busy_workspace_is_told_whom_to_ask(e2e: Stack) -> None:
    said = all_text(acked(e2e.server.command(NOBODY, "help", team=RIVER))["blocks"])
    assert "You are not in any partnership's plan here yet" in said
    assert "Riverside Community Safety Partnership" in said and "<@U0CORA>" in said
    assert "Hillford Safer Communities" in said and "<@U0HANA>" in said
    may = all_text(acked(e2e.server.command(NAMED, "help", team=RIVER))["blocks"])
    assert "You may also set up another partnership here" in may
    # Members are untouched: Cora gets the ordinary help.
    cora = all_text(acked(e2e.server.command("U0CORA", "help", team=RIVER))["blocks"])
    assert "/csp setup" in cora and "not in any partnership" not in cora


# --------------------------------------------------------------------------- who may


def test_an_admin_sets_up_and_then_runs_commands_as_its_coordinator(e2e: Stack) -> None:
    made = set_up(e2e, ADMIN, FORM)
    assert (made.name, made.nation, made.leadership_group, made.slack_team_id) == (
        FORM["name"],
        "ENG",
        "Eastmoor Board",
        EMPTY,
    )
    said = confirmation(e2e, ADMIN)
    assert "Eastmoor Community Safety Partnership" in said and "you are its coordinator" in said
    assert "<#C0EMAIN>" in said and "<#C0EBOARD>" in said
    with e2e.db.session() as session:
        [ada] = session.scalars(select(Person).where(Person.partnership_id == made.id))
        assert (ada.name, ada.role.value, ada.slack_user_id) == ("Ada Admin", "coordinator", ADMIN)
        chans = session.execute(
            select(Channel.purpose, Channel.slack_channel_id).where(
                Channel.partnership_id == made.id
            )
        ).all()
        assert sorted(chans) == [("board", "C0EBOARD"), ("main", "C0EMAIN")]
    # The Home tab follows: now her partnership's own.
    home = e2e.fake.wait_for("views.publish", where=lambda c: c.params.get("user_id") == ADMIN)
    assert "Eastmoor" in all_text(home[-1].params["view"])
    who = all_text(
        acked(e2e.server.command(ADMIN, "whoami", team=EMPTY, channel="C0EMAIN"))["blocks"]
    )
    assert "Ada Admin" in who and "coordinator" in who
    added = acked(
        e2e.server.command(ADMIN, "meeting add 21/01/2030 10:00", team=EMPTY, channel="C0EMAIN")
    )
    assert "Eastmoor Board" in all_text(added["blocks"]), added
    with e2e.db.session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Meeting).where(Meeting.partnership_id == made.id)
            )
            == 1
        )


def test_a_named_user_sets_up_without_asking_slack(e2e: Stack) -> None:
    calls = len(e2e.fake.calls("users.info"))
    made = set_up(e2e, NAMED, {**FORM, "your_name": "Ned Named"})
    assert made.slug == "eastmoor"
    assert len(e2e.fake.calls("users.info")) == calls  # the setting was enough


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


def test_a_one_time_code_works_once(e2e: Stack) -> None:
    printed = cli(e2e, "setup-code")
    [code] = re.findall(r"code:([A-Z0-9-]+)", printed)
    with e2e.db.session() as session:
        [row] = session.scalars(select(SetupCode))
        assert code not in row.digest  # stored hashed
    before = counts(e2e)
    view = open_setup(e2e, "U0CODY", f"setup code:{code}")
    # Someone else typing the same code is refused: it is Cody's now.
    other = acked(e2e.server.command("U0OTHER", f"setup code:{code}", team=EMPTY, channel=GEN))
    assert "already been used" in all_text(other["blocks"])
    assert acked(submit(e2e, "U0CODY", view, {**FORM, "your_name": "Cody Code"})) == {}
    after = counts(e2e)
    assert after[0] == before[0] + 1 and after[-1] == 1  # made, and the code spent
    again = acked(e2e.server.command("U0CODY", f"setup code:{code}", team=EMPTY, channel=GEN))
    assert "already been used" in all_text(again["blocks"])
    wrong = acked(e2e.server.command(NOBODY, "setup code:AAAA-BBBB-CCCC", team=EMPTY, channel=GEN))
    assert "not one the bot issued" in all_text(wrong["blocks"])
    assert counts(e2e) == after


def test_an_ordinary_member_is_refused_everywhere_and_nothing_is_written(e2e: Stack) -> None:
    before = counts(e2e)
    opened = len(e2e.fake.calls("views.open"))
    body = acked(e2e.server.command(NOBODY, "setup", team=EMPTY, channel=GEN))
    assert "Sorry, you can't set up a partnership" in all_text(body["blocks"])
    assert "workspace admin or owner" in all_text(body["blocks"])
    # Lee leads in Riverside but coordinates nothing: refused too.
    lee = acked(e2e.server.command("U0LEE", "setup", team=RIVER))
    assert "Sorry, you can't" in all_text(lee["blocks"])
    # The Home tab's button, pressed anyway: a private refusal by DM.
    press = {
        "type": "button",
        "action_id": "setup_open",
        "value": "setup",
        "text": {"type": "plain_text", "text": "Set up"},
    }
    assert e2e.server.block_action(NOBODY, press, team=EMPTY, home=True).status == 200
    [dm] = e2e.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == NOBODY)
    assert "Sorry, you can't" in all_text(dm.params["blocks"])
    assert len(e2e.fake.calls("views.open")) == opened
    # A forged submission of the form (never opened for them) writes nothing.
    view = open_setup(e2e, ADMIN)
    forged = acked(submit(e2e, NOBODY, view, FORM))
    assert forged["response_action"] == "errors"
    assert "Sorry, you can't" in next(iter(forged["errors"].values()))
    assert counts(e2e) == before
    # Odd sub-command text gets the usage, not a form.
    odd = acked(e2e.server.command(ADMIN, "setup now please", team=EMPTY, channel=GEN))
    assert "/csp setup code:" in all_text(odd["blocks"])


def test_the_home_button_opens_the_form_for_an_admin(e2e: Stack) -> None:
    press = {
        "type": "button",
        "action_id": "setup_open",
        "value": "setup",
        "text": {"type": "plain_text", "text": "Set up"},
    }
    assert e2e.server.block_action(OWNER, press, team=EMPTY, home=True).status == 200
    [opened] = e2e.fake.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "setup"
    assert '"from":"home"' in opened.params["view"]["private_metadata"]


# --------------------------------------------------------------------------- bad values


def test_a_taken_short_name_and_another_partnerships_channel_go_back_on_their_fields(
    e2e: Stack,
) -> None:
    before = counts(e2e)
    view = open_setup(e2e, ADMIN)
    bad = {**FORM, "slug": "riverside", "main_channel": "C0RGEN", "board_channel": "C0HBOARD"}
    answer = acked(submit(e2e, ADMIN, view, bad))
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {"slug", "main_channel", "board_channel"}
    assert "riverside-2" in errors["slug"]
    assert "another partnership" in errors["main_channel"]
    assert "Riverside" not in errors["main_channel"] and "Hillford" not in errors["board_channel"]
    junk = acked(
        submit(e2e, ADMIN, view, {**FORM, "slug": "Bad Slug", "name": "", "nation": "SCT"})
    )
    assert set(junk["errors"]) == {"slug", "name", "nation"}
    assert counts(e2e) == before
    assert e2e.fake.calls("chat.postEphemeral") == []


# --------------------------------------------------------------------------- county and district


def test_a_coordinator_sets_up_a_district_naming_its_county_board(e2e: Stack) -> None:
    view = open_setup(e2e, "U0CORA", team=RIVER)
    [county] = [b for b in view["blocks"] if b["block_id"] == "county"]
    assert [o["value"] for o in county["element"]["options"]] == ["hillford", "riverside"]
    district = {
        **FORM,
        "slug": "riverside-east",
        "name": "Riverside East",
        "county": "riverside",
        "your_name": "Cora Coordinator",
    }
    assert acked(submit(e2e, "U0CORA", view, district, team=RIVER)) == {}
    with e2e.db.session() as session:
        made = session.scalar(select(Partnership).where(Partnership.slug == "riverside-east"))
        assert made is not None and made.parent is not None and made.parent.slug == "riverside"
    assert "riverside-east" in cli(e2e, "plan", "list") and "(part of riverside)" in cli(
        e2e, "plan", "list"
    )
    # Cora is now in two partnerships: each channel picks its own, isolation intact.
    east = acked(e2e.server.command("U0CORA", "whoami", team=RIVER, channel="C0EMAIN"))
    assert "Riverside East" in all_text(east["blocks"])
    home = acked(e2e.server.command("U0CORA", "whoami", team=RIVER, channel="C0RGEN"))
    assert "Riverside Community Safety Partnership" in all_text(home["blocks"])
