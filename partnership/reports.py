"""Sub-groups' reports as the chairs read them: the latest of each group, and one with its versions.

A sub-group's quarterly return (:class:`~storage.models.QuarterlyReturn`) holds
its summary, achievements, issues and risks; an amendment keeps the version it
replaced as a :class:`~storage.models.ReturnRevision`. The digest carries each
group's latest report (:func:`latest`), cut to fit Slack by :func:`shown` with
the line that reads the rest (``/csp return show``); the board papers print
them whole. ``/csp return show`` (:func:`report`) gives one report with its
earlier versions: who saved each, when, and what the next one changed.

Anyone in the partnership may read its reports (DOMAIN.md: a member sees what
their partnership holds); every query is held to the asker's partnership.
Everything returned is plain values, never ORM objects.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from partnership import cycles
from partnership.context import Context
from storage.dates import uk
from storage.models import QuarterlyReturn, ReturnPriorityRag, ReturnRevision, SubGroup

# A report's parts: (view-model name, column, the heading people read).
PARTS = (
    ("summary", "summary", "Summary"),
    ("achievements", "achievements", "Achievements"),
    ("issues", "issues_risks", "Issues and risks"),
    ("escalations", "escalations", "Escalations for the board"),
)
# What the Slack digest shows of each group's report (the board papers show all of it).
GROUPS_SHOWN = 8
CUT = {"summary": 280, "achievements": 180, "issues": 180}
# Slack's limit on a button's value.
BUTTON_VALUE = 2000
# What `/csp return show` shows of the earlier versions: the newest few, each
# changed part's earlier text cut to this length (the reply pages beyond that).
VERSIONS_SHOWN = 10
EARLIER_CUT = 600


def show_line(group: str, fy: int, quarter: int) -> str:
    """The command that shows a group's report for a period in full, named the way its cycle does.

    ``Q3 2026/27``, ``H1 2027/28``, ``March 2027``, ``the 18/03/2027 meeting``:
    ``/csp return show`` reads each back by the group's cycle.
    """
    quote = '"' if '"' not in group else "'"
    return f"/csp return show group:{quote}{group}{quote} {cycles.label((fy, quarter))}"


def lines(text: str | None) -> list[str]:
    """A report's text as its non-empty lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def cut(text: str, limit: int) -> dict[str, Any]:
    """``text`` as one paragraph, cut at a word near ``limit``; and whether it was cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return {"text": flat, "cut": False}
    space = flat.rfind(" ", 0, limit)
    end = space if space > limit // 2 else limit
    return {"text": flat[:end].rstrip(" ,;:.") + "…", "cut": True}


def _local(ctx: Context, at: dt.datetime | None) -> dt.datetime | None:
    return at.astimezone(ctx.zone) if at is not None else None


def latest(ctx: Context) -> list[dict[str, Any]]:
    """Each open sub-group's latest submitted report, by group name: one query."""
    earlier = (
        select(func.count())
        .where(ReturnRevision.return_id == QuarterlyReturn.id)
        .correlate(QuarterlyReturn)
        .scalar_subquery()
    )
    rows = ctx.session.execute(
        select(QuarterlyReturn, SubGroup.name, earlier)
        .join(SubGroup, SubGroup.id == QuarterlyReturn.subgroup_id)
        .options(joinedload(QuarterlyReturn.submitted_by))
        .where(
            QuarterlyReturn.partnership_id == ctx.partnership.id,
            QuarterlyReturn.submitted_at.is_not(None),
            SubGroup.closed_on.is_(None),
        )
        .order_by(
            SubGroup.name,
            QuarterlyReturn.fy_start_year.desc(),
            QuarterlyReturn.quarter.desc(),
        )
    ).all()
    newest: dict[str, tuple[QuarterlyReturn, int]] = {}
    for ret, name, versions_before in rows:
        newest.setdefault(name, (ret, 1 + int(versions_before or 0)))
    return [_row(ctx, name, ret, version) for name, (ret, version) in newest.items()]


def _row(ctx: Context, name: str, ret: QuarterlyReturn, version: int) -> dict[str, Any]:
    """One group's report as plain values, every part whole (as lines)."""
    at = _local(ctx, ret.submitted_at)
    row: dict[str, Any] = {
        "group": name,
        "quarter": cycles.label((ret.fy_start_year, ret.quarter)),
        "submitted": uk(at.date()) if at is not None else "",
        "by": ret.submitted_by.name if ret.submitted_by is not None else "",
        "version": version,
        "late": bool(at and ret.deadline and at.date() > ret.deadline),
        "show": show_line(name, ret.fy_start_year, ret.quarter),
    }
    for key, column, _ in PARTS:
        row[key] = lines(getattr(ret, column))
    return row


