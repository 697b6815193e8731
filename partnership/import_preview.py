"""A file sent from Slack: previewed as a dry run, then imported exactly as previewed.

:func:`preview` reads the file as ``csp-bot import`` does
(:mod:`partnership.plan_import`), applies it inside a savepoint that is rolled
back (the dry run), and keeps the bytes server-side under a random token with
a fingerprint of what the partnership held (:class:`storage.models.PendingImport`).
:func:`apply_pending` (the Import buttons) refuses unless the same partnership's
coordinator presses it within a day and the fingerprint still matches — the
plan unchanged since the preview, so the import does what the preview said —
then applies the same bytes for real, recorded in history as the coordinator's
import of that file (``ActionUpdate.file_name``, who and when); the preview row
is then deleted, history being the import's record.

A re-import merges (:mod:`storage.sync_held`): the preview lists, as the CLI
prints them, the values the bot kept (the file's older value ignored) and each
conflict. When there are conflicts it offers two choices — keep the bot's
values, or take the file's (``--prefer-file``) — and each button's value
carries its choice (``TOKEN:keep`` / ``TOKEN:file``), so it applies what the
preview showed for that choice; a choice the preview did not offer is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from partnership.context import Context, Refused, Reply, UserError
from partnership.messages import files as say
from partnership.perms import require_coordinator
from partnership.plan_import import Incoming, read_upload
from storage.models import (
    Action,
    ActionUpdate,
    Channel,
    ImportBase,
    Measure,
    MeasureReading,
    Meeting,
    Organisation,
    Partnership,
    PendingImport,
    Person,
    PlanChange,
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
# A button's choice: keep the bot's values in a conflict, or take the file's.
KEEP, TAKE_FILE = "keep", "file"
# What an import reads or writes (the merge's bases and the history it names who from
# included): any change to these since the preview refuses the button.
_HELD: tuple[Any, ...] = (
    ImportBase,
    PlanChange,
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
    """Forget previews older than a day (and any applied row an older version kept)."""
    session.execute(
        delete(PendingImport).where(
            (PendingImport.created_at < now - EXPIRES) | PendingImport.applied_at.is_not(None)
        )
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


def _apply(ctx: Context, incoming: Incoming, *, prefer_file: bool = False) -> ImportReport:
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
            prefer_file=prefer_file,
        )
    except PlanError as exc:
        raise UserError(say.plan_problems(name=incoming.name, problems=exc.render())) from None


def _dry_run(ctx: Context, incoming: Incoming, *, prefer_file: bool = False) -> ImportReport:
    """What the import would do, in a savepoint rolled back: nothing is kept."""
    savepoint = ctx.session.begin_nested()
    try:
        return _apply(ctx, incoming, prefer_file=prefer_file)
    finally:
        savepoint.rollback()


def _listed(items: list[str]) -> dict[str, Any]:
    """The first lines of a list and how many more there are."""
    return {"lines": items[:SHOWN], "more": max(0, len(items) - SHOWN), "count": len(items)}


def _updated(report: ImportReport) -> list[str]:
    """The rows an import changed, each with the fields it changed."""
    return [str(c).removeprefix("updated ") for c in report.changes if c.verb == "updated"]


def _view(incoming: Incoming, report: ImportReport, *, preview: bool) -> dict[str, Any]:
    """The preview's (and the result's) view-model: mapping, changes, merge, refused rows."""
    table = incoming.table
    created = [f"{c.kind} {c.key}" for c in report.changes if c.verb == "created"]
    kinds = sorted({c.kind for c in report.changes} | set(report.unchanged))
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
        "updated": _listed(_updated(report)),
        # The merge's lines as the CLI prints them; a preview's conflicts await the choice.
        "kept": _listed(report.kept_lines()),
        "conflicts": _listed(report.conflict_lines(outcome=not preview)),
        "bad_rows": _listed([str(b) for b in table.bad_rows] if table is not None else []),
        "warnings": _listed(list(report.warnings)),
        "changed": report.changed,
    }


def preview(ctx: Context, name: str, data: bytes) -> Reply:
    """Read a file sent from Slack, run its import as a dry run, and keep it for the button."""
    require_coordinator(ctx, "import a plan")
    purge(ctx.session, ctx.now)
    incoming = _read(ctx, name, data)
    held = fingerprint(ctx.session, ctx.partnership)
    report = _dry_run(ctx, incoming)
    view = _view(incoming, report, preview=True)
    bad = incoming.table is not None and bool(incoming.table.bad_rows)
    nothing = not report.changed and not bad and not report.conflicts
    view["taking_file"] = _listed([])
    if report.conflicts:
        # What the other choice would change, from its own dry run of the same bytes.
        taking = _dry_run(ctx, incoming, prefer_file=True)
        view["taking_file"] = _listed(_updated(taking))
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
    view |= {
        "token": token,
        "readable_only": bad,
        "nothing": nothing,
        "buttons": _buttons(token, readable=bad, choice=bool(report.conflicts)) if token else [],
    }
    return Reply(PREVIEW, view, text=say.preview_text(name=incoming.name))


def _buttons(token: str, *, readable: bool, choice: bool) -> list[dict[str, Any]]:
    """The preview's buttons: Import (one per choice when there are conflicts), then Cancel."""
    verb = "import_readable" if readable else "import_apply"
    if choice:
        offered = [
            (say.import_keeping(readable=readable), KEEP, verb),
            (say.import_taking_file(readable=readable), TAKE_FILE, f"{verb}_file"),
        ]
    else:
        offered = [(say.import_label(readable=readable), KEEP, verb)]
    found = [
        {"text": text, "action_id": action, "value": f"{token}:{kind}", "primary": i == 0}
        for i, (text, kind, action) in enumerate(offered)
    ]
    return [
        *found,
        {"text": "Cancel", "action_id": "import_cancel", "value": token, "primary": False},
    ]


