"""Each section of a plan applied to what the bot holds: people, priorities, groups, actions.

:class:`Syncer` walks a :class:`~storage.planfile.PlanFile` section by section
(organisations, people, priorities, groups, measures and their readings,
meetings, actions), creating what is new and setting what the file states;
every change to an action becomes an entry in its history, naming the file.
Each field goes through the merge of :meth:`~storage.sync_held.Held.take`.
"""

from __future__ import annotations

from typing import Any

from storage.dates import parse_period
from storage.models import (
    Action,
    ActionUpdate,
    Measure,
    MeasurePart,
    MeasureReading,
    Meeting,
    Organisation,
    Person,
    Priority,
    ReadingChange,
    Status,
    SubGroup,
)
from storage.plan_fields import Path_
from storage.plan_problems import Problem
from storage.planfile import ActionIn, MeasureIn, MeetingIn, PlanFile
from storage.queries import history_value
from storage.sync_held import Held, Kept
from storage.words import fold


class Syncer(Held):
    """Applies a plan's sections to the rows :class:`Held` holds; nothing here commits."""

    def sync(self, plan: PlanFile) -> None:
        """Every section of the plan, in the order that lets later ones name earlier ones."""
        self.priority_titles = plan.priority_titles
        for o in plan.organisations:
            self.upsert(
                "organisation",
                self.orgs,
                o.name,
                Organisation,
                {"name": o.name},
                {"kind": o.kind},
            )
        slack_ids = {p.slack_user_id: p.name for p in self.people.values() if p.slack_user_id}
        for i, person in enumerate(plan.people):
            holder = slack_ids.get(person.slack) if person.slack else None
            if holder is not None and fold(holder) != fold(person.name):
                self.problems.append(
                    Problem(
                        ("people", i, "slack"),
                        f"Slack id {person.slack} already belongs to {holder} in this partnership; "
                        "one Slack account is one person",
                    )
                )
                continue
            self.upsert(
                "person",
                self.people,
                person.name,
                Person,
                {"name": person.name},
                {
                    "organisation": self.org(person.organisation),
                    "job_title": person.job_title,
                    "role": person.role,
                    "slack_user_id": person.slack,
                    "email": person.email,
                },
            )
        if plan.priorities:
            self.may_create_priorities = False
        for position, pri in enumerate(plan.priorities):
            self.upsert(
                "priority",
                self.priorities,
                pri.code,
                Priority,
                {"code": pri.code, "title": pri.title},
                {
                    "title": pri.title,
                    "aims": pri.aims,
                    "rationale": pri.rationale,
                    "lead_organisation": self.org(pri.lead_organisation),
                    "position": position,
                    "board_priority": pri.board_priority,
                },
            )
        for i, grp in enumerate(plan.groups):
            covered = [
                p
                for j, code in enumerate(grp.priorities)
                if (p := self.priority(code, ("groups", i, "priorities", j))) is not None
            ]
            self.upsert(
                "group",
                self.groups,
                grp.name,
                SubGroup,
                # The day it is created here: no report due before then is owed.
                {"name": grp.name, "created_on": self.groups_from},
                {
                    "kind": grp.kind,
                    "reporting_cycle": grp.cycle,
                    "purpose": grp.purpose,
                    "lead": self.person(grp.lead),
                    "end_date": grp.ends,
                    # In plan order, as the relationship loads them, so an unchanged
                    # list compares equal on re-import.
                    "priorities": sorted(covered, key=lambda p: p.position) or None,
                },
            )
        self.s.flush()  # ids for the rows below
        for position, (path, measure, code) in enumerate(plan.all_measures()):
            self.measure(path, measure, code, position)
        for meeting in plan.meetings:
            self.meeting(meeting)
        self.taken_refs |= {a.ref.upper() for _, a, _, _ in plan.all_actions() if a.ref}
        for position, (path, action, code, group_name) in enumerate(plan.all_actions()):
            self.action(path, action, code, group_name, position)

    def meeting(self, m: MeetingIn) -> None:
        """A meeting, keyed by its group (none: the Leadership Group) and date."""
        sub = self.group(m.group)
        if sub is not None and sub.id is None:
            self.s.flush()  # a group created just now needs its id for the key
        key = (sub.id if sub else None, m.date)
        label = f"{m.date.isoformat()} {sub.name if sub else 'leadership group'}"
        row = self.meetings.get(key)
        created = row is None
        if row is None and self.bases.get("meeting", label) is not None:
            # Imported before and no longer on that date: moved or cancelled in the bot.
            day = m.date.isoformat()
            self.report.kept.append(Kept("meeting", label, "date", day, None, day))
            self._record("meeting", label, False, [])
            return
        if row is None:
            row = Meeting(partnership_id=self.p.id, subgroup=sub, date=m.date)
            self.s.add(row)
            self.meetings[key] = row
        changed = self._set(
            row,
            {"time": m.time, "title": m.title, "location": m.location},
            "meeting",
            label,
            created,
        )
        self.bases.remember("meeting", label, {"date": m.date.isoformat()})
        self._record("meeting", label, created, changed)

    def measure(self, path: Path_, m: MeasureIn, code: str | None, position: int) -> None:
        """A measure, keyed by name, and its readings, keyed by period."""
        obj: Measure = self.upsert(
            "measure",
            self.measures,
            m.name,
            Measure,
            {"name": m.name},
            {
                "ref": m.ref,
                "description": m.description,
                "priority": self.priority(code, (*path, "priority")),
                "unit": m.unit,
                "baseline": m.baseline,
                "baseline_text": m.baseline_text,
                "baseline_period": m.baseline_period,
                "target": m.target,
                "target_text": m.target_text,
                "target_date": m.target_date,
                "direction": m.direction,
                "tolerance": m.tolerance,
                "position": position,
            },
        )
        names = self.parts(obj, m)
        # A period given twice updates one row.
        this_file: dict[tuple[str, str], MeasureReading] = {}
        for reading in m.readings:
            label, end = parse_period(reading.period, fy=self.fy)
            part = names.get(fold(reading.part), reading.part) if reading.part else ""
            row = this_file.get((part, label)) or self.readings.get((obj.id, part, label))
            created = row is None
            if row is None:
                row = MeasureReading(
                    partnership_id=self.p.id,
                    measure=obj,
                    period=label,
                    period_end=end,
                    part=part,
                    value=reading.value,
                    recorded_at=self.now,
                )
                self.s.add(row)
            this_file[(part, label)] = row
            shown = f"{m.name} {part} {label}" if part else f"{m.name} {label}"
            fields = {"value": reading.value, "note": reading.note}
            # Only a reading held before this file has a history (a period given twice
            # in one file is one new row).
            held = (
                None
                if created or row.id is None
                else ReadingChange.of(
                    row,
                    by_id=self.by.id if self.by is not None else None,
                    at=self.now,
                    source=self.source,
                )
            )
            changed = self._set(row, fields, "reading", shown, created)
            if held is not None and "value" in changed:
                # A file's new value for a period already read replaces it, as a
                # `replace:yes` does: the reading as it stood goes to its history.
                self.s.add(held)
                row.recorded_by_id = held.replaced_by_id
                row.recorded_at = self.now
            self._record("reading", shown, created, changed)

    def parts(self, obj: Measure, m: MeasureIn) -> dict[str, str]:
        """The measure's parts as the file lists them (a part it no longer lists is
        removed; its readings stay); each folded name to the name as written."""
        if not m.parts:
            return {}
        held = {fold(p.name): p for p in obj.parts} if obj.id is not None else {}
        for position, part in enumerate(m.parts):
            row = held.pop(fold(part.name), None)
            created = row is None
            if row is None:
                row = MeasurePart(partnership_id=self.p.id, name=part.name)
                obj.parts.append(row)
            key = f"{m.name}: {part.name}"
            fields = {
                "name": part.name,
                "position": position,
                "baseline": part.baseline,
                "target": part.target,
            }
            changed = self._set(row, fields, "measure part", key, created)
            self._record("measure part", key, created, changed)
        for gone in held.values():
            obj.parts.remove(gone)
            self.s.delete(gone)
        return {fold(p.name): p.name for p in m.parts}

    def action(
        self, path: Path_, a: ActionIn, code: str | None, group_name: str | None, position: int
    ) -> None:
        """An action, keyed by ref (or title), with an entry in its history for what changed."""
        due, timescale = a.due_parts(self.fy)
        wanted: dict[str, Any] = {
            "title": a.title,
            "objective": a.objective,
            "measure_of_success": a.measure_of_success,
            "priority": self.priority(code or a.priority, (*path, "priority")),
            "subgroup": self.group(group_name or a.group),
            "lead_organisation": self.org(a.lead_organisation),
            "owner": self.person(a.owner),
            "partners": a.partners,
            "due_date": due,
            "timescale": timescale,
            "status": a.status,
            "rag": a.rag,
            "sara_stage": a.sara,
            "resources": a.resources,
            "risks": a.risks,
        }
        obj = self.by_ref.get(a.ref.upper()) if a.ref else self.by_title.get(fold(a.title))
        if obj is not None and a.ref is None and obj.ref.upper() in self.seen_refs:
            obj = None  # two rows with the same title: the second is a new action
        created = obj is None
        if not created and a.ref is None:
            wanted["title"] = None  # the title was the key it matched by (case aside): keep it
        # A RAG rating or a progress note without a status means work has started.
        started = a.rag is not None or a.note is not None
        not_started = obj is None or obj.status == Status.NOT_STARTED
        if wanted["status"] is None and started and not_started:
            wanted["status"] = Status.IN_PROGRESS
        if obj is None:
            ref = a.ref or self._new_ref()
            obj = Action(
                partnership_id=self.p.id,
                ref=ref,
                title=a.title,
                position=position,
                status=wanted["status"] or Status.NOT_STARTED,
                created_at=self.now,
                updated_at=self.now,
            )
            self.s.add(obj)
            self.by_ref[ref.upper()] = obj
            self.by_title.setdefault(fold(a.title), obj)
            before = {name: None for name in wanted}
        else:
            before = {name: getattr(obj, name) for name in wanted}
        self.seen_refs.add(obj.ref.upper())
        changed = self._set(obj, wanted, "action", obj.ref, created)
        if created:
            changed = [n for n in wanted if getattr(obj, n) is not None]
        latest = self.latest_note.get(obj.id)
        note_is_new = a.note is not None and (created or latest != a.note)
        if note_is_new and not created:
            # A note the bot has moved on from (a lead's newer update) is not news.
            base = self.bases.get("action", obj.ref)
            note_is_new = self.take(obj, "action", obj.ref, "note", a.note, latest, base)
        if a.note is not None:
            self.bases.remember("action", obj.ref, {"note": a.note})
        if changed or note_is_new:
            obj.updated_at = self.now
            update = ActionUpdate(
                partnership_id=self.p.id,
                action=obj,
                at=self.now,
                by=self.by,
                source=self.source,
                note=a.note if note_is_new else None,
                file_name=self.bases.file_name or None,
                changes={
                    n: [history_value(before[n]), history_value(getattr(obj, n))] for n in changed
                },
            )
            self.s.add(update)
        fields = list(changed) + (["note"] if note_is_new and not created else [])
        self._record("action", obj.ref, created, fields)
