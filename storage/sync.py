"""Apply a validated plan to the database: create what is new, update what changed.

Rules (documented for coordinators in docs/plan-format.md):

* Things are matched by their natural key within the partnership: priorities by
  code, groups, people, organisations and measures by name (case and spacing
  ignored), meetings by group and date, readings by period, actions by ``ref``
  or, when a row has no ref, by title.
* A value the file leaves empty is "not stated": it never clears what the bot
  holds, so re-importing last year's spreadsheet cannot wipe updates made since.
* Every change to an action is an entry in its history (source ``import``), and
  a new progress note is appended only when it differs from the latest one, so
  importing the same file twice changes nothing.
* Nothing here commits: the caller's transaction makes the whole import one
  unit, and any problem raises :class:`PlanError` before anything is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import channels, partnership_settings
from storage.dates import FinancialYear, parse_period
from storage.models import (
    Action,
    ActionUpdate,
    GroupKind,
    Measure,
    MeasureReading,
    Meeting,
    Organisation,
    OrgKind,
    Partnership,
    PartnershipWorkspace,
    Person,
    Priority,
    Role,
    Source,
    Status,
    SubGroup,
    utcnow,
)
from storage.plan_partnership import AdmittedIn
from storage.plan_problems import Path_, PlanError, Problem
from storage.planfile import ActionIn, MeasureIn, MeetingIn, PlanFile
from storage.queries import history_value, latest_notes
from storage.words import fold

T = TypeVar("T")


@dataclass(frozen=True)
class Change:
    """One thing the import created or updated."""

    kind: str
    key: str
    verb: str  # "created" or "updated"
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        detail = f" ({', '.join(self.fields)})" if self.verb == "updated" and self.fields else ""
        return f"{self.verb} {self.kind} {self.key}{detail}"


@dataclass
class ImportReport:
    """What an import did, for the person who ran it."""

    partnership: str = ""
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """True when the import altered anything."""
        return bool(self.changes)

    def count(self, kind: str, verb: str) -> int:
        """How many of a kind were created or updated."""
        return sum(1 for c in self.changes if c.kind == kind and c.verb == verb)

    def summary(self) -> str:
        """A few lines: counts per kind, then warnings."""
        kinds = sorted({c.kind for c in self.changes} | set(self.unchanged))
        lines = [f"Partnership: {self.partnership}"]
        if not self.changes:
            lines.append("No changes: the bot already holds everything in this file.")
        for kind in kinds:
            created, updated = self.count(kind, "created"), self.count(kind, "updated")
            same = self.unchanged.get(kind, 0)
            lines.append(f"  {kind}: {created} created, {updated} updated, {same} unchanged")
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return "\n".join(lines)


class _Syncer:
    """Holds the partnership's current rows in dictionaries so no row costs a query."""

    def __init__(
        self,
        session: Session,
        partnership: Partnership,
        source: Source,
        by: Person | None,
        now: dt.datetime,
        fy: FinancialYear,
    ) -> None:
        self.s = session
        self.p = partnership
        self.source = source
        self.by = by
        self.now = now
        self.fy = fy
        self.report = ImportReport(partnership=partnership.name)
        self.problems: list[Problem] = []
        pid = partnership.id
        self.orgs = self._index(Organisation, lambda o: o.name)
        self.people = self._index(Person, lambda p: p.name)
        self.priorities = self._index(Priority, lambda p: p.code)
        self.groups = self._index(SubGroup, lambda g: g.name)
        self.measures = self._index(Measure, lambda m: m.name)
        actions = list(session.scalars(select(Action).where(Action.partnership_id == pid)))
        self.by_ref = {a.ref.upper(): a for a in actions}
        self.by_title: dict[str, Action] = {}
        for a in actions:
            self.by_title.setdefault(fold(a.title), a)
        self.taken_refs = set(self.by_ref)
        self.next_ref = 1
        self.latest_note = latest_notes(session, pid)
        self.meetings = {
            (m.subgroup_id, m.date): m
            for m in session.scalars(select(Meeting).where(Meeting.partnership_id == pid))
        }
        self.readings = {
            (r.measure_id, r.period): r
            for r in session.scalars(
                select(MeasureReading).where(MeasureReading.partnership_id == pid)
            )
        }
        self.seen_refs: set[str] = set()
        # A spreadsheet may bring the first priorities of a new partnership; once the
        # plan defines priorities, an unknown one is a mistake to report instead.
        self.may_create_priorities = not self.priorities
        # Titles a table gave for the priorities it names (its "Priority title" column).
        self.priority_titles: dict[str, str] = {}

    def _index(self, model: type[T], key: Callable[[T], str]) -> dict[str, T]:
        """The partnership's rows of one kind, by folded natural key, in one query."""
        column: Any = getattr(model, "partnership_id")  # noqa: B009 (every model has it)
        return {
            fold(key(row)): row for row in self.s.scalars(select(model).where(column == self.p.id))
        }

    def _new_ref(self) -> str:
        """The lowest free ``A-N``, skipping refs in the bot and refs the plan states."""
        while f"A-{self.next_ref}" in self.taken_refs:
            self.next_ref += 1
        ref = f"A-{self.next_ref}"
        self.taken_refs.add(ref)
        return ref

    # ------------------------------------------------------------------ helpers

    def _set(self, obj: Any, values: dict[str, Any]) -> list[str]:
        """Assign stated (non-None) values that differ; return the names changed."""
        changed = []
        for name, value in values.items():
            if value is None:
                continue
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed.append(name)
        return changed

    def _record(self, kind: str, key: str, created: bool, changed: Iterable[str]) -> None:
        fields = tuple(changed)
        if created:
            self.report.changes.append(Change(kind, key, "created"))
        elif fields:
            self.report.changes.append(Change(kind, key, "updated", fields))
        else:
            self.report.unchanged[kind] = self.report.unchanged.get(kind, 0) + 1

    def upsert(
        self,
        kind: str,
        table: dict[str, T],
        key: str,
        cls: Callable[..., T],
        init: dict[str, Any],
        values: dict[str, Any],
    ) -> T:
        """Find by key or create (with ``init``); set stated values; record what happened."""
        found = table.get(fold(key))
        created = found is None
        obj = found if found is not None else cls(partnership_id=self.p.id, **init)
        if created:
            self.s.add(obj)
            table[fold(key)] = obj
        changed = self._set(obj, values)
        self._record(kind, key, created, changed)
        return obj

    def _named(
        self,
        kind: str,
        table: dict[str, T],
        cls: Callable[..., T],
        name: str | None,
        defaults: dict[str, Any],
    ) -> T | None:
        """A row named elsewhere in the plan, created with ``defaults`` if not yet held."""
        if name is None:
            return None
        found = table.get(fold(name))
        if found is not None:
            return found
        return self.upsert(kind, table, name, cls, {"name": name, **defaults}, {})

    def org(self, name: str | None) -> Organisation | None:
        """The organisation named, created (kind 'other') when the plan has not listed it."""
        return self._named("organisation", self.orgs, Organisation, name, {"kind": OrgKind.OTHER})

    def person(self, name: str | None) -> Person | None:
        """The person named, created as a lead when the plan has not listed them."""
        return self._named("person", self.people, Person, name, {"role": Role.LEAD})

    def priority(self, code: str | None, path: Path_) -> Priority | None:
        """A priority by code ("P1"), or by "Priority 1" / "1" as spreadsheets write it."""
        if code is None:
            return None
        for key in _priority_keys(code):
            if key in self.priorities:
                return self.priorities[key]
        if self.may_create_priorities:
            new_code = _priority_code(code)
            return self.upsert(
                "priority",
                self.priorities,
                new_code,
                Priority,
                {
                    "code": new_code,
                    "title": self.priority_titles.get(fold(code)) or _priority_title(code),
                    "position": len(self.priorities),
                },
                {},
            )
        known = ", ".join(p.code for p in self.priorities.values()) or "none yet"
        self.problems.append(Problem(path, f"no priority {code!r}; known priorities: {known}"))
        return None

    def group(self, name: str | None) -> SubGroup | None:
        """A group by name, created (standing) when new."""
        return self._named("group", self.groups, SubGroup, name, {"kind": GroupKind.STANDING})

    # ------------------------------------------------------------------ sections

    def sync(self, plan: PlanFile) -> None:
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
                {"name": grp.name},
                {
                    "kind": grp.kind,
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
        if row is None:
            row = Meeting(partnership_id=self.p.id, subgroup=sub, date=m.date)
            self.s.add(row)
            self.meetings[key] = row
        changed = self._set(row, {"time": m.time, "title": m.title, "location": m.location})
        self._record("meeting", label, created, changed)

    def measure(self, path: Path_, m: MeasureIn, code: str | None, position: int) -> None:
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
                "position": position,
            },
        )
        this_file: dict[str, MeasureReading] = {}  # a period given twice updates one row
        for reading in m.readings:
            label, end = parse_period(reading.period, fy=self.fy)
            row = this_file.get(label) or self.readings.get((obj.id, label))
            created = row is None
            if row is None:
                row = MeasureReading(
                    partnership_id=self.p.id,
                    measure=obj,
                    period=label,
                    period_end=end,
                    value=reading.value,
                )
                self.s.add(row)
            this_file[label] = row
            changed = self._set(row, {"value": reading.value, "note": reading.note})
            self._record("reading", f"{m.name} {label}", created, changed)

    def action(
        self, path: Path_, a: ActionIn, code: str | None, group_name: str | None, position: int
    ) -> None:
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
        changed = self._set(obj, wanted)
        if created:
            changed = [n for n in wanted if getattr(obj, n) is not None]
        note_is_new = a.note is not None and (created or self.latest_note.get(obj.id) != a.note)
        if changed or note_is_new:
            obj.updated_at = self.now
            update = ActionUpdate(
                partnership_id=self.p.id,
                action=obj,
                at=self.now,
                by=self.by,
                source=self.source,
                note=a.note if note_is_new else None,
                changes={
                    n: [history_value(before[n]), history_value(getattr(obj, n))] for n in changed
                },
            )
            self.s.add(update)
        fields = list(changed) + (["note"] if note_is_new and not created else [])
        self._record("action", obj.ref, created, fields)


