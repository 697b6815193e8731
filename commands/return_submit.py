"""``/csp return submit``: a sub-group's quarterly return, in a form (or typed), with history."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from commands.framework.core import Form, Result
from commands.framework.registry import Args, command
from partnership import cycles, periods, quarters
from partnership.context import MAX_TEXT, Context, Reply, UserError
from partnership.messages import cycles as say_cycles
from partnership.messages import returns as say
from partnership.messages.values import keep_under
from partnership.quarters import Quarter, again
from partnership.rollup import ICONS
from storage.cycles import QUARTERLY
from storage.dates import uk
from storage.models import (
    Priority,
    QuarterlyReturn,
    Rag,
    ReturnPriorityRag,
    ReturnRevision,
    SubGroup,
)
from storage.words import RAG_WORDS, fold

# Argument name -> (column, how the field is named to people).
TEXTS = {
    "summary": ("summary", "summary"),
    "achievements": ("achievements", "achievements"),
    "issues": ("issues_risks", "issues and risks"),
    "escalations": ("escalations", "escalations for the board"),
}
RAG_PREFIX = "rag_"
EXAMPLE = '/csp return submit summary:"Patrols in the hotspots" rag:P1=green'


def button_args(value: str) -> Args:
    """The arguments a reminder's "Submit the return" button carries (``12:2026-3``)."""
    group_id, _, quarter = value.partition(":")
    values = {"group_id": group_id}
    if quarter:
        values["quarter"] = quarter
    return Args(values)


@command(
    "return submit",
    usage='[group:<name>] [quarter:<Q3 2026/27 or H1 2027/28 …>] [summary:"…" rag:P1=green …]',
    examples=(
        "/csp return submit",
        '/csp return submit group:"ASB Steering Group" quarter:Q2',
        '/csp return submit summary:"Hotspot patrols running" rag:P1=green',
    ),
    rest="words",
    button=button_args,
    keys=("group", "quarter", "summary", "achievements", "issues", "escalations", "rag"),
    aliases={
        "subgroup": "group",
        "period": "quarter",
        "risks": "issues",
        "issues_risks": "issues",
        "escalation": "escalations",
        "achieved": "achievements",
    },
    date_keys=("quarter",),
)
def return_submit(ctx: Context, args: Args) -> Result:
    """Submit or amend your sub-group's quarterly return; with nothing typed, open the form.

    The return has a summary, achievements, issues and risks, escalations for
    the board and a RAG for each priority the group covers; typed, they are
    `summary:` `achievements:` `issues:` `escalations:` and `rag:P1=green,P2=amber`.
    It is for the latest ended quarter unless you name one (`quarter:Q3`); a
    group on another cycle names its period so (`quarter:"H1 2027/28"`,
    `quarter:"March 2027"`, `quarter:18/03/2027` for the report before that
    meeting). A
    group's lead or a coordinator may submit it; it can be amended until the
    end of the deadline day, and each earlier version is kept.
    """
    group = quarters.resolve_group(ctx, args.get("group"), args.get("words"), args.get("group_id"))
    quarters.require_submit(ctx, group)
    if group.closed_on is not None:
        # An old reminder's button or a form opened before the close: nothing is owed now.
        raise UserError(say.group_closed(group=group.name, on=uk(group.closed_on)))
    text = args.get("quarter")
    cycle = cycles.cycle_of(ctx, group)
    quarter = periods.read(ctx, text, cycle) if text else quarters.default_quarter(ctx, group)
    if not quarters.owes(ctx, group.end_date, quarter):
        assert group.end_date is not None
        raise UserError(
            say.group_ended(
                group=group.name, ended=uk(group.end_date), quarter=quarters.label(quarter)
            )
        )
    created = group.created_on
    late_made = created is not None and cycles.deadline(ctx, quarter, cycle).day < created
    if late_made and load_return(ctx, group, quarter) is None:
        # Created after the period's deadline: nothing is owed, nothing to amend.
        raise UserError(
            say_cycles.not_owed(group=group.name, period=quarters.label(quarter), cycle=str(cycle))
        )
    existing = load_return(ctx, group, quarter)
    standing = quarters.standings(ctx, quarter, [group])[0]
    if standing.state == quarters.SUBMITTED and ctx.today > standing.deadline:
        raise UserError(closed_message(ctx, group, quarter, standing))
    writing = any(name in args.values for name in (*TEXTS, "rag")) or any(
        name.startswith(RAG_PREFIX) for name in args.values
    )
    if not writing:
        return return_form(ctx, group, quarter, existing, standing)
    texts, rags = read_content(args, group.priorities)
    # Lock the row so two amendments at once cannot both take the same "previous" version.
    existing = load_return(ctx, group, quarter, lock=True)
    check_version(ctx, existing, args.get("version"))
    return record(ctx, group, quarter, existing, standing, texts, rags)


