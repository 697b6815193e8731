"""End to end over HTTP: every registered sub-command answers a signed slash command."""

from __future__ import annotations

import pytest
from slack_sdk.models.views import View
from sqlalchemy import select

from storage.models import Person
from tests.e2e import BOT_TOKEN, Stack, all_text
from tests.process.httpkit import acked, blocks_of, clean, e2e

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


# One line per registered sub-command, typed by someone allowed to run it, and
# a word its reply must contain. A new sub-command without a line here fails
# test_every_sub_command_has_an_http_case, so none ships untested through Slack.
EVERY = {
    "help": ("U0MO", "help action", "/csp action update"),
    "whoami": ("U0GINA", "whoami", "Gina Grouplead"),
    "action add": ("U0CORA", 'action add "Door-knock the estate" owner:@Lee Lead due:+2w', "Added"),
    "action update": ("U0LEE", 'action update A-4 rag:amber "map drafted"', "updated"),
    "action done": ("U0LEE", "action done A-4 finished", "updated"),
    "action show": ("U0MO", "action show A-1", "youth diversion"),
    "action list": ("U0MO", "action list overdue", "A-1"),
    "action snooze": ("U0LEE", "action snooze A-1 until:+10d", "snoozed"),
    "priority status": ("U0MO", "priority status P1", "P1"),
    "measure record": ("U0GINA", "measure record M-1 36 period:Q2 2026/27", "36"),
    "measure show": ("U0MO", "measure show M-1", "ASB incidents"),
    # Riverside is no county board: both answer how a district names its board
    # (tests/db/test_board_status.py has the board's and the districts' cases).
    "board status": ("U0MO", "board status", "parent:"),
    "priority map": ("U0CORA", "priority map P1 to:P9", "parent:"),
    "chase": ("U0CORA", "chase group:ASB Steering Group", "Chased"),
    "person add": ("U0CORA", '<@U0NEW|nia> name:"Nia New" role:member', "Nia New"),
    "settings": ("U0CORA", "settings stale_days:45 board_channel:<#C0RBOARD|board>", "45"),
    "return submit": (
        "U0GINA",
        'return submit quarter:Q3 summary:"Hotspot map agreed" rag:amber',
        "ASB Steering Group",
    ),
    "return status": ("U0MO", "return status", "ASB Steering Group"),
    "return show": ("U0MO", 'return show group:"ASB Steering Group"', "Hotspot map agreed"),
    "digest preview": ("U0CHRIS", "digest preview", "At a glance"),
    "digest send": ("U0CORA", "digest send", "Chris Chair"),
    "meeting add": ("U0CORA", "meeting add 21/01/2031 10:00 Review", "1 meeting added"),
    "meeting list": ("U0MO", "meeting list", "Meetings coming up"),
    "meeting move": ("U0CORA", "meeting move 11/03/2027 to 18/03/2027", "has moved"),
    "meeting cancel": ("U0CORA", "meeting cancel 11/03/2027", "Cancelled"),
    # tests/process/test_groups_http.py has the full cases of these.
    "group add": ("U0CORA", "group add Youth Forum lead:@Lee Lead covers:P2", "Added the sub"),
    "group lead": ("U0CORA", "group lead ASB Steering Group @Lee Lead", "Gina Grouplead → Lee"),
    "group covers": ("U0CORA", "group covers ASB Steering Group P1,P2", "added: P2"),
    "group close": ("U0CORA", "group close ASB Steering Group", "Closed"),
    "group list": ("U0MO", "group list", "ASB Steering Group"),
    # Quarterly (the partnership's own): the stack is shared, and the return cases
    # below name quarters.
    "group cycle": ("U0CORA", 'group cycle "ASB Steering Group" cycle:quarterly', "quarterly"),
    "group reopen": ("U0CORA", "group reopen ASB Steering Group", "Reopened"),  # closed first
    "person role": ("U0CORA", "person role <@U0MO|mo> lead", "member → lead"),
    "person remove": ("U0CORA", 'person remove "Olive Offline"', "Removed"),
    "person link": ("U0CORA", "person link", "Olive Offline"),
    # tests/process/test_import_http.py and test_export_http.py have the full cases.
    "import": ("U0CORA", "import", "file_input"),
    "export": ("U0MO", "export csv", "sent to your direct messages"),
    "digest paper": ("U0CHRIS", "digest paper", "sent to your direct messages"),
    # Opens the set-up form (tests/process/test_setup_http.py submits it).
    "setup": ("U0CORA", "setup", "Partnership name"),
}
# Refusals by design: the answer is a :warning: that says what to do.
REFUSED = ("board status", "priority map")
# Slow commands: acked at once, then their reply through the response URL.
SLOW = ("chase", "digest send", "meeting move", "meeting cancel", "export", "digest paper")


