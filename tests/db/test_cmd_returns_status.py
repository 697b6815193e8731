"""``/csp return status``: each group's return, deadlines, escaping, partnerships kept apart."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from partnership.context import Reply
from storage.models import Person, QuarterlyReturn, SubGroup
from tests import kit
from tests.db.returnskit import (
    AFTER,
    asb_form,
    configure,
    ctx_at,
    group,
    partnership,
    plans,
    submit,
)
from tests.db.rowkit import HOSTILE, counting, raw

__all__ = ["plans"]  # fixtures shared through the kit


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
