"""``/csp group …`` and ``/csp person role|remove|link`` end to end, on both databases.

Signed HTTP into the real server, the fake Slack recording what it was sent:
each test checks the ack (or the form and its submission), what the database
holds, and, for closing a group and removing a person, what the real sweeps
then send. A refusal leaves the groups', people's and history rows as they were.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.views import View
from sqlalchemy import delete, func, select

from bot.schedule.clock import scheduler_client
from bot.schedule.run import run_due
from bot.schedule.sender import SlackSender
from bot.settings import Settings
from storage.models import (
    ActionNudge,
    Partnership,
    Person,
    PlanChange,
    Role,
    SubGroup,
    subgroup_priority,
)
from tests.e2e import ACK_LIMIT, Response, Stack, all_text, running, validate

LONDON = ZoneInfo("Europe/London")
PERSON = (Person.id, Person.role, Person.slack_user_id, Person.removed_at)
GROUP = (SubGroup.id, SubGroup.lead_id, SubGroup.closed_on)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server on riverside and hillford, and the fake Slack, per backend."""
    workdir = tmp_path_factory.mktemp(f"groups-{request.param}")
    with running(request, workdir) as stack:
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans (groups and people too); no traceback logged."""
    with e2e.test():
        with e2e.db.session() as session:
            session.execute(delete(ActionNudge))  # the nudges' memory, which the baseline keeps
            session.commit()
        yield e2e


def acked(response: Response) -> dict[str, Any]:
    """A prompt 200 ack's JSON body (its blocks valid Block Kit)."""
    assert response.status == 200, (response.status, response.body)
    assert response.elapsed < ACK_LIMIT, f"ack took {response.elapsed:.2f}s"
    body = response.json
    if body.get("blocks"):
        validate(body["blocks"])
    return body


def counts(e2e: Stack) -> tuple[int, ...]:
    """Groups, their priorities, people and history entries, with every value that changes."""
    with e2e.db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(SubGroup)) or 0,
            session.scalar(select(func.count()).select_from(subgroup_priority)) or 0,
            session.scalar(select(func.count()).select_from(PlanChange)) or 0,
            hash(tuple(session.execute(select(*PERSON).order_by(Person.id)))),
            hash(tuple(session.execute(select(*GROUP).order_by(SubGroup.id)))),
        )


def riverside(e2e: Stack, model: Any, name: str) -> Any:
    """A Riverside person or sub-group by name, as the database holds it now."""
    with e2e.db.session() as session:
        pid = select(Partnership.id).where(Partnership.slug == "riverside").scalar_subquery()
        row = session.scalars(
            select(model).where(model.partnership_id == pid, model.name == name)
        ).one()
        if model is SubGroup:
            _ = (row.lead, list(row.priorities))
        session.expunge_all()
        return row


def sweep(e2e: Stack, when: str) -> None:
    """Every sweep once, in-process, at a London wall-clock moment, into the fake Slack."""
    settings = Settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=e2e.fake.base_url)
    sender = SlackSender(scheduler_client(settings))
    at = dt.datetime.fromisoformat(when).replace(tzinfo=LONDON).astimezone(dt.UTC)
    run_due(e2e.db.factory, sender, at, partnership="riverside")


def keyed(e2e: Stack, where: str, kind: str) -> list[dict[str, Any]]:
    """The messages in a conversation whose outbox key is of ``kind``."""
    return [
        m
        for m in e2e.fake.messages(where)
        if str((m.get("metadata") or {}).get("event_payload", {}).get("key", "")).startswith(
            kind + "|"
        )
    ]


# --------------------------------------------------------------------------- groups


