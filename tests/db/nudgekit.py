"""Shared helpers of the nudge tests (test_sweep_nudges_*.py): actions, the sweep, Slack stubs.

Riverside on Monday 23/11/2026: Lee Lead owns A-1 (due 30/09/2026) and A-4
(due 31/10/2026), both overdue; Mo Member's A-3 is due 31/12/2026; Olive
Offline (not on Slack) owns A-2; A-5 has no owner. Every action was last
updated on 21/11/2026, when the imported were imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import pytest
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.render.replies import message
from bot.slack import payload as slack_payload
from bot.slack.listeners import Edge
from storage import partnership_settings
from storage.models import Action, ActionNudge, Partnership, Person
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
