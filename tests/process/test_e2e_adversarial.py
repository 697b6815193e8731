"""An attacker's requests at the HTTP layer: interactivity, forms and events, not only commands.

The real ``csp-bot serve`` (one per backend for the module) with Riverside and
Hillford in one workspace. First the hostile tester's findings, one test each
(every one failed before the front door, :mod:`bot.slack.front`); then a generated
suite of ``block_actions``, ``view_submission`` and ``event_callback``
payloads sent by people who may not change what they aim at: other
partnerships' refs in button values, tampered ``private_metadata``, wrong
types, empty lists, deep nesting, huge and non-UTF-8 bodies. For each:

* never a 5xx (200 when signed; 413 for a body over the limit);
* nothing written: every table as imported;
* nothing of the other partnership in the answer or in any Web API call, and
  what the attacker typed shown as text (no ping, no link, never evaluated);
* nothing of what they typed in the server's log.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.db.test_fuzz import EVALUATED, FUZZ, assert_no_ping, held_ids, mrkdwn_texts, snapshot
from tests.e2e import Response, Stack, all_text, button, overflow, running

# What the attacker types; none of it may reach a log, a ping, or be evaluated.
HOSTILE = "Zq9hostile <!channel> <@U0CORA> {{ 12345 * 6789 }} <https://evil.example|x>"
MARKER = "Zq9hostile"
# Text only Riverside holds / only Hillford holds.
RIVERSIDE_ONLY = ("youth diversion", "Map ASB hotspots", "ASB Steering Group", "Cora Coordinator")
HILLFORD_ONLY = ("Hillford covert operation", "Secret Hillford priority", "Hana Hillford")
NESTED = "[" * 1000 + "]" * 1000
EXAMPLES = 60


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server with riverside and hillford imported, and fake Slack."""
    workdir = tmp_path_factory.mktemp(f"e2e-adversarial-{request.param}")
    with running(request, workdir) as stack:
        yield stack
    # The generated cases tried, by kind, for the record (shown with -rA or -s).
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and TRIED:
        counts = ", ".join(f"{kind} {n}" for kind, n in sorted(TRIED.items()))
        reporter.write_line(f"adversarial ({request.param}): {counts}")
    TRIED.clear()


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans and an empty record of Slack calls."""
    e2e.reset()
    yield e2e


def tables(e2e: Stack) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the plan's tables (not the ledger of requests seen)."""
    with e2e.db.session() as session:
        return snapshot(session)


def log_since(e2e: Stack, mark: int) -> str:
    """What the server logged since ``mark`` (a length of its output)."""
    return e2e.server.output()[mark:]


def no_5xx(response: Response) -> None:
    """The one status rule: never a server error."""
    assert response.status < 500, (response.status, response.body)


# ----------------------------------------------------------------- findings


def test_finding_1_unparseable_unsigned_bodies_are_refused_not_500(e2e: Stack) -> None:
    """Nested JSON, nested ``payload=``, a timestamp that is not a number: 401, never 500."""
    nested = e2e.server.post(NESTED.encode(), "application/json", signature="")
    form = e2e.server.post(
        urlencode({"payload": NESTED}).encode(), "application/x-www-form-urlencoded", signature=""
    )
    body, _ = e2e.server.command_body("U0LEE", "action done A-1")
    soon = e2e.server.post(
        body, "application/x-www-form-urlencoded", timestamp="soon", signature="v0=" + "a" * 64
    )
    assert (nested.status, form.status, soon.status) == (401, 401, 401)


def test_finding_2_signed_bodies_of_the_wrong_shape_are_200_and_do_nothing(e2e: Stack) -> None:
    """An event that is a string or a list, no actions, a numeric callback_id: 200, nothing."""
    before = tables(e2e)
    for inner in ("app_home_opened", ["app_home_opened"]):
        event = {"type": "event_callback", "team_id": "T0RIVER", "event_id": "Ev1", "event": inner}
        response = e2e.server.post(json.dumps(event).encode(), "application/json")
        assert response.status == 200, response.body
    no_actions = {"type": "block_actions", "user": {"id": "U0LEE", "team_id": "T0RIVER"}}
    assert e2e.server.interactive({**no_actions, "actions": []}).status == 200
    numeric = {
        "type": "view_submission",
        "user": {"id": "U0LEE", "team_id": "T0RIVER"},
        "view": {"callback_id": 7, "private_metadata": "{}", "state": {"values": {}}},
    }
    assert e2e.server.interactive(numeric).status == 200
    assert tables(e2e) == before
    assert e2e.fake.calls() == []


