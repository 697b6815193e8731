"""``/csp action add``: typed and by form, bad input, who may add, escaping."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from commands.framework.core import Form
from commands.framework.dispatch import dispatch_args
from commands.framework.registry import Args
from storage.models import Action, Source, Status
from tests.db.actionskit import HOSTILE, action, assert_escaped, counts, plans
from tests.kit import context, rendered, run

__all__ = ["plans"]  # fixtures shared through the kit


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