def load_return(
    ctx: Context, group: SubGroup, quarter: Quarter, *, lock: bool = False
) -> QuarterlyReturn | None:
    """The group's return row for a quarter (with its RAGs), if there is one."""
    query = (
        select(QuarterlyReturn)
        .where(
            QuarterlyReturn.partnership_id == ctx.partnership.id,
            QuarterlyReturn.subgroup_id == group.id,
            QuarterlyReturn.fy_start_year == quarter[0],
            QuarterlyReturn.quarter == quarter[1],
        )
        .options(selectinload(QuarterlyReturn.priority_rags).joinedload(ReturnPriorityRag.priority))
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return ctx.session.scalars(query).first()


def closed_message(
    ctx: Context, group: SubGroup, quarter: Quarter, standing: quarters.Standing
) -> str:
    """Why a submitted return can no longer be amended, and what to do instead."""
    after = cycles.following(ctx, quarter)
    begun = after is not None and cycles.bounds(ctx, after)[0] <= ctx.today
    if after is not None and cycles.kind_of(after) == QUARTERLY:
        typed = quarters.label(after).split()[0]
    else:
        typed = f'"{quarters.label(after)}"' if after is not None else ""
    nxt = say.put_it_in(quarter=quarters.label(after) if begun and after else None, code=typed)
    return say.closed(
        group=group.name,
        quarter=quarters.label(quarter),
        submitted=uk(standing.submitted_on),
        deadline=uk(standing.deadline),
        nxt=nxt,
        coordinator=quarters.coordinator_phrase(ctx),
    )


def version_of(ctx: Context, ret: QuarterlyReturn | None) -> int:
    """The return's version: 0 before it is submitted, then 1 plus its earlier versions."""
    if ret is None or ret.submitted_at is None:
        return 0
    earlier = ctx.session.scalar(
        select(func.count()).select_from(ReturnRevision).where(ReturnRevision.return_id == ret.id)
    )
    return 1 + int(earlier or 0)


def return_form(
    ctx: Context,
    group: SubGroup,
    quarter: Quarter,
    existing: QuarterlyReturn | None,
    standing: quarters.Standing,
) -> Form:
    """The return form, pre-filled with the return when it is being amended."""
    version = version_of(ctx, existing)
    rags = {r.priority.code: r.rag.value for r in existing.priority_rags} if existing else {}
    values = {
        "group": group.name,
        "quarter": quarters.label(quarter),
        "span": quarters.span(ctx, quarter),
        "deadline": f"{standing.deadline:%A} {uk(standing.deadline)}",
        "late": "yes" if ctx.today > standing.deadline else "",
        "amending": str(version) if version else "",
        "submitted_on": uk(standing.submitted_on),
        "by": standing.by or "",
        "summary": (existing.summary or "") if existing else "",
        "achievements": (existing.achievements or "") if existing else "",
        "issues": (existing.issues_risks or "") if existing else "",
        "escalations": (existing.escalations or "") if existing else "",
        "max_length": str(MAX_TEXT),
    }
    for priority in group.priorities:
        values[RAG_PREFIX + priority.code] = rags.get(priority.code, "")
    return Form(
        name="return_submit",
        title=say.form_title(quarter=quarters.label(quarter)),
        values=values,
        options={
            "rag": [(r.value.title(), r.value) for r in Rag],
            "priorities": [(f"{p.code} {p.title}"[:150], p.code) for p in group.priorities],
        },
        meta={
            "group_id": str(group.id),
            "quarter": quarters.code(quarter),
            "version": str(version),
        },
    )


def read_text(value: str | None, name: str, *, required: bool = False) -> str | None:
    """A return's free text: trimmed, line breaks kept, at most MAX_TEXT characters."""
    words = TEXTS[name][1]
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise UserError(
                say.text_empty(words=words, example=EXAMPLE),
                fields={name: "Required"},
            )
        return None
    if len(text) > MAX_TEXT:
        raise UserError(
            say.text_too_long(words=words, length=len(text), limit=MAX_TEXT),
            fields={name: keep_under(limit=MAX_TEXT)},
        )
    return text


def read_content(
    args: Args, priorities: list[Priority]
) -> tuple[dict[str, str | None], dict[int, Rag]]:
    """Validate every field at once, so a form shows all its problems together."""
    texts: dict[str, str | None] = {}
    rags: dict[int, Rag] = {}
    errors: dict[str, str] = {}
    messages: list[str] = []
    for name in TEXTS:
        try:
            texts[name] = read_text(args.values.get(name), name, required=name == "summary")
        except UserError as exc:
            errors.update(exc.fields)
            messages.append(exc.message)
    try:
        typed = read_typed_rags(args.get("rag"), priorities)
    except UserError as exc:
        errors.update(exc.fields)
        messages.append(exc.message)
        typed = {}
    missing = []
    for priority in priorities:
        field = RAG_PREFIX + priority.code
        word = args.get(field) or typed.get(priority.code)
        rag = RAG_WORDS.get(fold(word)) if word else None
        if rag is None:
            missing.append(priority.code)
            errors.setdefault(field, "Choose red, amber or green")
        else:
            rags[priority.id] = rag
    if missing and "rag" not in errors:
        messages.append(say.rag_missing(missing=missing))
        errors.setdefault("rag", "Give a RAG for each priority")
    if errors:
        raise UserError(" ".join(messages), fields=errors)
    return texts, rags


def read_typed_rags(text: str | None, priorities: list[Priority]) -> dict[str, str]:
    """``P1=green,P2=amber`` (or just ``green`` for a group with one priority) -> code: word."""
    if text is None:
        return {}
    words = [w for w in re.split(r"[\s,;:=]+", text.strip()) if w]
    if len(words) == 1 and len(priorities) == 1:
        return {priorities[0].code: words[0]}
    codes = ", ".join(p.code for p in priorities) or "none"
    if len(words) % 2:
        raise UserError(
            say.rag_pairs(text=text, codes=codes),
            fields={"rag": "Write rag:P1=green,P2=amber"},
        )
    found: dict[str, str] = {}
    for name, word in zip(words[::2], words[1::2], strict=True):
        priority = next((p for p in priorities if same_code(p.code, name)), None)
        if priority is None:
            raise UserError(
                say.not_covered(name=name, codes=codes),
                fields={"rag": f"Priorities: {codes}"},
            )
        if RAG_WORDS.get(fold(word)) is None:
            raise UserError(
                say.not_a_rag(word=word, code=priority.code),
                fields={"rag": "Choose red, amber or green"},
            )
        found[priority.code] = word
    return found


def same_code(code: str, typed: str) -> bool:
    """``P2``, ``p2`` and ``2`` all name priority ``P2``."""
    return fold(code) == fold(typed) or fold(code).lstrip("p") == fold(typed).lstrip("p")


def check_version(ctx: Context, existing: QuarterlyReturn | None, version: str | None) -> None:
    """Refuse a form's submission if the return changed since the form was opened."""
    if version is None or not version.isdigit() or int(version) == version_of(ctx, existing):
        return
    who = existing.submitted_by.name if existing and existing.submitted_by else say.SOMEONE_ELSE
    raise UserError(
        say.saved_meanwhile(who=who),
        fields={"summary": "Changed by someone else since you opened this form"},
    )


def snapshot(ret: QuarterlyReturn) -> dict[str, Any]:
    """A return's content as plain JSON, kept when an amendment replaces it."""
    return {
        "summary": ret.summary,
        "achievements": ret.achievements,
        "issues_risks": ret.issues_risks,
        "escalations": ret.escalations,
        "rags": {r.priority.code: r.rag.value for r in ret.priority_rags},
    }


def record(
    ctx: Context,
    group: SubGroup,
    quarter: Quarter,
    existing: QuarterlyReturn | None,
    standing: quarters.Standing,
    texts: dict[str, str | None],
    rags: dict[int, Rag],
) -> Reply:
    """Save the return (keeping the version it replaces) and say what was recorded."""
    ret = existing
    if ret is None:
        ret = QuarterlyReturn(
            partnership_id=ctx.partnership.id,
            subgroup_id=group.id,
            fy_start_year=quarter[0],
            quarter=quarter[1],
        )
        ctx.session.add(ret)
    version = version_of(ctx, ret)
    amended = ret.submitted_at is not None
    if amended:
        ctx.session.add(
            ReturnRevision(
                partnership_id=ctx.partnership.id,
                return_id=ret.id,
                at=ret.submitted_at,
                by_id=ret.submitted_by_id,
                content=snapshot(ret),
            )
        )
    if ret.deadline is None:
        # Frozen at first submission: a later change of rule does not make it late.
        ret.deadline = standing.deadline
    ret.submitted_at = ctx.now.astimezone(dt.UTC)
    ret.submitted_by_id = ctx.person.id if ctx.person is not None else None
    for name, (column, _) in TEXTS.items():
        setattr(ret, column, texts[name])
    kept = {r.priority_id: r for r in ret.priority_rags}
    for row in list(ret.priority_rags):
        if row.priority_id not in rags:  # a priority the group no longer covers
            ret.priority_rags.remove(row)
    for priority_id, rag in rags.items():
        if priority_id in kept:
            kept[priority_id].rag = rag
        else:
            ret.priority_rags.append(ReturnPriorityRag(priority_id=priority_id, rag=rag))
    ctx.session.flush()
    late = ctx.today > ret.deadline
    data = {
        "group": group.name,
        "quarter": quarters.label(quarter),
        "amended": amended,
        "version": version + 1,
        "late": late,
        "late_days": (ctx.today - ret.deadline).days if late else 0,
        "late_working": quarters.working_days_between(ctx, ret.deadline, ctx.today) if late else 0,
        "deadline": uk(ret.deadline),
        "weekday": f"{ret.deadline:%A}",
        "by": ctx.who,
        "again": again(group.name, quarter),
        "summary": texts["summary"] or "",
        "achievements": texts["achievements"] or "",
        "issues": texts["issues"] or "",
        "escalations": texts["escalations"] or "",
        "rags": [
            {
                "code": p.code,
                "title": p.title,
                "rag": rags[p.id].value,
                "icon": ICONS[rags[p.id].value],
            }
            for p in group.priorities
            if p.id in rags
        ],
    }
    return Reply(
        "return_submitted",
        data,
        text=say.submitted(
            group=group.name,
            quarter=quarters.label(quarter),
            version=version + 1 if amended else None,
        ),
    )
