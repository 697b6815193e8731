"""``/csp group add|lead|covers|close|list`` on both backends: what each writes, and refusals.

A refusal's reply says how to fix it, and the row counts (groups, their
priorities, history entries) and every group's values are as they were.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partnership import groups as group_rules
from storage.models import GroupKind, Partnership, PlanChange, SubGroup, subgroup_priority
from tests.kit import context, load_plans, rendered, run


@pytest.fixture
def plans(session: Session) -> Session:
    """Riverside and Hillford loaded (Riverside: ASB Steering Group, lead Gina, covers P1)."""
    load_plans(session)
    return session


def group(session: Session, name: str, slug: str = "riverside") -> SubGroup:
    """A sub-group by name in a partnership."""
    session.expire_all()
    return session.scalars(
        select(SubGroup)
        .join(Partnership, Partnership.id == SubGroup.partnership_id)
        .where(Partnership.slug == slug, SubGroup.name == name)
    ).one()


def snapshot(session: Session) -> tuple[Any, ...]:
    """Row counts and every group's values: proof that nothing was written."""
    session.expire_all()
    rows = session.execute(
        select(
            SubGroup.id,
            SubGroup.name,
            SubGroup.kind,
            SubGroup.lead_id,
            SubGroup.end_date,
            SubGroup.closed_on,
        ).order_by(SubGroup.id)
    ).all()
    links = session.execute(select(subgroup_priority).order_by("subgroup_id", "priority_id")).all()
    history = session.scalar(select(func.count()).select_from(PlanChange))
    return tuple(tuple(r) for r in rows), tuple(tuple(r) for r in links), history


def history(session: Session) -> list[PlanChange]:
    """Every group and person history entry, oldest first."""
    session.expire_all()
    return list(session.scalars(select(PlanChange).order_by(PlanChange.id)))


# ------------------------------------------------------------------ group add


def test_add_with_lead_covers_and_an_end(plans: Session) -> None:
    outcome, text = run(
        context(plans),
        "group add Knife Crime Group lead:<@U0LEE|lee> covers:P1,p2 "
        "task and finish until 31/03/2027",
    )
    assert outcome.ok, text
    new = group(plans, "Knife Crime Group")
    assert new.lead is not None and new.lead.name == "Lee Lead"
    assert [p.code for p in new.priorities] == ["P1", "P2"]
    assert new.kind == GroupKind.TASK_AND_FINISH
    assert new.end_date is not None and new.end_date.isoformat() == "2027-03-31"
    assert "Added the sub-group *Knife Crime Group* · task and finish until 31/03/2027" in text
    assert "covers: P1, P2" in text
    rendered(outcome)
    [entry] = history(plans)
    assert (entry.subject, entry.subject_id, entry.name) == ("group", new.id, "Knife Crime Group")
    assert entry.by is not None and entry.by.name == "Cora Coordinator"
    assert entry.changes["lead"] == [None, "Lee Lead"]
    assert entry.changes["covers"] == [[], ["P1", "P2"]]


def test_add_by_name_alone_is_a_standing_group_with_no_lead(plans: Session) -> None:
    outcome, text = run(context(plans), "group add Youth Forum")
    assert outcome.ok, text
    new = group(plans, "Youth Forum")
    assert new.kind == GroupKind.STANDING and new.lead is None and new.end_date is None
    assert "no lead yet" in text and '/csp group lead "Youth Forum" @person' in text


def test_add_with_a_bare_mention_and_until_key(plans: Session) -> None:
    outcome, text = run(context(plans), 'group add "Night Time Group" @gina until:30/06/2027')
    assert outcome.ok, text
    new = group(plans, "Night Time Group")
    assert new.lead is not None and new.lead.name == "Gina Grouplead"
    assert new.kind == GroupKind.TASK_AND_FINISH


def test_task_and_finish_in_the_name_stays_in_the_name(plans: Session) -> None:
    line = "group add Knife Crime Task and Finish Group until 31/03/2027"
    outcome, text = run(context(plans), line)
    assert outcome.ok, text
    new = group(plans, "Knife Crime Task and Finish Group")
    assert new.kind == GroupKind.TASK_AND_FINISH and new.end_date is not None
    before = snapshot(plans)
    outcome, text = run(context(plans), "group add Drugs T&F Group")
    assert not outcome.ok and "needs the day it ends" in text, text
    assert snapshot(plans) == before


