"""The nudge's buttons through Slack (done, snooze, snooze until) and the typed ``/csp snooze``."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.listeners import Edge
from bot.slack.views import FORM_COMMANDS, form_view
from commands.framework.core import Form
from commands.framework.dispatch import dispatch_args, dispatch_text
from commands.framework.registry import Args
from storage.models import ActionUpdate, Source, Status
from tests import kit
from tests.db.nudgekit import (
    MONDAY,
    StubSlack,
    button_in,
    edge,
    get_action,
    nudged,
    press,
    refs_in,
    submit,
)
from tests.sweepkit import RecordingSender, at, sweep

__all__ = ["edge"]  # fixtures shared through the kit


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
