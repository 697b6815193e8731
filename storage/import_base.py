"""The base of a three-way import merge: what a source file last said about each row.

A re-import compares, field by field, what the file says now, what the same
file said the last time it was imported (its *base*, kept in
:class:`~storage.models.ImportBase`) and what the bot holds; see
:mod:`storage.sync_held` for the rule. A *source* is a file's name folded to a
key (:func:`source_key`): ``Plan.xlsx``, ``plan.csv`` and ``plan (1).xlsx`` (a
browser's second download) are one source. A file the bot has never seen takes
as its base, row by row, the newest base any other file left for that row, so
a renamed copy of a spreadsheet still merges rather than reverts; a row no
file has ever stated has no base, and the file's values apply as they always
did.

An export records a base too (:func:`record_export`): the exported file is
what the coordinator edits in Excel and brings back.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath, PureWindowsPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Action, ImportBase, Organisation, Partnership, Person, Priority, SubGroup
from storage.queries import latest_notes
from storage.words import fold

# A browser's " (1)" or Windows' " - Copy" on a file downloaded or copied twice.
_COPY_SUFFIX = re.compile(r"(?:\s*\(\d+\)|\s*-\s*copy(?:\s*\(\d+\))?)+$", re.IGNORECASE)

# The action fields an export's columns carry (storage/export.py), so its base names them.
EXPORTED_ACTION_FIELDS = (
    "title",
    "objective",
    "measure_of_success",
    "priority",
    "subgroup",
    "lead_organisation",
    "owner",
    "partners",
    "due_date",
    "timescale",
    "status",
    "rag",
    "sara_stage",
    "resources",
    "risks",
)


def plain(value: Any) -> Any:
    """A value as a base and an action's history hold it: plain JSON, rows by name."""
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Organisation | Person | SubGroup):
        return value.name
    if isinstance(value, Priority):
        return value.code
    if hasattr(value, "value"):  # an enumeration
        return value.value
    return value


def file_name_of(source_name: str) -> str:
    """The file's own name, without the folders it was in (POSIX or Windows)."""
    return PureWindowsPath(PurePath(source_name).name).name


def source_key(source_name: str) -> str:
    """The key a file's bases are kept under: its name without folders, extension or copy marks."""
    stem = PurePath(file_name_of(source_name)).stem
    return fold(_COPY_SUFFIX.sub("", stem))[:200] or "file"


class Bases:
    """The bases a partnership holds, read in one query; new ones are written by :meth:`save`."""

    def __init__(self, session: Session, partnership: Partnership, source_name: str) -> None:
        self.s = session
        self.p = partnership
        self.source = source_key(source_name)
        self.file_name = file_name_of(source_name)[:300]
        self.own: dict[tuple[str, str], ImportBase] = {}
        self.other: dict[tuple[str, str], ImportBase] = {}
        rows = session.scalars(
            select(ImportBase)
            .where(ImportBase.partnership_id == partnership.id)
            .order_by(ImportBase.at, ImportBase.id)
        )
        for row in rows:
            key = (row.kind, row.key)
            if row.source == self.source:
                self.own[key] = row
            else:
                self.other[key] = row  # ordered by time: the newest other source wins
        self.stated: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """What this file (or, never imported, the newest other file) last said of a row."""
        row = self.own.get((kind, fold(key))) or self.other.get((kind, fold(key)))
        return dict(row.values) if row is not None else None

    def has_own(self, kind: str, key: str) -> bool:
        """Whether this very file has stated the row before."""
        return (kind, fold(key)) in self.own

    def remember(self, kind: str, key: str, values: dict[str, Any]) -> None:
        """Note what the file states of a row now, as plain values, for :meth:`save`."""
        self.stated.setdefault((kind, fold(key)), {}).update(values)

    def save(self, by: Person | None, now: dt.datetime) -> None:
        """Write this file's new base rows; a row whose values did not change is left alone."""
        for (kind, key), values in self.stated.items():
            row = self.own.get((kind, key))
            if row is None:
                row = ImportBase(partnership_id=self.p.id, source=self.source, kind=kind, key=key)
                self.s.add(row)
                self.own[(kind, key)] = row
                merged = values
            else:
                merged = {**row.values, **values}
                if merged == row.values:
                    continue
            row.values = merged
            row.file_name = self.file_name
            row.at = now
            row.by_id = by.id if by is not None else None
        self.stated.clear()


def record_export(
    session: Session,
    partnership: Partnership,
    file_name: str,
    *,
    by: Person | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Record what an export of the partnership's actions says, as that file's base.

    Call it in the transaction that reads the rows exported, so the base is
    exactly the file written: a coordinator who edits the export and imports
    it back then keeps every update made in the bot since the export.
    """
    bases = Bases(session, partnership, file_name)
    notes = latest_notes(session, partnership.id)
    actions = session.scalars(select(Action).where(Action.partnership_id == partnership.id))
    for action in actions:
        values = {n: plain(getattr(action, n)) for n in EXPORTED_ACTION_FIELDS}
        if action.id in notes:
            values["note"] = notes[action.id]
        # An empty cell is "not stated" on import, so it is no base either.
        bases.remember("action", action.ref, {n: v for n, v in values.items() if v is not None})
    bases.save(by, now or dt.datetime.now(dt.UTC))