def test_names_are_escaped_in_the_reply(plans: Session) -> None:
    outcome, text = run(context(plans), "group add Drugs & Alcohol Group")
    assert outcome.ok, text
    assert "Drugs &amp; Alcohol Group" in str(rendered(outcome))


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("group add", "Give the new group's name"),
        ("group add asb   steering group", "already a group called ASB Steering Group"),
        ("group add Knife Crime Group lead:@Leee", "Did you mean Lee Lead?"),
        ("group add Knife Crime Group lead:Hana", "not in Riverside"),
        ("group add Knife Crime Group covers:P1,P9", "no priority `P9`"),
        ("group add Knife Crime Group covers:P3", "Its priorities: `P1`, `P2`"),
        ("group add Knife Crime Group task and finish", "needs the day it ends"),
        ("group add Knife Crime Group task and finish until 01/01/2020", "has passed"),
        ("group add Knife Crime Group until:31/02/2027", "not a date I can read"),
        ("group add Knife <!channel> Group", "can't hold"),
        ("group add Knife Crime Group lead:Olive lead:Lee", "given twice"),
        ("group add Knife Crime Group covrs:P1", "Did you mean `covers:P1`?"),
    ],
)
def test_bad_input_writes_nothing(plans: Session, line: str, says: str) -> None:
    before = snapshot(plans)
    outcome, text = run(context(plans), line)
    assert not outcome.ok
    assert says in text, text
    assert snapshot(plans) == before
    rendered(outcome)


@pytest.mark.parametrize(
    "line",
    [
        "group add Knife Crime Group",
        "group lead ASB Steering Group @lee",
        "group covers ASB Steering Group P2",
        "group close ASB Steering Group",
    ],
)
def test_only_coordinators_change_groups(plans: Session, line: str) -> None:
    before = snapshot(plans)
    outcome, text = run(context(plans, person="Gina Grouplead"), line)
    assert not outcome.ok
    assert "only a coordinator (Cora Coordinator) can" in text, text
    assert snapshot(plans) == before


def test_another_partnerships_group_is_not_found(plans: Session) -> None:
    before = snapshot(plans)
    outcome, text = run(context(plans, "hillford", "Hana Hillford"), "group close ASB Steering")
    assert not outcome.ok and "no sub-group `ASB Steering` in Hillford" in text, text
    assert snapshot(plans) == before


# ------------------------------------------------------------------ group lead and covers


def test_lead_replaces_the_lead_and_says_so(plans: Session) -> None:
    outcome, text = run(context(plans), "group lead asb steering group <@U0LEE|lee>")
    assert outcome.ok, text
    assert group(plans, "ASB Steering Group").lead_id is not None
    assert group(plans, "ASB Steering Group").lead.name == "Lee Lead"  # type: ignore[union-attr]
    assert "lead: Gina Grouplead → Lee Lead" in text
    [entry] = history(plans)
    assert entry.changes == {"lead": ["Gina Grouplead", "Lee Lead"]}
    outcome, text = run(context(plans), "group lead ASB Steering Group @lee")
    assert outcome.ok and "Nothing to change" in text
    assert len(history(plans)) == 1


def test_lead_by_typed_name_and_not_on_slack(plans: Session) -> None:
    outcome, text = run(context(plans), "group lead ASB Steering Group Olive Offline")
    assert outcome.ok, text
    assert group(plans, "ASB Steering Group").lead.name == "Olive Offline"  # type: ignore[union-attr]
    assert "not on Slack" in text and '/csp person link "Olive Offline"' in text


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("group lead ASB Steering Grop @lee", "Did you mean ASB Steering Group?"),
        ("group lead ASB Steering Group", "Who leads it?"),
        ("group lead ASB Steering Group @nobody", "not in Riverside"),
        ("group covers ASB Steering Group P7", "no priority `P7`"),
        ("group covers ASB Steering Group", "Which priorities"),
        ("group covers Nope Group P1", "no sub-group"),
    ],
)
def test_bad_lead_or_covers_writes_nothing(plans: Session, line: str, says: str) -> None:
    before = snapshot(plans)
    outcome, text = run(context(plans), line)
    assert not outcome.ok
    assert says in text, text
    assert snapshot(plans) == before


