"""Applying plans to the database: idempotent, accountable, isolated. Runs on both backends."""

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.models import Action, ActionUpdate, Partnership, Person, Rag, Source, Status
from storage.planfile import PlanError, load_plan_text
from storage.sync import apply_plan

PLAN = """
partnership: {name: Test CSP, slug: test}
people:
  - {name: Ann Lead, role: lead}
priorities:
  - code: P1
    title: Reduce ASB
    actions:
      - {ref: A-1, title: Launch the pledge, due: 31/03/2027, rag: green, owner: Ann Lead, note: Venue booked}
      - {ref: A-2, title: Train partners, due: Ongoing}
"""


def _apply(factory: sessionmaker[Session], text: str, **kw: object) -> object:
    with transaction(factory) as s:
        return apply_plan(s, load_plan_text(text, "plan.yaml"), source_name="plan.yaml", **kw)  # type: ignore[arg-type]


def _action(s: Session, ref: str, slug: str = "test") -> Action:
    return s.scalars(
        select(Action).join(Partnership).where(Partnership.slug == slug, Action.ref == ref)
    ).one()


def test_first_import_creates_and_records_history(factory: sessionmaker[Session]) -> None:
    report = _apply(factory, PLAN)
    assert report.count("action", "created") == 2  # type: ignore[attr-defined]
    with factory() as s:
        a1 = _action(s, "A-1")
        assert a1.due_date == dt.date(2027, 3, 31) and a1.rag is Rag.GREEN
        assert a1.status is Status.IN_PROGRESS  # a RAG or a note means work has started
        assert a1.owner is not None and a1.owner.name == "Ann Lead"
        (entry,) = a1.updates
        assert entry.source is Source.IMPORT and entry.note == "Venue booked"
        assert entry.changes["rag"] == [None, "green"]
        a2 = _action(s, "A-2")
        assert a2.due_date is None and a2.timescale == "Ongoing"
        assert a2.status is Status.NOT_STARTED


def test_reimport_changes_nothing(factory: sessionmaker[Session]) -> None:
    _apply(factory, PLAN)
    report = _apply(factory, PLAN)
    assert not report.changed  # type: ignore[attr-defined]
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(ActionUpdate)) == 2


def test_edited_file_updates_what_changed_with_history(factory: sessionmaker[Session]) -> None:
    _apply(factory, PLAN)
    edited = PLAN.replace("rag: green", "rag: amber").replace("Venue booked", "Launch slips to May")
    report = _apply(factory, edited)
    assert [str(c) for c in report.changes] == ["updated action A-1 (rag, note)"]  # type: ignore[attr-defined]
    with factory() as s:
        a1 = _action(s, "A-1")
        assert a1.rag is Rag.AMBER
        latest = a1.updates[-1]
        assert latest.changes == {"rag": ["green", "amber"]}
        assert latest.note == "Launch slips to May"
        assert [u.note for u in a1.updates] == ["Venue booked", "Launch slips to May"]
        assert a1.version == 2


def test_an_empty_value_never_clears_what_the_bot_holds(factory: sessionmaker[Session]) -> None:
    _apply(factory, PLAN)
    report = _apply(factory, PLAN.replace(", due: 31/03/2027, rag: green, owner: Ann Lead", ""))
    assert not report.changed  # type: ignore[attr-defined]
    with factory() as s:
        assert _action(s, "A-1").due_date == dt.date(2027, 3, 31)


def test_rows_without_ref_match_by_title_and_get_new_refs(factory: sessionmaker[Session]) -> None:
    _apply(factory, PLAN)
    partial = (
        "actions:\n  - {title: launch the PLEDGE, rag: red}\n  - {title: A brand new action}\n"
    )
    with factory() as s:
        target = s.scalars(select(Partnership)).one()
    with transaction(factory) as s:
        report = apply_plan(
            s, load_plan_text(partial, "t"), source_name="t", partnership=s.merge(target)
        )
    assert [str(c) for c in report.changes] == ["updated action A-1 (rag)", "created action A-3"]


def test_problems_found_while_syncing_write_nothing(factory: sessionmaker[Session]) -> None:
    _apply(factory, PLAN)
    partial = "actions:\n  - {ref: A-1, title: Launch the pledge, rag: red}\n  - {title: X, priority: P7}\n"
    with factory() as s:
        target = s.scalars(select(Partnership)).one()
    with (
        pytest.raises(PlanError, match="no priority 'P7'; known priorities: P1"),
        transaction(factory) as s,
    ):
        apply_plan(s, load_plan_text(partial, "t"), source_name="t", partnership=s.merge(target))
    with factory() as s:
        assert _action(s, "A-1").rag is Rag.GREEN