def shown(reports: list[dict[str, Any]], slug: str) -> dict[str, Any]:
    """What the Slack digest shows of the reports: the first groups, each part cut.

    Each row's ``button`` is the line its "Read it all" button runs for whoever
    presses it (``in:<slug>`` first, as a typed line may start).
    """
    rows = []
    for r in reports[:GROUPS_SHOWN]:
        parts = {key: cut(" ".join(r[key]), n) if r[key] else None for key, n in CUT.items()}
        rows.append(
            r
            | {
                "parts": parts,
                "cut": any(p["cut"] for p in parts.values() if p),
                "button": _button(r, slug),
            }
        )
    return {"rows": rows, "more": max(len(reports) - GROUPS_SHOWN, 0), "count": len(reports)}


def _button(row: dict[str, Any], slug: str) -> str:
    """The line a row's button runs, or "" for a group whose name holds markup.

    Slack escapes ``&``, ``<`` and ``>`` in what people type but not in a
    button's value, so such a name is left to the typed line in the text.
    """
    if set(row["group"]) & set("&<>"):
        return ""
    return f"in:{slug} {row['show'].removeprefix('/csp ')}"[:BUTTON_VALUE]


# --------------------------------------------------------------------------- one report


def find(ctx: Context, group: SubGroup, quarter: tuple[int, int] | None) -> QuarterlyReturn | None:
    """A group's submitted report for a quarter (None: its latest), with its RAGs and versions."""
    query = (
        select(QuarterlyReturn)
        .where(
            QuarterlyReturn.partnership_id == ctx.partnership.id,
            QuarterlyReturn.subgroup_id == group.id,
            QuarterlyReturn.submitted_at.is_not(None),
        )
        .options(
            joinedload(QuarterlyReturn.submitted_by),
            selectinload(QuarterlyReturn.priority_rags).joinedload(ReturnPriorityRag.priority),
        )
        .order_by(QuarterlyReturn.fy_start_year.desc(), QuarterlyReturn.quarter.desc())
    )
    if quarter is not None:
        query = query.where(
            QuarterlyReturn.fy_start_year == quarter[0], QuarterlyReturn.quarter == quarter[1]
        )
    return ctx.session.scalars(query).first()


def report(ctx: Context, group: SubGroup, ret: QuarterlyReturn) -> dict[str, Any]:
    """One report in full, with its earlier versions newest first (what each next one changed)."""
    revisions = list(
        ctx.session.scalars(
            select(ReturnRevision)
            .where(
                ReturnRevision.partnership_id == ctx.partnership.id,
                ReturnRevision.return_id == ret.id,
            )
            .options(joinedload(ReturnRevision.by))
            .order_by(ReturnRevision.at, ReturnRevision.id)
        )
    )
    current = {column: getattr(ret, column) for _, column, _ in PARTS}
    current["rags"] = {r.priority.code: r.rag.value for r in ret.priority_rags}
    contents = [r.content for r in revisions] + [current]
    earlier = []
    for number, revision in enumerate(revisions, start=1):
        at = _local(ctx, revision.at)
        earlier.append(
            {
                "version": number,
                "saved": f"{uk(at.date())} {at:%H:%M}" if at is not None else "",
                "by": revision.by.name if revision.by is not None else "",
                "changed": _changes(revision.content, contents[number]),
            }
        )
    earlier.reverse()
    row = _row(ctx, group.name, ret, len(revisions) + 1)
    row["rags"] = [
        {"code": r.priority.code, "rag": r.rag.value}
        for r in sorted(ret.priority_rags, key=lambda r: r.priority.position)
    ]
    row["parts"] = [
        {"key": key, "heading": heading, "lines": row[key]} for key, _, heading in PARTS
    ]
    row["earlier"] = earlier[:VERSIONS_SHOWN]
    row["more_earlier"] = max(len(earlier) - VERSIONS_SHOWN, 0)
    return row


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What the next version changed of this one: each part's earlier text, and RAGs moved."""
    out: list[dict[str, Any]] = []
    for _, column, heading in PARTS:
        was, now = before.get(column) or "", after.get(column) or ""
        if was != now:
            out.append({"heading": heading, "was": cut(was, EARLIER_CUT)["text"] if was else ""})
    old, new = before.get("rags") or {}, after.get("rags") or {}
    for code in sorted(set(old) | set(new)):
        if old.get(code) != new.get(code):
            out.append(
                {
                    "heading": f"RAG {code}",
                    "was": f"{old.get(code) or 'none'} (then {new.get(code)})",
                }
            )
    return out