_NUMBERED = re.compile(
    r"\s*(?:(?:strategic\s+)?(?:priority|theme)|p)?\s*(\d+(?:\.\d+)*)\b", re.IGNORECASE
)
# What names a priority's number before its title, and so is not part of the title:
# "Priority 1: ", "Theme 2 - ", "P3 ", "4. " (a bare number needs its punctuation:
# "1 in 4 women" is a title).
_TITLE_AFTER = (
    re.compile(
        r"\s*(?:strategic\s+)?(?:priority|theme)\s*\d+(?:\.\d+)*\s*[:.)\-–—]?\s*(\S.*)",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(r"\s*p\d+(?:\.\d+)*(?:\s*[:.)\-–—]\s*|\s+)(\S.*)", re.IGNORECASE | re.DOTALL),
    re.compile(r"\s*\d+(?:\.\d+)*\s*[:.)\-–—]\s*(\S.*)", re.DOTALL),
)


def _priority_keys(text: str) -> list[str]:
    """Ways a spreadsheet may name priority P1: "P1", "1", "Priority 1", "Theme 1: ASB"."""
    keys = [fold(text)]
    if m := _NUMBERED.match(text):
        keys += [f"p{m[1]}", m[1]]
    return keys


def _priority_code(text: str) -> str:
    """A code for a priority first seen in a spreadsheet."""
    if m := _NUMBERED.match(text):
        return f"P{m[1]}"
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:16] or "P"


