"""Overdue and stale nudges: one DM a day per owner, the interval, snoozes, buttons that work.

Riverside on Monday 23/11/2026: Lee Lead owns A-1 (due 30/09/2026) and A-4
(due 31/10/2026), both overdue; Mo Member's A-3 is due 31/12/2026; Olive
Offline (not on Slack) owns A-2; A-5 has no owner. Every action was last
updated on 21/11/2026, when the imported were imported.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, cast

import pytest
from slack_sdk import WebClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.render.replies import message
from bot.schedule import nudges
from bot.schedule.run import context as sweep_context
from bot.slack import payload as slack_payload
from bot.slack.listeners import Edge
from bot.slack.views import FORM_COMMANDS, form_view
from commands.framework.core import Form
from commands.framework.dispatch import dispatch_args, dispatch_text
from commands.framework.registry import Args
from storage import partnership_settings
from storage.models import (
    Action,
    ActionNudge,
    ActionUpdate,
    Notification,
    NotificationState,
    Partnership,
    Person,
    Source,
    Status,
)
from tests import kit
from tests.sweepkit import Post, RecordingSender, at, sweep

MONDAY = "2026-11-23 09:30"


def get_action(session: Session, ref: str, slug: str = "riverside") -> Action:
    return session.scalars(
        select(Action)
        .join(Partnership, Partnership.id == Action.partnership_id)
        .where(Partnership.slug == slug, Action.ref == ref)
    ).one()


def get_person(session: Session, name: str, slug: str = "riverside") -> Person:
    return session.scalars(
        select(Person)
        .join(Partnership, Partnership.id == Person.partnership_id)
        .where(Partnership.slug == slug, Person.name == name)
    ).one()


def edit(factory: sessionmaker[Session], ref: str, slug: str = "riverside", **values: Any) -> None:
    """Set an action's columns directly (as if time had passed) and commit."""
    with factory() as session:
        action = get_action(session, ref, slug)
        for name, value in values.items():
            setattr(action, name, value)
        session.commit()


def age(factory: sessionmaker[Session], ref: str, days: int = 40) -> None:
    """Make an action's last update ``days`` before Monday 23/11/2026."""
    edit(factory, ref, updated_at=at(MONDAY) - dt.timedelta(days=days))


def add_action(
    factory: sessionmaker[Session], ref: str, owner: str, due: dt.date, title: str = ""
) -> None:
    with factory() as session:
        person = get_person(session, owner)
        session.add(
            Action(
                partnership_id=person.partnership_id,
                ref=ref,
                title=title or f"Extra action {ref}",
                owner=person,
                due_date=due,
                created_at=kit.NOW,
                updated_at=kit.NOW,
            )
        )
        session.commit()


def configure(factory: sessionmaker[Session], slug: str = "riverside", **values: Any) -> None:
    with factory() as session:
        partnership = session.scalars(select(Partnership).where(Partnership.slug == slug)).one()
        current = partnership_settings.of(partnership)
        partnership_settings.store(partnership, partnership_settings.change(current, values))
        session.commit()


def nudged(sender: RecordingSender, address: str) -> list[Post]:
    return sender.to(address, "nudge")


def refs_in(post: Post) -> list[str]:
    """The refs of the action rows in a nudge, in order (from their Update buttons)."""
    return [
        str(element["value"]).partition("@")[0]
        for page in post.pages
        for block in page
        if block["type"] == "actions"
        for element in block["elements"][:1]
    ]


def memory(factory: sessionmaker[Session]) -> dict[str, tuple[str, dt.datetime]]:
    """What action_nudge remembers, by ref (riverside and hillford refs overlap: riverside only)."""
    with factory() as session:
        rows = session.execute(
            select(Action.ref, ActionNudge.kind, ActionNudge.last_at)
            .join(Action, Action.id == ActionNudge.action_id)
            .join(Partnership, Partnership.id == Action.partnership_id)
            .where(Partnership.slug == "riverside")
        ).all()
    return {ref: (kind, last_at) for ref, kind, last_at in rows}