def button_token(value: str) -> str:
    """The preview's token in a button's value (``TOKEN`` or ``TOKEN:choice``)."""
    return value.partition(":")[0][:64]


def button_choice(value: str) -> str:
    """The choice a button's value carries: ``keep`` unless it says otherwise."""
    return value.partition(":")[2][:20] or KEEP


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


def apply_pending(ctx: Context, token: str, *, readable: bool, choice: str = KEEP) -> Reply:
    """Import exactly what a preview showed for ``choice``; refuse if the plan changed since.

    A forged choice — one no button carries, or the file's values on a preview
    without conflicts (which offered no such button) — is refused, and the
    caller's transaction, rolled back on the refusal, writes nothing.
    """
    row = _pending(ctx, token)
    if choice not in (KEEP, TAKE_FILE):
        raise UserError(say.BAD_CHOICE)
    if fingerprint(ctx.session, ctx.partnership) != row.fingerprint:
        raise UserError(say.PLAN_CHANGED)
    incoming = _read(ctx, row.filename, row.data)
    if incoming.table is not None and incoming.table.bad_rows and not readable:
        raise UserError(say.ALL_ROWS_REFUSED)
    report = _apply(ctx, incoming, prefer_file=choice == TAKE_FILE)
    if choice == TAKE_FILE and not report.conflicts:
        raise UserError(say.BAD_CHOICE)
    # History now records the import (who, when, the file's name): the preview is done.
    ctx.session.delete(row)
    view = _view(incoming, report, preview=False) | {"by": ctx.who}
    return Reply(DONE, view, text=say.imported_text(name=incoming.name))


def cancel_pending(ctx: Context, token: str) -> Reply:
    """Drop a preview without importing anything."""
    row = _pending(ctx, token)
    ctx.session.delete(row)
    return Reply("import_cancelled", {"message": say.CANCELLED}, text=say.CANCELLED)
