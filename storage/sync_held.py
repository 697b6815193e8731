"""What the bot already holds of a partnership, indexed by natural key, and what an import did.

:class:`Held` loads the partnership's rows once (organisations, people,
priorities, groups, measures, actions, meetings, readings), finds or creates
one by its folded key (:meth:`Held.upsert`), and records each outcome in the
:class:`ImportReport`. A priority may be named as a spreadsheet writes it
("Priority 1", "1", "Theme 1: ASB"). :mod:`storage.sync_sections` builds on it.

A re-import merges (:meth:`Held.take`): each field the file states is compared
with the bot's value and with the file's *base*, what the same file said when
it was last imported (:mod:`storage.import_base`). Changed in the file only →
applied; changed in the bot only (a lead's update) → kept, and reported; changed
in both → a conflict, the bot's value kept unless the importer prefers the
file's; no base (a first import) → applied, as imports always did.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.dates import FinancialYear
from storage.import_base import Bases, plain
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
    Person,
    PlanChange,
    Priority,
    Role,
    Source,
    SubGroup,
)
from storage.plan_fields import Path_
from storage.plan_problems import Problem
from storage.queries import latest_notes
from storage.sync_report import Change, Conflict, ImportReport, Kept

__all__ = ["Change", "Conflict", "Held", "ImportReport", "Kept"]
from storage.words import fold

T = TypeVar("T")

# A row's field as the plan's change history (partnership/groups.py, people.py) names it.
_PLAN_CHANGE_KEYS = {"priorities": "covers", "slack_user_id": "slack"}


class Held:
    """Holds the partnership's current rows in dictionaries so no row costs a query."""

    def __init__(
        self,
        session: Session,
        partnership: Partnership,
        source: Source,
        by: Person | None,
        now: dt.datetime,
        fy: FinancialYear,
        *,
        source_name: str = "",
        prefer_file: bool = False,
    ) -> None:
        self.s = session
        self.p = partnership
        self.source = source
        self.by = by
        self.now = now
        # The partnership's local day: when a group created now starts to owe returns.
        self.today = now.astimezone(ZoneInfo(partnership.timezone or "Europe/London")).date()
        # The created_on of a group this import creates (None: it existed before the plan).
        self.groups_from: dt.date | None = self.today
        self.fy = fy
        self.prefer_file = prefer_file
        self._history: dict[int, list[ActionUpdate]] | None = None
        self._changes: dict[tuple[str, int], list[PlanChange]] | None = None
        self.bases = Bases(session, partnership, source_name)
        self.report = ImportReport(
            partnership=partnership.name,
            file_name=self.bases.file_name,
            merged=bool(self.bases.own),
            prefer_file=prefer_file,
            timezone=partnership.timezone or "Europe/London",
        )
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
            (r.measure_id, r.part, r.period): r
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

    def _set(
        self,
        obj: Any,
        values: dict[str, Any],
        kind: str | None = None,
        key: str | None = None,
        created: bool = False,
    ) -> list[str]:
        """Assign stated (non-None) values the merge takes; return the names changed.

        With a ``kind`` and ``key`` the row takes part in the three-way merge
        (:meth:`take`) and what the file states becomes its base; without, the
        file's values apply as they stand.
        """
        changed = []
        base = self.bases.get(kind, key) if kind and key and not created else None
        stated: dict[str, Any] = {}
        for name, value in values.items():
            if value is None:
                continue
            stated[name] = plain(value)
            current = getattr(obj, name)
            if plain(current) == stated[name]:
                continue
            if kind and key and not self.take(obj, kind, key, name, value, current, base):
                continue
            setattr(obj, name, value)
            changed.append(name)
        if kind and key:
            self.bases.remember(kind, key, stated)
        return changed

    def take(
        self,
        obj: Any,
        kind: str,
        key: str,
        name: str,
        value: Any,
        current: Any,
        base: dict[str, Any] | None,
    ) -> bool:
        """Whether the file's ``value`` replaces the bot's ``current`` one (they differ).

        Changed in the file only, or never imported: the file's. Changed in the
        bot only: the bot's, reported as kept. Changed in both: a conflict, the
        bot's unless the importer prefers the file's.
        """
        if base is None or name not in base:
            return True
        file_v, bot_v, base_v = plain(value), plain(current), base[name]
        if bot_v == base_v:
            return True
        who, when, via = self._who(obj, name)
        if file_v == base_v:
            self.report.kept.append(Kept(kind, key, name, file_v, bot_v, base_v, who, when, via))
            return False
        self.report.conflicts.append(
            Conflict(kind, key, name, file_v, bot_v, base_v, who, when, via, self.prefer_file)
        )
        return self.prefer_file

    def _who(self, obj: Any, name: str) -> tuple[str | None, dt.datetime | None, str | None]:
        """Who last changed a field of an action, group or person, when and how, from history."""
        if isinstance(obj, SubGroup | Person) and obj.id is not None:
            return self._who_else(obj, _PLAN_CHANGE_KEYS.get(name, name))
        if not isinstance(obj, Action) or obj.id is None:
            return None, None, None
        if self._history is None:
            # One query for every action's history, on the first value kept or in conflict.
            self._history = {}
            entries = self.s.scalars(
                select(ActionUpdate)
                .where(ActionUpdate.partnership_id == self.p.id)
                .order_by(ActionUpdate.id.desc())
            )
            for e in entries:
                self._history.setdefault(e.action_id, []).append(e)
        for entry in self._history.get(obj.id, []):
            touched = name in (entry.changes or {}) or (name == "note" and entry.note)
            if touched:
                person = entry.by or entry.on_behalf_of
                return (person.name if person else None), entry.at, entry.source.value
        return None, None, None

    def _who_else(
        self, obj: SubGroup | Person, name: str
    ) -> tuple[str | None, dt.datetime | None, str | None]:
        """Who last changed a field of a group or a person, from the plan's change history."""
        if self._changes is None:
            self._changes = {}
            entries = self.s.scalars(
                select(PlanChange)
                .where(PlanChange.partnership_id == self.p.id)
                .order_by(PlanChange.id.desc())
            )
            for e in entries:
                self._changes.setdefault((e.subject, e.subject_id), []).append(e)
        subject = "group" if isinstance(obj, SubGroup) else "person"
        for entry in self._changes.get((subject, obj.id), []):
            if name in (entry.changes or {}):
                return (entry.by.name if entry.by else None), entry.at, entry.source.value
        return None, None, None

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
        changed = self._set(obj, values, kind, key, created)
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
        defaults = {"kind": GroupKind.STANDING, "created_on": self.groups_from}
        return self._named("group", self.groups, SubGroup, name, defaults)


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
