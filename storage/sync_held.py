"""What the bot already holds of a partnership, indexed by natural key, and what an import did.

:class:`Held` loads the partnership's rows once (organisations, people,
priorities, groups, measures, actions, meetings, readings), finds or creates
one by its folded key (:meth:`Held.upsert`), and records each outcome in the
:class:`ImportReport`. A priority may be named as a spreadsheet writes it
("Priority 1", "1", "Theme 1: ASB"). :mod:`storage.sync_sections` builds on it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.dates import FinancialYear
from storage.models import (
    Action,
    GroupKind,
    Measure,
    MeasureReading,
    Meeting,
    Organisation,
    OrgKind,
    Partnership,
    Person,
    Priority,
    Role,
    Source,
    SubGroup,
)
from storage.plan_fields import Path_
from storage.plan_problems import Problem
from storage.queries import latest_notes
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
