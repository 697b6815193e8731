"""Slack Connect: partner workspaces a partnership admits, and everyone else refused.

Eastshire's council workspace (T0EAST) shares a channel with the police
workspace (T0POLICE) and admits it in its plan; Westshire (T0WEST) has the same
police officer in its plan but admits nobody. In a Slack Connect channel a
payload's ``user.team_id`` (buttons, forms) or ``team_id`` (slash commands) is
the asker's own workspace, while ``team.id`` and the channel are the host's.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.slack.identity import identify
from partnership.context import UserError
from storage.models import PartnershipWorkspace, Rag, Status
from storage.planfile import PlanError, load_plan_file
from storage.sync import apply_plan
from tests.e2e import ACK_LIMIT, Response, Stack, all_text, button, running

POLICE = "T0POLICE"
PAT = "U0PAT"  # a police officer, in both plans
QUINN = "U0QUINN"  # a police officer in Westshire's plan only
UNKNOWN = "don't know you"


def plan(slug: str, team: str, channel: str, ref: str, admitted: Any = None) -> dict[str, Any]:
    """A small plan: a coordinator of the council, and Pat from the police owning one action."""
    slack: dict[str, Any] = {"team_id": team, "channels": {"general": channel}}
    if admitted is not None:
        slack["admitted"] = admitted
    return {
        "version": 1,
        "partnership": {
            "name": f"{slug.title()} Community Safety Partnership",
            "slug": slug,
            "slack": slack,
        },
        "people": [
            {
                "name": f"Cleo {slug.title()}",
                "role": "coordinator",
                "slack": "U0C" + slug[:3].upper(),
            },
            {"name": "Pat Police", "role": "lead", "slack": PAT},
        ],
        "priorities": [
            {
                "code": "P1",
                "title": "Safer streets",
                "actions": [
                    {"ref": ref, "title": f"{slug.title()} patrol plan", "owner": "Pat Police"}
                ],
            }
        ],
    }


def write_plan(path: Path, data: dict[str, Any]) -> Path:
    """Write a plan dict as YAML and return its path."""
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def east(tmp: Path, admitted: Any = (POLICE,)) -> Path:
    """Eastshire's plan, admitting the police workspace unless told otherwise."""
    listed = list(admitted) if admitted is not None else None
    return write_plan(tmp / "east.yaml", plan("eastshire", "T0EAST", "C0EGEN", "E-1", listed))


def west(tmp: Path) -> Path:
    """Westshire's plan: Pat and Quinn (police) are in it, but the police workspace is not admitted."""
    data = plan("westshire", "T0WEST", "C0WGEN", "W-1")
    data["people"].append({"name": "Quinn Police", "role": "lead", "slack": QUINN})
    data["priorities"][0]["actions"].append(
        {"ref": "W-2", "title": "Westshire knife amnesty", "owner": "Quinn Police"}
    )
    return write_plan(tmp / "west.yaml", data)


def load(session: Session, path: Path) -> None:
    """Import a plan file and commit."""
    apply_plan(session, load_plan_file(path), source_name=path.name)
    session.commit()


# ------------------------------------------------------------------ identity


def test_plan_admits_workspaces_and_sync_replaces_the_list(
    session: Session, tmp_path: Path
) -> None:
    """`slack.admitted` is stored; a later plan's list replaces it; no key keeps it."""
    load(session, east(tmp_path, [POLICE, {"team_id": "T0FIRE", "name": "Fire and Rescue"}]))
    rows = {w.team_id: w.name for w in session.scalars(select(PartnershipWorkspace))}
    assert rows == {POLICE: None, "T0FIRE": "Fire and Rescue"}
    load(session, east(tmp_path, None))  # no `admitted` key: unchanged
    assert len(session.scalars(select(PartnershipWorkspace)).all()) == 2
    load(session, east(tmp_path, ["T0FIRE"]))
    assert [w.team_id for w in session.scalars(select(PartnershipWorkspace))] == ["T0FIRE"]
    load(session, east(tmp_path, []))
    assert session.scalars(select(PartnershipWorkspace)).all() == []


@pytest.mark.parametrize("bad", [["C0NOTATEAM"], [POLICE, POLICE], [{"name": "no id"}]])
def test_admitted_must_be_team_ids_once_each(tmp_path: Path, bad: list[Any]) -> None:
    """A channel id, a duplicate or an entry without a team id is a plan error."""
    with pytest.raises(PlanError):
        load_plan_file(east(tmp_path, bad))


def test_admitted_user_is_the_person_in_the_plan(session: Session, tmp_path: Path) -> None:
    """Pat from the police workspace is Eastshire's Pat; Westshire does not know them."""
    load(session, east(tmp_path))
    load(session, west(tmp_path))
    asker = identify(session, POLICE, PAT, "C0EGEN")
    assert (asker.partnership.slug, asker.person.name) == ("eastshire", "Pat Police")
    # In Westshire's channel Pat is still only Eastshire's: Westshire admits nobody.
    assert identify(session, POLICE, PAT, "C0WGEN").partnership.slug == "eastshire"
    with pytest.raises(UserError, match="not in a partnership called `westshire`"):
        identify(session, POLICE, PAT, "C0WGEN", "westshire")
    # From their own workspaces both councils know Pat as their own.
    assert identify(session, "T0WEST", PAT, "C0WGEN").partnership.slug == "westshire"


