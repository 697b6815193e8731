"""`csp-bot demo`'s first part: set-up, import, meetings and leads, then the scheduler over a quarter."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.demo_year import YEAR_SCRIPT, DemoClock, YearScript
from storage.models import Action, Meeting, Notification, Partnership, Person

HEAD = re.compile(r"^  ┌ (\w{3} \d\d/\d\d/\d{4}), to (.+)$")


def play(factory: sessionmaker[Session]) -> list[str]:
    """The year's script on ``factory``'s (migrated, empty) database; its printed lines."""
    lines: list[str] = []
    YearScript(factory, DemoClock(), lambda text: lines.extend(text.splitlines())).play(
        YEAR_SCRIPT.splitlines()
    )
    return lines


def received(lines: list[str]) -> list[tuple[str, str, str]]:
    """(day, recipient, first line) of every message the scheduler printed."""
    found = []
    for i, line in enumerate(lines):
        if m := HEAD.match(line):
            found.append((m[1], m[2], lines[i + 1].removeprefix("  │ ")))
    return found


def test_the_year_sets_up_imports_and_delivers_each_message_once(
    factory: sessionmaker[Session],
) -> None:
    lines = play(factory)
    text = "\n".join(lines)
    assert "Traceback" not in text and "demo:" not in text, text[-3000:]
    assert "is set up, and you are its coordinator" in text
    # The preview shows the refused row and writes nothing; the readable rows then land.
    assert "row 4: column F" in text and "Imported severnvale-action-plan.csv" in text
    with factory() as session:
        sv = session.scalars(select(Partnership).where(Partnership.slug == "severnvale")).one()
        refs = set(session.scalars(select(Action.ref).where(Action.partnership_id == sv.id)))
        assert refs == {"1", "1.1", "2", "2.1", "3"}
        meetings = session.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.partnership_id == sv.id)
        )
        assert meetings == 4
        linked = session.scalars(
            select(Person.name).where(Person.slack_user_id.is_not(None)).order_by(Person.name)
        )
        assert list(linked) == [
            "Anne Brinkhoff",
            "Cora Coordinator",
            "Kath Rees",
            "Lee Hart",
            "Sam Chair",
        ]
        sent = session.scalar(select(func.count()).select_from(Notification))
    messages = received(lines)
    assert len(messages) == sent  # every printed message went through the outbox, once
    keys = Counter(messages)
    assert max(keys.values()) == 1, keys.most_common(3)
    who = {(day, name) for day, name, first in messages if "Digest for" in first}
    assert who == {
        ("Thu 08/04/2027", "Sam Chair (direct message)"),
        ("Thu 08/04/2027", "Severnvale Community Safety Partnership's board channel"),
    }
    # The digest's charts follow it exactly once to each of its recipients, the same day.
    charts = [(day, name) for day, name, first in messages if "would attach" in first]
    assert sorted(charts) == sorted(who)
    reminders = [(d, n) for d, n, first in messages if "quarterly return for Q4" in first]
    assert ("Wed 14/04/2027", "Kath Rees (direct message)") in reminders
    assert ("Wed 14/04/2027", "Anne Brinkhoff (direct message)") in reminders
    # Kath's return went in on 16/04: she is not chased for it; Anne is.
    chased = {n for d, n, first in messages if "now 1 working day overdue" in first}
    assert chased == {"Anne Brinkhoff (direct message)"}
    days = {day for day, _, _ in messages}
    assert not any(day.startswith(("Sat", "Sun")) for day in days)
    # Easter Monday (29/03/2027) is a bank holiday: that week's roll-up comes on the Tuesday.
    assert "Mon 29/03/2027" not in days and "Tue 30/03/2027" in days
    assert text.count("(the scheduler ran each working morning") == 2
