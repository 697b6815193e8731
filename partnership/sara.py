"""Problem-solving work by SARA stage: how many actions scan, analyse, respond and assess.

SARA (Scanning, Analysis, Response, Assessment) is the problem-solving model
the Stroud plan's template names; an action doing such work carries its stage
(``/csp action update A-5 sara:analysis``). The digest and ``/csp priority
status`` count the open ones by stage, and the completed ones apart; dropped
actions are not counted. One query, whatever the plan's size.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from partnership.context import Context
from partnership.rollup import OPEN
from storage.models import Action, Sara, Status

# Where the whole partnership's counts sit in :func:`counts`' answer.
ALL = None


def counts(ctx: Context) -> dict[int | None, dict[str, Any]]:
    """Open problem-solving actions by stage, per priority id and for the whole plan (``ALL``)."""
    rows = ctx.session.execute(
        select(Action.priority_id, Action.sara_stage, Action.status, func.count())
        .where(
            Action.partnership_id == ctx.partnership.id,
            Action.sara_stage.is_not(None),
            Action.status != Status.DROPPED,
        )
        .group_by(Action.priority_id, Action.sara_stage, Action.status)
    )
    open_: dict[int | None, dict[Sara, int]] = defaultdict(lambda: dict.fromkeys(Sara, 0))
    done: dict[int | None, int] = defaultdict(int)
    for priority_id, stage, status, n in rows:
        if stage is None:
            continue  # excluded by the query: this tells the type checker so
        for key in {priority_id, ALL}:
            if status in OPEN:
                open_[key][stage] += n
            else:
                done[key] += n
    return {key: view(open_[key], done[key]) for key in {*open_, *done}}


def view(by_stage: dict[Sara, int], complete: int) -> dict[str, Any]:
    """Counts as a plain view-model: each stage in SARA's order, the open total, completed."""
    return {
        "stages": [{"stage": s.value, "count": by_stage.get(s, 0)} for s in Sara],
        "open": sum(by_stage.values()),
        "complete": complete,
    }


def empty() -> dict[str, Any]:
    """The counts of a plan with no problem-solving actions."""
    return view({}, 0)