def _priority_title(text: str) -> str:
    """The title of a priority first seen in a spreadsheet, without its number repeated.

    "Priority 1: Reduce ASB" is priority P1 titled "Reduce ASB"; a cell that is
    only "Priority 1" keeps that as its title, having nothing else to say.
    """
    for pattern in _TITLE_AFTER if _NUMBERED.match(text) else ():
        if m := pattern.fullmatch(text):
            return " ".join(m[1].split())
    return text


def find_partnership(session: Session, key: str) -> Partnership | None:
    """A partnership by slug, name or short name (case ignored)."""
    for p in session.scalars(select(Partnership)):
        if fold(key) in {fold(p.slug), fold(p.name), fold(p.short_name or "")}:
            return p
    return None


def _sync_partnership(
    session: Session, plan: PlanFile, report_warnings: list[str], source_name: str
) -> tuple[Partnership, bool, list[str]]:
    """Create or update the partnership row from the plan's partnership section."""
    section = plan.partnership
    assert section is not None
    slug = section.resolved_slug
    partnership = session.scalars(select(Partnership).where(Partnership.slug == slug)).first()
    created = partnership is None
    if partnership is None:
        partnership = Partnership(slug=slug, name=section.name)
        session.add(partnership)
    fy = section.fy
    values: dict[str, Any] = {
        "name": section.name,
        "short_name": section.short_name,
        "timezone": section.timezone,
        "fy_start_month": fy.month,
        "fy_start_day": fy.day,
        "nation": section.nation,
        "plan_title": section.plan_title,
        "plan_period": section.plan_period,
        "vision": section.vision,
        "leadership_group": section.leadership_group,
        "meeting_cadence": section.meeting_cadence,
        "meetings_per_year": section.meetings_per_year,
        "slack_team_id": section.slack.team_id if section.slack else None,
    }
    changed = [n for n, v in values.items() if v is not None and getattr(partnership, n) != v]
    for n in changed:
        setattr(partnership, n, values[n])
    if section.parent:
        parent = session.scalars(
            select(Partnership).where(Partnership.slug == section.parent)
        ).first()
        if parent is None:
            report_warnings.append(
                f"parent partnership {section.parent!r} is not in the bot yet; import its plan "
                "and then this one again to link them"
            )
        elif partnership.parent_id != parent.id:
            partnership.parent = parent
            changed.append("parent")
    if section.settings:
        before = partnership_settings.of(partnership)
        after = partnership_settings.change(before, section.settings)
        if after != before:
            partnership_settings.store(partnership, after)
            changed.append("settings")
    session.flush()
    if section.slack:
        taken: list[Problem] = []
        for purpose, channel_id in section.slack.channels.items():
            try:
                if channels.assign(session, partnership, purpose, channel_id):
                    changed.append(f"channel {purpose}")
            except channels.ChannelTakenError as exc:
                taken.append(Problem(("partnership", "slack", "channels", purpose), str(exc)))
        if taken:
            raise PlanError(source_name, taken)
        if section.slack.admitted is not None:
            changed += _sync_admitted(session, partnership, section.slack.admitted)
    return partnership, created, changed


