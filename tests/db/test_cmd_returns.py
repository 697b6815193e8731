"""Quarterly returns: deadlines, ``/csp return submit`` (form and typed), history, status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bot.render.blocks import to_text
from bot.slack.views import form_view
from commands.framework.core import Form
from commands.framework.dispatch import Outcome, dispatch_args
from commands.framework.registry import Args
from commands.return_submit import button_args
from partnership import quarters
from partnership.context import Context, Refused, Reply
from storage import partnership_settings
from storage.models import (
    Meeting,
    Partnership,
    Person,
    Priority,
    QuarterlyReturn,
    Rag,
    ReturnPriorityRag,
    ReturnRevision,
    Source,
    SubGroup,
)
from tests import kit
from tests.db.test_cmd_priority import HOSTILE, counting, raw
from tests.sweepkit import at

# Wednesday 20 January 2027: Q3 2026/27 ended on 31/12/2026, its deadline is Friday 22/01/2027.
IN_TIME = at("2027-01-20 10:00")
AFTER = at("2027-01-25 10:00")
Q3 = (2026, 3)


def add_groups(session: Session) -> None:
    """Riverside's groups beyond the ASB Steering Group (lead Gina, on Slack, covers P1).

    Night-time Economy Group: Lee (on Slack), P2. Youth Forum: Olive (not on
    Slack), P1 and P2. Knife Crime Task Group: no lead. Old Task Group: Gina,
    ended before 2026/27 began.
    """
    pid = partnership(session).id
    people = {
        p.name: p for p in session.scalars(select(Person).where(Person.partnership_id == pid))
    }
    codes = {
        p.code: p for p in session.scalars(select(Priority).where(Priority.partnership_id == pid))
    }
    session.add_all(
        [
            SubGroup(
                partnership_id=pid,
                name="Night-time Economy Group",
                lead=people["Lee Lead"],
                priorities=[codes["P2"]],
            ),
            SubGroup(
                partnership_id=pid,
                name="Youth Forum",
                lead=people["Olive Offline"],
                priorities=[codes["P1"], codes["P2"]],
            ),
            SubGroup(partnership_id=pid, name="Knife Crime Task Group"),
            SubGroup(
                partnership_id=pid,
                name="Old Task Group",
                lead=people["Gina Grouplead"],
                end_date=dt.date(2026, 3, 31),
            ),
        ]
    )
    session.commit()


@pytest.fixture
def plans(session: Session) -> Session:
    """Both fixture plans, with Riverside's extra groups."""
    kit.load_plans(session)
    add_groups(session)
    return session


def partnership(session: Session, slug: str = "riverside") -> Partnership:
    """A fixture partnership."""
    return session.scalars(select(Partnership).where(Partnership.slug == slug)).one()


def group(session: Session, name: str) -> SubGroup:
    """A Riverside sub-group by name."""
    return session.scalars(
        select(SubGroup).where(
            SubGroup.partnership_id == partnership(session).id, SubGroup.name == name
        )
    ).one()


def ctx_at(session: Session, who: str | None, now: dt.datetime = IN_TIME) -> Context:
    """A Riverside context for ``who`` at ``now``."""
    return kit.context(session, "riverside", who, now=now)


def configure(session: Session, **values: Any) -> None:
    """Change Riverside's scheduling settings."""
    row = partnership(session)
    current = partnership_settings.of(row)
    partnership_settings.store(row, partnership_settings.change(current, values))
    session.commit()


def counts(session: Session) -> tuple[int, int, int]:
    """Rows of returns, their RAGs and their revisions (bad input must write none)."""
    return (
        session.scalar(select(func.count()).select_from(QuarterlyReturn)) or 0,
        session.scalar(select(func.count()).select_from(ReturnPriorityRag)) or 0,
        session.scalar(select(func.count()).select_from(ReturnRevision)) or 0,
    )


def submit(ctx: Context, values: dict[str, str]) -> Outcome:
    """Submit a form's values through the dispatcher; commit or roll back like the runner."""
    outcome = dispatch_args(ctx, "return submit", Args(values=dict(values)))
    if outcome.ok:
        ctx.session.commit()
    else:
        ctx.session.rollback()
    return outcome


def asb_form(ctx: Context, **extra: str) -> dict[str, str]:
    """The values the ASB Steering Group's return form sends (meta included)."""
    values = {
        "group_id": str(group(ctx.session, "ASB Steering Group").id),
        "quarter": "2026-3",
        "version": "0",
        "summary": "Hotspot patrols ran all quarter.\nASB down in the town centre.",
        "achievements": "Community trigger panel set up",
        "issues": "",
        "escalations": "",
        "rag_P1": "amber",
    }
    values.update(extra)
    return values


def the_return(session: Session, name: str = "ASB Steering Group") -> QuarterlyReturn:
    """A group's Q3 2026/27 return."""
    return session.scalars(
        select(QuarterlyReturn).where(
            QuarterlyReturn.subgroup_id == group(session, name).id,
            QuarterlyReturn.fy_start_year == 2026,
            QuarterlyReturn.quarter == 3,
        )
    ).one()


