"""A county board over its district partnerships: what the board sees of each district.

A county board (Safer Gloucestershire) is a partnership whose districts name it
as their parent (``partnership.parent_id``). Each district priority may map onto
one of the board's countywide priorities (``priority.board_priority``, its
code); :func:`districts` lays the districts side by side under each countywide
priority, with the board's own actions, for ``/csp board status``, the board's
``/csp priority status``, its Home tab and its digest.

What the board sees is the summary (Section 115 of the Crime and Disorder Act:
share the minimum): per countywide priority, each district's rolled-up RAG, its
open and overdue counts and its sub-groups' return status. A district's action
titles, owners and group names reach the board only when the district sets
``share_with_board:actions``. Every district read here is a child of the board
asked about: nothing here reads a partnership by a name someone typed.

Queries: the board's roll-up (4), the districts (1), then for each district its
roll-up (4), priorities (1), groups' priorities (1), returns (3) and, when it
shares, its open actions (1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from partnership import cycles
from partnership import quarters as quarterly
from partnership.context import Context, UserError
from partnership.groups import record
from partnership.measures import short
from partnership.messages import board as say
from partnership.rollup import ICONS, NOT_RATED, OPEN, PriorityStatus, rollup
from storage import partnership_settings as ps
from storage.dates import uk
from storage.models import Action, Partnership, Priority, subgroup_priority
from storage.words import fold

# Worst first: a countywide cell is as bad as the worst district priority mapped to it.
RAG_ORDER = ("red", "amber", "green", NOT_RATED)
# Countywide priorities per Block Kit section (each carries a line per district).
PRIORITIES_PER_BLOCK = 3
# A sharing district's actions listed under each countywide priority; the rest counted.
ACTIONS_SHOWN = 3
# The board's own overdue actions listed under each countywide priority in board status.
BOARD_OVERDUE_SHOWN = 3


@dataclass(frozen=True)
class Link:
    """Where a partnership sits: the board it is under, or the districts under it."""

    board: Partnership | None
    districts: list[Partnership]

    @property
    def is_board(self) -> bool:
        """Whether the partnership has districts under it."""
        return bool(self.districts)


def districts_of(ctx: Context, board: Partnership) -> list[Partnership]:
    """The districts linked to ``board`` (its children only), by name."""
    return list(
        ctx.session.scalars(
            select(Partnership).where(Partnership.parent_id == board.id).order_by(Partnership.name)
        )
    )


def link(ctx: Context) -> Link:
    """The asker's partnership as a board (its districts) or a district (its board)."""
    return Link(ctx.partnership.parent, districts_of(ctx, ctx.partnership))


def named_district(districts: Sequence[Partnership], text: str) -> Partnership | None:
    """The district ``text`` names (slug, name or short name) among ``districts`` only."""
    key = fold(text)
    for d in districts:
        if key in {fold(d.slug), fold(d.name), fold(d.short_name or "")}:
            return d
    return None


def label(p: Partnership) -> str:
    """A district as it is named in a column: its short name, else its name."""
    return p.short_name or p.name


def shares_actions(district: Partnership) -> bool:
    """Whether the district lets its board see action titles and owners."""
    return ps.of(district).share_with_board == ps.SHARE_ACTIONS


def _worst(rags: list[str]) -> str:
    return min(rags, key=RAG_ORDER.index) if rags else NOT_RATED


def _district_context(ctx: Context, district: Partnership) -> Context:
    """A read-only context in the district (no person: nothing is changed through it)."""
    return Context(ctx.session, district, None, ctx.now, ctx.source)


def _returns(standings: list[quarterly.Standing]) -> dict[str, Any]:
    """Counts of a set of groups' returns: in, expected, missing (deadline passed)."""
    return {
        "expected": len(standings),
        "in": sum(1 for s in standings if s.state == quarterly.SUBMITTED),
        "missing": sum(1 for s in standings if s.state == quarterly.OVERDUE),
    }


