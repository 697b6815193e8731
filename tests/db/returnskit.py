"""Shared helpers of the quarterly-return tests (test_cmd_returns_*.py): groups, contexts, forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.render.blocks import to_text
from commands.framework.dispatch import Outcome, dispatch_args
from commands.framework.registry import Args
from partnership.context import Context
from storage import partnership_settings
from storage.models import (
    Partnership,
    Person,
    Priority,
    QuarterlyReturn,
    ReturnPriorityRag,
    ReturnRevision,
    SubGroup,
)
from tests import kit
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
