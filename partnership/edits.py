"""Reading typed values and changing an action with its history.

One path for every way of changing an action (typed command, modal, button,
console): values are validated here, each with a message that says what to
type, and every change is an ``ActionUpdate`` entry naming who made it (and on
whose behalf, when a coordinator or group lead records it for an owner who is
not on Slack).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from partnership.context import MAX_TEXT, MAX_TITLE, Context, Reply, UserError
from partnership.messages import values
from storage.dates import DateError, did_you_mean, parse_date, uk
from storage.models import Action, ActionUpdate, Person, Rag, Sara, Status
from storage.queries import history_value
from storage.words import RAG_WORDS, SARA_WORDS, STATUS_WORDS, field_label, fold

# What people also type for a SARA stage, and for "not problem-solving work".
SARA_TYPED: dict[str, Sara] = {
    **SARA_WORDS,
    "scan": Sara.SCANNING,
    "analyse": Sara.ANALYSIS,
    "analyze": Sara.ANALYSIS,
    "respond": Sara.RESPONSE,
    "assess": Sara.ASSESSMENT,
}
SARA_CLEAR = "none"  # the form's "not problem-solving" choice
SARA_NONE = (SARA_CLEAR, "no", "clear", "-")

# Who made an entry that names no person.
NOBODY = {"import": "the plan import", "console": "the console operator", "scheduler": "the bot"}


def read_text(
    value: str | None, field: str, *, limit: int = MAX_TEXT, required: bool = False
) -> str | None:
    """Clean free text: trimmed, within ``limit`` characters; None when blank."""
    text = " ".join(value.split()) if value is not None and field != "note" else value
    text = text.strip() if text is not None else None
    if not text:
        if required:
            raise UserError(values.empty(field=field), fields={field: "Required"})
        return None
    if len(text) > limit:
        raise UserError(
            values.text_too_long(field=field, length=len(text), limit=limit),
            fields={field: values.keep_under(limit=limit)},
        )
    return text


def read_title(value: str | None) -> str:
    """An action title: required, one line, at most MAX_TITLE characters."""
    title = read_text(value, "title", limit=MAX_TITLE, required=True)
    assert title is not None
    return title


def read_rag(value: str) -> Rag:
    """``red``/``amber``/``green`` (or ``r``/``a``/``g``)."""
    rag = RAG_WORDS.get(fold(value))
    if rag is None:
        raise UserError(
            values.not_a_rag(value=value),
            fields={"rag": "Choose red, amber or green"},
        )
    return rag


def read_status(value: str) -> Status:
    """A status word: not started, in progress, complete, dropped (and synonyms)."""
    status = STATUS_WORDS.get(fold(value))
    if status is None:
        raise UserError(
            values.not_a_status(value=value),
            fields={"status": "Choose a status"},
        )
    return status


def read_sara(value: str) -> Sara | None:
    """A SARA stage (scanning, analysis, response, assessment), or None for ``none``."""
    word = fold(value)
    if word in SARA_NONE:
        return None
    stage = SARA_TYPED.get(word)
    if stage is None:
        raise UserError(values.not_a_sara(value=value), fields={"sara": "Choose a SARA stage"})
    return stage


def read_due(ctx: Context, value: str) -> dt.date:
    """A due date in UK form, or relative to today."""
    try:
        return parse_date(value, fy=ctx.fy, today=ctx.today)
    except DateError:
        if hint := did_you_mean(value, "`"):
            raise UserError(
                values.not_a_date_hinted(value=value, hint=hint),
                fields={"due": hint[0].upper() + hint[1:].replace("`", "")},
            ) from None
        raise UserError(
            values.not_a_date(value=value),
            fields={"due": "Write a date such as 31/03/2027"},
        ) from None


def is_date(ctx: Context, value: str) -> bool:
    """Whether ``value`` reads as a date (used to read multi-word dates)."""
    try:
        parse_date(value, fy=ctx.fy, today=ctx.today)
    except DateError:
        return False
    return True


def change_action(
    ctx: Context, action: Action, wanted: dict[str, Any], note: str | None
) -> ActionUpdate | None:
    """Apply the changed values and note to ``action``; record one history entry.

    Returns the entry, or None when nothing changed and there was no note.
    A RAG rating or note on a not-started action means work has started. The
    writes are two Core statements, run at once (not at the session's flush).
    """
    if ("rag" in wanted or note) and "status" not in wanted and action.status == Status.NOT_STARTED:
        wanted = {**wanted, "status": Status.IN_PROGRESS}
    changes: dict[str, list[Any]] = {}
    changed: dict[str, Any] = {}
    for name, value in wanted.items():
        before = getattr(action, name)
        if before != value:
            changes[name] = [history_value(before), history_value(value)]
            changed[name] = value
    if not changes and not note:
        return None
    now = ctx.now.astimezone(dt.UTC)
    behalf = None
    owner = changed.get("owner", action.owner)  # the owner after this change
    if (
        owner is not None
        and (ctx.person is None or owner.id != ctx.person.id)
        and not owner.slack_user_id
    ):
        behalf = owner  # recorded for an owner who is not on Slack: history shows both names
    _write_action(ctx, action, changed, now)
    row = {
        "partnership_id": ctx.partnership.id,
        "action_id": action.id,
        "at": now,
        "by_id": ctx.person.id if ctx.person is not None else None,
        "on_behalf_of_id": behalf.id if behalf is not None else None,
        "source": ctx.source,
        "changes": changes,
        "note": note,
    }
    # One Core INSERT: the entry is only read back (the reply), never changed.
    entry_id = ctx.session.execute(_INSERT_ENTRY, row).scalar_one()
    entry = ActionUpdate(id=entry_id, **row)
    for name, value in (("action", action), ("by", ctx.person), ("on_behalf_of", behalf)):
        set_committed_value(entry, name, value)
    if "updates" in action.__dict__:  # a loaded history no longer holds every entry
        ctx.session.expire(action, ["updates"])
    return entry


# On the table, not the entity (so the session runs it as plain Core): the ORM's
# bulk-insert path around a single row cost as much as the statement (issue 17).
_ACTIONS = cast(Table, Action.__table__)
_ENTRIES = cast(Table, ActionUpdate.__table__)
_INSERT_ENTRY = insert(_ENTRIES).returning(_ENTRIES.c.id)
# Built once: the SET clause is the parameters' keys (the changed columns, updated_at,
# version), so no expression is constructed per request; the WHERE's own names
# cannot clash with a column's.
_UPDATE_ACTION = update(_ACTIONS).where(
    _ACTIONS.c.id == bindparam("where_id"), _ACTIONS.c.version == bindparam("where_version")
)


def _write_action(ctx: Context, action: Action, changed: dict[str, Any], now: dt.datetime) -> None:
    """One Core UPDATE of the changed columns that checks and bumps the optimistic lock.

    Always run, even when only a note changed: an entry computed from a stale read
    (another lead's change committed meanwhile) matches no row and raises
    ``StaleDataError``, and the runner runs the command again on fresh data, as the
    ORM's own version check did. The loaded action is then given the written values
    as committed ones, so it reads as the database holds it and has nothing to flush.
    """
    values: dict[str, Any] = {}
    for name, value in changed.items():
        relation = _RELATIONS.get(name)
        values[relation or name] = value.id if relation and value is not None else value
    version = action.version
    # A Core UPDATE on the table: the ORM's bulk-update path had nothing to synchronise.
    # Pending objects go first, as the ORM's statement would autoflush them (a new
    # owner's id, say); with nothing pending this returns at once.
    ctx.session.flush()
    result = ctx.session.execute(
        _UPDATE_ACTION,
        {
            **values,
            "updated_at": now,
            "version": version + 1,
            "where_id": action.id,
            "where_version": version,
        },
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleDataError(f"action {action.ref} changed meanwhile (version {version})")
    for name, value in {**changed, **values, "updated_at": now, "version": version + 1}.items():
        set_committed_value(action, name, value)


# An action's many-to-one relationships by attribute name: the column that holds them.
_RELATIONS: dict[str, str] = {
    rel.key: str(next(iter(rel.local_columns)).key)
    for rel in Action.__mapper__.relationships
    if rel.direction.name == "MANYTOONE"
}


# Ids per statement when many actions change at once (well inside every driver's limit).
BATCH = 500


def clear_owner(ctx: Context, owner: Person, actions: list[Action], note: str) -> None:
    """Take ``owner`` off many actions at once, one history entry each, in a few statements.

    What :func:`change_action` does one action at a time, for ``person remove``
    on a large plan: one UPDATE per :data:`BATCH` actions that names each action
    and its owner and bumps its version (so a concurrent edit still loses the
    optimistic lock), and one multi-row INSERT of the entries. If any action
    changed hands since it was read, fewer rows match and the command is run
    again on fresh data, as a stale single update would be.
    """
    if not actions:
        return
    now = ctx.now.astimezone(dt.UTC)
    ids = [a.id for a in actions]
    asker = ctx.person.id if ctx.person is not None else None
    # Recorded for an owner who is not on Slack, as change_action does.
    behalf = owner.id if asker != owner.id and not owner.slack_user_id else None
    matched = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        result = ctx.session.execute(
            update(Action)
            .where(Action.id.in_(chunk), Action.owner_id == owner.id)
            .values(owner_id=None, updated_at=now, version=Action.version + 1)
            .execution_options(synchronize_session=False)
        )
        matched += result.rowcount  # type: ignore[attr-defined]
    if matched != len(ids):
        raise StaleDataError(f"{len(ids) - matched} actions changed owner meanwhile")
    was = history_value(owner)
    ctx.session.execute(
        insert(ActionUpdate),
        [
            {
                "partnership_id": ctx.partnership.id,
                "action_id": action_id,
                "at": now,
                "by_id": asker,
                "on_behalf_of_id": behalf,
                "source": ctx.source,
                "changes": {"owner": [was, None]},
                "note": note,
            }
            for action_id in ids
        ],
    )
    for action in actions:
        ctx.session.expire(action)


def describe_change(entry: ActionUpdate | None) -> list[str]:
    """Human lines for what an entry changed (``RAG: amber → red``)."""
    if entry is None:
        return []
    lines = []
    for name, (old, new) in entry.changes.items():
        lines.append(f"{field_label(name)}: {shown(name, old)} → {shown(name, new)}")
    return lines


def shown(name: str, value: Any) -> str:
    """A history value as people read it (UK dates, words for statuses)."""
    if value is None:
        return "none"
    if name in ("due_date", "snoozed_until") and isinstance(value, str):
        try:
            return uk(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value).replace("_", " ")


def action_line(action: Action, today: dt.date) -> dict[str, Any]:
    """An action as a plain view-model row for list and detail templates."""
    due = action.due_date
    open_ = action.status in (Status.NOT_STARTED, Status.IN_PROGRESS)
    return {
        "ref": action.ref,
        "title": action.title,
        "status": action.status.value.replace("_", " "),
        "rag": action.rag.value if action.rag else "",
        "complete": action.status == Status.COMPLETE,
        "due": uk(due) if due else (action.timescale or ""),
        "overdue": bool(open_ and due is not None and due < today),
        "days_overdue": (today - due).days if open_ and due is not None and due < today else 0,
        "owner": action.owner.name if action.owner else "",
        "owner_slack": action.owner.slack_user_id if action.owner else None,
        "organisation": action.lead_organisation.name if action.lead_organisation else "",
        "priority": action.priority.code if action.priority else "",
        "group": action.subgroup.name if action.subgroup else "",
        "open": open_,
    }


def changed_reply(ctx: Context, action: Action, entry: ActionUpdate | None) -> Reply:
    """What the person sees after changing an action (or learning nothing changed)."""
    data = {
        "action": action_line(action, ctx.today),
        "changes": describe_change(entry),
        "note": entry.note if entry is not None else None,
        "changed": entry is not None,
        "by": ctx.who,
        "on_behalf_of": entry.on_behalf_of.name if entry and entry.on_behalf_of else "",
        "already": None,  # action done on a complete action: when and by whom it was done
    }
    text = f"{action.ref} updated" if entry is not None else f"{action.ref}: nothing to change"
    return Reply("action_changed", data, text=text)