def test_partnerships_keep_their_own_data(factory: sessionmaker[Session]) -> None:
    _apply(factory, PLAN)
    other = PLAN.replace("{name: Test CSP, slug: test}", "{name: Other CSP, slug: other}").replace(
        "rag: green", "rag: red"
    )
    report = _apply(factory, other)
    assert report.count("action", "created") == 2  # type: ignore[attr-defined]
    assert report.count("person", "created") == 1  # type: ignore[attr-defined]
    with factory() as s:
        assert _action(s, "A-1", "test").rag is Rag.GREEN
        assert _action(s, "A-1", "other").rag is Rag.RED
        assert s.scalar(select(func.count()).select_from(Person)) == 2


def test_history_is_append_only(factory: sessionmaker[Session]) -> None:
    _apply(factory, PLAN)
    with factory() as s:
        entry = s.scalars(select(ActionUpdate)).first()
        assert entry is not None
        entry.note = "rewritten"
        with pytest.raises(ValueError, match="append-only"):
            s.flush()
        s.rollback()
        entry = s.scalars(select(ActionUpdate)).first()
        s.delete(entry)
        with pytest.raises(ValueError, match="append-only"):
            s.flush()


def test_parent_links_when_the_county_board_arrives(factory: sessionmaker[Session]) -> None:
    district = PLAN.replace("slug: test}", "slug: test, parent: county}")
    report = _apply(factory, district)
    assert any("parent partnership 'county'" in w for w in report.warnings)  # type: ignore[attr-defined]
    _apply(factory, "partnership: {name: County Board, slug: county}\n")
    report = _apply(factory, district)
    assert [str(c) for c in report.changes] == ["updated partnership test (parent)"]  # type: ignore[attr-defined]
    with factory() as s:
        county = s.scalars(select(Partnership).where(Partnership.slug == "county")).one()
        assert [c.slug for c in county.children] == ["test"]


def test_a_rag_or_note_on_a_not_started_action_means_it_has_started(
    factory: sessionmaker[Session],
) -> None:
    _apply(factory, PLAN)
    with factory() as s:
        target = s.scalars(select(Partnership)).one()
    partial = "actions:\n  - {ref: A-2, title: Train partners, rag: amber}\n"
    with transaction(factory) as s:
        report = apply_plan(
            s, load_plan_text(partial, "t"), source_name="t", partnership=s.merge(target)
        )
    assert [str(c) for c in report.changes] == ["updated action A-2 (status, rag)"]
    with factory() as s:
        assert _action(s, "A-2").updates[-1].changes == {
            "status": ["not_started", "in_progress"],
            "rag": [None, "amber"],
        }


def test_one_slack_account_is_one_person(factory: sessionmaker[Session]) -> None:
    _apply(factory, PLAN.replace("{name: Ann Lead, role: lead}", "{name: Ann Lead, slack: U111}"))
    clash = PLAN.replace(
        "{name: Ann Lead, role: lead}", "{name: Ann Lead}\n  - {name: Bob Other, slack: U111}"
    )
    with pytest.raises(PlanError, match="U111 already belongs to Ann Lead"):
        _apply(factory, clash)
    with pytest.raises(PlanError, match="Slack id 'U111' is already used at people"):
        _apply(
            factory,
            PLAN.replace(
                "{name: Ann Lead, role: lead}", "{name: A, slack: U111}\n  - {name: B, slack: U111}"
            ),
        )


def test_a_group_covering_other_priorities_is_reported(factory: sessionmaker[Session]) -> None:
    plan = (
        PLAN
        + "  - {code: P2, title: Reoffending}\ngroups:\n  - {name: ASB Group, priorities: [P1]}\n"
    )
    _apply(factory, plan)
    assert not _apply(factory, plan).changed  # type: ignore[attr-defined]
    report = _apply(factory, plan.replace("priorities: [P1]", "priorities: [P2, P1]"))
    assert [str(c) for c in report.changes] == ["updated group ASB Group (priorities)"]  # type: ignore[attr-defined]
    assert not _apply(factory, plan.replace("priorities: [P1]", "priorities: [P1, P2]")).changed  # type: ignore[attr-defined]


def test_readings_reimport_without_changes(factory: sessionmaker[Session]) -> None:
    plan = (
        PLAN
        + "measures:\n  - {name: ASB, readings: [{period: Q1 2026/27, value: 5}, {period: 2026/27 Q2, value: 6}]}\n"
    )
    assert _apply(factory, plan).count("reading", "created") == 2  # type: ignore[attr-defined]
    assert not _apply(factory, plan).changed  # type: ignore[attr-defined]
    report = _apply(factory, plan.replace("value: 6", "value: 7"))
    assert [str(c) for c in report.changes] == ["updated reading ASB Q2 2026/27 (value)"]  # type: ignore[attr-defined]
