"""A closed group: its return, new meetings and new actions refused; ``/csp group reopen``.

Every refusal says when the group closed and how to reopen it, and writes nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commands.framework.dispatch import dispatch_args
from commands.return_submit import button_args
from storage.models import Action, Meeting, PlanChange
from tests import kit
from tests.db.returnskit import IN_TIME, asb_form, counts, ctx_at, group, plans, submit, text_of

__all__ = ["plans"]  # fixtures shared through the kit

REOPEN = '`/csp group reopen "ASB Steering Group"`'


def close_asb(session: Session) -> None:
    """Close the ASB Steering Group on 20/01/2027 (the returns kit's day)."""
    outcome, text = kit.run(ctx_at(session, "Cora Coordinator"), "group close ASB Steering Group")
    assert outcome.ok, text


def rows(session: Session) -> tuple[int, ...]:
    """Returns, actions, meetings and history entries: proof that nothing was written."""
    session.expire_all()
    return (
        *counts(session),
        session.scalar(select(func.count()).select_from(Action)) or 0,
        session.scalar(select(func.count()).select_from(Meeting)) or 0,
        session.scalar(select(func.count()).select_from(PlanChange)) or 0,
    )


def test_a_closed_groups_return_is_refused_typed_clicked_and_from_an_open_form(
    plans: Session,
) -> None:
    gina = ctx_at(plans, "Gina Grouplead")
    opened = asb_form(gina)  # the form was opened before the close
    close_asb(plans)
    before = rows(plans)
    says = "ASB Steering Group was closed on 20/01/2027; its returns are no longer asked"
    outcome = submit(ctx_at(plans, "Gina Grouplead"), opened)
    assert not outcome.ok and says in text_of(outcome) and REOPEN in text_of(outcome)
    asb = group(plans, "ASB Steering Group")
    outcome = dispatch_args(
        ctx_at(plans, "Gina Grouplead"), "return submit", button_args(f"{asb.id}:2026-3")
    )
    assert not outcome.ok and says in text_of(outcome)
    plans.rollback()
    for who in ("Gina Grouplead", "Cora Coordinator"):
        line = 'return submit group:"ASB Steering Group" summary:"Patrols" rag:P1=green'
        outcome, text = kit.run(ctx_at(plans, who), line)
        assert not outcome.ok and says in text, text
    assert rows(plans) == before


def test_a_closed_group_takes_no_new_meeting_or_action(plans: Session) -> None:
    close_asb(plans)
    before = rows(plans)
    cora = ctx_at(plans, "Cora Coordinator")
    lines = {
        'meeting add 04/02/2027 group:"ASB Steering Group"': "a new meeting",
        'action add Review CCTV group:"ASB Steering Group"': "a new action",
    }
    for line, what in lines.items():
        outcome, text = kit.run(cora, line)
        assert not outcome.ok, text
        assert f"was closed on 20/01/2027, so it can't be given {what}" in text
        assert REOPEN in text
    assert rows(plans) == before
    # The add form offers only open groups.
    outcome, _ = kit.run(cora, "action add")
    assert "ASB Steering Group" not in [v for _, v in outcome.result.options["group"]]  # type: ignore[union-attr]


def test_reopen_is_the_reverse_of_close(plans: Session) -> None:
    close_asb(plans)
    cora = ctx_at(plans, "Cora Coordinator")
    outcome, text = kit.run(cora, 'group reopen "asb steering group"')
    assert outcome.ok, text
    assert "Reopened *ASB Steering Group* (closed on 20/01/2027)" in text
    assert group(plans, "ASB Steering Group").closed_on is None
    entries = list(plans.scalars(select(PlanChange).order_by(PlanChange.id)))
    assert [e.changes for e in entries] == [
        {"closed_on": [None, "2027-01-20"]},
        {"closed_on": ["2027-01-20", None]},
    ]
    # Open again: its return, meetings and actions are taken.
    outcome = submit(ctx_at(plans, "Gina Grouplead"), asb_form(ctx_at(plans, "Gina Grouplead")))
    assert outcome.ok, text_of(outcome)
    outcome, text = kit.run(cora, 'meeting add 04/02/2027 group:"ASB Steering Group"')
    assert outcome.ok, text
    # Reopening an open group, or as a lead, writes nothing.
    before = rows(plans)
    outcome, text = kit.run(cora, "group reopen ASB Steering Group")
    assert not outcome.ok and "ASB Steering Group is open already" in text
    close_asb(plans)
    before = rows(plans)
    outcome, text = kit.run(ctx_at(plans, "Gina Grouplead"), "group reopen ASB Steering Group")
    assert not outcome.ok
    outcome, text = kit.run(cora, "group reopen Knife")
    assert not outcome.ok
    assert rows(plans) == before


def test_reopen_stays_in_its_partnership(plans: Session) -> None:
    close_asb(plans)
    other = kit.context(plans, "hillford", "Hana Hillford", now=IN_TIME)
    outcome, text = kit.run(other, "group reopen ASB Steering Group")
    assert not outcome.ok and "no sub-group" in text
    assert group(plans, "ASB Steering Group").closed_on is not None