def test_a_coordinator_adds_a_group_with_lead_and_covers(e2e: Stack) -> None:
    line = "group add Youth Forum & Co lead:<@U0LEE|lee> covers:P1,P2 until:31/03/2030"
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "Added the sub-group *Youth Forum &amp; Co*" in text, text
    assert "covers: P1, P2" in text and "until 31/03/2030" in text, text
    assert "<@U0LEE>" in text, text
    group = riverside(e2e, SubGroup, "Youth Forum & Co")
    assert group.lead.name == "Lee Lead"
    assert [p.code for p in group.priorities] == ["P1", "P2"]
    assert group.end_date == dt.date(2030, 3, 31)
    with e2e.db.session() as session:
        [entry] = session.scalars(select(PlanChange)).all()
        assert entry.subject == "group" and entry.changes["lead"] == [None, "Lee Lead"]
    # Everyone may list them, escaped; a lead may not add one.
    listed = all_text(acked(e2e.server.command("U0MO", "group list")))
    assert "Youth Forum &amp; Co" in listed and "ASB Steering Group" in listed
    before = counts(e2e)
    refused = all_text(acked(e2e.server.command("U0GINA", "group add Another Group")))
    assert "only a coordinator (Cora Coordinator)" in refused
    assert counts(e2e) == before


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("group add ASB steering group", "already a group called ASB Steering Group"),
        ("group add New Group lead:@Gena", "Did you mean Gina Grouplead?"),
        ("group add New Group covers:P9", "no priority `P9`"),
        ("group lead ASB Steerin Group @lee", "Did you mean ASB Steering Group?"),
        ("group covers ASB Steering Group P1,P7", "no priority `P7`"),
        ("group close Hillford Group", "no sub-group"),
    ],
)
def test_bad_group_lines_are_refused_and_write_nothing(e2e: Stack, line: str, hint: str) -> None:
    before = counts(e2e)
    body = acked(e2e.server.command("U0CORA", line))
    text = all_text(body)
    assert ":warning:" in text and hint in text, text
    assert body.get("response_type", "ephemeral") == "ephemeral"
    assert counts(e2e) == before


def test_a_closed_group_is_not_reminded_while_an_open_one_is(e2e: Stack) -> None:
    acked(e2e.server.command("U0CORA", "group add Youth Forum lead:@lee covers:P2"))
    text = all_text(acked(e2e.server.command("U0CORA", "group close asb steering group")))
    assert "Closed *ASB Steering Group*" in text and "A-4, A-5" in text, text
    assert riverside(e2e, SubGroup, "ASB Steering Group").closed_on is not None
    sweep(e2e, "2027-01-15 09:30")  # five working days before Q3 2026/27's deadline
    [reminder] = keyed(e2e, "U0LEE", "return_reminder")
    assert "Youth Forum" in all_text(reminder)
    assert keyed(e2e, "U0GINA", "return_reminder") == []
    sweep(e2e, "2027-01-25 09:30")  # the chase, and the coordinators' missing list
    assert keyed(e2e, "U0GINA", "return_chase") == []
    [missing] = keyed(e2e, "U0CORA", "returns_missing")
    assert "Youth Forum" in all_text(missing) and "ASB Steering Group" not in all_text(missing)


# --------------------------------------------------------------------------- people


def test_person_role_takes_effect_at_once(e2e: Stack) -> None:
    refused = all_text(acked(e2e.server.command("U0MO", "group add Mo's Group")))
    assert "only a coordinator" in refused
    text = all_text(acked(e2e.server.command("U0CORA", "person role <@U0MO|mo> coordinator")))
    assert "role: member → coordinator" in text, text
    assert riverside(e2e, Person, "Mo Member").role == Role.COORDINATOR
    text = all_text(acked(e2e.server.command("U0MO", "group add Mo's Group")))
    assert "Added the sub-group" in text, text
    before = counts(e2e)
    text = all_text(acked(e2e.server.command("U0CORA", "person role @mo boss")))
    assert "`boss` is not a role" in text and counts(e2e) == before


def test_a_removed_person_can_no_longer_act_and_is_not_nudged(e2e: Stack) -> None:
    text = all_text(acked(e2e.server.command("U0CORA", "person remove <@U0MO|mo>")))
    assert "Removed *Mo Member*" in text, text
    assert "1 open action they owned now needs a new owner" in text and "*A-3*" in text
    mo = riverside(e2e, Person, "Mo Member")
    assert mo.removed_at is not None and mo.slack_user_id is None
    assert e2e.db.action("A-3").owner is None
    [entry] = [u for u in e2e.db.new_updates() if u.action.ref == "A-3"]
    assert entry.changes == {"owner": ["Mo Member", None]}
    # Mo is no one to the bot now.
    said = all_text(acked(e2e.server.command("U0MO", "action list mine")))
    assert "I don't know you yet" in said, said
    # A-3 (due 31/12/2026) is overdue in January: its removed owner is not nudged; Lee is.
    sweep(e2e, "2027-01-04 09:30")
    assert keyed(e2e, "U0MO", "nudge") == []
    assert keyed(e2e, "U0LEE", "nudge") != [], e2e.fake.messages("U0LEE")
    # The only coordinator cannot be removed.
    before = counts(e2e)
    text = all_text(acked(e2e.server.command("U0CORA", "person remove @cora")))
    assert "only coordinator" in text and counts(e2e) == before