def test_every_sub_command_has_an_http_case() -> None:
    from commands.framework.registry import registry

    assert set(EVERY) == set(registry())


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_sub_command_works_over_signed_http(e2e: Stack, name: str) -> None:
    """Each sub-command, typed in Slack by someone allowed, answers without a warning."""
    user, line, expected = EVERY[name]
    if name == "person add":
        line = f"person add {line}"
    if name == "group reopen":
        acked(e2e.server.command("U0CORA", "group close ASB Steering Group"))
    if name == "return show":  # a report to read
        acked(e2e.server.command("U0GINA", EVERY["return submit"][1]))
    response = e2e.server.command(user, line)
    body = acked(response)
    if name == "import":  # opens the form with its file picker
        [opened] = e2e.fake.calls("views.open")
        assert expected in str(opened.params["view"]), opened.params
        return
    if name in SLOW:
        [posted] = e2e.fake.wait_for("response_url")
        body = posted.params
    if name == "setup":  # a bare ack; the form is what Slack was asked to open
        assert body == {}, body
        [opened] = e2e.fake.wait_for("views.open")
        body = opened.params["view"]
    text = all_text(body)
    blocks_of(body)
    assert (":warning:" in text) == (name in REFUSED), text
    assert expected.lower() in text.lower(), text


def test_person_add_by_email_looks_the_account_up_in_slack(e2e: Stack) -> None:
    """An address is looked up with users.lookupByEmail; a miss still adds the person."""
    e2e.fake.add_user("ann.example@riverside.example", "U0ANN12345")
    line = 'person add ann.example@riverside.example name:"Ann Example" role:lead'
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "<@U0ANN12345>" in text and "found by their email address" in text, text
    [call] = e2e.fake.calls("users.lookupByEmail")
    assert call.params["email"] == "ann.example@riverside.example"
    assert call.authorization == f"Bearer {BOT_TOKEN}"
    e2e.fake.fail("users.lookupByEmail", "missing_scope")
    line = 'person add "Bea Example" email:bea@riverside.example'
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "Added *Bea Example*" in text and "users:read.email" in text, text
    with e2e.db.session() as session:
        rows = session.execute(
            select(Person.name, Person.slack_user_id, Person.email).where(
                Person.name.in_(["Ann Example", "Bea Example"])
            )
        )
        assert sorted(rows) == [
            ("Ann Example", "U0ANN12345", "ann.example@riverside.example"),
            ("Bea Example", None, "bea@riverside.example"),
        ]


def test_add_form_opens_with_nothing_typed_and_saves(e2e: Stack) -> None:
    """`/csp action add` alone opens the add form; its submission creates the action."""
    acked(e2e.server.command("U0GINA", "action add"))
    [opened] = e2e.fake.calls("views.open")
    view = opened.params["view"]
    View(**view).validate_json()
    blank = e2e.server.view_submission("U0GINA", view, {"title": ""})
    assert blank.status == 200 and blank.json.get("response_action") == "errors"
    assert "title" in blank.json["errors"]
    assert not e2e.db.new_actions()
    saved = e2e.server.view_submission(
        "U0GINA", view, {"title": "Walkabout with housing officers", "group": "ASB Steering Group"}
    )
    assert saved.status == 200 and saved.json.get("response_action") != "errors", saved.json
    [created] = e2e.db.new_actions()
    assert created.title == "Walkabout with housing officers"
    assert e2e.fake.wait_for("chat.postEphemeral")