def text_of(outcome: Outcome) -> str:
    """An outcome's reply as console text, its blocks validated."""
    return to_text(kit.rendered(outcome))


# ------------------------------------------------------------------ deadlines


@pytest.mark.parametrize(
    ("quarter", "rule", "expected"),
    [
        # 15 working days after 31/12/2026 skips New Year's Day: Friday 22/01/2027.
        ((2026, 3), "15 working days after quarter end", dt.date(2027, 1, 22)),
        ((2026, 2), "15 working days after quarter end", dt.date(2026, 10, 21)),
        ((2026, 4), "15 working days after quarter end", dt.date(2027, 4, 21)),
        # 4, 5, 6, 7, 8 January: the bank holiday on the 1st is not counted.
        ((2026, 3), "5 working days after quarter end", dt.date(2027, 1, 8)),
        # Ten working days before the Leadership Group on 10/12/2026 and on 11/03/2027.
        ((2026, 2), "10 working days before review", dt.date(2026, 11, 26)),
        ((2026, 3), "10 working days before review", dt.date(2027, 2, 25)),
    ],
)
def test_deadline_rules(
    session: Session, quarter: quarters.Quarter, rule: str, expected: dt.date
) -> None:
    kit.load_plans(session)
    configure(session, return_deadline=rule)
    due = quarters.deadline(ctx_at(session, None), *quarter)
    assert due.day == expected
    assert due.note == ""


def test_review_rule_falls_back_when_no_meeting_is_set(session: Session) -> None:
    kit.load_plans(session)
    configure(session, return_deadline="10 working days before review")
    # Q4 2026/27 ends 31/03/2027 and no meeting follows it; Q1's is 163 days away.
    for quarter, day in (((2026, 4), dt.date(2027, 4, 21)), ((2026, 1), dt.date(2026, 7, 21))):
        due = quarters.deadline(ctx_at(session, None), *quarter)
        assert due.day == day
        assert due.rule == "15 working days after quarter end"
        assert "No Riverside Leadership Group meeting is set within 120 days" in due.note
    # The fallback is said where people look.
    outcome, text = kit.run(ctx_at(session, None, at("2027-04-01 10:00")), "return status Q4")
    assert outcome.ok, text
    assert "Deadline Wednesday 21/04/2027" in text and "the default applies" in text


def test_review_too_soon_after_the_quarter_reviews_the_one_before(session: Session) -> None:
    kit.load_plans(session)
    configure(session, return_deadline="10 working days before review")
    pid = partnership(session).id
    # Ten working days before 05/01/2027 is 17/12/2026 (Christmas, Boxing Day observed
    # on the 28th and New Year's Day skipped): before Q3 ends, so the next meeting counts.
    session.add(Meeting(partnership_id=pid, date=dt.date(2027, 1, 5), title="Extra"))
    # A sub-group's own meeting is not the review.
    asb = group(session, "ASB Steering Group")
    session.add(Meeting(partnership_id=pid, subgroup_id=asb.id, date=dt.date(2027, 2, 1)))
    session.commit()
    due = quarters.deadline(ctx_at(session, None), *Q3)
    assert due.day == dt.date(2027, 2, 25) and due.meeting == dt.date(2027, 3, 11)
    assert due.rule == "10 working days before review on Thursday 11/03/2027"


def test_reading_a_quarter(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session)  # Saturday 21/11/2026, in Q3 2026/27
    assert quarters.read_quarter(ctx, "Q3") == (2026, 3)
    assert quarters.read_quarter(ctx, "q2") == (2026, 2)
    assert quarters.read_quarter(ctx, "Q4") == (2025, 4)  # Q4 2026/27 has not begun
    assert quarters.read_quarter(ctx, "Q1 2025/26") == (2025, 1)
    assert quarters.read_quarter(ctx, "2026/27 Q2") == (2026, 2)
    assert quarters.read_quarter(ctx, "2026-2") == (2026, 2)
    assert quarters.read_quarter(ctx, "30/09/2026") == (2026, 2)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Q5", "`Q5` is not a quarter; write `Q3` or `Q3 2026/27`"),
        ("soon", "`soon` is not a quarter"),
        ("Q4 2026/27", "Q4 2026/27 has not started yet"),
        ("Q1 2026/28", "is not a quarter"),
    ],
)
def test_bad_quarters_say_what_to_write(session: Session, text: str, says: str) -> None:
    kit.load_plans(session)
    outcome, shown = kit.run(kit.context(session), f"return status {text}")
    assert not outcome.ok and says in shown