# ------------------------------------------------------------------ one a day


def test_one_dm_a_day_bundles_every_overdue_action(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [lee] = nudged(sender, "U0LEE")
    assert lee.key.endswith("|2026-11-23")
    assert refs_in(lee) == ["A-1", "A-4"]  # most overdue first
    assert "2 of your actions in Riverside Community Safety Partnership are" in lee.text
    assert "*past their due date*" in lee.text and "Please update each one today" in lee.text
    assert "overdue 54 days" in lee.text and "overdue 23 days" in lee.text
    # Mo's action is neither overdue nor stale; Olive is not on Slack; A-5 has no owner.
    assert nudged(sender, "U0MO") == [] and nudged(sender, "U0GINA") == []
    assert {p.address for p in sender.posts if p.kind == "nudge"} == {"U0LEE", "U0HANA"}
    assert set(memory(imported)) == {"A-1", "A-4"}


def test_buttons_update_done_snooze_and_snooze_until(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()  # validates every page against Block Kit
    sweep(imported, sender, MONDAY)
    [lee] = nudged(sender, "U0LEE")
    rows = [b for page in lee.pages for b in page if b["type"] == "actions"]
    assert len(rows) == 2
    for row in rows:
        assert [e["action_id"] for e in row["elements"]] == [
            "action_update",
            "action_done",
            "action_snooze",
            "action_snooze_until",
        ]
        labels = [e["text"]["text"] for e in row["elements"]]
        assert labels[1:] == ["Mark done", "Snooze a week", "Snooze until a date…"]
        # A DM has no channel to say which partnership: every button carries it.
        assert {e["value"] for e in row["elements"]} == {f"{labels[0].split()[-1]}@riverside"}


def test_second_sweep_the_same_day_sends_nothing(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    # Newly overdue since the morning: still no second message today.
    add_action(imported, "B-1", "Lee Lead", dt.date(2026, 11, 20))
    tally = sweep(imported, sender, "2026-11-23 14:00")
    assert len(nudged(sender, "U0LEE")) == 1
    assert [o for k, o in tally.outcomes if k.startswith("nudge|")] == ["already"]
    assert "B-1" not in memory(imported)  # not told, so not remembered: it goes tomorrow
    sweep(imported, sender, "2026-11-24 09:30")
    assert refs_in(nudged(sender, "U0LEE")[-1]) == ["B-1"]


def test_next_day_only_the_newly_overdue_action(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    add_action(imported, "B-1", "Lee Lead", dt.date(2026, 11, 23))  # overdue from Tuesday
    sweep(imported, sender, "2026-11-24 09:30")
    first, second = nudged(sender, "U0LEE")
    assert refs_in(first) == ["A-1", "A-4"] and refs_in(second) == ["B-1"]
    assert second.key.endswith("|2026-11-24")
    assert "one of your actions in Riverside Community Safety Partnership is" in second.text
    sweep(imported, sender, "2026-11-25 09:30")
    assert len(nudged(sender, "U0LEE")) == 2


def test_nudged_again_after_the_interval(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    add_action(imported, "B-1", "Lee Lead", dt.date(2026, 11, 23))
    sweep(imported, sender, "2026-11-24 09:30")
    sweep(imported, sender, "2026-11-27 09:30")  # Friday: within 7 days of both
    assert len(nudged(sender, "U0LEE")) == 2
    sweep(imported, sender, "2026-11-30 09:30")  # a week after Monday, six days after Tuesday
    assert refs_in(nudged(sender, "U0LEE")[-1]) == ["A-1", "A-4"]
    sweep(imported, sender, "2026-12-01 09:30")
    assert refs_in(nudged(sender, "U0LEE")[-1]) == ["B-1"]


def test_interval_is_a_setting_counted_in_days_not_hours(imported: sessionmaker[Session]) -> None:
    configure(imported, nudge_interval=3)
    sender = RecordingSender()
    sweep(imported, sender, "2026-11-23 16:00")
    sweep(imported, sender, "2026-11-25 16:30")  # two days later: not yet
    assert len(nudged(sender, "U0LEE")) == 1
    sweep(imported, sender, "2026-11-26 09:05")  # three days later, earlier in the day
    assert len(nudged(sender, "U0LEE")) == 2
    assert "again for 3 days" in nudged(sender, "U0LEE")[-1].text


def test_no_nudges_at_weekends_or_on_bank_holidays(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, "2026-11-21 10:00")  # Saturday
    sweep(imported, sender, "2026-12-25 10:00")  # Christmas Day, a Friday
    sweep(imported, sender, "2026-11-23 08:30")  # before the working day opens
    assert sender.posts == []


# --------------------------------------------------------------------- stale


def test_stale_action_gets_a_gentler_nudge(imported: sessionmaker[Session]) -> None:
    age(imported, "A-3")
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [mo] = nudged(sender, "U0MO")
    assert refs_in(mo) == ["A-3"]
    assert "a gentle nudge from Riverside Community Safety Partnership" in mo.text
    assert "this action of yours has had no update for 30 days or more" in mo.text
    assert "last update 14/10/2026, 40 days ago" in mo.text
    assert "past" not in mo.text and "Overdue" not in mo.text
    assert memory(imported)["A-3"][0] == "stale"


def test_stale_days_is_a_setting(imported: sessionmaker[Session]) -> None:
    age(imported, "A-3")
    configure(imported, stale_days=60)
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    assert nudged(sender, "U0MO") == []
    configure(imported, stale_days=35)
    sweep(imported, sender, "2026-11-24 09:30")
    [mo] = nudged(sender, "U0MO")
    assert "no update for 35 days or more" in mo.text


def test_overdue_first_then_stale_in_one_message(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        get_action(session, "A-2").owner = get_person(session, "Lee Lead")
        session.commit()
    age(imported, "A-2")
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [lee] = nudged(sender, "U0LEE")
    assert refs_in(lee) == ["A-1", "A-4", "A-2"]
    assert lee.text.index(":alarm_clock: *Overdue*") < lee.text.index(":hourglass:")
    assert "past their due date" in lee.text
    assert "when you have a moment, a short note on these too" in lee.text
    assert memory(imported)["A-2"][0] == "stale" and memory(imported)["A-1"][0] == "overdue"


def test_stale_action_that_becomes_overdue_waits_out_the_interval(
    imported: sessionmaker[Session],
) -> None:
    age(imported, "A-3")
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    edit(imported, "A-3", due_date=dt.date(2026, 11, 23))
    sweep(imported, sender, "2026-11-24 09:30")
    [first] = nudged(sender, "U0MO")
    assert "gentle" in first.text
    # A week after the stale nudge it is nudged again, now as overdue.
    sweep(imported, sender, "2026-11-30 09:30")
    first, second = nudged(sender, "U0MO")
    assert "past its due date" in second.text and refs_in(second) == ["A-3"]
    assert memory(imported)["A-3"][0] == "overdue"


def test_an_update_stops_the_stale_nudge(imported: sessionmaker[Session]) -> None:
    age(imported, "A-3")
    with imported() as session:
        ctx = kit.context(session, person="Mo Member", now=at("2026-11-23 08:00"))
        outcome, _ = kit.run(ctx, 'action update A-3 "twenty trained so far"')
        assert outcome.ok
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    assert nudged(sender, "U0MO") == []


# ------------------------------------------------------------------- snoozes


def test_snoozed_actions_are_skipped(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-4", snoozed_until=dt.date(2026, 11, 23))  # snoozed through today
    edit(imported, "A-1", snoozed_until=dt.date(2026, 11, 22))  # has run out
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [lee] = nudged(sender, "U0LEE")
    assert refs_in(lee) == ["A-1"]
    assert set(memory(imported)) == {"A-1"}
    sweep(imported, sender, "2026-11-24 09:30")  # the snooze has run out: A-4's turn
    assert refs_in(nudged(sender, "U0LEE")[-1]) == ["A-4"]


def test_everything_snoozed_means_no_message(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-1", snoozed_until=dt.date(2026, 12, 1))
    edit(imported, "A-4", snoozed_until=dt.date(2026, 12, 1))
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    assert nudged(sender, "U0LEE") == []


def test_closed_actions_are_not_nudged(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-1", status=Status.COMPLETE)
    edit(imported, "A-4", status=Status.DROPPED)
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    assert nudged(sender, "U0LEE") == []


# ------------------------------------------------------------- who and what


def test_owner_not_on_slack_gets_no_message(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-2", due_date=dt.date(2026, 11, 1))
    with imported() as session:
        partnership = get_person(session, "Olive Offline").partnership
        messages = nudges.due(sweep_context(session, partnership, at(MONDAY)))
    assert [m.recipient.name for m in messages] == ["Lee Lead"]
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    assert "A-2" not in memory(imported)
    # The coordinator's roll-up names her instead (tests/db/test_sweep_rollup.py covers it).
    [rollup] = sender.to("U0CORA", "rollup")
    assert "Olive Offline, olive@victimsupport.example: overdue: A-2" in rollup.text


def test_nudging_never_touches_the_action_row(imported: sessionmaker[Session]) -> None:
    def rows() -> tuple[list[tuple[Any, ...]], int]:
        with imported() as session:
            actions = session.execute(
                select(Action.id, Action.version, Action.updated_at).order_by(Action.id)
            ).all()
            history = len(session.scalars(select(ActionUpdate)).all())
        return [tuple(a) for a in actions], history

    before = rows()
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    assert nudged(sender, "U0LEE")
    assert rows() == before  # no version bump (a lead's open form stays valid), no history
    remembered = memory(imported)
    assert remembered["A-1"] == ("overdue", at(MONDAY))
    assert remembered["A-4"] == ("overdue", at(MONDAY))


def test_a_long_list_is_cut_and_counted(imported: sessionmaker[Session]) -> None:
    for n in range(20):
        add_action(imported, f"B-{n + 1}", "Lee Lead", dt.date(2026, 11, 1))
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [lee] = nudged(sender, "U0LEE")
    assert len(lee.pages) == 1 and len(lee.pages[0]) <= 50
    assert len(refs_in(lee)) == 15 and refs_in(lee)[:2] == ["A-1", "A-4"]
    assert "22 of your actions" in lee.text
    assert "…and 7 more actions: see them all with `/csp action list mine`" in lee.text
    assert len(memory(imported)) == 22  # told about all of them, so all wait out the interval


def test_hostile_title_is_shown_as_text(imported: sessionmaker[Session]) -> None:
    edit(imported, "A-1", title="<!channel> {{ 7*7 }} & co")
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [lee] = nudged(sender, "U0LEE")
    raw = json.dumps(lee.pages)
    assert "<!channel>" not in raw and "49" not in raw
    assert "&lt;!channel&gt; {{ 7*7 }} &amp; co" in raw


def test_partnerships_are_nudged_apart(imported: sessionmaker[Session]) -> None:
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    [hana] = nudged(sender, "U0HANA")
    assert "Hillford covert operation" in hana.text and "Hillford Safer Communities" in hana.text
    assert "Riverside" not in hana.text and "youth diversion" not in hana.text
    assert "Hillford" not in nudged(sender, "U0LEE")[0].text
    assert button_in(hana, "action_done", "A-1")["value"] == "A-1@hillford"


def test_queries_do_not_grow_with_owners_or_actions(imported: sessionmaker[Session]) -> None:
    def count() -> int:
        with imported() as session:
            partnership = session.scalars(
                select(Partnership).where(Partnership.slug == "riverside")
            ).one()
            ctx = sweep_context(session, partnership, at(MONDAY))
            statements: list[str] = []
            engine = session.get_bind()

            def seen(*args: Any) -> None:
                statements.append(str(args[2]))

            event.listen(engine, "before_cursor_execute", seen)
            try:
                found = nudges.due(ctx)
            finally:
                event.remove(engine, "before_cursor_execute", seen)
            assert found
            return len(statements)

    before = count()
    with imported() as session:
        riverside = get_person(session, "Lee Lead").partnership
        for n in range(6):
            person = Person(
                partnership_id=riverside.id, name=f"Owner {n}", slack_user_id=f"U0OWN{n}"
            )
            session.add(person)
            for m in range(5):
                session.add(
                    Action(
                        partnership_id=riverside.id,
                        ref=f"C-{n * 5 + m + 1}",
                        title="Another overdue action",
                        owner=person,
                        due_date=dt.date(2026, 10, 1),
                        updated_at=kit.NOW,
                    )
                )
        session.commit()
    assert count() == before <= 3


# ----------------------------------------------------------- when it fails


def test_undeliverable_nudge_is_reported_to_coordinators_once(
    imported: sessionmaker[Session],
) -> None:
    sender = RecordingSender(fail={"U0LEE": ("user_not_found", False)})
    sweep(imported, sender, MONDAY)
    with imported() as session:
        note = session.scalars(
            select(Notification).where(
                Notification.kind == "nudge", Notification.address == "U0LEE"
            )
        ).one()
        assert note.state == NotificationState.FAILED
    [report] = sender.to("U0CORA", "undelivered")
    assert "A scheduled message from Riverside Community Safety Partnership" in report.text
    assert "*overdue/stale nudge* to Lee Lead (23/11/2026)" in report.text
    assert (
        "Slack has no such user; check their Slack id in the plan (user_not_found)" in report.text
    )
    assert "*What to do*" in report.text and "import the plan again" in report.text
    # Remembered at the claim, so a Slack id that will never work is not retried daily.
    assert set(memory(imported)) == {"A-1", "A-4"}
    sweep(imported, sender, "2026-11-24 09:30")
    assert len(sender.to("U0CORA", "undelivered")) == 1


# ------------------------------------------------- the buttons, through Slack


class StubSlack:
    """The few Web API methods the edge calls after a button or a form, recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.responded: list[dict[str, Any]] = []  # messages posted to the response URL

    def respond(self, body: dict[str, Any], pages: list[list[dict[str, Any]]], reply: Any) -> None:
        """Stands in for the edge's post to the response URL."""
        self.responded.extend(message(page, reply) for page in pages)

    def views_open(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("views.open", kwargs))
        return {"ok": True}

    def chat_postEphemeral(self, **kwargs: Any) -> dict[str, Any]:  # noqa: N802 (Slack's name)
        self.calls.append(("chat.postEphemeral", kwargs))
        return {"ok": True}

    def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:  # noqa: N802 (Slack's name)
        self.calls.append(("chat.postMessage", kwargs))
        return {"ok": True}

    def called(self, method: str) -> list[dict[str, Any]]:
        return [kwargs for name, kwargs in self.calls if name == method]


class Recorder:
    """Stands in for Bolt's ``ack``: records what it was given."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.fixture
def edge(
    imported: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Edge, StubSlack, RecordingSender]]:
    """The Slack edge at Monday 10:00, after the morning's nudges went out.

    Work after the ack runs at once (not on the background pool), so each
    test reads its results as soon as the listener returns.
    """
    sender = RecordingSender()
    sweep(imported, sender, MONDAY)
    slack = StubSlack()
    monkeypatch.setattr(slack_payload, "respond", slack.respond)
    clock = lambda: at("2026-11-23 10:00")  # noqa: E731
    yield Edge(imported, cast(WebClient, slack), clock, after_ack=lambda job: job()), slack, sender


def button_in(post: Post, action_id: str, ref: str) -> dict[str, Any]:
    """A button of the nudge, as Slack sends it back when pressed."""
    for page in post.pages:
        for block in page:
            for element in block.get("elements", []):
                if element.get("action_id") == action_id and element["value"].startswith(ref + "@"):
                    return dict(element)
    raise AssertionError(f"no {action_id} for {ref}")


def press(edge: Edge, slack: StubSlack, element: dict[str, Any], user: str = "U0LEE") -> Recorder:
    """Press a button in the user's DM with the bot."""
    body = {
        "type": "block_actions",
        "team": {"id": "T0RIVER"},
        "user": {"id": user, "team_id": "T0RIVER"},
        "trigger_id": "trigger.1",
        "container": {"type": "message", "channel_id": "D" + user[1:]},
        "channel": {"id": "D" + user[1:]},
        "response_url": "https://hooks.slack.example/1",
        "actions": [element],
    }
    before = len(slack.responded)
    edge.on_button(cast(Any, Recorder()), body, cast(WebClient, slack))
    responded = Recorder()
    responded.calls = slack.responded[before:]
    return responded


def submit(edge: Edge, slack: StubSlack, view: dict[str, Any], date: str) -> Recorder:
    """Submit a snooze form with a picked date, as Slack would."""
    state = {"until": {"until": {"type": "datepicker", "selected_date": date}}}
    body = {
        "type": "view_submission",
        "team": {"id": "T0RIVER"},
        "user": {"id": "U0LEE", "team_id": "T0RIVER"},
        "view": {**view, "state": {"values": state}},
    }
    ack = Recorder()
    edge.on_submit(cast(Any, ack), body, cast(WebClient, slack))
    return ack


def test_snooze_until_button_opens_a_date_form_that_snoozes(
    imported: sessionmaker[Session], edge: tuple[Edge, StubSlack, RecordingSender]
) -> None:
    app, slack, sender = edge
    [lee] = nudged(sender, "U0LEE")
    press(app, slack, button_in(lee, "action_snooze_until", "A-4"))
    [opened] = slack.called("views.open")
    view = opened["view"]
    assert view["callback_id"] == "action_snooze" and FORM_COMMANDS["action_snooze"]
    kit.valid_blocks(view["blocks"], limit=100)
    [picker] = [b for b in view["blocks"] if b["type"] == "input"]
    assert picker["block_id"] == "until" and picker["element"]["type"] == "datepicker"
    assert picker["element"]["initial_date"] == "2026-11-30"
    meta = json.loads(view["private_metadata"])
    assert meta["ref"] == "A-4" and meta["partnership"] == "riverside"

    too_far = submit(app, slack, view, "2027-06-01")
    assert too_far.calls[0]["response_action"] == "errors"
    assert set(too_far.calls[0]["errors"]) == {"until"}
    past = submit(app, slack, view, "2026-11-20")
    assert past.calls[0]["errors"] == {"until": "A future date"}
    with imported() as session:
        assert get_action(session, "A-4").snoozed_until is None

    saved = submit(app, slack, view, "2026-12-15")
    assert saved.calls == [{}]
    with imported() as session:
        action = get_action(session, "A-4")
        assert action.snoozed_until == dt.date(2026, 12, 15)
        entry = session.scalars(
            select(ActionUpdate)
            .where(ActionUpdate.action_id == action.id)
            .order_by(ActionUpdate.id)
        ).all()[-1]
        assert entry.changes["snoozed_until"] == [None, "2026-12-15"]
        assert entry.source == Source.MODAL and entry.by is not None
        assert entry.by.name == "Lee Lead"
    [confirm] = slack.called("chat.postEphemeral")
    assert confirm["channel"] == "D0LEE" and "A-4" in confirm["text"]
    # Snoozed: no nudge about it until after 15/12, even once the interval is over.
    sweep(imported, sender, "2026-11-30 09:30")
    assert refs_in(nudged(sender, "U0LEE")[-1]) == ["A-1"]


def test_done_and_snooze_a_week_buttons_from_the_nudge(
    imported: sessionmaker[Session], edge: tuple[Edge, StubSlack, RecordingSender]
) -> None:
    app, slack, sender = edge
    [lee] = nudged(sender, "U0LEE")
    done = press(app, slack, button_in(lee, "action_done", "A-1"))
    assert "A-1" in done.calls[0]["text"]
    week = press(app, slack, button_in(lee, "action_snooze", "A-4"))
    assert "A-4" in week.calls[0]["text"]
    with imported() as session:
        assert get_action(session, "A-1").status == Status.COMPLETE
        assert get_action(session, "A-4").snoozed_until == dt.date(2026, 11, 30)
    press(app, slack, button_in(lee, "action_update", "A-1"))
    [opened] = slack.called("views.open")
    assert opened["view"]["callback_id"] == "action_update"


def test_snooze_until_button_is_refused_to_someone_else(
    imported: sessionmaker[Session], edge: tuple[Edge, StubSlack, RecordingSender]
) -> None:
    app, slack, sender = edge
    [lee] = nudged(sender, "U0LEE")
    refused = press(app, slack, button_in(lee, "action_snooze_until", "A-1"), user="U0MO")
    assert slack.called("views.open") == []
    assert "can't change A-1" in refused.calls[0]["text"]


# ------------------------------------------------------ the snooze command


def test_typed_until_alone_opens_the_form(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        ctx = kit.context(session, person="Lee Lead", now=at(MONDAY))
        outcome = dispatch_text(ctx, "action snooze A-1 until")
        assert outcome.ok and isinstance(outcome.result, Form)
        view = form_view(outcome.result, {"partnership": "riverside"})
        kit.valid_blocks(view["blocks"], limit=100)
        assert view["title"]["text"] == "Snooze A-1"
        assert "latest 23/02/2027" in json.dumps(view["blocks"])
        # The form's submission: the date comes back as an ISO date.
        saved = dispatch_args(ctx, "action snooze", Args({"ref": "A-1", "until": "2026-12-04"}))
        assert saved.ok
        assert get_action(session, "A-1").snoozed_until == dt.date(2026, 12, 4)
        again = dispatch_text(ctx, "action snooze A-1 until")
        assert isinstance(again.result, Form)
        assert again.result.values["snoozed"] == "04/12/2026"
        session.rollback()


def test_typed_snooze_still_works_with_and_without_a_date(imported: sessionmaker[Session]) -> None:
    with imported() as session:
        ctx = kit.context(session, person="Lee Lead", now=at(MONDAY))
        outcome, _ = kit.run(ctx, "action snooze A-1")
        assert outcome.ok and get_action(session, "A-1").snoozed_until == dt.date(2026, 11, 30)
        outcome, _ = kit.run(ctx, "action snooze A-4 until:18/12/2026")
        assert outcome.ok and get_action(session, "A-4").snoozed_until == dt.date(2026, 12, 18)
        outcome, text = kit.run(ctx, "action snooze A-4 until:someday")
        assert not outcome.ok and "not a date I can read" in text
        assert outcome.error is not None and set(outcome.error.fields) == {"until"}


def test_typed_snooze_until_a_date_as_people_write_it(imported: sessionmaker[Session]) -> None:
    """`until 18/12/2026` (no colon) and a bare date both snooze; a bad date is still refused."""
    with imported() as session:
        ctx = kit.context(session, person="Lee Lead", now=at(MONDAY))
        outcome, _ = kit.run(ctx, "action snooze A-1 until 18/12/2026")
        assert outcome.ok and get_action(session, "A-1").snoozed_until == dt.date(2026, 12, 18)
        outcome, _ = kit.run(ctx, "action snooze A-4 11/12/2026")
        assert outcome.ok and get_action(session, "A-4").snoozed_until == dt.date(2026, 12, 11)
        outcome, text = kit.run(ctx, "action snooze A-4 until someday")
        assert not outcome.ok and "not a date I can read" in text
        assert get_action(session, "A-4").snoozed_until == dt.date(2026, 12, 11)
