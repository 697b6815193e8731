"""What reading one sheet of an action table gives, and the reports a person reads about it.

A :class:`TableRead` holds the column mapping, the good rows (as
:class:`~storage.planfile.ActionIn`) and the :class:`BadRow` ones;
:meth:`TableRead.mapping_report` says what each column was taken to mean.
:mod:`storage.table_rows` fills it in; :mod:`storage.spreadsheet` is the entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from storage.headers import FIELD_LABELS, ColumnMatch
from storage.planfile import ActionIn, PlanFile
from storage.words import plural


class SpreadsheetError(Exception):
    """A file that cannot be read as an action table at all; the message says what to do."""


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be imported, with one plain sentence per problem."""

    row: int
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"row {self.row}: " + "; ".join(self.problems)


@dataclass
class TableRead:
    """What was read from one sheet: the column mapping, the good rows and the bad ones."""

    source: str
    sheet: str | None
    header_row: int
    columns: list[ColumnMatch]
    actions: list[tuple[int, ActionIn]] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    # field -> rows whose empty cell took the value from the row above
    carried: dict[str, list[int]] = field(default_factory=dict)
    # (row, text) of lone "Priority 2: ..." heading rows
    headings: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # A "Priority title" column's titles, by the folded priority cell they go with.
    priority_titles: dict[str, str] = field(default_factory=dict)

    def plan(self) -> PlanFile:
        """The good rows as a plan file of top-level actions, for ``apply_plan``."""
        plan = PlanFile(actions=[action for _, action in self.actions])
        plan.priority_titles.update(self.priority_titles)
        return plan

    def column_for(self, name: str) -> ColumnMatch | None:
        """The column mapped to a field, if any."""
        return next((c for c in self.columns if c.field == name), None)

    def mapping_report(self) -> str:
        """What each column was taken to mean, what was ignored, and how many rows were read."""
        where = f'sheet "{self.sheet}" of {self.source}' if self.sheet else self.source
        lines = [f"Read {where}: header on row {self.header_row}."]
        used = [c for c in self.columns if c.field is not None]
        ignored = [c for c in self.columns if c.field is None]
        lines.append("Columns used:")
        for c in used:
            how = f" [{c.how}]" if c.how and c.how != "exact" else ""
            lines.append(f'  {c.letter}: "{c.label}" -> {FIELD_LABELS[c.field or ""]}{how}')
        if ignored:
            lines.append("Columns ignored:")
            lines.extend(f'  {c.letter}: "{c.label}" ({c.how})' for c in ignored)
        for name, rows in self.carried.items():
            column = self.column_for(name)
            header = f'"{column.label}"' if column else name
            lines.append(
                f"Empty {header} cells took the value from the row above "
                f"(merged cells): {_rows_text(rows)}."
            )
        for row, text in self.headings:
            lines.append(f'Row {row} "{text}" is a heading: the rows below take that priority.')
        lines.extend(self.notes)
        count = f"{plural(len(self.actions), 'action row')} read"
        if self.bad_rows:
            count += (
                f"; {plural(len(self.bad_rows), 'row')} "
                f"{'needs' if len(self.bad_rows) == 1 else 'need'} fixing "
                f"({_rows_text([b.row for b in self.bad_rows])})"
            )
        lines.append(count + ".")
        return "\n".join(lines)

    def bad_rows_report(self) -> str:
        """One line per bad row, with its number and what to write instead."""
        return "\n".join(str(b) for b in self.bad_rows)


def _rows_text(rows: Sequence[int]) -> str:
    """``[5, 6, 7, 9]`` -> ``rows 5-7, 9``."""
    spans: list[str] = []
    start = prev = None
    for r in [*sorted(rows), None]:
        if start is not None and prev is not None and (r is None or r != prev + 1):
            spans.append(str(start) if start == prev else f"{start}-{prev}")
            start = None
        if r is not None and start is None:
            start = r
        prev = r
    word = "row" if len(rows) == 1 else "rows"
    return f"{word} {', '.join(spans)}"
