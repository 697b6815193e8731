"""Getting started from Slack, end to end: signed HTTP into the real server, the fake Slack.

A workspace with no partnership (T0EMPTY) is told what the bot is and how to
start; ``/csp setup`` (and the Home tab's button) opens the form for those who
may (a workspace admin or owner from ``users.info``, someone CSP_SETUP_USERS
names) and refuses everyone else, with row counts showing nothing written; the
form's submission creates the partnership, its channels and its first
coordinator, who can then run commands. One-time codes, bad values and county
boards: test_setup_form_http.py; the installer (OAuth): test_setup_oauth.py.
Both backends.
"""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Channel, Meeting, Person
from tests.e2e import Stack, all_text, validate
from tests.process.setupkit import (
    ADMIN,
    EMPTY,
    FORM,
    GEN,
    NAMED,
    NOBODY,
    OWNER,
    RIVER,
    acked,
    clean,
    confirmation,
    counts,
    e2e,
    open_setup,
    set_up,
    submit,
)

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


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