def test_a_signed_payload_no_listener_handles_is_200_and_does_nothing(e2e: Stack) -> None:
    """A button with an empty action_id, an unknown type: Bolt's 404 "unhandled" becomes 200."""
    before = tables(e2e)
    user = {"id": "U0LEE", "team_id": "T0RIVER"}
    empty = {"type": "block_actions", "user": user, "actions": [{"action_id": "", "value": "x"}]}
    unknown = {"type": "message_action", "user": user, "callback_id": "nothing_here"}
    for payload in (empty, unknown):
        response = e2e.server.interactive(payload)
        assert response.status == 200, (payload, response.status, response.body)
    assert tables(e2e) == before
    assert e2e.fake.calls() == []


def test_finding_4_a_redelivered_update_and_add_are_applied_once(e2e: Stack) -> None:
    """The same signed request again with X-Slack-Retry-Num: acknowledged, not run again."""
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    for text in ("action update A-1 rag:red seen twice", 'action add Seen twice owner:"Lee Lead"'):
        body, _ = e2e.server.command_body("U0CORA", text)
        stamp = int(time.time())
        first = e2e.server.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
        again = e2e.server.post(
            body, "application/x-www-form-urlencoded", timestamp=stamp, headers=retry
        )
        assert first.status == again.status == 200
        assert ":warning:" not in json.dumps(first.json), first.json
        assert "reached me twice" in all_text(again.json)
    assert [u.action.ref for u in e2e.db.new_updates()].count("A-1") == 1
    assert [a.title for a in e2e.db.new_actions()] == ["Seen twice"]


def test_finding_4_a_redelivered_event_is_handled_once(e2e: Stack) -> None:
    """Slack's retry of an event comes signed anew with the same event_id: one Home publish."""
    event = {
        "type": "event_callback",
        "team_id": "T0RIVER",
        "event_id": "EvRETRY" + uuid.uuid4().hex[:6].upper(),
        "event": {"type": "app_home_opened", "user": "U0LEE", "tab": "home"},
    }
    body = json.dumps(event).encode()
    assert e2e.server.post(body, "application/json").status == 200
    e2e.fake.wait_for("views.publish")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    again = e2e.server.post(body, "application/json", timestamp=int(time.time()) + 1, headers=retry)
    assert again.status == 200
    # A second publish would follow a second event at once: a fresh event proves the
    # pool is serving, and only then is the count read.
    fresh = {**event, "event_id": "EvFRESH" + uuid.uuid4().hex[:6].upper()}
    e2e.server.post(json.dumps(fresh).encode(), "application/json")
    e2e.fake.wait_for("views.publish", 2)
    assert len(e2e.fake.calls("views.publish")) == 2


def test_finding_5_no_request_text_in_the_log_on_any_failing_path(e2e: Stack) -> None:
    """Hostile text through every refusal and error path never reaches the log."""
    mark = len(e2e.server.output())
    body, _ = e2e.server.command_body("U0LEE", f"action update A-1 {HOSTILE}")
    server = e2e.server
    server.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    server.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 900)
    server.post(body, "application/x-www-form-urlencoded", timestamp="soon", signature="v0=x")
    server.post(body, "application/x-www-form-urlencoded", path=f"/nowhere/{MARKER}")
    server.post(
        json.dumps({"type": "event_callback", "event": HOSTILE}).encode(), "application/json"
    )
    server.interactive({"type": "block_actions", "user": {"id": MARKER}, "actions": []})
    server.interactive({"type": MARKER, "callback_id": HOSTILE})
    for text in (f"action update A-1 due:{HOSTILE}", f"{HOSTILE}", f"action show {HOSTILE}"):
        no_5xx(server.command("U0LEE", text))
    no_5xx(server.command("U0NOBODY", f"action update A-1 {HOSTILE}"))
    no_5xx(server.block_action("U0MO", button("action_done", f"{HOSTILE}@riverside")))
    submit = {
        "callback_id": "action_update",
        "private_metadata": f'{{"ref": "{MARKER}", "partnership": [1]}}',
        "blocks": [],
    }
    no_5xx(server.view_submission("U0LEE", submit, {}))
    output = log_since(e2e, mark)
    assert output.strip(), "the server logged nothing at all"
    assert MARKER not in output, output
    assert "Traceback" not in output


def test_finding_6_each_worker_is_warmed_before_it_serves(e2e: Stack) -> None:
    """The worker warms its imports, templates, pool and statements at boot.

    How fast the first request then is, beside the hundredth, is measured in
    ``benchmarks/ack_latency.py`` (first-request latency after a fresh start).
    """
    lines = [json.loads(line) for line in e2e.server.output().splitlines() if line.startswith("{")]
    warmed = [line for line in lines if line.get("event") == "warmed"]
    assert warmed, "no worker logged that it warmed"
    assert all(not line["msg"].startswith("warming step failed") for line in lines)


# ---------------------------------------------------------------- generated

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


TRIED: dict[str, int] = {}


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
