"""``/csp action list``: order, filters, isolation, long lists and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnership.context import Reply
from storage.models import Action, Priority
from tests.db.actionskit import count_queries, counts, plans, refs_in
from tests.kit import NOW, context, rendered, run

__all__ = ["plans"]  # fixtures shared through the kit


def test_list_open_overdue_first(plans: Session) -> None:
    run(context(plans), "action done A-3")
    outcome, text = run(context(plans, person="Mo Member"), "action list")
    assert outcome.ok
    blocks = rendered(outcome)
    assert refs_in(blocks) == ["A-1", "A-4", "A-5", "A-2"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == "Open actions (4)"
    assert "2 overdue" in text
    assert len(blocks) == 2 + 4  # header, context, one block per action


@pytest.mark.parametrize(
    ("person", "line", "refs"),
    [
        ("Lee Lead", "action list mine", ["A-1", "A-4"]),
        ("Mo Member", "action list overdue", ["A-1", "A-4"]),
        ("Mo Member", "action list all", ["A-1", "A-4", "A-3", "A-5", "A-2"]),
        ("Mo Member", "action list open", ["A-1", "A-4", "A-5", "A-2"]),
        ("Mo Member", "action list <@U0LEE|lee>", ["A-1", "A-4"]),
        ("Mo Member", "action list @Lee Lead", ["A-1", "A-4"]),
        ("Mo Member", 'action list owner:"Olive Offline"', ["A-2"]),
        ("Mo Member", "action list priority:P2 all", ["A-3"]),
        ("Mo Member", "action list priority:1", ["A-1", "A-4", "A-5", "A-2"]),
        ("Mo Member", 'action list group:"ASB Steering Group"', ["A-4", "A-5"]),
        ("Mo Member", "action list overdue group:asb", ["A-4"]),
    ],
)
def test_list_filters(plans: Session, person: str, line: str, refs: list[str]) -> None:
    run(context(plans), "action done A-3")
    outcome, text = run(context(plans, person=person), line)
    assert outcome.ok, text
    assert refs_in(rendered(outcome)) == refs


def test_list_stale(plans: Session) -> None:
    old = NOW - dt.timedelta(days=40)
    run(context(plans, now=old), "action add Forgotten job owner:Lee")
    run(context(plans, now=old), "action add Touched job owner:Lee")
    run(context(plans, now=NOW - dt.timedelta(days=5)), "action update A-7 still going")
    outcome, text = run(context(plans), "action list stale")
    assert outcome.ok, text
    assert refs_in(rendered(outcome)) == ["A-6"]
    assert "Stale actions (1)" in text and "no update for 30 days" in text


def test_list_mine_for_the_console_operator(plans: Session) -> None:
    outcome, text = run(context(plans, person=None), "action list mine")
    assert not outcome.ok
    assert "console operator owns no actions" in text


def test_list_empty_says_so(plans: Session) -> None:
    outcome, text = run(context(plans, person="Chris Chair"), "action list mine")
    assert outcome.ok
    assert "Open actions (0)" in text
    assert "No actions match. Try `/csp action list all`" in text
    rendered(outcome)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("action list priority:P9", "There is no priority `P9`"),
        ("action list group:Nope", "There is no sub-group `Nope`"),
        ("action list @Nobody", "`Nobody` is not in Riverside"),
        ("action list banana", "I didn't understand `banana`"),
        ("action list mine @Lee", "not both"),
    ],
)
def test_list_bad_filters(plans: Session, line: str, says: str) -> None:
    outcome, text = run(context(plans), line)
    assert not outcome.ok
    assert says in text


def test_list_isolation(plans: Session) -> None:
    outcome, text = run(context(plans, "hillford", "Lee Lead"), "action list all")
    assert refs_in(rendered(outcome)) == ["A-1"]
    assert "covert" in text and "youth" not in text
    outcome, text = run(context(plans, "hillford", "Lee Lead"), "action list mine")
    assert refs_in(rendered(outcome)) == []
    _, text = run(context(plans), "action list all")
    assert "covert" not in text


def _bulk(session: Session, count: int) -> None:
    riverside = context(session).partnership
    p1 = session.scalars(
        select(Priority).where(Priority.partnership_id == riverside.id, Priority.code == "P1")
    ).one()
    owner = context(session, person="Lee Lead").person
    session.add_all(
        Action(
            partnership_id=riverside.id,
            ref=f"B-{i}",
            title=f"Bulk action number {i} " + "with a longer title " * (i % 4),
            owner=owner,
            priority=p1,
            due_date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
            position=100 + i,
        )
        for i in range(count)
    )
    session.commit()


def test_list_of_300_renders_every_page_and_loses_nothing(plans: Session) -> None:
    _bulk(plans, 300)
    outcome, _ = run(context(plans), "action list")
    assert outcome.ok
    reply = outcome.result
    assert isinstance(reply, Reply) and reply.data["title"] == "Open actions (305)"
    blocks = rendered(outcome)  # validates each ≤50-block page
    refs = refs_in(blocks)
    assert len(refs) == 305 and len(set(refs)) == 305
    assert {f"B-{i}" for i in range(300)} <= set(refs)
    assert refs[:2] == ["B-0", "B-1"]  # overdue first, earliest due first
    assert len(blocks) == 2 + 305


def test_list_query_count_does_not_grow(plans: Session) -> None:
    with count_queries(plans) as few:
        run(context(plans), "action list all priority:P1")
    _bulk(plans, 120)
    with count_queries(plans) as many:
        outcome, _ = run(context(plans), "action list all priority:P1")
    assert outcome.ok
    assert len(many) == len(few)


def test_list_and_show_need_no_write(plans: Session) -> None:
    before = counts(plans)
    for line in ("action list", "action list all", "action show A-1"):
        assert run(context(plans, person="Mo Member"), line)[0].ok
    assert counts(plans) == before


def test_a_list_of_thousands_shows_the_first_500_and_says_how_to_narrow_it(plans: Session) -> None:
    from commands.action_list import MAX_LISTED

    _bulk(plans, 1200)
    outcome, text = run(context(plans), "action list")
    assert outcome.ok
    reply = outcome.result
    assert isinstance(reply, Reply) and reply.data["title"] == "Open actions (1205)"
    blocks = rendered(outcome)
    refs = refs_in(blocks)
    assert len(refs) == MAX_LISTED == len(set(refs))
    assert refs[:2] == ["B-0", "B-1"]  # still overdue first
    assert "…and 705 more" in text and "csp-bot export" in text
