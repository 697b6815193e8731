"""``/csp action add``, ``action show`` and ``action list``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from commands.framework.core import Form
from commands.framework.dispatch import dispatch_args
from commands.framework.registry import Args
from partnership.context import Reply
from storage.models import Action, ActionUpdate, Partnership, Priority, Source, Status
from tests.kit import NOW, context, load_plans, rendered, run

HOSTILE = "<!channel> <https://evil|click> {{ 7*7 }}"


@pytest.fixture
def plans(session: Session) -> Session:
    """Riverside and Hillford loaded."""
    load_plans(session)
    return session


def counts(session: Session) -> tuple[int, int]:
    """How many actions and history entries there are, in every partnership."""
    actions = session.scalar(select(func.count(Action.id)))
    updates = session.scalar(select(func.count(ActionUpdate.id)))
    return actions or 0, updates or 0


def action(session: Session, ref: str, slug: str = "riverside") -> Action:
    """An action by ref in a partnership."""
    return session.scalars(
        select(Action)
        .join(Partnership, Partnership.id == Action.partnership_id)
        .where(Partnership.slug == slug, Action.ref == ref)
    ).one()


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every text string in a list of blocks (headers, sections, context, buttons)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return found


def assert_escaped(blocks: list[dict[str, Any]]) -> None:
    """The hostile title shows as text: escaped, never raw markup, never evaluated."""
    joined = "\n".join(texts(blocks))
    assert "&lt;!channel&gt;" in joined
    assert "&lt;https://evil|click&gt;" in joined
    assert "<!channel>" not in joined
    assert "<https://evil" not in joined
    assert "{{ 7*7 }}" in joined
    assert "49" not in joined


def refs_in(blocks: list[dict[str, Any]]) -> list[str]:
    """The refs of one-row-per-action sections, in order (from their overflow menus)."""
    return [
        b["accessory"]["options"][0]["value"].split(":", 1)[1]
        for b in blocks
        if b["type"] == "section" and "accessory" in b
    ]


@contextmanager
def count_queries(session: Session) -> Iterator[list[str]]:
    """Record the SQL statements the session runs inside the block."""
    statements: list[str] = []
    engine = session.get_bind()

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


# ------------------------------------------------------------------ action add


def test_add_with_every_field(plans: Session) -> None:
    ctx = context(plans)
    outcome, text = run(
        ctx, 'action add Review CCTV coverage owner:@Lee due:31/03/2027 priority:P1 group:"ASB"'
    )
    assert outcome.ok, text
    added = action(plans, "A-6")
    assert added.title == "Review CCTV coverage"
    assert added.owner is not None and added.owner.name == "Lee Lead"
    assert added.due_date == dt.date(2027, 3, 31)
    assert added.priority is not None and added.priority.code == "P1"
    assert added.subgroup is not None and added.subgroup.name == "ASB Steering Group"
    assert added.status == Status.NOT_STARTED
    [entry] = added.updates
    assert entry.changes["created"] == [None, "A-6"]
    assert entry.changes["title"] == [None, "Review CCTV coverage"]
    assert entry.changes["owner"] == [None, "Lee Lead"]
    assert entry.changes["due_date"] == [None, "2027-03-31"]
    assert entry.changes["priority"] == [None, "P1"]
    assert entry.by is not None and entry.by.name == "Cora Coordinator"
    assert entry.source == Source.COMMAND
    assert "A-6" in text and "Review CCTV coverage" in text
    blocks = rendered(outcome)
    buttons = [b for b in blocks if b["type"] == "actions"]
    assert buttons and {e["value"] for e in buttons[0]["elements"]} == {"A-6"}


def test_add_takes_the_next_ref_above_the_highest(plans: Session) -> None:
    riverside = context(plans).partnership
    plans.add_all(
        [
            Action(partnership_id=riverside.id, ref="A-20", title="Numbered high", position=9),
            Action(partnership_id=riverside.id, ref="ASB-99", title="Other scheme", position=10),
            Action(partnership_id=riverside.id, ref="A-3b", title="Lettered", position=11),
        ]
    )
    plans.commit()
    outcome, text = run(context(plans), "action add Next one")
    assert outcome.ok, text
    assert action(plans, "A-21").title == "Next one"
    # Hillford's refs are its own: its next is A-2, whatever Riverside holds.
    outcome, text = run(context(plans, "hillford", "Hana Hillford"), "action add Hillford next")
    assert outcome.ok, text
    assert action(plans, "A-2", "hillford").title == "Hillford next"


def test_add_by_a_lead_defaults_the_owner_to_them(plans: Session) -> None:
    outcome, text = run(context(plans, person="Lee Lead"), "action add Lee's own job due:+2w")
    assert outcome.ok, text
    added = action(plans, "A-6")
    assert added.owner is not None and added.owner.name == "Lee Lead"
    assert added.due_date == dt.date(2026, 12, 5)
    assert added.title == "Lee's own job"


def test_add_reads_multi_word_dates_and_names(plans: Session) -> None:
    outcome, text = run(
        context(plans), "action add Review CCTV due:end of quarter owner:Olive Offline"
    )
    assert outcome.ok, text
    added = action(plans, "A-6")
    assert added.title == "Review CCTV"
    assert added.due_date == dt.date(2026, 12, 31)
    assert added.owner is not None and added.owner.name == "Olive Offline"


def test_add_from_the_console_records_no_person(plans: Session) -> None:
    ctx = context(plans, person=None, source=Source.CONSOLE)
    outcome, text = run(ctx, "action add Console job owner:Olive")
    assert outcome.ok, text
    [entry] = action(plans, "A-6").updates
    assert entry.by is None and entry.source == Source.CONSOLE


def test_add_with_nothing_opens_a_form(plans: Session) -> None:
    before = counts(plans)
    outcome, _ = run(context(plans, person="Lee Lead"), "action add")
    assert outcome.ok
    form = outcome.result
    assert isinstance(form, Form) and form.name == "action_add"
    assert form.values["owner"] == "Lee Lead"
    assert form.options["priority"] == [
        ("P1 Reduce anti-social behaviour", "P1"),
        ("P2 Tackle domestic abuse", "P2"),
    ]
    assert form.options["group"] == [("ASB Steering Group", "ASB Steering Group")]
    assert ("Olive Offline", "Olive Offline") in form.options["owner"]
    assert all("Hana" not in name for name, _ in form.options["owner"])
    assert counts(plans) == before
    coordinator_form = run(context(plans), "action add")[0].result
    assert isinstance(coordinator_form, Form) and coordinator_form.values["owner"] == ""


def test_add_form_submission(plans: Session) -> None:
    ctx = context(plans, source=Source.MODAL)
    values = {
        "title": "From the form",
        "owner": "Olive Offline",
        "due": "2027-02-28",
        "priority": "P2",
        "group": "",
    }
    outcome = dispatch_args(ctx, "action add", Args(values=values))
    assert outcome.ok
    plans.commit()
    added = action(plans, "A-6")
    assert added.due_date == dt.date(2027, 2, 28)
    assert added.owner is not None and added.owner.name == "Olive Offline"
    assert added.subgroup is None
    assert added.updates[0].source == Source.MODAL


def test_add_form_shows_every_problem_at_once(plans: Session) -> None:
    before = counts(plans)
    values = {"title": "", "owner": "Nobody", "due": "2027-02-30", "priority": "P9", "group": ""}
    outcome = dispatch_args(context(plans), "action add", Args(values=values))
    plans.rollback()
    assert not outcome.ok and outcome.error is not None
    assert set(outcome.error.fields) == {"title", "owner", "due", "priority"}
    assert "title" in outcome.error.message
    assert counts(plans) == before


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("action add owner:Lee", "Give the action a title"),
        ("action add Thing owner:Nobody", "`Nobody` is not in Riverside"),
        ("action add Thing owner:Hana", "`Hana` is not in Riverside"),
        ("action add Thing due:31/02/2027", "is not a date I can read"),
        ("action add Thing due:someday", "Dates are day first"),
        ("action add Thing due:04/13/2027", "not a date I can read: did you mean `13/04/2027`"),
        ("action add Thing due:12/31/2026", "did you mean `31/12/2026` (31 December 2026)?"),
        ("action add Thing priority:P9", "There is no priority `P9`"),
        ('action add Thing group:"Knife Crime"', "There is no sub-group `Knife Crime`"),
        ("action add " + "x" * 400, "keep it under 300"),
        ('action add "unclosed title', "is never closed"),
        ("action add Thing prority:P1", "Did you mean `priority:P1`?"),
    ],
)
def test_add_bad_input_writes_nothing(plans: Session, line: str, says: str) -> None:
    before = counts(plans)
    outcome, text = run(context(plans), line)
    assert not outcome.ok
    assert says in text
    assert counts(plans) == before
    rendered(outcome)


def test_add_reports_every_bad_field_together(plans: Session) -> None:
    outcome, text = run(context(plans), "action add Thing owner:Nobody due:soon priority:P9")
    assert not outcome.ok and outcome.error is not None
    assert set(outcome.error.fields) == {"owner", "due", "priority"}
    assert "Nobody" in text and "soon" in text and "P9" in text


@pytest.mark.parametrize(
    ("person", "line"),
    [
        ("Mo Member", "action add Mo's idea"),
        ("Lee Lead", "action add For Mo owner:Mo"),
        ("Chris Chair", "action add For Olive owner:Olive"),
    ],
)
def test_add_refusals_name_who_can(plans: Session, person: str, line: str) -> None:
    before = counts(plans)
    outcome, text = run(context(plans, person=person), line)
    assert not outcome.ok
    assert "Sorry, you can't add that action" in text
    assert "Cora Coordinator" in text
    assert "a lead or chair adding an action they own" in text
    assert counts(plans) == before


def test_add_refusal_names_the_group_lead(plans: Session) -> None:
    outcome, text = run(context(plans, person="Lee Lead"), "action add X owner:Mo group:ASB")
    assert not outcome.ok
    assert "the lead of ASB Steering Group (Gina Grouplead)" in text


def test_add_allowed_to_group_lead_chair_and_coordinator(plans: Session) -> None:
    outcome, text = run(
        context(plans, person="Gina Grouplead"), "action add For Mo owner:Mo group:ASB"
    )
    assert outcome.ok, text
    outcome, text = run(context(plans, person="Chris Chair"), "action add Chair's own")
    assert outcome.ok, text
    outcome, text = run(context(plans), "action add For Olive owner:Olive")
    assert outcome.ok, text
    outcome, text = run(
        context(plans, person="Lee Lead"), "action add Lee's, in the group group:ASB"
    )
    assert outcome.ok, text  # not the group's lead, but a lead adding their own action
    assert counts(plans)[0] == 5 + 1 + 4  # Riverside's five, Hillford's one, four new


def test_add_form_refused_to_a_member(plans: Session) -> None:
    outcome, text = run(context(plans, person="Mo Member"), "action add")
    assert not outcome.ok and "Cora Coordinator" in text


def test_add_hostile_title_is_shown_as_text(plans: Session) -> None:
    outcome, text = run(context(plans), f"action add {HOSTILE}")
    assert outcome.ok, text
    assert action(plans, "A-6").title == HOSTILE
    assert_escaped(rendered(outcome))
    assert_escaped(rendered(run(context(plans), "action show A-6")[0]))
    assert_escaped(rendered(run(context(plans), "action list")[0]))


# ------------------------------------------------------------------ action show


def test_show_every_field_and_history_newest_first(plans: Session) -> None:
    a1 = action(plans, "A-1")
    a1.objective = "Fewer first-time entrants"
    a1.measure_of_success = "50 young people referred"
    a1.partners = "Youth service"
    plans.commit()
    summer = dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.UTC)  # 10:05 in London (BST)
    outcome, text = run(
        context(plans, person="Lee Lead", now=summer), 'action update A-1 "venue booked"'
    )
    assert outcome.ok, text
    outcome, text = run(context(plans), "action update A-1 rag:red slipping")
    assert outcome.ok, text
    outcome, text = run(context(plans, person="Mo Member"), "action show a1")
    assert outcome.ok, text
    for shown in (
        "Action A-1",
        "*Objective:* Fewer first-time entrants",
        "*Measure of success:* 50 young people referred",
        "*Owner:* Lee Lead",
        "*Lead organisation:* Riverside Police",
        "*Partners:* Youth service",
        "*Priority:* P1 Reduce anti-social behaviour",
        "*Due:* 30/09/2026",
        "*Status:* in progress",
        "*RAG:* red",
        "01/07/2026 10:05* · Lee Lead · via /csp",
        "21/11/2026 10:00* · Cora Coordinator · via /csp",
        "RAG: amber → red",
        "> venue booked",
        "> slipping",
        "the plan import · via plan import",
    ):
        assert shown in text, shown
    assert text.index("slipping") < text.index("venue booked")  # newest first
    assert text.index("21/11/2026 10:00") < text.index("01/07/2026 10:05")
    blocks = rendered(outcome)
    assert not [b for b in blocks if b["type"] == "actions"]  # Mo may not change A-1


def test_show_on_behalf_of_and_buttons_for_those_who_may_change(plans: Session) -> None:
    outcome, text = run(context(plans), "action update A-2 rag:green surveyed")
    assert outcome.ok, text
    outcome, text = run(context(plans, person="Olive Offline"), "action show A-2")
    assert "Cora Coordinator on behalf of Olive Offline" in text
    blocks = rendered(outcome)
    [buttons] = [b for b in blocks if b["type"] == "actions"]
    assert {e["action_id"] for e in buttons["elements"]} == {
        "action_update",
        "action_done",
        "action_snooze",
    }


def test_show_created_and_snoozed(plans: Session) -> None:
    run(context(plans), "action add New thing owner:Lee")
    run(context(plans), "action snooze A-6")
    _, text = run(context(plans), "action show A-6")
    assert "Added to the plan." in text
    assert "• Owner: Lee Lead" in text
    assert "*Snoozed until:* 28/11/2026" in text


def test_show_long_history_shows_latest_twenty(plans: Session) -> None:
    for i in range(25):
        outcome, _ = run(
            context(plans, now=NOW + dt.timedelta(minutes=i)), f"action update A-3 note {i}"
        )
        assert outcome.ok
    with count_queries(plans) as statements:
        outcome, text = run(context(plans), "action show A-3")
    assert outcome.ok
    assert "> note 24" in text and "> note 5" in text and "> note 4" not in text
    assert "…and 6 older entries not shown." in text  # 4 more notes and the import
    assert len(statements) <= 8
    assert len(rendered(outcome)) < 50


@pytest.mark.parametrize(
    ("slug", "person", "line", "says"),
    [
        ("hillford", "Hana Hillford", "action show A-4", "There is no action `A-4` in Hillford"),
        ("riverside", "Mo Member", "action show A-99", "There is no action `A-99`"),
        ("riverside", "Mo Member", "action show", "Which action?"),
        ("riverside", "Mo Member", "action show hello", "There is no action `hello`"),
        ("riverside", "Mo Member", "action show hello", "Its references look like `A-1`"),
        ("riverside", "Mo Member", 'action show "hello world"', "is not an action reference"),
    ],
)
def test_show_not_found(plans: Session, slug: str, person: str, line: str, says: str) -> None:
    outcome, text = run(context(plans, slug, person), line)
    assert not outcome.ok
    assert says in text
    rendered(outcome)


def test_show_isolation(plans: Session) -> None:
    _, text = run(context(plans, "hillford", "Lee Lead"), "action show A-1")
    assert "Hillford covert operation" in text and "youth diversion" not in text
    _, text = run(context(plans, person="Lee Lead"), "action show A-1")
    assert "youth diversion" in text and "covert" not in text


# ------------------------------------------------------------------ action list


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