def test_covers_replaces_and_says_what_changed(plans: Session) -> None:
    outcome, text = run(context(plans), "group covers ASB Steering Group P2")
    assert outcome.ok, text
    assert [p.code for p in group(plans, "ASB Steering Group").priorities] == ["P2"]
    assert "added: P2 · removed: P1" in text
    outcome, text = run(context(plans), "group covers ASB Steering Group p1, P2")
    assert outcome.ok, text
    assert [p.code for p in group(plans, "ASB Steering Group").priorities] == ["P1", "P2"]
    assert "added: P1 · removed: none" in text
    outcome, text = run(context(plans), "group covers ASB Steering Group none")
    assert outcome.ok and group(plans, "ASB Steering Group").priorities == []
    assert [e.changes["covers"] for e in history(plans)] == [
        [["P1"], ["P2"]],
        [["P2"], ["P1", "P2"]],
        [["P1", "P2"], []],
    ]


# ------------------------------------------------------------------ group close and list


def test_close_keeps_the_group_and_names_what_is_left(plans: Session) -> None:
    outcome, text = run(context(plans), "group close asb steering group")
    assert outcome.ok, text
    asb = group(plans, "ASB Steering Group")
    assert asb.closed_on is not None and asb.closed_on.isoformat() == "2026-11-21"
    assert asb.lead is not None  # history and lead stay
    assert "Closed *ASB Steering Group* on 21/11/2026" in text
    assert "no longer asked for quarterly returns" in text
    assert "2 open actions still sit under it: A-4, A-5" in text
    [entry] = history(plans)
    assert entry.changes == {"closed_on": [None, "2026-11-21"]}
    # Closed, it can't be changed (or closed again), and the refusal says when it closed.
    for line in ("group close ASB Steering Group", "group lead ASB Steering Group @lee"):
        before = snapshot(plans)
        outcome, text = run(context(plans), line)
        assert not outcome.ok and "was closed on 21/11/2026" in text, text
        assert snapshot(plans) == before
    # Its name stays taken.
    outcome, text = run(context(plans), "group add ASB Steering Group")
    assert not outcome.ok and "closed on 21/11/2026" in text


def test_everyone_may_list_the_groups(plans: Session) -> None:
    run(context(plans), "group add Knife Crime Group lead:@lee covers:P2 until:31/03/2027")
    run(context(plans), "group add Old Group")
    run(context(plans), "group close Old Group")
    outcome, text = run(context(plans, person="Mo Member"), "group list")
    assert outcome.ok, text
    rendered(outcome)
    assert "*ASB Steering Group* · lead: <@U0GINA> · covers: P1 · 2 open actions" in text
    assert (
        "*Knife Crime Group* · task and finish until 31/03/2027 · lead: <@U0LEE> · covers: P2"
        in text
    )
    assert "*Closed*" in text and "*Old Group* · lead: _none_" in text
    assert "closed 21/11/2026" in text
    assert text.index("Knife Crime Group") < text.index("Old Group")
    assert "Only a coordinator can add" in text
    # Another partnership's list holds none of these.
    _, hillford = run(context(plans, "hillford", "Hana Hillford"), "group list")
    assert "has no open sub-groups" in hillford, hillford
    assert "ASB Steering Group" not in hillford and "*Knife Crime Group*" not in hillford


def test_split_named_takes_the_longest_group_name(plans: Session) -> None:
    ctx = context(plans)
    assert group_rules.split_named(ctx, "asb steering group P1,P2") == (
        "asb steering group",
        "P1,P2",
    )
    assert group_rules.split_named(ctx, "Nope P1") == ("Nope", "P1")


def test_help_has_the_group_topic(plans: Session) -> None:
    outcome, text = run(context(plans), "help group")
    assert outcome.ok, text
    for name in ("group add", "group lead", "group covers", "group close", "group list"):
        assert f"/csp {name}" in text, name
    outcome, text = run(context(plans), "help")
    assert outcome.ok and "/csp group add" in text and "/csp person role" in text
    rendered(outcome)
