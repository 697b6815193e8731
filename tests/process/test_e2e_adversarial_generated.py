"""Generated attacks: buttons, forms and events aimed at what the sender may not change."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.db.fuzzkit import FUZZ, assert_no_ping, held_ids, mrkdwn_texts
from tests.db.fuzzlines import EVALUATED
from tests.e2e import Stack, button, overflow
from tests.process.adversarykit import (
    EXAMPLES,
    HILLFORD_ONLY,
    HOSTILE,
    MARKER,
    NESTED,
    RIVERSIDE_ONLY,
    TRIED,
    clean,
    e2e,
    log_since,
    tables,
)

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


# (user, team, channel, what they may not touch): none of these may write anything.
ATTACKERS = [
    ("U0HANA", "T0RIVER", "C0RGEN"),  # Hillford only, in Riverside's channel
    ("U0HANA", "T0RIVER", "D0HANA"),  # ... in a direct message
    ("U0MO", "T0RIVER", "C0RGEN"),  # Riverside member: may change only his own A-3
    ("U0LEE", "T0OTHER", "C0RGEN"),  # Lee's id from another workspace: nobody
    ("U0NOBODY", "T0RIVER", "C0RGEN"),  # nobody at all
]
# Values aimed at what each attacker may not change (Mo owns A-3; Hana owns Hillford's A-1).
TARGETS = ["A-1@riverside", "A-2", "A-4@riverside", "A-5", "A-1@hillford", "A-2@hillford", "A-4"]
VERBS = ["done", "snooze", "update", "snooze_until", "show", "menu"]

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=20),
    st.just(HOSTILE),
    st.just(NESTED),
)
wrong_value = st.one_of(
    json_leaf,
    st.lists(json_leaf, max_size=3),
    st.dictionaries(st.sampled_from(["id", "value", "type"]), json_leaf, max_size=2),
)


def allowed(user: str, target: str) -> bool:
    """Whether this attacker could legitimately change the target (then it is not sent)."""
    if user == "U0HANA":
        return target in ("A-1@hillford",)
    return False


@st.composite
def block_actions(draw: st.DrawFn, user: str, team: str, channel: str) -> dict[str, Any]:
    """A button or menu press at a target the attacker may not change, maybe mangled."""
    target = draw(st.sampled_from([t for t in TARGETS if not allowed(user, t)]))
    verb = draw(st.sampled_from(VERBS))
    action = (
        overflow(f"{draw(st.sampled_from(VERBS[:4]))}:{target}")
        if verb == "menu"
        else button(f"action_{verb}", target)
    )
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": team},
        "user": {"id": user, "team_id": team},
        "trigger_id": f"t.{uuid.uuid4().hex}",
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel},
        "actions": [action],
    }
    mangle = draw(st.sampled_from(["none", "key", "action-key", "empty", "extra-actions"]))
    if mangle == "key":
        payload[draw(st.sampled_from(["team", "user", "channel", "container"]))] = draw(wrong_value)
    elif mangle == "action-key":
        action[draw(st.sampled_from(["action_id", "value", "selected_option"]))] = draw(wrong_value)
    elif mangle == "empty":
        payload["actions"] = []
    elif mangle == "extra-actions":
        payload["actions"] = [action, *draw(st.lists(wrong_value, max_size=2))]
    return payload


@st.composite
def view_submissions(draw: st.DrawFn, user: str, team: str, channel: str) -> dict[str, Any]:
    """An update or snooze form submitted for a target the attacker may not change."""
    target = draw(st.sampled_from([t for t in TARGETS if not allowed(user, t)]))
    ref, _, slug = target.partition("@")
    meta: Any = {"ref": ref, "version": "1", "channel": channel, "partnership": slug or "riverside"}
    tamper = draw(st.sampled_from(["none", "partnership", "not-json", "list", "deep", "values"]))
    if tamper == "partnership":
        meta["partnership"] = draw(st.sampled_from(["riverside", "hillford", "", "nowhere"]))
    metadata = json.dumps(meta)
    if tamper == "not-json":
        metadata = "{" + HOSTILE
    elif tamper == "list":
        metadata = json.dumps([meta])
    elif tamper == "deep":
        metadata = NESTED
    elif tamper == "values":
        metadata = json.dumps({**meta, "ref": draw(wrong_value)})
    state: Any = {
        "rag": {"rag": {"type": "static_select", "selected_option": {"value": "red"}}},
        "note": {"note": {"type": "plain_text_input", "value": HOSTILE}},
    }
    if draw(st.booleans()):
        state[draw(st.sampled_from(["rag", "note"]))] = draw(wrong_value)
    return {
        "type": "view_submission",
        "team": {"id": team},
        "user": {"id": user, "team_id": team},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": draw(st.sampled_from(["action_update", "action_snooze"])),
            "private_metadata": metadata,
            "blocks": [
                {"type": "input", "block_id": "rag", "element": {"type": "static_select"}},
                {"type": "input", "block_id": "note", "element": {"type": "plain_text_input"}},
            ],
            "state": {"values": state},
        },
    }


@st.composite
def events(draw: st.DrawFn, user: str, team: str, channel: str) -> dict[str, Any]:
    """The Home tab opened by the attacker, maybe with mangled fields."""
    event: dict[str, Any] = {"type": "app_home_opened", "user": user, "tab": "home"}
    body: dict[str, Any] = {
        "type": "event_callback",
        "team_id": team,
        "event_id": f"Ev{uuid.uuid4().hex[:12].upper()}",
        "event": event,
    }
    mangle = draw(st.sampled_from(["none", "event-key", "top-key", "authorizations"]))
    if mangle == "event-key":
        event[draw(st.sampled_from(["user", "tab", "type", "channel", "user_team"]))] = draw(
            wrong_value
        )
    elif mangle == "top-key":
        body[draw(st.sampled_from(["team_id", "event_id", "enterprise", "team"]))] = draw(
            wrong_value
        )
    elif mangle == "authorizations":
        body["authorizations"] = draw(st.one_of(st.just([]), st.lists(wrong_value, max_size=2)))
    return body


@st.composite
def attacks(draw: st.DrawFn) -> tuple[str, bytes, str]:
    """(what it is, body, content type) for one hostile request."""
    user, team, channel = draw(st.sampled_from(ATTACKERS))
    kind = draw(st.sampled_from(["button", "form", "event", "raw"]))
    if kind == "button":
        payload = draw(block_actions(user, team, channel))
    elif kind == "form":
        payload = draw(view_submissions(user, team, channel))
    elif kind == "event":
        return kind, json.dumps(draw(events(user, team, channel))).encode(), "application/json"
    else:
        raw = draw(
            st.sampled_from(
                [
                    b"\xff\xfe\xfa not utf-8 \xc3\x28",
                    b"payload=%FF%FE",
                    b"payload=" + NESTED.encode(),
                    urlencode({"payload": json.dumps([HOSTILE])}).encode(),
                    b"x" * (1024 * 1024 + 10),
                    b"{" * 5000,
                ]
            )
        )
        return (
            kind,
            raw,
            draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded"])),
        )
    form = urlencode({"payload": json.dumps(payload)}).encode()
    return kind, form, "application/x-www-form-urlencoded"


def leaks(text: str, user: str) -> list[str]:
    """What of a partnership the attacker is not in shows in ``text``."""
    if user == "U0HANA":
        return [s for s in RIVERSIDE_ONLY if s in text]
    if user == "U0MO":
        return [s for s in HILLFORD_ONLY if s in text]
    return [s for s in (*RIVERSIDE_ONLY, *HILLFORD_ONLY) if s in text]


@settings(
    FUZZ,
    max_examples=EXAMPLES,
    # The server is the module's; nothing an example does needs the per-test reset.
    suppress_health_check=[*FUZZ.suppress_health_check, HealthCheck.function_scoped_fixture],
)
@given(attack=attacks())
def test_generated_attacks_change_nothing_and_leak_nothing(
    e2e: Stack, attack: tuple[str, bytes, str]
) -> None:
    """Every generated attack: no 5xx, nothing written, no leak, no ping, no text in the log."""
    kind, body, content_type = attack
    TRIED[kind] = TRIED.get(kind, 0) + 1
    before = tables(e2e)
    mark = len(e2e.server.output())
    response = e2e.server.post(body, content_type, label=kind)
    assert response.status in (200, 413), (kind, response.status, response.body)
    assert tables(e2e) == before, f"{kind} wrote something"
    with e2e.db.session() as session:
        users, channels = held_ids(session)
    user = _user_of(body)
    answer = json.dumps(response.body) if response.body else ""
    assert not leaks(answer, user), answer
    assert EVALUATED not in answer
    for text in mrkdwn_texts(response.body):
        assert_no_ping(text, users, channels, f"{kind} answer")
    for call in e2e.fake.calls():
        sent = json.dumps(call.params)
        assert not leaks(sent, _recipient(call.params, user)), (call.method, sent)
        assert EVALUATED not in sent
        for text in mrkdwn_texts(call.params):
            assert_no_ping(text, users, channels, call.method)
    assert MARKER not in log_since(e2e, mark)
    e2e.fake.reset()


def _user_of(body: bytes) -> str:
    """Which attacker sent a generated body (by its user id)."""
    for user, _team, _channel in ATTACKERS:
        if user.encode() in body:
            return user
    return "U0NOBODY"


def _recipient(params: dict[str, Any], fallback: str) -> str:
    """Whom a Web API call addresses (a DM's or a Home tab's user)."""
    return str(params.get("user_id") or params.get("user") or params.get("channel") or fallback)
