"""Re-import merges for the plan's other rows: priorities, groups, people, measures, meetings.

Runs on SQLite and PostgreSQL. Who changed a group or a person comes from the
plan's change history (``plan_change``), written by the ``/csp group`` and
``/csp person`` commands.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.models import Measure, Meeting, Person, Priority, Role, SubGroup
from tests.db.mergekit import LATER, PLAN, import_plan
from tests.kit import context, run


def test_other_rows_merge_too(factory: sessionmaker[Session]) -> None:
    """Priorities, groups, people, measures and meetings changed in the bot are kept."""
    import_plan(factory)
    with transaction(factory) as s:
        s.scalars(select(Priority)).one().title = "Reduce anti-social behaviour"
        group = s.scalars(select(SubGroup)).one()
        group.lead = s.scalars(select(Person).where(Person.name == "Ben Lead")).one()
        s.scalars(select(Person).where(Person.name == "Ben Lead")).one().role = Role.COORDINATOR
        s.scalars(select(Measure)).one().target = 90
        s.scalars(select(Meeting)).one().date = dt.date(2027, 1, 28)  # moved in the bot
    report = import_plan(factory)
    assert not report.changed, report.summary()
    kept = {(k.kind, k.field): k.bot_value for k in report.kept}
    assert kept == {
        ("priority", "title"): "Reduce anti-social behaviour",
        ("group", "lead"): "Ben Lead",
        ("person", "role"): "coordinator",
        ("measure", "target"): 90,
        ("meeting", "date"): None,
    }
    assert "no longer on 21/01/2027 in the bot (moved or cancelled there)" in report.summary()
    with factory() as s:
        assert [m.date for m in s.scalars(select(Meeting))] == [dt.date(2027, 1, 28)]
        assert s.scalars(select(SubGroup)).one().lead.name == "Ben Lead"  # type: ignore[union-attr]
    # A change the file makes to the group's lead meanwhile is a conflict.
    report = import_plan(
        factory, PLAN.replace("{name: ASB Group, lead: Ann Lead", "{name: ASB Group")
    )
    assert not report.conflicts  # not stating the lead is no change
    report = import_plan(
        factory, PLAN.replace("ASB Group, lead: Ann Lead", "ASB Group, lead: Cora Coordinator")
    )
    (conflict,) = report.conflicts
    assert (conflict.kind, conflict.field, conflict.file_value) == (
        "group",
        "lead",
        "Cora Coordinator",
    )
    assert conflict.who is None  # the console keeps no history for groups


def test_a_group_lead_named_in_slack_is_kept_and_its_changer_named(
    factory: sessionmaker[Session],
) -> None:
    """``/csp group lead`` then a re-import: kept, with who and when from plan_change."""
    import_plan(factory)
    with factory() as s:
        outcome, text = run(
            context(s, "test", "Cora Coordinator", now=LATER), "group lead ASB Group <@U0BEN>"
        )
        assert outcome.ok, text
    report = import_plan(factory)
    assert not report.changed
    (kept,) = report.kept
    assert (kept.kind, kept.field, kept.bot_value, kept.file_value) == (
        "group",
        "lead",
        "Ben Lead",
        "Ann Lead",
    )
    assert kept.who == "Cora Coordinator" and kept.when == LATER and kept.via == "command"
