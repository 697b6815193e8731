"""Queries shared by more than one part of the storage layer."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import ActionUpdate


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
