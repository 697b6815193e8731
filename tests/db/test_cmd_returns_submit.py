"""``/csp return submit``: the form, typed submissions, and who may submit for which group."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from bot.render.blocks import to_text
from bot.slack.views import form_view
from commands.framework.core import Form
from commands.framework.dispatch import dispatch_args
from commands.return_submit import button_args
from partnership.context import Refused, Reply
from storage.models import Rag, Source
from tests import kit
from tests.db.returnskit import (
    IN_TIME,
    asb_form,
    counts,
    ctx_at,
    group,
    plans,
    submit,
    text_of,
    the_return,
)

__all__ = ["plans"]  # fixtures shared through the kit


# ------------------------------------------------------------- the form


def test_a_lead_opens_the_form_for_their_group(plans: Session) -> None:
    before = counts(plans)
    outcome, _ = kit.run(ctx_at(plans, "Gina Grouplead"), "return submit")
    form = outcome.result
    assert outcome.ok and isinstance(form, Form) and form.name == "return_submit"
    asb = group(plans, "ASB Steering Group")
    assert form.meta == {"group_id": str(asb.id), "quarter": "2026-3", "version": "0"}
    assert form.title == "Return Q3 2026/27"
    assert form.values["deadline"] == "Friday 22/01/2027" and not form.values["late"]
    assert form.options["priorities"] == [("P1 Reduce anti-social behaviour", "P1")]
    view = form_view(form, {"channel": "C0RGEN"})
    blocks = kit.valid_blocks(view["blocks"], 100)
    ids = [b["block_id"] for b in blocks if b["type"] == "input"]
    assert ids == ["summary", "achievements", "issues", "escalations", "rag_P1"]
    required = {b["block_id"] for b in blocks if b["type"] == "input" and not b["optional"]}
    assert required == {"summary", "rag_P1"}
    assert blocks[1]["element"]["max_length"] == 2000
    assert "quarterly return for *Q3 2026/27* (October to December 2026)" in to_text(blocks)
    assert counts(plans) == before


def test_form_submission_records_the_return(plans: Session) -> None:
    ctx = kit.context(plans, "riverside", "Gina Grouplead", now=IN_TIME, source=Source.MODAL)
    outcome = submit(ctx, asb_form(ctx, escalations="Need a decision on CCTV funding"))
    assert outcome.ok, outcome.error
    ret = the_return(plans)
    assert ret.summary == "Hotspot patrols ran all quarter.\nASB down in the town centre."
    assert ret.achievements == "Community trigger panel set up"
    assert ret.issues_risks is None and ret.escalations == "Need a decision on CCTV funding"
    assert [(r.priority.code, r.rag) for r in ret.priority_rags] == [("P1", Rag.AMBER)]
    assert ret.submitted_by is not None and ret.submitted_by.name == "Gina Grouplead"
    assert ret.submitted_at == IN_TIME and ret.deadline == dt.date(2027, 1, 22)
    reply = outcome.result
    assert isinstance(reply, Reply) and not reply.public
    assert reply.text == "ASB Steering Group's Q3 2026/27 return submitted"
    text = text_of(outcome)
    assert "*ASB Steering Group*'s return for *Q3 2026/27* submitted by Gina Grouplead" in text
    assert "Hotspot patrols ran all quarter.\nASB down in the town centre." in text
    assert "Escalations for the board*\nNeed a decision on CCTV funding" in text
    assert ":large_orange_circle: *P1* Reduce anti-social behaviour: amber" in text
    assert "amend it until the end of Friday 22/01/2027" in text
    assert "late" not in text


def test_typed_submission_and_a_group_named(plans: Session) -> None:
    ctx = ctx_at(plans, "Cora Coordinator")
    outcome, text = kit.run(
        ctx,
        'return submit group:"Youth Forum" summary:"Two sessions a week" '
        "rag:P1=green,p2=Red issues:'Venue lost in March'",
    )
    assert outcome.ok, text
    ret = the_return(plans, "Youth Forum")
    assert {r.priority.code: r.rag for r in ret.priority_rags} == {"P1": Rag.GREEN, "P2": Rag.RED}
    assert ret.issues_risks == "Venue lost in March"
    assert "submitted by Cora Coordinator" in text
    # One priority: the RAG alone is enough; a bare group name works too.
    outcome, text = kit.run(
        ctx, 'return submit Night-time Economy Group quarter:Q3 summary:"Quiet" rag:green'
    )
    assert outcome.ok, text
    assert the_return(plans, "Night-time Economy Group").priority_rags[0].rag == Rag.GREEN


def test_a_lead_of_several_groups_is_asked_which(plans: Session) -> None:
    forum = group(plans, "Youth Forum")
    forum.lead_id = group(plans, "ASB Steering Group").lead_id
    plans.commit()
    outcome, text = kit.run(ctx_at(plans, "Gina Grouplead"), "return submit")
    assert not outcome.ok
    # The group that ended before the quarter is not offered.
    assert 'You lead 2 sub-groups; say which return: `group:"ASB Steering Group"`' in text
    assert '`group:"Youth Forum"`' in text and "Old Task Group" not in text
    outcome, _ = kit.run(ctx_at(plans, "Gina Grouplead"), 'return submit group:"Youth Forum"')
    assert isinstance(outcome.result, Form)
    assert outcome.result.options["priorities"][1] == ("P2 Tackle domestic abuse", "P2")


def test_button_opens_the_form_for_its_quarter(plans: Session) -> None:
    asb = group(plans, "ASB Steering Group")
    args = button_args(f"{asb.id}:2026-2")
    assert args.values == {"group_id": str(asb.id), "quarter": "2026-2"}
    outcome = dispatch_args(ctx_at(plans, "Gina Grouplead"), "return submit", args)
    assert isinstance(outcome.result, Form)
    assert outcome.result.meta["quarter"] == "2026-2"
    assert outcome.result.values["late"] == "yes"  # Q2's deadline was 21/10/2026
    # An id from another partnership is simply not found.
    other = kit.context(plans, "hillford", "Hana Hillford", now=IN_TIME)
    outcome = dispatch_args(other, "return submit", button_args(f"{asb.id}:2026-3"))
    assert not outcome.ok and "no longer in Hillford Safer Communities's plan" in (
        outcome.error.message if outcome.error else ""
    )


# ------------------------------------------------------------ permissions


@pytest.mark.parametrize(
    ("who", "line", "says"),
    [
        (
            "Mo Member",
            "return submit",
            "You don't lead a sub-group in Riverside Community Safety Partnership",
        ),
        (
            "Mo Member",
            'return submit group:"ASB Steering Group"',
            "only its lead (Gina Grouplead) or a coordinator (Cora Coordinator) can",
        ),
        (
            "Lee Lead",
            'return submit group:"ASB Steering Group" summary:x rag:green',
            "Sorry, you can't submit ASB Steering Group's quarterly return",
        ),
        (
            "Gina Grouplead",
            'return submit group:"Knife Crime Task Group"',
            "only a coordinator (Cora Coordinator) can",
        ),
    ],
)
def test_only_the_lead_or_a_coordinator_may_submit(
    plans: Session, who: str, line: str, says: str
) -> None:
    before = counts(plans)
    outcome, text = kit.run(ctx_at(plans, who), line)
    assert not outcome.ok and isinstance(outcome.error, Refused)
    assert says in text
    assert "Usage:" not in text  # a refusal is not a typing mistake
    assert counts(plans) == before


def test_a_coordinator_may_submit_for_any_group(plans: Session) -> None:
    ctx = ctx_at(plans, "Cora Coordinator")
    outcome = submit(ctx, asb_form(ctx))
    assert outcome.ok
    assert ctx.person is not None and the_return(plans).submitted_by_id == ctx.person.id
    # With no group named, a coordinator who leads none is asked which.
    outcome, text = kit.run(ctx, "return submit")
    assert not outcome.ok and "Which sub-group's return?" in text
    assert "`Knife Crime Task Group`" in text
