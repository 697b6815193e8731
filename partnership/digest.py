"""The chairs' pre-meeting digest as a plain view-model, built in a fixed number of queries.

What a chair needs before a Leadership Group / Board meeting (DOMAIN.md, "What
happens over a year", step 5): where every priority stands and how that moved
since the last meeting, what was completed and what slipped since then, what is
overdue by owner and by organisation, which quarterly returns are in or
missing, the escalations the returns raised, and each measure against its
target with its trend.

The view-model holds plain values only (strings, numbers, booleans, lists and
dicts), never ORM objects: the Slack sweep renders it after its session has
closed, and the same dict feeds the Block Kit, Markdown and HTML templates.
Lists are complete here; ``shown`` holds what the Slack message shows of them
(:mod:`partnership.digest_shown`; the Markdown and HTML board papers show
everything).

"Since the last meeting" means since the day of the previous Leadership Group
meeting (that day included: the previous digest went out before it), or, when
none is recorded, since the start of the current financial year. When the
previous meeting's digest was sent days before that meeting, the returns'
escalations are counted from its sending instead (``escalations_since``), so one
that came in between that digest and its meeting (which the digest could not
show) reaches this one. A priority's
RAG change compares today's roll-up (:func:`partnership.rollup.rollup`, the one
RAG rule) with the :class:`~storage.models.DigestSnapshot` taken when the
previous meeting's digest was sent.

Queries, whatever the plan's size: meetings 1, roll-up 3, the previous
meeting's snapshot 1, history in the window 1, overdue actions 1, returns 3
(:func:`partnership.quarters.standings`), escalations 1, the groups' latest reports 1
(:mod:`partnership.reports`), SARA stages 1 (:mod:`partnership.sara`), measures 3 (their
recent readings included), the pictures 4 (:mod:`partnership.digest_charts`), a county
board's districts 1 (:mod:`partnership.board`) — twenty-one; a
"before review" deadline rule adds one per quarter looked back (at most
:data:`partnership.digest_sections.QUARTERS_BACK`, and by the pictures'
returns grid).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from partnership import board as county
from partnership import digest_charts, reports, sara
from partnership import digest_sections as sections
from partnership.context import Context
from partnership.digest_meetings import MeetingInfo, board_meetings, group_name, previous_meeting
from partnership.digest_sections import RAG_RANK
from partnership.digest_shown import shown
from partnership.rollup import ICONS, PriorityStatus, rollup
from storage.dates import uk
from storage.models import (
    DigestSnapshot,
)


@dataclass(frozen=True)
class SnapshotRow:
    """One priority's rolled-up state, as the digest showed it (stored on claim)."""

    priority_id: int
    rag: str
    open_actions: int
    overdue_actions: int


@dataclass
class Digest:
    """A digest's view-model and the snapshot to keep when it is sent."""

    meeting: MeetingInfo
    data: dict[str, Any]
    snapshot: list[SnapshotRow] = field(default_factory=list)


# --------------------------------------------------------------------------- the digest