def test_linking_a_person_by_picking_their_slack_account(e2e: Stack) -> None:
    """The bare command lists Olive with a button; it opens the picker; the pick links her."""
    body = acked(e2e.server.command("U0CORA", "person link"))
    assert "Olive Offline" in all_text(body)
    [button] = [b["accessory"] for b in body["blocks"] if "accessory" in b]
    assert button["action_id"] == "person_link"
    acked(e2e.server.block_action("U0CORA", button))
    [call] = e2e.fake.wait_for("views.open")
    view = call.params["view"]
    View(**view).validate_json()
    validate(view["blocks"], 100)
    assert view["callback_id"] == "person_link"
    [picker] = [b["element"] for b in view["blocks"] if b["type"] == "input"]
    assert picker["type"] == "users_select"
    meta = json.loads(view["private_metadata"])
    assert meta["partnership"] == "riverside"
    olive = riverside(e2e, Person, "Olive Offline")
    assert meta["person"] == str(olive.id)

    # Someone else's account (Lee's) is refused on the field; nothing is written.
    before = counts(e2e)
    taken = acked(e2e.server.view_submission("U0CORA", view, {"user": "U0LEE"}))
    assert taken["response_action"] == "errors"
    assert "Already linked to Lee Lead" in taken["errors"]["user"]
    assert counts(e2e) == before
    # A lead pressing Save on a forged copy of the form is refused too.
    lead = acked(e2e.server.view_submission("U0GINA", view, {"user": "U0OLIVE"}))
    assert lead["response_action"] == "errors" and counts(e2e) == before

    saved = acked(e2e.server.view_submission("U0CORA", view, {"user": "U0OLIVE"}))
    assert saved == {}, saved
    assert riverside(e2e, Person, "Olive Offline").slack_user_id == "U0OLIVE"
    [told] = e2e.fake.wait_for("chat.postEphemeral")
    assert "Slack account linked" in all_text(told.params)
    # Olive can now use the bot herself.
    mine = all_text(acked(e2e.server.command("U0OLIVE", "action list mine")))
    assert "A-2" in mine, mine


def test_person_link_by_name_opens_the_picker_typed(e2e: Stack) -> None:
    assert acked(e2e.server.command("U0CORA", 'person link "olive offline"')) == {}
    [call] = e2e.fake.calls("views.open")
    assert call.params["view"]["callback_id"] == "person_link"
    before = counts(e2e)
    text = all_text(acked(e2e.server.command("U0LEE", 'person link "Olive Offline"')))
    assert "only a coordinator" in text and counts(e2e) == before


def test_linking_from_the_coordinators_home_tab(e2e: Stack) -> None:
    """Cora's Home tab offers Olive's picker; the pick links her and the tab is published again."""
    acked(e2e.server.event("U0CORA"))
    [home] = e2e.fake.wait_for("views.publish")
    blocks = validate(home.params["view"]["blocks"], 100)
    [button] = [b["accessory"] for b in blocks if "accessory" in b]
    assert button["value"] == 'in:riverside person link "Olive Offline"'
    acked(e2e.server.block_action("U0CORA", button, home=True))
    [opened] = e2e.fake.wait_for("views.open")
    view = opened.params["view"]
    assert json.loads(view["private_metadata"])["from"] == "home"
    saved = acked(e2e.server.view_submission("U0CORA", view, {"user": "U0OLIVE"}))
    assert saved == {}, saved
    assert riverside(e2e, Person, "Olive Offline").slack_user_id == "U0OLIVE"
    # The tab is published again, without Olive's button now.
    [_, again] = e2e.fake.wait_for("views.publish", 2)
    assert "person_link" not in json.dumps(again.params["view"])
