"""What an import did: the rows it created and updated, and what its merge kept and met.

:class:`ImportReport` is structured for whoever renders it (the CLI prints
:meth:`ImportReport.summary`; a Slack preview reads ``changes``, ``kept`` and
``conflicts``). The merge rule itself is in :mod:`storage.sync_held`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.dates import uk
from storage.words import field_label, plural


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


@dataclass(frozen=True)
class Difference:
    """One field the bot and this file disagree on, since the file was last imported.

    Values are plain (as an action's history holds them: dates as ISO text,
    people and groups by name, priorities by code); ``base`` is what the file
    said last time. ``who``, ``when`` and ``via`` say who made the bot's change,
    when and how (a history source: ``command``, ``modal``…), where the
    history knows; an action's history does, other rows keep none.
    """

    kind: str
    key: str
    field: str
    file_value: Any
    bot_value: Any
    base_value: Any
    who: str | None = None
    when: dt.datetime | None = None
    via: str | None = None


@dataclass(frozen=True)
class Kept(Difference):
    """Changed in the bot only: the bot's value stays and the file's older one is ignored."""


@dataclass(frozen=True)
class Conflict(Difference):
    """Changed in the file and in the bot, differently; ``applied`` when the file's value won."""

    applied: bool = False


@dataclass
class ImportReport:
    """What an import did, for the person who ran it (and for a preview to render)."""

    partnership: str = ""
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=dict)
    kept: list[Kept] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    file_name: str = ""
    # True when this file (by its name) had been imported before, so it was merged.
    merged: bool = False
    prefer_file: bool = False
    timezone: str = "Europe/London"

    @property
    def changed(self) -> bool:
        """True when the import altered anything."""
        return bool(self.changes)

    def count(self, kind: str, verb: str) -> int:
        """How many of a kind were created or updated."""
        return sum(1 for c in self.changes if c.kind == kind and c.verb == verb)

    def summary(self) -> str:
        """A few lines: counts per kind, what the bot kept, the conflicts, then warnings."""
        kinds = sorted({c.kind for c in self.changes} | set(self.unchanged))
        lines = [f"Partnership: {self.partnership}"]
        if not self.changes:
            lines.append(
                "No changes: the bot already holds everything in this file."
                if not self.kept and not self.conflicts
                else "No changes: the bot kept its newer values (below)."
            )
        for kind in kinds:
            created, updated = self.count(kind, "created"), self.count(kind, "updated")
            same = self.unchanged.get(kind, 0)
            lines.append(f"  {kind}: {created} created, {updated} updated, {same} unchanged")
        lines.extend(self.merge_lines())
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return "\n".join(lines)

    def merge_lines(self) -> list[str]:
        """What the merge kept from the bot and each conflict, one line each."""
        lines: list[str] = []
        if self.kept:
            lines.append(
                f"Kept {plural(len(self.kept), 'value')} changed in the bot since this file was "
                "last imported (the file's older values were ignored):"
            )
            lines.extend(f"  {line}" for line in self.kept_lines())
        if self.conflicts:
            lines.append(
                f"{plural(len(self.conflicts), 'conflict')}: changed in the file and in the bot "
                "since this file was last imported:"
            )
            lines.extend(f"  {line}" for line in self.conflict_lines())
        return lines

    def kept_lines(self) -> list[str]:
        """Each value the bot kept (the file's older one ignored), as the CLI prints it."""
        zone = _zone(self.timezone)
        return [_kept_line(d, zone) for d in self.kept]

    def conflict_lines(self, *, outcome: bool = True) -> list[str]:
        """Each conflict with both values and who made the bot's change; ``outcome``: which won."""
        zone = _zone(self.timezone)
        lines = []
        for c in self.conflicts:
            line = (
                f"{c.kind} {c.key}, {field_label(c.field)}: file {show(c.file_value)}, "
                f"bot {show(c.bot_value)}{_by(c, zone)}, was {show(c.base_value)}"
            )
            if outcome:
                line += (
                    "; took the file's value, as asked"
                    if c.applied
                    else "; kept the bot's value (import again preferring the file's to take it)"
                )
            lines.append(line)
        return lines


def _kept_line(d: Kept, zone: dt.tzinfo) -> str:
    """One value the bot kept, with who changed it and what the file still says."""
    if d.kind == "meeting" and d.bot_value is None:
        return (
            f"meeting {d.key}: no longer on {show(d.file_value)} in the bot (moved or "
            "cancelled there), so the file's meeting was not added again"
        )
    return (
        f"{d.kind} {d.key}, {field_label(d.field)}: kept {show(d.bot_value)}"
        f"{_by(d, zone)}; the file still says {show(d.file_value)}"
    )


def show(value: Any) -> str:
    """A plain value as a person reads it: UK dates, lists joined, nothing as "(empty)"."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(show(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return uk(dt.date.fromisoformat(value))
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 80 else f'"{value[:77]}..."'
    return str(value)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _zone(name: str) -> dt.tzinfo:
    """The partnership's zone, or UK time if its name is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def _by(d: Difference, zone: dt.tzinfo) -> str:
    """Who changed the bot's value and when, as far as the history knows, for a line."""
    parts = []
    if d.who:
        parts.append(f"by {d.who}")
    elif d.via:
        parts.append(f"from the {d.via}" if d.via in {"console", "scheduler"} else f"via {d.via}")
    if d.when is not None:
        local = d.when.astimezone(zone)
        parts.append(f"on {uk(local.date())} at {local:%H:%M}")
    return f" (changed {' '.join(parts)})" if parts else ""
