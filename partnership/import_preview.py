"""A file sent from Slack: previewed as a dry run, then imported exactly as previewed.

:func:`preview` reads the file as ``csp-bot import`` does
(:mod:`partnership.plan_import`), applies it inside a savepoint that is rolled
back (the dry run), and keeps the bytes server-side under a random token with
a fingerprint of what the partnership held (:class:`storage.models.PendingImport`).
:func:`apply_pending` (the Import buttons) refuses unless the same partnership's
coordinator presses it within a day and the fingerprint still matches — the
plan unchanged since the preview, so the import does what the preview said —
then applies the same bytes for real, recorded in history as the coordinator's
import of that file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from partnership.context import Context, Refused, Reply, UserError
from partnership.messages import files as say
from partnership.perms import require_coordinator
from partnership.plan_import import Incoming, read_upload
from storage.models import (
    Action,
    ActionUpdate,
    Channel,
    Measure,
    MeasureReading,
    Meeting,
    Organisation,
    Partnership,
    PendingImport,
    Person,
    Priority,
    Source,
    SubGroup,
)
from storage.plan_problems import PlanError
from storage.sync import ImportReport, apply_plan

PREVIEW = "import_preview"
DONE = "import_done"
EXPIRES = dt.timedelta(days=1)
# Lines of a list the preview shows before "and N more".
SHOWN = 15
# What an import reads or writes: any change to these since the preview refuses the button.
_HELD: tuple[Any, ...] = (
    Organisation,
    Person,
    Priority,
    SubGroup,
    Measure,
    MeasureReading,
    Meeting,
    Action,
    Channel,
)


def fingerprint(session: Session, partnership: Partnership) -> str:
    """A digest of everything an import of this partnership compares against."""
    digest = hashlib.sha256()
    columns = list(Partnership.__table__.columns)
    digest.update(
        repr(
            session.execute(select(*columns).where(Partnership.id == partnership.id)).all()
        ).encode()
    )
    for model in _HELD:
        table = model.__table__
        rows = session.execute(
            select(*table.columns)
            .where(table.c.partnership_id == partnership.id)
            .order_by(*table.primary_key.columns)
        ).all()
        digest.update(table.name.encode() + repr(rows).encode())
    last = session.scalar(
        select(ActionUpdate.id)
        .where(ActionUpdate.partnership_id == partnership.id)
        .order_by(ActionUpdate.id.desc())
        .limit(1)
    )
    digest.update(f"history {last}".encode())
    return digest.hexdigest()


def purge(session: Session, now: dt.datetime) -> None:
    """Forget previews older than a day; an applied one keeps its record but not its bytes."""
    cutoff = now - EXPIRES
    session.execute(
        delete(PendingImport).where(
            PendingImport.created_at < cutoff, PendingImport.applied_at.is_(None)
        )
    )
    session.execute(
        update(PendingImport)
        .where(PendingImport.created_at < cutoff, PendingImport.applied_at.is_not(None))
        .values(data=b"")
    )


def _read(ctx: Context, name: str, data: bytes) -> Incoming:
    """Read the file, and refuse a plan file that is another partnership's or moves workspaces."""
    incoming = read_upload(name, data, fy=ctx.fy)
    section = incoming.plan.partnership
    if section is None:
        return incoming
    if section.resolved_slug != ctx.partnership.slug:
        raise UserError(
            say.plan_of_another(name=incoming.name, plan=section.name, here=ctx.partnership.name)
        )
    slack = section.slack
    if slack is not None and (
        slack.admitted is not None
        or (slack.team_id is not None and slack.team_id != ctx.partnership.slack_team_id)
    ):
        raise Refused(say.WORKSPACE_IN_PLAN)
    return incoming


def _apply(ctx: Context, incoming: Incoming) -> ImportReport:
    """The import the CLI runs, in the caller's transaction, as this coordinator's."""
    try:
        return apply_plan(
            ctx.session,
            incoming.plan,
            source_name=incoming.name,
            partnership=ctx.partnership if incoming.plan.partnership is None else None,
            by=ctx.person,
            source=Source.IMPORT,
            now=ctx.now,
        )
    except PlanError as exc:
        raise UserError(say.plan_problems(name=incoming.name, problems=exc.render())) from None


def _dry_run(ctx: Context, incoming: Incoming) -> ImportReport:
    """What the import would do, in a savepoint rolled back: nothing is kept."""
    savepoint = ctx.session.begin_nested()
    try:
        return _apply(ctx, incoming)
    finally:
        savepoint.rollback()


def _listed(items: list[str]) -> dict[str, Any]:
    """The first lines of a list and how many more there are."""
    return {"lines": items[:SHOWN], "more": max(0, len(items) - SHOWN), "count": len(items)}