def _sync_admitted(
    session: Session, partnership: Partnership, admitted: list[AdmittedIn]
) -> list[str]:
    """Make the partnership's admitted workspaces exactly the plan's list; say what changed."""
    rows = {
        w.team_id: w
        for w in session.scalars(
            select(PartnershipWorkspace).where(
                PartnershipWorkspace.partnership_id == partnership.id
            )
        )
    }
    wanted = {a.team_id: a for a in admitted}
    changed: list[str] = []
    for team_id, row in rows.items():
        if team_id not in wanted:
            session.delete(row)
            changed.append(f"workspace {team_id} no longer admitted")
    for team_id, item in wanted.items():
        found = rows.get(team_id)
        if found is None:
            session.add(
                PartnershipWorkspace(partnership_id=partnership.id, team_id=team_id, name=item.name)
            )
            changed.append(f"workspace {team_id} admitted")
        elif item.name is not None and found.name != item.name:
            found.name = item.name
            changed.append(f"workspace {team_id}")
    session.flush()
    return changed


def apply_plan(
    session: Session,
    plan: PlanFile,
    *,
    source_name: str,
    partnership: Partnership | None = None,
    by: Person | None = None,
    source: Source = Source.IMPORT,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Bring the database in line with ``plan``; raise PlanError (nothing kept) on problems."""
    warnings: list[str] = []
    created = False
    changed: list[str] = []
    if plan.partnership is not None:
        partnership, created, changed = _sync_partnership(session, plan, warnings, source_name)
    elif partnership is None:
        raise PlanError(
            source_name, [Problem(("partnership",), "say which partnership this is for")]
        )
    fy = FinancialYear(partnership.fy_start_month, partnership.fy_start_day)
    syncer = _Syncer(session, partnership, source, by, now or utcnow(), fy)
    syncer.report.warnings.extend(warnings)
    syncer._record("partnership", partnership.slug, created, changed)
    syncer.sync(plan)
    if syncer.problems:
        raise PlanError(source_name, syncer.problems)
    session.flush()
    return syncer.report