@dataclass
class _District:
    """One district's pieces, read once and cut per countywide priority."""

    partnership: Partnership
    share: bool
    statuses: dict[int, PriorityStatus]
    mapped: dict[str, list[int]]  # folded board code -> district priority ids
    unmapped: list[dict[str, str]]
    groups_of: dict[int, set[int]]  # district priority id -> group ids covering it
    standings: list[quarterly.Standing]
    quarter: str
    actions: dict[int, list[dict[str, Any]]]  # district priority id -> shared open actions


def _read_district(ctx: Context, district: Partnership, board_codes: set[str]) -> _District:
    dctx = _district_context(ctx, district)
    share = shares_actions(district)
    statuses = {s.id: s for s in rollup(dctx, overdue_cap=0)}
    mapped: dict[str, list[int]] = {}
    unmapped: list[dict[str, str]] = []
    for pid, code, title, to in ctx.session.execute(
        select(Priority.id, Priority.code, Priority.title, Priority.board_priority)
        .where(Priority.partnership_id == district.id)
        .order_by(Priority.position, Priority.id)
    ):
        if to and fold(to) in board_codes:
            mapped.setdefault(fold(to), []).append(pid)
        else:
            unmapped.append({"code": code, "title": short(title, 80), "to": to or ""})
    groups_of: dict[int, set[int]] = {}
    for group_id, priority_id in ctx.session.execute(
        select(subgroup_priority.c.subgroup_id, subgroup_priority.c.priority_id).where(
            subgroup_priority.c.priority_id.in_(list(statuses) or [-1])
        )
    ):
        groups_of.setdefault(priority_id, set()).add(group_id)
    # The district's own cycle: its latest ended period, named its way ("H1 2027/28");
    # standings count only the groups that cycle asks (one not asked is never missing).
    period = cycles.latest_ended(dctx, dctx.settings.cycle)
    standings = quarterly.standings(dctx, period) if period is not None else []
    actions = _shared_actions(dctx, [i for ids in mapped.values() for i in ids]) if share else {}
    return _District(
        district,
        share,
        statuses,
        mapped,
        unmapped,
        groups_of,
        standings,
        quarterly.label(period) if period is not None else "",
        actions,
    )


