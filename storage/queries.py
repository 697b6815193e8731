"""Queries shared by more than one part of the storage layer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session

from storage.models import (
    ActionUpdate,
    MeasureReading,
    Organisation,
    Person,
    Priority,
    SubGroup,
)


def history_value(value: Any) -> Any:
    """A value as it is written into an action's history (plain JSON)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Organisation | Person):
        return value.name
    if isinstance(value, Priority):
        return value.code
    if isinstance(value, SubGroup):
        return value.name
    if hasattr(value, "value"):
        return value.value
    return value


def latest_notes(session: Session, partnership_id: int) -> dict[int, str]:
    """Each action's most recent non-empty progress note, in one query."""
    newest = (
        select(func.max(ActionUpdate.id))
        .where(
            ActionUpdate.partnership_id == partnership_id,
            ActionUpdate.note.is_not(None),
            func.length(func.trim(ActionUpdate.note)) > 0,
        )
        .group_by(ActionUpdate.action_id)
    )
    rows = session.execute(
        select(ActionUpdate.action_id, ActionUpdate.note).where(
            ActionUpdate.partnership_id == partnership_id, ActionUpdate.id.in_(newest)
        )
    )
    return {action_id: note for action_id, note in rows if note is not None}


def ranked_readings(partnership_id: int) -> Subquery:
    """Every reading of a partnership's measures with its ``rank``: 1 is the latest.

    Filter on ``rank`` to take the latest reading (``== 1``) or the last few
    (``<= 2`` for a trend) of every measure in one query, however many there are.
    A measure read in parts is ranked part by part (``part``; "" for a whole measure).
    """
    rank = (
        func.row_number()
        .over(
            partition_by=(MeasureReading.measure_id, MeasureReading.part),
            order_by=(MeasureReading.period_end.desc(), MeasureReading.id.desc()),
        )
        .label("rank")
    )
    return (
        select(
            MeasureReading.measure_id,
            MeasureReading.part,
            MeasureReading.value,
            MeasureReading.period,
            MeasureReading.period_end,
            rank,
        )
        .where(MeasureReading.partnership_id == partnership_id)
        .subquery()
    )