def _difference(item: Any) -> str:
    """One conflict as a line: the row and field, both values, who made the bot's."""
    if not hasattr(item, "file_value"):
        return str(item)
    return say.conflict_line(
        row=f"{item.kind} {item.key}",
        field=str(item.field),
        file_value=str(item.file_value),
        bot_value=str(item.bot_value),
        who=str(item.who or ""),
    )


def _view(incoming: Incoming, report: ImportReport) -> dict[str, Any]:
    """The preview's (and the result's) view-model: mapping, changes, refused rows, warnings."""
    table = incoming.table
    created = [f"{c.kind} {c.key}" for c in report.changes if c.verb == "created"]
    updated = [str(c).removeprefix("updated ") for c in report.changes if c.verb == "updated"]
    kinds = sorted({c.kind for c in report.changes} | set(report.unchanged))
    # The merge's conflicts, where the report has them (the three-way merge branch).
    conflicts = [_difference(c) for c in getattr(report, "conflicts", [])]
    return {
        "file": incoming.name,
        "mapping": table.mapping_report().splitlines() if table is not None else [],
        "plan_file": table is None,
        "counts": [
            {
                "kind": kind,
                "created": report.count(kind, "created"),
                "updated": report.count(kind, "updated"),
                "unchanged": report.unchanged.get(kind, 0),
            }
            for kind in kinds
        ],
        "created": _listed(created),
        "updated": _listed(updated),
        "bad_rows": _listed([str(b) for b in table.bad_rows] if table is not None else []),
        "warnings": _listed(list(report.warnings)),
        "conflicts": _listed(conflicts),
        "changed": report.changed,
    }


def preview(ctx: Context, name: str, data: bytes) -> Reply:
    """Read a file sent from Slack, run its import as a dry run, and keep it for the button."""
    require_coordinator(ctx, "import a plan")
    purge(ctx.session, ctx.now)
    incoming = _read(ctx, name, data)
    held = fingerprint(ctx.session, ctx.partnership)
    report = _dry_run(ctx, incoming)
    view = _view(incoming, report)
    bad = incoming.table is not None and bool(incoming.table.bad_rows)
    nothing = not report.changed and not bad
    token = ""
    if not nothing:
        token = secrets.token_urlsafe(24)
        ctx.session.add(
            PendingImport(
                token=token,
                partnership_id=ctx.partnership.id,
                person_id=ctx.person.id if ctx.person is not None else None,
                filename=incoming.name,
                data=data,
                fingerprint=held,
                created_at=ctx.now,
            )
        )
    view |= {"token": token, "readable_only": bad, "nothing": nothing}
    return Reply(PREVIEW, view, text=say.preview_text(name=incoming.name))


def pending_partnership(session: Session, token: str) -> str | None:
    """The slug of the partnership a preview belongs to, or None if there is no such preview."""
    return session.scalar(
        select(Partnership.slug)
        .join(PendingImport, PendingImport.partnership_id == Partnership.id)
        .where(PendingImport.token == token, PendingImport.applied_at.is_(None))
    )


def _pending(ctx: Context, token: str) -> PendingImport:
    """The preview behind a button, if it is this partnership's, unused and not expired."""
    require_coordinator(ctx, "import a plan")
    row = ctx.session.get(PendingImport, token)
    if row is None or row.applied_at is not None:
        raise UserError(say.PREVIEW_GONE)
    if row.partnership_id != ctx.partnership.id:
        raise Refused(say.other_partnership(name=ctx.partnership.name))
    if row.created_at < ctx.now - EXPIRES:
        ctx.session.delete(row)
        raise UserError(say.PREVIEW_GONE)
    return row


def apply_pending(ctx: Context, token: str, *, readable: bool) -> Reply:
    """Import exactly what a preview showed; refuse if the plan has changed since."""
    row = _pending(ctx, token)
    if fingerprint(ctx.session, ctx.partnership) != row.fingerprint:
        raise UserError(say.PLAN_CHANGED)
    incoming = _read(ctx, row.filename, row.data)
    if incoming.table is not None and incoming.table.bad_rows and not readable:
        raise UserError(say.ALL_ROWS_REFUSED)
    report = _apply(ctx, incoming)
    row.applied_at = ctx.now
    row.applied_by_id = ctx.person.id if ctx.person is not None else None
    row.data = b""
    view = _view(incoming, report) | {"by": ctx.who}
    return Reply(DONE, view, text=say.imported_text(name=incoming.name))


def cancel_pending(ctx: Context, token: str) -> Reply:
    """Drop a preview without importing anything."""
    row = _pending(ctx, token)
    ctx.session.delete(row)
    return Reply("import_cancelled", {"message": say.CANCELLED}, text=say.CANCELLED)
