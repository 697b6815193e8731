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
Lists are complete here; the Slack template caps them (the Markdown and HTML
board papers show everything).

"Since the last meeting" means since the day of the previous Leadership Group
meeting (that day included: the previous digest went out before it), or, when
none is recorded, since the start of the current financial year. A priority's
RAG change compares today's roll-up (:func:`commands.status.rollup`, the one
RAG rule) with the :class:`~storage.models.DigestSnapshot` taken when the
previous meeting's digest was sent.

Queries, whatever the plan's size: meetings 1, roll-up 3, the previous
meeting's snapshot 1, history in the window 1, overdue actions 1, returns 3
(:func:`commands.returns.standings`), escalations 1, measures 2 — thirteen; a
"before review" deadline rule adds one per quarter looked back (at most
:data:`QUARTERS_BACK`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from commands import returns
from commands.core import Context, UserError
from commands.lookup import people_with_role
from commands.returns import Deadline, Quarter
from commands.status import (
    ICONS,
    OPEN,
    PriorityStatus,
    better,
    judge_measure,
    number,
    rollup,
)
from storage.dates import DateError, did_you_mean, fy_label, parse_date, quarter_label, uk
from storage.models import (
    Action,
    ActionUpdate,
    DigestSnapshot,
    Measure,
    Meeting,
    Notification,
    NotificationState,
    Organisation,
    Person,
    Priority,
    QuarterlyReturn,
    Role,
    Status,
    SubGroup,
)
from storage.queries import ranked_readings

# The outbox kind of a digest; its period is "meeting:<id>" (see :func:`period`).
KIND = "digest"
# The channel purpose of the board channel (plan file `slack.channels.board`).
# Better ratings rank higher; "not rated" has no rank (a change to or from it is
# reported in words, not as better or worse).
RAG_RANK = {"red": 0, "amber": 1, "green": 2}
NO_OWNER = "No owner"
NO_ORGANISATION = "No organisation"
# How far back to look for the quarter whose returns the digest reports.
QUARTERS_BACK = 8


@dataclass(frozen=True)
class MeetingInfo:
    """A Leadership Group / Board meeting as plain values."""

    id: int
    date: dt.date
    title: str
    time: dt.time | None
    location: str

    def view(self) -> dict[str, Any]:
        """The meeting as a view-model row."""
        return {
            "id": self.id,
            "date": uk(self.date),
            "weekday": self.date.strftime("%A"),
            "title": self.title,
            "time": self.time.strftime("%H:%M") if self.time else "",
            "location": self.location,
        }


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


# --------------------------------------------------------------------------- meetings


def board_meetings(ctx: Context) -> list[MeetingInfo]:
    """Every Leadership Group / Board meeting of the partnership (no sub-group), by date."""
    rows = ctx.session.execute(
        select(Meeting.id, Meeting.date, Meeting.title, Meeting.time, Meeting.location)
        .where(Meeting.partnership_id == ctx.partnership.id, Meeting.subgroup_id.is_(None))
        .order_by(Meeting.date, Meeting.id)
    )
    return [
        MeetingInfo(r.id, r.date, r.title or group_name(ctx), r.time, r.location or "")
        for r in rows
    ]


def group_name(ctx: Context) -> str:
    """What the partnership calls its Leadership Group or Board."""
    return ctx.partnership.leadership_group or "Leadership Group"


def pick_meeting(ctx: Context, text: str | None, meetings: list[MeetingInfo]) -> MeetingInfo:
    """The upcoming meeting on the date typed, or the next one; a UserError says which exist."""
    upcoming = [m for m in meetings if m.date >= ctx.today]
    add_them = (
        "Add the meeting dates with `/csp meeting add` (a series: `/csp meeting add every "
        "third Thursday of Jan, Mar and May`), or in the plan file's `meetings:` section and "
        "import it again (`csp-bot import PLAN.yaml`)."
    )
    if not text:
        if upcoming:
            return upcoming[0]
        raise UserError(
            f"No {group_name(ctx)} meeting is coming up in {ctx.partnership.name}"
            + (f" (the last was on {uk(meetings[-1].date)})" if meetings else "")
            + ". "
            + add_them
        )
    # A date typed is read (and named in any refusal) before anything else is said.
    try:
        day = parse_date(text, fy=ctx.fy, today=ctx.today)
    except DateError:
        example = uk(upcoming[0].date if upcoming else ctx.today)
        hint = did_you_mean(text, "`")
        raise UserError(
            f"`{text[:40]}` is not a date I can read"
            + (f": {hint} " if hint else ". ")
            + f"Give the meeting's date, day first, such as `{example}`."
        ) from None
    for meeting in upcoming:
        if meeting.date == day:
            return meeting
    dates = ", ".join(f"`{uk(m.date)}`" for m in upcoming[:6])
    coming = f"Coming up: {dates}." if upcoming else "None is coming up. " + add_them
    if any(m.date == day for m in meetings):
        raise UserError(
            f"The meeting on {uk(day)} has passed; a digest shows where things stand before "
            f"a meeting. {coming}"
        )
    raise UserError(f"There is no {group_name(ctx)} meeting on {uk(day)}. {coming}")


def previous_meeting(meetings: list[MeetingInfo], meeting: MeetingInfo) -> MeetingInfo | None:
    """The last meeting before ``meeting``, if any."""
    earlier = [m for m in meetings if m.date < meeting.date]
    return earlier[-1] if earlier else None


# --------------------------------------------------------------------------- who gets it


def period(meeting_id: int) -> str:
    """The outbox period of a meeting's digest: one digest per recipient per meeting."""
    return f"meeting:{meeting_id}"


def digest_day(ctx: Context, meeting: MeetingInfo) -> dt.date:
    """The working day the digest for ``meeting`` is due (``digest_days`` before it)."""
    return ctx.calendar.shift(meeting.date, -ctx.settings.digest_days)


def chairs(ctx: Context) -> list[Person]:
    """The partnership's chairs, by name (on Slack or not)."""
    return people_with_role(ctx, Role.CHAIR)


def sent_log(ctx: Context, meeting_id: int) -> list[dict[str, Any]]:
    """Who a meeting's digest has gone to (or is going to), when, and in what state."""
    rows = ctx.session.execute(
        select(
            Notification.target, Notification.state, Notification.claimed_at, Notification.sent_at
        )
        .where(
            Notification.partnership_id == ctx.partnership.id,
            Notification.kind == KIND,
            Notification.period == period(meeting_id),
        )
        .order_by(Notification.claimed_at, Notification.id)
    ).all()
    ids = [int(r.target.split(":", 1)[1]) for r in rows if r.target.startswith("person:")]
    names: dict[int, str] = {}
    if ids:
        names = {
            person_id: name
            for person_id, name in ctx.session.execute(
                select(Person.id, Person.name).where(
                    Person.partnership_id == ctx.partnership.id, Person.id.in_(ids)
                )
            )
        }
    out = []
    for row in rows:
        kind, _, key = row.target.partition(":")
        name = names.get(int(key), "a former chair") if kind == "person" else "the board channel"
        moment = (row.sent_at or row.claimed_at).astimezone(ctx.zone)
        out.append(
            {
                "name": name,
                "state": {
                    NotificationState.SENT: "sent",
                    NotificationState.CLAIMED: "being sent",
                    NotificationState.FAILED: "failed",
                }[row.state],
                "when": f"{uk(moment.date())} at {moment:%H:%M}",
            }
        )
    return out


# --------------------------------------------------------------------------- the digest


def build(ctx: Context, meeting: MeetingInfo, meetings: list[MeetingInfo] | None = None) -> Digest:
    """The digest for ``meeting`` as of ``ctx.now``: a plain view-model and its snapshot."""
    meetings = board_meetings(ctx) if meetings is None else meetings
    today = ctx.today
    before = previous_meeting(meetings, meeting)
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

    statuses = rollup(ctx, overdue_cap=0)
    previous = _snapshot(ctx, before)
    priorities = [_priority_row(s, previous) for s in statuses]
    completed, slipped = _history(ctx, window_start, start, today)
    overdue = _overdue(ctx, today)
    reported = _returns(ctx, meeting)
    escalations = _escalations(ctx, window_start)
    measures = _measures(ctx, {s.id: s.code for s in statuses})

    rags = {key: 0 for key in ("red", "amber", "green", "not_rated")}
    for s in statuses:
        rags[s.rag.replace(" ", "_")] += 1
    states = {key: 0 for key in ("on_track", "off_track", "no_data")}
    for m in measures:
        states[str(m["state"]).replace(" ", "_")] += 1
    data: dict[str, Any] = {
        "partnership": ctx.partnership.name,
        "short_name": ctx.partnership.short_name or ctx.partnership.name,
        "group": group_name(ctx),
        "meeting": meeting.view(),
        "as_of": uk(today),
        "since": since,
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
        "measures": measures,
        "preview": None,
    }
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


def _snapshot(ctx: Context, before: MeetingInfo | None) -> dict[int, str]:
    """Each priority's RAG in the previous meeting's digest (empty when none was sent)."""
    if before is None:
        return {}
    rows = ctx.session.execute(
        select(DigestSnapshot.priority_id, DigestSnapshot.rag).where(
            DigestSnapshot.partnership_id == ctx.partnership.id,
            DigestSnapshot.meeting_id == before.id,
        )
    )
    return {priority_id: rag for priority_id, rag in rows}


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


# --------------------------------------------------------------------------- history


def _history(
    ctx: Context, window_start: dt.datetime, start: dt.date, today: dt.date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Actions completed, and actions that slipped, since ``start``: one query.

    Completed: a history entry in the window changed the status to complete
    (the entry that created an action does not count) and it is still complete.
    Slipped (still open): an entry in the window moved the due date later or
    worsened the RAG, or the due date itself fell in the window.
    """
    owner = aliased(Person)
    by = aliased(Person)
    rows = ctx.session.execute(
        select(
            Action.id,
            Action.ref,
            Action.title,
            Action.status,
            Action.rag,
            Action.due_date,
            Action.position,
            Priority.code.label("priority"),
            owner.name.label("owner"),
            ActionUpdate.at,
            ActionUpdate.changes,
            by.name.label("by"),
        )
        .select_from(Action)
        .outerjoin(
            ActionUpdate,
            (ActionUpdate.action_id == Action.id) & (ActionUpdate.at >= window_start),
        )
        .outerjoin(Priority, Priority.id == Action.priority_id)
        .outerjoin(owner, owner.id == Action.owner_id)
        .outerjoin(by, by.id == ActionUpdate.by_id)
        .where(
            Action.partnership_id == ctx.partnership.id,
            or_(
                ActionUpdate.id.is_not(None),
                (Action.due_date >= start) & (Action.due_date < today),
            ),
            Action.status != Status.DROPPED,
        )
        .order_by(Action.position, Action.id, ActionUpdate.at, ActionUpdate.id)
    )
    completed: dict[int, dict[str, Any]] = {}
    slipped: dict[int, dict[str, Any]] = {}
    for row in rows:
        base = {
            "ref": row.ref,
            "title": row.title,
            "priority": row.priority or "",
            "owner": row.owner or "",
        }
        changes: dict[str, Any] = row.changes or {}
        if row.status == Status.COMPLETE:
            status = changes.get("status")
            if _pair(status) and status[0] is not None and status[1] == Status.COMPLETE.value:
                on = row.at.astimezone(ctx.zone).date()
                completed[row.id] = {**base, "on": uk(on), "by": row.by or ""}
            continue
        reasons = _slips(changes)
        due = row.due_date
        if due is not None and start <= due < today:
            reasons.append(f"overdue since {uk(due + dt.timedelta(days=1))}")
        if not reasons:
            continue
        item = slipped.setdefault(
            row.id,
            {
                **base,
                "status": row.status.value.replace("_", " "),
                "rag": row.rag.value if row.rag else "",
                "due": uk(due),
                "reasons": [],
            },
        )
        item["reasons"] += [r for r in reasons if r not in item["reasons"]]
    return list(completed.values()), list(slipped.values())


def _pair(value: Any) -> TypeGuard[list[Any]]:
    return isinstance(value, list) and len(value) == 2


def _iso(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _slips(changes: dict[str, Any]) -> list[str]:
    """What in one history entry counts as slipping: a later due date, a worse RAG."""
    reasons = []
    due = changes.get("due_date")
    if _pair(due):
        old, new = _iso(due[0]), _iso(due[1])
        if old is not None and new is not None and new > old:
            reasons.append(f"due date moved from {uk(old)} to {uk(new)}")
    rag = changes.get("rag")
    if _pair(rag):
        old_rag, new_rag = rag
        if old_rag in RAG_RANK and new_rag in RAG_RANK and RAG_RANK[new_rag] < RAG_RANK[old_rag]:
            reasons.append(f"RAG {old_rag} → {new_rag}")
    return reasons


# --------------------------------------------------------------------------- overdue


def _overdue(ctx: Context, today: dt.date) -> dict[str, Any]:
    """Open actions past their due date, by owner and by organisation: one query.

    An action counts against its owner's organisation, else its lead
    organisation; with neither it is under "No organisation".
    """
    owner_org = aliased(Organisation)
    lead_org = aliased(Organisation)
    rows = ctx.session.execute(
        select(
            Action.ref,
            Action.title,
            Action.due_date,
            Priority.code.label("priority"),
            Person.name.label("owner"),
            owner_org.name.label("owner_org"),
            lead_org.name.label("lead_org"),
        )
        .select_from(Action)
        .outerjoin(Priority, Priority.id == Action.priority_id)
        .outerjoin(Person, Person.id == Action.owner_id)
        .outerjoin(owner_org, owner_org.id == Person.organisation_id)
        .outerjoin(lead_org, lead_org.id == Action.lead_organisation_id)
        .where(
            Action.partnership_id == ctx.partnership.id,
            Action.status.in_(OPEN),
            Action.due_date < today,
        )
        .order_by(Action.due_date, Action.position, Action.id)
    )
    owners: dict[str, list[dict[str, Any]]] = defaultdict(list)
    orgs: dict[str, list[str]] = defaultdict(list)
    count = 0
    for row in rows:
        count += 1
        item = {
            "ref": row.ref,
            "title": row.title,
            "priority": row.priority or "",
            "due": uk(row.due_date),
            "days": (today - row.due_date).days,
        }
        owners[row.owner or NO_OWNER].append(item)
        orgs[row.owner_org or row.lead_org or NO_ORGANISATION].append(row.ref)

    def order(name: str, size: int, unnamed: str) -> tuple[int, int, str]:
        # Most overdue first; the "no owner"/"no organisation" bucket last.
        return (name == unnamed, -size, name.lower())

    by_owner = [
        {"name": name, "none": name == NO_OWNER, "count": len(items), "actions": items}
        for name, items in sorted(owners.items(), key=lambda kv: order(kv[0], len(kv[1]), NO_OWNER))
    ]
    by_org = [
        {"name": name, "none": name == NO_ORGANISATION, "count": len(refs), "refs": refs}
        for name, refs in sorted(
            orgs.items(), key=lambda kv: order(kv[0], len(kv[1]), NO_ORGANISATION)
        )
    ]
    return {"count": count, "by_owner": by_owner, "by_org": by_org}


# --------------------------------------------------------------------------- returns


def report_quarter(ctx: Context, meeting: MeetingInfo) -> tuple[Quarter, Deadline] | None:
    """The latest quarter whose returns were due on or before the meeting, with its deadline.

    The deadline is the one every returns command uses (:func:`commands.returns.deadline`).
    """
    quarter = ctx.fy.quarter_of(meeting.date)
    for _ in range(QUARTERS_BACK):
        due = returns.deadline(ctx, *quarter)
        if due.day <= meeting.date:
            return quarter, due
        quarter = returns.previous(quarter)
    return None


def _returns(ctx: Context, meeting: MeetingInfo) -> dict[str, Any] | None:
    """Which sub-groups' returns for the reported quarter are in and which are missing."""
    found = report_quarter(ctx, meeting)
    if found is None:
        return None
    quarter, due = found
    standings = returns.standings(ctx, quarter, due=due)
    if not standings:
        return None
    came_in: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for s in standings:
        if s.state == returns.SUBMITTED:
            came_in.append(
                {
                    "group": s.group,
                    "submitted": uk(s.submitted_on),
                    "by": s.by or "",
                    "late": s.late,
                }
            )
        else:
            # Overdue, or not due yet (a group given an extension, or a deadline still ahead).
            missing.append(
                {
                    "group": s.group,
                    "lead": s.lead or "",
                    "overdue": s.state == returns.OVERDUE,
                    "deadline": uk(s.deadline),
                }
            )
    return {
        "quarter": quarter_label(*quarter),
        "year": fy_label(quarter[0]),
        "deadline": uk(due.day),
        "rule": due.rule,
        "passed": due.day < ctx.today,
        "expected": len(standings),
        "in": came_in,
        "missing": missing,
    }


def _escalations(ctx: Context, window_start: dt.datetime) -> list[dict[str, Any]]:
    """Escalations for the board in returns submitted since the last meeting: one query."""
    rows = ctx.session.execute(
        select(
            SubGroup.name,
            QuarterlyReturn.fy_start_year,
            QuarterlyReturn.quarter,
            QuarterlyReturn.submitted_at,
            QuarterlyReturn.escalations,
        )
        .join(SubGroup, SubGroup.id == QuarterlyReturn.subgroup_id)
        .where(
            QuarterlyReturn.partnership_id == ctx.partnership.id,
            QuarterlyReturn.submitted_at >= window_start,
            QuarterlyReturn.escalations.is_not(None),
            func.length(func.trim(QuarterlyReturn.escalations)) > 0,
        )
        .order_by(QuarterlyReturn.submitted_at, QuarterlyReturn.id)
    )
    out: list[dict[str, Any]] = []
    for name, fy, quarter, at, text in rows:
        lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
        out.append(
            {
                "group": name,
                "quarter": quarter_label(fy, quarter),
                "submitted": uk(at.astimezone(ctx.zone).date()) if at is not None else "",
                "text": " ".join(lines),
                "lines": lines,
            }
        )
    return out


# --------------------------------------------------------------------------- measures


def _measures(ctx: Context, codes: dict[int, str]) -> list[dict[str, Any]]:
    """Every measure against its target, with the trend of its last two readings: two queries."""
    pid = ctx.partnership.id
    ranked = ranked_readings(pid)
    readings: dict[int, list[Any]] = defaultdict(list)
    for reading in ctx.session.execute(
        select(ranked).where(ranked.c.rank <= 2).order_by(ranked.c.measure_id, ranked.c.rank)
    ):
        readings[reading.measure_id].append(reading)
    measures = ctx.session.scalars(
        select(Measure)
        .outerjoin(Priority, Priority.id == Measure.priority_id)
        .where(Measure.partnership_id == pid)
        .order_by(Priority.position.is_(None), Priority.position, Measure.position, Measure.id)
    )
    out: list[dict[str, Any]] = []
    for measure in measures:
        latest, *rest = readings.get(measure.id) or [None]
        prior = rest[0] if rest else None
        status = judge_measure(
            measure,
            latest.value if latest is not None else None,
            latest.period_end if latest is not None else None,
            latest.period if latest is not None else "",
            ctx.fy,
        )
        row = status.view()
        row["name"] = measure.name
        row["priority"] = codes.get(measure.priority_id or 0, "")
        row["previous"] = number(prior.value, measure.unit) if prior is not None else ""
        row["previous_period"] = prior.period if prior is not None else ""
        row["trend"] = _trend(
            latest.value if latest is not None else None,
            prior.value if prior is not None else None,
            measure,
        )
        out.append(row)
    return out


def _trend(latest: float | None, prior: float | None, measure: Measure) -> dict[str, str]:
    """Which way the last two readings moved (the arrow) and whether that is good (the word)."""
    if latest is None or prior is None:
        return {"arrow": "", "word": ""}
    if latest == prior:
        return {"arrow": "→", "word": "no change"}
    arrow = "↑" if latest > prior else "↓"
    if measure.direction is None:
        return {"arrow": arrow, "word": "up" if latest > prior else "down"}
    return {
        "arrow": arrow,
        "word": "better" if better(latest, prior, measure.direction) else "worse",
    }
