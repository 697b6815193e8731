"""When nudges go: one DM a day per owner, the interval, weekends and holidays, stale actions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from tests import kit
from tests.db.nudgekit import (
    MONDAY,
    add_action,
    age,
    configure,
    edit,
    get_action,
    get_person,
    memory,
    nudged,
    refs_in,
)
from tests.sweepkit import RecordingSender, at, sweep

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