def _shared_actions(dctx: Context, priority_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """A sharing district's open actions under mapped priorities, overdue first: one query."""
    if not priority_ids:
        return {}
    today = dctx.today
    found: dict[int, list[dict[str, Any]]] = {}
    for a in dctx.session.scalars(
        select(Action)
        .where(
            Action.partnership_id == dctx.partnership.id,
            Action.priority_id.in_(priority_ids),
            Action.status.in_(OPEN),
        )
        .options(joinedload(Action.owner))
        .order_by(Action.due_date.is_(None), Action.due_date, Action.id)
    ):
        assert a.priority_id is not None
        found.setdefault(a.priority_id, []).append(_action_row(a, today))
    return found


def _action_row(a: Action, today: dt.date) -> dict[str, Any]:
    late = a.due_date is not None and a.due_date < today
    return {
        "ref": a.ref,
        "title": short(a.title, 120),
        "owner": a.owner.name if a.owner is not None else "",
        "due": uk(a.due_date) if a.due_date else "",
        "late": late,
        "rag": a.rag.value if a.rag is not None else "",
    }


def _cell(d: _District, code: str) -> dict[str, Any]:
    """One district under one countywide priority: summary, and actions if it shares them."""
    ids = d.mapped.get(fold(code), [])
    statuses = [d.statuses[i] for i in ids if i in d.statuses]
    rag = _worst([s.rag for s in statuses])
    groups = set().union(*(d.groups_of.get(i, set()) for i in ids)) if ids else set()
    cell: dict[str, Any] = {
        "district": short(label(d.partnership), 60),
        "mapped": [s.code for s in statuses],
        "rag": rag,
        "icon": ICONS[rag],
        "open": sum(s.open for s in statuses),
        "overdue": sum(s.overdue_count for s in statuses),
        "returns": _returns([s for s in d.standings if s.group_id in groups]),
        "share": d.share,
        "actions": [],
        "more_actions": 0,
    }
    if d.share:
        rows = [row for i in ids for row in d.actions.get(i, [])]
        rows.sort(key=lambda r: (not r["late"],))
        cell["actions"] = rows[:ACTIONS_SHOWN]
        cell["more_actions"] = max(len(rows) - ACTIONS_SHOWN, 0)
    return cell


def _board_row(status: PriorityStatus, today: dt.date, detail: bool) -> dict[str, Any]:
    row = {
        "code": status.code,
        "title": short(status.title, 120),
        "rag": status.rag,
        "icon": ICONS[status.rag],
        "open": status.open,
        "overdue": status.overdue_count,
        "board_overdue": [],
        "more_board_overdue": 0,
    }
    if detail:
        view = status.view(today)
        row["board_overdue"] = view["overdue"]
        row["more_board_overdue"] = view["more_overdue"]
    return row


def districts(
    ctx: Context,
    board: Partnership,
    *,
    only: Partnership | None = None,
    detail: bool = False,
    statuses: list[PriorityStatus] | None = None,
) -> dict[str, Any]:
    """The districts section as plain data: each countywide priority with a cell per district.

    ``only`` keeps one district (it must be one of ``board``'s); ``detail`` adds
    the board's own overdue actions (for ``/csp board status``); ``statuses``
    is the board's roll-up when the caller already has it.
    """
    bctx = ctx if ctx.partnership.id == board.id else _district_context(ctx, board)
    if statuses is None:
        statuses = rollup(bctx, overdue_cap=BOARD_OVERDUE_SHOWN if detail else 0)
    linked = districts_of(ctx, board)
    if only is not None:
        linked = [d for d in linked if d.id == only.id]
    codes = {fold(s.code) for s in statuses}
    read = [_read_district(ctx, d, codes) for d in linked]
    rows = []
    for s in statuses:
        row = _board_row(s, ctx.today, detail)
        row["cells"] = [_cell(d, s.code) for d in read]
        rows.append(row)
    return {
        "board": board.name,
        "as_of": uk(ctx.today),
        "empty": not read,
        "one": only is not None,
        "districts": [
            {
                "name": short(d.partnership.name, 100),
                "label": short(label(d.partnership), 60),
                "share": d.share,
                "quarter": d.quarter,
                "returns": _returns(d.standings),
                "unmapped": d.unmapped,
            }
            for d in read
        ],
        "runs": [
            rows[i : i + PRIORITIES_PER_BLOCK] for i in range(0, len(rows), PRIORITIES_PER_BLOCK)
        ],
        "unmapped": sum(len(d.unmapped) for d in read),
    }


def for_board(ctx: Context, statuses: list[PriorityStatus] | None = None) -> dict[str, Any] | None:
    """The districts section for the asker's partnership when it is a board, else None."""
    if not districts_of(ctx, ctx.partnership):
        return None
    return districts(ctx, ctx.partnership, statuses=statuses)


def board_priorities(ctx: Context, board: Partnership) -> list[Priority]:
    """The board's own priorities, in plan order (what a district may map onto)."""
    return list(
        ctx.session.scalars(
            select(Priority)
            .where(Priority.partnership_id == board.id)
            .order_by(Priority.position, Priority.id)
        )
    )


def find_board_priority(ctx: Context, board: Partnership, text: str) -> Priority:
    """The board's priority ``text`` names (code or title), or a UserError listing its codes."""
    held = board_priorities(ctx, board)
    key = fold(text)
    for p in held:
        if key in {fold(p.code), fold(p.title)}:
            return p
    raise UserError(
        say.no_board_priority(
            text=text, board=board.name, codes=", ".join(p.code for p in held) or "none yet"
        ),
        fields={"to": "Not a county priority"},
    )


def set_mapping(ctx: Context, priority: Priority, to: Priority | None) -> bool:
    """Map a district priority onto a board priority (or none); record it; True if changed."""
    before = priority.board_priority
    after = to.code if to is not None else None
    if before == after:
        return False
    priority.board_priority = after
    record(ctx, "priority", priority.id, priority.code, {"board_priority": [before, after]})
    ctx.session.flush()
    return True
