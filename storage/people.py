"""A person's data: everything the bot holds about one person, to export or to erase.

For a subject access request, :func:`export_person` gathers it all as plain
JSON values. For an erasure, :func:`erase_person` removes what identifies them
and keeps the partnership's record (an action's history is append-only: what
they wrote stays, attributed to "Former member N"):

* the person row loses its name, job title, organisation, email and Slack id;
* actions they owned lose their owner (the weekly roll-up lists them under "no
  owner", to be reassigned) and sub-groups they led lose their lead;
* the text of sent or failed scheduled messages that name them, or their
  email or Slack id, is dropped (a message still being sent is left alone).

Free text that others wrote about them (a note saying "Kath to confirm") is
not rewritten; the export lists it under ``mentioned_in`` so it can be reviewed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.cycles import period_label
from storage.models import (
    Action,
    ActionUpdate,
    Measure,
    MeasureReading,
    Notification,
    NotificationState,
    Partnership,
    Person,
    PlanChange,
    QuarterlyReturn,
    ReadingChange,
    ReturnRevision,
    Source,
    SubGroup,
)
from storage.words import fold

ERASED_PREFIX = "Former member"


def _when(moment: dt.datetime | dt.date | None) -> str | None:
    return moment.isoformat() if moment else None


def find_exact(session: Session, partnership: Partnership, key: str) -> Person | None:
    """The person whose full name, email or Slack id is ``key`` (no guessing: this erases)."""
    wanted = fold(key.strip())
    for person in session.scalars(select(Person).where(Person.partnership_id == partnership.id)):
        if wanted in {
            fold(person.name),
            fold(person.email or ""),
            fold(person.slack_user_id or ""),
        }:
            return person
    return None


def _target(person: Person) -> str:
    return f"person:{person.id}"


def _mentions(person: Person) -> list[str]:
    """The strings that identify ``person`` in free text and message payloads."""
    return [s for s in (person.name, person.email, person.slack_user_id) if s]


def export_person(session: Session, person: Person) -> dict[str, Any]:
    """Everything the bot holds about ``person``, as plain JSON values."""
    pid = person.id
    refs: dict[int, str] = {
        action_id: ref
        for action_id, ref in session.execute(
            select(Action.id, Action.ref).where(Action.partnership_id == person.partnership_id)
        )
    }
    history = session.scalars(
        select(ActionUpdate)
        .where(or_(ActionUpdate.by_id == pid, ActionUpdate.on_behalf_of_id == pid))
        .order_by(ActionUpdate.at, ActionUpdate.id)
    )
    words = _mentions(person)
    notes = session.scalars(
        select(ActionUpdate)
        .where(ActionUpdate.partnership_id == person.partnership_id)
        .where(or_(*(ActionUpdate.note.contains(w) for w in words)))
        .order_by(ActionUpdate.at, ActionUpdate.id)
    )
    returns = session.execute(
        select(QuarterlyReturn, SubGroup.name)
        .join(SubGroup, SubGroup.id == QuarterlyReturn.subgroup_id)
        .where(QuarterlyReturn.submitted_by_id == pid)
        .order_by(QuarterlyReturn.fy_start_year, QuarterlyReturn.quarter)
    ).all()
    revisions = session.scalars(select(ReturnRevision).where(ReturnRevision.by_id == pid))
    readings = session.execute(
        select(MeasureReading, Measure.name)
        .join(Measure, Measure.id == MeasureReading.measure_id)
        .where(MeasureReading.recorded_by_id == pid)
        .order_by(MeasureReading.recorded_at)
    ).all()
    # Readings they recorded that were replaced since, or that they replaced (history).
    replaced = session.execute(
        select(ReadingChange, Measure.name)
        .join(Measure, Measure.id == ReadingChange.measure_id)
        .where(or_(ReadingChange.recorded_by_id == pid, ReadingChange.replaced_by_id == pid))
        .order_by(ReadingChange.replaced_at, ReadingChange.id)
    ).all()
    messages = session.scalars(
        select(Notification)
        .where(Notification.partnership_id == person.partnership_id)
        .where(Notification.target == _target(person))
        .order_by(Notification.claimed_at, Notification.id)
    )
    return {
        "partnership": person.partnership.slug,
        "person": {
            "name": person.name,
            "job_title": person.job_title,
            "organisation": person.organisation.name if person.organisation else None,
            "role": str(person.role),
            "email": person.email,
            "slack_user_id": person.slack_user_id,
        },
        "owns": [
            {"ref": a.ref, "title": a.title, "status": str(a.status), "due": _when(a.due_date)}
            for a in session.scalars(
                select(Action).where(Action.owner_id == pid).order_by(Action.ref)
            )
        ],
        "leads": list(session.scalars(select(SubGroup.name).where(SubGroup.lead_id == pid))),
        "history": [
            {
                "action": refs.get(u.action_id),
                "at": _when(u.at),
                "as": "by" if u.by_id == pid else "on behalf of",
                "changes": u.changes,
                "note": u.note,
            }
            for u in history
        ],
        "mentioned_in": [
            {"action": refs.get(u.action_id), "at": _when(u.at), "note": u.note} for u in notes
        ],
        "returns": [
            {
                "group": group,
                "quarter": period_label((r.fy_start_year, r.quarter)),
                "submitted_at": _when(r.submitted_at),
                "summary": r.summary,
                "achievements": r.achievements,
                "issues_risks": r.issues_risks,
                "escalations": r.escalations,
            }
            for r, group in returns
        ],
        "return_revisions": [{"at": _when(r.at), "content": r.content} for r in revisions],
        "readings": [
            {"measure": name, "part": r.part, "period": r.period, "value": r.value, "note": r.note}
            for r, name in readings
        ],
        "replaced_readings": [
            {
                "measure": name,
                "value": c.value,
                "note": c.note,
                "recorded_by_them": c.recorded_by_id == pid,
                "replaced_by_them": c.replaced_by_id == pid,
                "replaced_at": _when(c.replaced_at),
            }
            for c, name in replaced
        ],
        "messages": [
            {
                "kind": n.kind,
                "period": n.period,
                "state": str(n.state),
                "sent_at": _when(n.sent_at),
                "payload": n.payload,
            }
            for n in messages
        ],
    }


@dataclass(frozen=True)
class Erased:
    """What an erasure changed, for the report."""

    name: str
    new_name: str
    actions_unassigned: int
    groups_unled: int
    history_relabelled: int
    messages_dropped: int
    mentions_kept: int


def _relabel(changes: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """An entry's changes with the person's name, where it is a whole value, replaced."""
    return {
        key: [new if value == old else value for value in pair] if isinstance(pair, list) else pair
        for key, pair in changes.items()
    }


def erase_person(session: Session, person: Person, now: dt.datetime) -> Erased:
    """Remove what identifies ``person``, keeping the partnership's record (caller commits)."""
    words = _mentions(person)
    mentions = len(export_person(session, person)["mentioned_in"])
    old, new = person.name, f"{ERASED_PREFIX} {person.id}"
    owned = list(session.scalars(select(Action).where(Action.owner_id == person.id)))
    for action in owned:
        action.owner_id = None
        action.updated_at = now
        # The history says the owner went, and why, as every other change is recorded.
        session.add(
            ActionUpdate(
                partnership_id=action.partnership_id,
                action=action,
                at=now,
                source=Source.CONSOLE,
                changes={"owner": [new, ""]},
                note="Owner's personal data erased on request.",
            )
        )
    led = list(session.scalars(select(SubGroup).where(SubGroup.lead_id == person.id)))
    for group in led:
        group.lead_id = None
    # History is append-only (storage.models), but a name written into an entry's
    # changes identifies the person: it alone is replaced, in place, by the new label.
    relabelled = 0
    rows = session.execute(
        select(ActionUpdate.id, ActionUpdate.changes).where(
            ActionUpdate.partnership_id == person.partnership_id
        )
    ).all()
    for entry_id, changes in rows:
        fresh = _relabel(changes or {}, old, new)
        if fresh != (changes or {}):
            session.execute(
                update(ActionUpdate).where(ActionUpdate.id == entry_id).values(changes=fresh)
            )
            relabelled += 1
    # The same for the history of groups and people changed in Slack (plan_change).
    for entry_id, subject, subject_id, changes in session.execute(
        select(PlanChange.id, PlanChange.subject, PlanChange.subject_id, PlanChange.changes).where(
            PlanChange.partnership_id == person.partnership_id
        )
    ).all():
        fresh = _relabel(changes or {}, old, new)
        own = subject == "person" and subject_id == person.id
        if fresh != (changes or {}) or own:
            values: dict[str, Any] = {"changes": fresh}
            if own:
                values["name"] = new
            session.execute(update(PlanChange).where(PlanChange.id == entry_id).values(**values))
            relabelled += 1
    dropped = 0
    finished = (NotificationState.SENT, NotificationState.FAILED)
    for row in session.scalars(
        select(Notification).where(
            Notification.partnership_id == person.partnership_id,
            Notification.state.in_(finished),
        )
    ):
        text = json.dumps(row.payload or {}, ensure_ascii=False)
        if row.target == _target(person) or any(w in text for w in words):
            row.payload = None
            if row.target == _target(person):
                row.address = None
            dropped += 1
    person.name = new
    person.job_title = None
    person.organisation_id = None
    person.email = None
    person.slack_user_id = None
    session.flush()
    return Erased(old, new, len(owned), len(led), relabelled, dropped, mentions)