def test_unadmitted_workspace_is_refused(session: Session, tmp_path: Path) -> None:
    """Without admission (or after it is withdrawn) a police user is nobody."""
    load(session, west(tmp_path))
    with pytest.raises(UserError, match=UNKNOWN):
        identify(session, POLICE, PAT, "C0WGEN")
    load(session, east(tmp_path))
    load(session, east(tmp_path, []))
    with pytest.raises(UserError, match=UNKNOWN):
        identify(session, POLICE, PAT, "C0EGEN")
    with pytest.raises(UserError, match=UNKNOWN):
        identify(session, "T0ELSEWHERE", PAT, "C0EGEN")


# ---------------------------------------------------------------- end to end


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The real server with riverside, hillford, eastshire (admits police) and westshire."""
    workdir = tmp_path_factory.mktemp(f"slack-connect-{request.param}")
    with running(request, workdir, [east(workdir), west(workdir)]) as stack:
        yield stack


@pytest.fixture
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans and an empty record of Slack calls."""
    e2e.reset()
    yield e2e


def acked(response: Response) -> dict[str, Any]:
    """Assert a prompt 200 ack and return its JSON body."""
    assert response.status == 200, (response.status, response.body)
    assert response.elapsed < ACK_LIMIT
    return response.json


def shared_button(
    stack: Stack, action: dict[str, Any], host: str, channel: str, *, user: str = PAT
) -> Response:
    """A button pressed by a police user on the host's message in a shared channel."""
    token = uuid.uuid4().hex
    payload = {
        "type": "block_actions",
        "team": {"id": host, "domain": "council"},
        "user": {"id": user, "username": user.lower(), "team_id": POLICE},
        "api_app_id": "A0CSP",
        "token": "verification-token-unused",
        "trigger_id": f"trigger.{uuid.uuid4().hex}",
        "is_enterprise_install": False,
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": channel,
            "is_ephemeral": True,
        },
        "channel": {"id": channel, "name": "shared-csp"},
        "response_url": stack.fake.response_url(token),
        "actions": [{"block_id": "b1", "action_ts": f"{time.time():.6f}", **action}],
    }
    response = stack.server.form({"payload": json.dumps(payload)}, label="shared button")
    response.token = token
    return response


def test_admitted_police_user_updates_their_action(clean: Stack) -> None:
    """A slash command from the police workspace in Eastshire's shared channel is Pat's."""
    body = acked(
        clean.server.command(PAT, "action update E-1 rag:red", team=POLICE, channel="C0EGEN")
    )
    assert UNKNOWN not in all_text(body), body
    action = clean.db.action("E-1", slug="eastshire")
    assert action.rag == Rag.RED
    [update] = clean.db.new_updates()
    assert update.by is not None and update.by.name == "Pat Police"


def test_admitted_police_user_presses_done(clean: Stack) -> None:
    """The Done button on the council's message, pressed from the police workspace, works."""
    acked(shared_button(clean, button("action_done", "E-1"), "T0EAST", "C0EGEN"))
    clean.fake.wait_for("response_url")
    assert clean.db.action("E-1", slug="eastshire").status == Status.COMPLETE


def test_unadmitted_police_user_is_refused(clean: Stack) -> None:
    """Westshire admits nobody: Pat's command and button are refused; nothing is written."""
    body = acked(
        clean.server.command(PAT, "action update W-1 rag:red", team=POLICE, channel="C0WGEN")
    )
    assert UNKNOWN not in all_text(body)  # Pat is Eastshire's here, and W-1 is not theirs
    assert "in:westshire" not in all_text(body)
    refused = acked(
        clean.server.command(
            PAT, "in:westshire action update W-1 rag:red", team=POLICE, channel="C0WGEN"
        )
    )
    assert "not in a partnership called `westshire`" in all_text(refused)
    acked(shared_button(clean, button("action_done", "W-1"), "T0WEST", "C0WGEN"))
    clean.fake.wait_for("response_url")
    west_action = clean.db.action("W-1", slug="westshire")
    assert west_action.rag != Rag.RED and west_action.status != Status.COMPLETE
    assert clean.db.new_updates() == []


def test_police_user_of_an_unadmitting_partnership_is_unknown(clean: Stack) -> None:
    """Quinn (police, only in Westshire, which admits nobody) is refused as unknown."""
    body = acked(
        clean.server.command(QUINN, "action update W-2 rag:red", team=POLICE, channel="C0WGEN")
    )
    assert UNKNOWN in all_text(body), body
    payload_button = button("action_done", "W-2")
    response = shared_button(clean, payload_button, "T0WEST", "C0WGEN", user=QUINN)
    acked(response)
    [posted] = clean.fake.wait_for("response_url")
    assert UNKNOWN in all_text(posted.params)
    action = clean.db.action("W-2", slug="westshire")
    assert action.rag != Rag.RED and action.status != Status.COMPLETE
    assert clean.db.new_updates() == []


def test_user_of_a_workspace_nobody_admits_is_unknown(clean: Stack) -> None:
    """The same user id from a workspace no partnership admits is refused as unknown."""
    body = acked(
        clean.server.command(PAT, "action update E-1 rag:red", team="T0OTHER", channel="C0EGEN")
    )
    assert UNKNOWN in all_text(body)
    assert clean.db.action("E-1", slug="eastshire").rag != Rag.RED
    assert clean.db.new_updates() == []