def test_default_quarter_moves_on_once_the_return_is_in_and_closed(plans: Session) -> None:
    asb = group(plans, "ASB Steering Group")
    assert quarters.default_quarter(ctx_at(plans, None), asb) == Q3
    assert submit(ctx_at(plans, "Gina Grouplead"), asb_form(ctx_at(plans, None))).ok
    # Still Q3 until its deadline has passed (it may be amended until then)...
    assert quarters.default_quarter(ctx_at(plans, None, at("2027-01-22 17:00")), asb) == Q3
    # ...then the current quarter; other groups' defaults are still Q3, still missing.
    assert quarters.default_quarter(ctx_at(plans, None, AFTER), asb) == (2026, 4)
    assert quarters.default_quarter(ctx_at(plans, None, AFTER)) == Q3
    lee = group(plans, "Night-time Economy Group")
    assert quarters.default_quarter(ctx_at(plans, None, AFTER), lee) == Q3


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


# ------------------------------------------------------------- status


def test_status_shows_each_group(plans: Session) -> None:
    cora = ctx_at(plans, "Cora Coordinator")
    assert submit(cora, asb_form(cora, escalations="CCTV funding")).ok
    outcome, text = kit.run(ctx_at(plans, "Mo Member"), "return status")
    assert outcome.ok and isinstance(outcome.result, Reply) and not outcome.result.public
    assert outcome.result.text == "Q3 2026/27 returns: 1 of 4 submitted"
    assert "Quarterly returns · Q3 2026/27" in text
    assert "*Deadline Friday 22/01/2027*, 15 working days after quarter end · 2 days left" in text
    assert "*1 of 4 submitted* · :rotating_light: 1 return with escalations for the board" in text
    assert (
        ":white_check_mark: *ASB Steering Group*: submitted 20/01/2027 by Cora Coordinator"
        " · :rotating_light: escalations for the board"
    ) in text
    assert (
        ":hourglass_flowing_sand: *Youth Forum*: not submitted yet, due in 2 days"
        " · lead Olive Offline"
    ) in text
    assert "*Knife Crime Task Group*: not submitted yet, due in 2 days · no lead" in text
    assert "Old Task Group" not in text  # ended before the quarter: owes nothing
    # After the deadline, the missing are overdue.
    outcome, text = kit.run(ctx_at(plans, "Mo Member", AFTER), "return status Q3 2026/27")
    assert (
        "passed 3 days ago (1 working day)" in text and "*1 of 4 submitted* · *3 missing*" in text
    )
    assert (
        ":red_circle: *Youth Forum*: *missing*, 3 days overdue (1 working day) · lead Olive Offline"
        in text
    )
    # The quarter still running: not yet due.
    outcome, text = kit.run(ctx_at(plans, "Mo Member", AFTER), "return status Q4")
    assert "*Youth Forum*: not yet due: the quarter ends 31/03/2027 · lead Olive Offline" in text


def test_status_with_a_groups_own_deadline(plans: Session) -> None:
    pid = partnership(plans).id
    forum = group(plans, "Youth Forum")
    plans.add(
        QuarterlyReturn(
            partnership_id=pid,
            subgroup_id=forum.id,
            fy_start_year=2026,
            quarter=3,
            deadline=dt.date(2027, 2, 5),
        )
    )
    plans.commit()
    _, text = kit.run(ctx_at(plans, "Mo Member", AFTER), "return status Q3")
    assert "*Youth Forum*: not submitted yet, due in 11 days (deadline 05/02/2027)" in text
    assert "*0 of 4 submitted* · *3 missing*" in text


def test_status_escapes_what_people_typed(plans: Session) -> None:
    group(plans, "Youth Forum").name = HOSTILE
    plans.commit()
    cora = ctx_at(plans, "Cora Coordinator")
    outcome = submit(cora, asb_form(cora, summary=HOSTILE, escalations=HOSTILE))
    out = raw(kit.rendered(outcome))
    assert "<!channel>" not in out and "&lt;!channel&gt;" in out and "49" not in out
    outcome, _ = kit.run(ctx_at(plans, "Mo Member"), "return status")
    out = raw(kit.rendered(outcome))
    assert "<!channel>" not in out and "&lt;!channel&gt; &lt;https://evil|click&gt;" in out


def test_status_in_another_partnership_shows_none_of_riverside(plans: Session) -> None:
    outcome, text = kit.run(kit.context(plans, "hillford", "Hana Hillford"), "return status")
    assert outcome.ok
    assert "No sub-group owes a return for Q2 2026/27" in text
    assert "ASB" not in text and "Riverside" not in text


def test_status_queries_do_not_grow_with_the_groups(plans: Session) -> None:
    configure(plans, return_deadline="10 working days before review")
    plans.expunge_all()
    with counting(plans) as small:
        kit.run(ctx_at(plans, "Mo Member"), "return status Q3")
    pid = partnership(plans).id
    lead = plans.scalars(select(Person.id).where(Person.name == "Gina Grouplead")).first()
    plans.execute(
        insert(SubGroup),
        [{"partnership_id": pid, "name": f"Group {i}", "lead_id": lead} for i in range(30)],
    )
    plans.commit()
    plans.expunge_all()
    with counting(plans) as large:
        _, text = kit.run(ctx_at(plans, "Mo Member"), "return status Q3")
    assert "of 34 submitted" in text
    assert len(large) == len(small), large
