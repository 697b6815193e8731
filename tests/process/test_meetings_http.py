"""``/csp meeting …`` over signed HTTP: add, list, series, refusals, who may change meetings."""

from __future__ import annotations

import datetime as dt

import pytest

from partnership.series import parse_series
from storage.dates import uk
from tests.e2e import Stack, all_text
from tests.process.meetingskit import (
    acked,
    clean,
    counts,
    e2e,
    meeting_on,
    reply,
    riverside_meetings,
    thursday,
    today,
)

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


# --------------------------------------------------------------------------- add and list


def test_a_coordinator_adds_a_meeting_and_everyone_sees_it_escaped(e2e: Stack) -> None:
    day = thursday(8)
    line = f'meeting add {uk(day)} 10:30 Review <!channel> & co location:"Town <Hall>"'
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "1 meeting added" in text and "10:30" in text, text
    assert "&lt;!channel&gt; &amp; co" in text and "Town &lt;Hall&gt;" in text, text
    assert "<!channel>" not in text
    meeting = meeting_on(e2e, day)
    assert (meeting.title, meeting.location) == ("Review <!channel> & co", "Town <Hall>")
    assert meeting.time == dt.time(10, 30)
    listed = all_text(acked(e2e.server.command("U0MO", "meeting list")))
    assert uk(day) in listed and "&lt;!channel&gt;" in listed, listed
    assert "Only a coordinator can add" in listed


def test_a_sub_group_meeting_by_name(e2e: Stack) -> None:
    day = thursday(9)
    line = f"meeting add {uk(day)} 2pm group:ASB Steering Group"
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "ASB Steering Group" in text and "14:00" in text, text
    [meeting] = [m for m in riverside_meetings(e2e) if m.date == day]
    assert meeting.subgroup_id is not None


def test_a_series_is_shown_then_saved_by_its_confirm_button(e2e: Stack) -> None:
    before = counts(e2e)
    had = {m.date for m in riverside_meetings(e2e)}
    rule = "every third Thursday of Jan, Mar, May, Jul, Sep and Nov"
    body = acked(e2e.server.command("U0CORA", f"meeting add {rule} at 10:00"))
    text = all_text(body)
    expected = parse_series(rule, today=today()).dates
    for day in expected:
        assert uk(day) in text, text
    assert "Nothing is saved until you confirm" in text and "a year of meetings" in text
    assert counts(e2e) == before  # shown, not saved
    [button] = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == "meeting_confirm"
    new = [d for d in expected if d not in had]
    assert button["text"]["text"] == f"Confirm {len(new)} meetings"
    pressed = e2e.server.block_action("U0CORA", button)
    acked(pressed)
    assert f"{len(new)} meetings added" in all_text(reply(e2e, pressed))
    days = {m.date: m for m in riverside_meetings(e2e) if m.subgroup_id is None}
    for day in expected:
        assert day in days and days[day].time == dt.time(10), day
    assert counts(e2e) == (before[0] + len(new), before[1])
    # Pressed again, nothing new: every day is taken now, and the reply says so.
    again = e2e.server.block_action("U0CORA", button)
    acked(again)
    assert "already meets" in all_text(reply(e2e, again))
    assert counts(e2e) == (before[0] + len(new), before[1])


def test_a_series_confirmed_by_typing(e2e: Stack) -> None:
    start = thursday(10)
    line = f"meeting add every 2 months from {uk(start)} for 3 meetings title:Board confirm"
    text = all_text(acked(e2e.server.command("U0CORA", line)))
    assert "3 meetings added" in text, text
    saved = [m for m in riverside_meetings(e2e) if m.title == "Board"]
    assert [m.date.day for m in saved] == [start.day] * 3


# --------------------------------------------------------------------------- refusals


def _refusals() -> list[tuple[str, str]]:
    march = "11/03/2027"  # riverside's own meeting (tests/fixtures/plans/riverside.yaml)
    return [
        ("meeting add 31/02/2027", "not a real date"),
        ("meeting add March 2027", "day first"),
        ("meeting add", "Give the meeting's date"),
        ("meeting add 21/01/2031 25:00", "not a time"),
        ("meeting add 21/01/2031 group:Nope", "no sub-group"),
        (f"meeting add {march}", "already meets"),
        ("meeting add every blue moon", "every third Thursday"),
        ("meeting add every 2 months", "from 21/01/2027"),
        ("meeting add every month from 21/01/2031 until 30/11/2031 for 3 meetings", "not both"),
        ("meeting move 21/01/2031 to 28/01/2031", "no Riverside Leadership Group meeting"),
        (f"meeting move {march}", "meeting move 21/01/2027 to 28/01/2027"),
        (f"meeting move {march} to 01/01/2020", "has passed"),
        (f"meeting move {march} to {march}", "already"),
        ("meeting cancel 30/02/2027", "not a real date"),
        ("meeting cancel 22/01/2031", "no Riverside Leadership Group meeting"),
    ]


@pytest.mark.parametrize(("line", "hint"), _refusals())
def test_bad_input_is_refused_privately_and_writes_nothing(
    e2e: Stack, line: str, hint: str
) -> None:
    before = counts(e2e)
    body = acked(e2e.server.command("U0CORA", line))
    if line.startswith(("meeting move", "meeting cancel")):  # slow: acked, answered after
        assert ":hourglass" in all_text(body)
        [posted] = e2e.fake.wait_for("response_url")
        body = posted.params
    text = all_text(body)
    assert ":warning:" in text and hint in text, text
    assert "Nothing was" in text or "nothing was" in text or "Give" in text, text
    assert body.get("response_type", "ephemeral") == "ephemeral"
    assert counts(e2e) == before
    assert [m.date for m in riverside_meetings(e2e)] == [
        dt.date(2026, 12, 10),
        dt.date(2027, 3, 11),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "meeting add 21/01/2031",
        "meeting add every 2 months from 21/01/2031 confirm",
        "meeting move 11/03/2027 to 18/03/2027",
        "meeting cancel 11/03/2027",
    ],
)
def test_only_a_coordinator_may_change_meetings(e2e: Stack, line: str) -> None:
    before = counts(e2e)
    body = acked(e2e.server.command("U0LEE", line))
    if "move" in line or "cancel" in line:
        [posted] = e2e.fake.wait_for("response_url")
        body = posted.params
    text = all_text(body)
    assert "only a coordinator (Cora Coordinator)" in text, text
    assert counts(e2e) == before


def test_a_confirm_button_pressed_by_a_lead_saves_nothing(e2e: Stack) -> None:
    """The button runs its line with the presser's rights, not the coordinator's."""
    body = acked(e2e.server.command("U0CORA", "meeting add every 2 months from 21/01/2031"))
    [button] = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    before = counts(e2e)
    pressed = e2e.server.block_action("U0LEE", button)
    acked(pressed)
    assert "only a coordinator" in all_text(reply(e2e, pressed))
    assert counts(e2e) == before