def build(ctx: Context, meeting: MeetingInfo, meetings: list[MeetingInfo] | None = None) -> Digest:
    """The digest for ``meeting`` as of ``ctx.now``: a plain view-model and its snapshot."""
    meetings = board_meetings(ctx) if meetings is None else meetings
    today = ctx.today
    before = previous_meeting(meetings, meeting)
    previous, sent = _snapshot(ctx, before)
    if before is not None:
        start = before.date
        since = {
            "date": uk(start),
            "meeting": True,
            "text": f"the last meeting on {uk(start)}",
            "future": start > today,
        }
    else:
        start = ctx.fy.quarter_bounds(ctx.fy.start_year(today), 1)[0]
        since = {
            "date": uk(start),
            "meeting": False,
            "text": f"the start of the financial year ({uk(start)}); "
            f"no earlier {group_name(ctx)} meeting is recorded",
            "future": False,
        }
    window_start = dt.datetime.combine(start, dt.time(0), tzinfo=ctx.zone).astimezone(dt.UTC)
    # Returns from the last digest's sending when it went out days before its meeting:
    # a report or escalation that came in after it was built (a report on 22/07 for a
    # digest of 21/07, the meeting on 28/07) was never shown to the chairs.
    reports_from = sent if sent is not None and sent < window_start else window_start

    statuses = rollup(ctx, overdue_cap=0)
    priorities = [_priority_row(s, previous) for s in statuses]
    completed, slipped = sections.history(ctx, window_start, start, today)
    overdue = sections.overdue(ctx, today)
    reported = sections.returns(ctx, meeting)
    escalations = sections.escalations(ctx, reports_from)
    latest_reports = reports.latest(ctx)
    stages = sara.counts(ctx).get(sara.ALL, sara.empty())
    measures = sections.measures(ctx, {s.id: s.code for s in statuses})
    pictures = digest_charts.charts(ctx, meeting, meetings, statuses)

    rags = {key: 0 for key in ("red", "amber", "green", "not_rated")}
    for s in statuses:
        rags[s.rag.replace(" ", "_")] += 1
    states = {key: 0 for key in ("on_track", "slightly_off", "off_track", "no_data")}
    for m in measures:
        states[str(m["state"]).replace(" ", "_")] += 1
    data: dict[str, Any] = {
        "partnership": ctx.partnership.name,
        "short_name": ctx.partnership.short_name or ctx.partnership.name,
        "group": group_name(ctx),
        "meeting": meeting.view(),
        "as_of": uk(today),
        "since": since,
        "escalations_since": uk(reports_from.astimezone(ctx.zone).date()),
        "changes_known": before is not None and bool(previous),
        "headline": {
            "priorities": len(statuses),
            "rag": rags,
            "open": sum(s.open for s in statuses),
            "overdue": overdue["count"],
            "completed": len(completed),
            "slipped": len(slipped),
            "worse": sum(1 for p in priorities if p["change"]["word"] == "worse"),
            "better": sum(1 for p in priorities if p["change"]["word"] == "better"),
            "returns_in": len(reported["in"]) if reported else 0,
            "returns_expected": reported["expected"] if reported else 0,
            "escalations": len(escalations),
            "measures": states,
        },
        "priorities": priorities,
        "completed": completed,
        "slipped": slipped,
        "overdue": overdue,
        "returns": reported,
        "escalations": escalations,
        "reports": latest_reports,
        "sara": stages,
        "measures": measures,
        "charts": pictures,
        "preview": None,
        # A county board's districts, summary only unless a district shares (None elsewhere).
        "districts": county.for_board(ctx, statuses),
    }
    data["shown"] = shown(data)
    data["shown"]["reports"] = reports.shown(latest_reports, ctx.partnership.slug)
    snapshot = [SnapshotRow(s.id, s.rag, s.open, s.overdue_count) for s in statuses]
    return Digest(meeting, data, snapshot)


def summary(data: dict[str, Any]) -> str:
    """A one-line plain summary, for notifications and the console."""
    head = data["headline"]
    rag = head["rag"]
    return (
        f"Digest for the {data['group']} on {data['meeting']['date']}: "
        f"{rag['red']} red, {rag['amber']} amber, {rag['green']} green priorities; "
        f"{head['overdue']} overdue actions"
    )


# --------------------------------------------------------------------------- priorities


def _snapshot(
    ctx: Context, before: MeetingInfo | None
) -> tuple[dict[int, str], dt.datetime | None]:
    """Each priority's RAG in the previous meeting's digest, and when that digest was built.

    Empty and None when none was sent (or it had no priorities to keep).
    """
    if before is None:
        return {}, None
    rows = ctx.session.execute(
        select(DigestSnapshot.priority_id, DigestSnapshot.rag, DigestSnapshot.taken_at).where(
            DigestSnapshot.partnership_id == ctx.partnership.id,
            DigestSnapshot.meeting_id == before.id,
        )
    ).all()
    taken = [at for _, _, at in rows if at is not None]
    return {priority_id: rag for priority_id, rag, _ in rows}, min(taken) if taken else None


def rag_change(before: str | None, now: str, known: bool) -> dict[str, str]:
    """How a priority's RAG moved: ↑ better, ↓ worse, = the same, or new since last time."""
    if not known:
        return {"mark": "", "word": "", "before": ""}
    if before is None:
        return {"mark": "new", "word": "new", "before": ""}
    if before == now:
        return {"mark": "=", "word": "no change", "before": before}
    if before in RAG_RANK and now in RAG_RANK:
        up = RAG_RANK[now] > RAG_RANK[before]
        return {"mark": "↑" if up else "↓", "word": "better" if up else "worse", "before": before}
    return {"mark": "≠", "word": f"was {before}", "before": before}


def _priority_row(status: PriorityStatus, previous: dict[int, str]) -> dict[str, Any]:
    return {
        "code": status.code,
        "title": status.title,
        "rag": status.rag,
        "icon": ICONS[status.rag],
        "change": rag_change(previous.get(status.id), status.rag, bool(previous)),
        "open": status.open,
        "overdue": status.overdue_count,
        "complete": status.counts["blue"],
        "dropped": status.dropped,
        "total": status.total,
        "reasons": list(status.reasons),
    }
