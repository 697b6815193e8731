"""Quarterly returns: amending, late returns, and bad input that writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from commands.framework.core import Form
from partnership.context import Reply
from storage.models import Rag, ReturnRevision
from tests import kit
from tests.db.returnskit import AFTER, asb_form, counts, ctx_at, plans, submit, text_of, the_return
from tests.sweepkit import at

__all__ = ["plans"]  # fixtures shared through the kit


# --------------------------------------------------------- amendments


def test_amending_keeps_the_previous_version(plans: Session) -> None:
    gina = ctx_at(plans, "Gina Grouplead", at("2027-01-18 11:00"))
    assert submit(gina, asb_form(gina)).ok
    first = the_return(plans)
    first_at, first_by = first.submitted_at, first.submitted_by_id
    # The form opens pre-filled with what was submitted.
    form = kit.run(ctx_at(plans, "Gina Grouplead"), "return submit")[0].result
    assert isinstance(form, Form)
    assert form.values["summary"].startswith("Hotspot patrols") and form.values["rag_P1"] == "amber"
    assert form.values["amending"] == "1" and form.meta["version"] == "1"
    cora = ctx_at(plans, "Cora Coordinator", at("2027-01-22 17:30"))
    changed = asb_form(cora, summary="Revised after the panel", rag_P1="green", version="1")
    outcome = submit(cora, changed)
    assert outcome.ok, outcome.error
    assert isinstance(outcome.result, Reply)
    assert outcome.result.text == "ASB Steering Group's Q3 2026/27 return amended (version 2)"
    assert "amended (version 2) by Cora Coordinator" in text_of(outcome)
    ret = the_return(plans)
    assert ret.summary == "Revised after the panel" and ret.priority_rags[0].rag == Rag.GREEN
    (revision,) = plans.scalars(select(ReturnRevision)).all()
    assert revision.return_id == ret.id and revision.partnership_id == ret.partnership_id
    assert revision.at == first_at and revision.by_id == first_by
    assert revision.content == {
        "summary": "Hotspot patrols ran all quarter.\nASB down in the town centre.",
        "achievements": "Community trigger panel set up",
        "issues_risks": None,
        "escalations": None,
        "rags": {"P1": "amber"},
    }
    outcome, text = kit.run(ctx_at(plans, "Mo Member", AFTER), "return status Q3")
    assert "submitted 22/01/2027 by Cora Coordinator · amended (version 2)" in text


def test_a_form_opened_before_someone_else_saved_is_refused(plans: Session) -> None:
    gina = ctx_at(plans, "Gina Grouplead")
    stale = asb_form(gina)  # opened at version 0
    assert submit(ctx_at(plans, "Cora Coordinator"), asb_form(gina)).ok
    before = counts(plans)
    outcome = submit(gina, stale)
    assert not outcome.ok and outcome.error is not None
    assert "Cora Coordinator saved this return while your form was open" in outcome.error.message
    assert set(outcome.error.fields) == {"summary"}
    assert counts(plans) == before


def test_no_amendment_after_the_deadline(plans: Session) -> None:
    gina = ctx_at(plans, "Gina Grouplead")
    assert submit(gina, asb_form(gina)).ok
    before = counts(plans)
    late = ctx_at(plans, "Cora Coordinator", AFTER)
    outcomes = [
        submit(late, asb_form(late, version="1")),
        kit.run(late, 'return submit group:"ASB Steering Group" quarter:Q3')[0],
    ]
    for outcome in outcomes:
        assert not outcome.ok and outcome.error is not None
        assert outcome.error.message == (
            "ASB Steering Group's Q3 2026/27 return was submitted on 20/01/2027 and its deadline "
            "(22/01/2027) has passed, so it can no longer be amended. Put anything new in the "
            "Q4 2026/27 return (`/csp return submit quarter:Q4`), or tell a coordinator "
            "(Cora Coordinator)."
        )
    assert counts(plans) == before


def test_a_late_first_return_is_accepted_and_called_late(plans: Session) -> None:
    lee = ctx_at(plans, "Lee Lead", AFTER)
    outcome, text = kit.run(lee, 'return submit summary:"Sorry, late" rag:amber')
    assert outcome.ok, text
    assert "It is late: the deadline was Friday 22/01/2027, 3 days ago (1 working day)." in text
    ret = the_return(plans, "Night-time Economy Group")
    assert ret.deadline == dt.date(2027, 1, 22)
    status = kit.run(ctx_at(plans, "Mo Member", AFTER), "return status")[1]
    assert "*Night-time Economy Group*: submitted 25/01/2027 by Lee Lead · *late*" in status


# ----------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "fields", "says"),
    [
        ({"summary": "  "}, {"summary"}, "The summary can't be empty"),
        ({"rag_P1": ""}, {"rag_P1", "rag"}, "Give a RAG (red, amber or green) for each priority"),
        ({"rag_P1": "purple"}, {"rag_P1", "rag"}, "P1 (typed: `rag:P1=green`)"),
        ({"achievements": "x" * 2001}, {"achievements"}, "keep it under 2,000"),
        (
            {"summary": "", "issues": "y" * 2500, "rag_P1": ""},
            {"summary", "issues", "rag_P1", "rag"},
            "The issues and risks is 2,500 characters long",
        ),
        ({"quarter": "Q1 2027/28"}, {"quarter"}, "Q1 2027/28 has not started yet"),
    ],
)
def test_bad_form_input_writes_nothing(
    plans: Session, changes: dict[str, str], fields: set[str], says: str
) -> None:
    before = counts(plans)
    ctx = ctx_at(plans, "Gina Grouplead")
    outcome = submit(ctx, asb_form(ctx, **changes))
    assert not outcome.ok and outcome.error is not None
    assert set(outcome.error.fields) == fields
    assert says in outcome.error.message
    assert counts(plans) == before


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (
            'return submit summary:"x" rag:"P1 green amber"',
            "give each priority and its RAG in pairs",
        ),
        ('return submit summary:"x" rag:P7=green', "`P7` is not a priority this group covers"),
        ('return submit summary:"x" rag:P1=blue', "`blue` is not a RAG rating for P1"),
        ('return submit group:"Drugs Group"', "There is no sub-group `Drugs Group`"),
        ('return submit group:"Old Task Group"', "ended on 31/03/2026, before Q3 2026/27 began"),
        ("return submit quarter:later", "`later` is not a quarter"),
        ('return submit group:"ASB Steering Group" Youth', "Name the group once"),
    ],
)
def test_bad_typed_input_writes_nothing(plans: Session, line: str, says: str) -> None:
    before = counts(plans)
    outcome, text = kit.run(ctx_at(plans, "Gina Grouplead"), line)
    assert not outcome.ok
    assert says in text
    assert counts(plans) == before
