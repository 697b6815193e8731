"""``/csp action update``: log progress on an action in one line, or in a form."""

from __future__ import annotations

from typing import Any

from commands.framework.core import Form, Result
from commands.framework.registry import NOTE_KEYS, Args, command
from partnership.context import MAX_TEXT, Context, UserError
from partnership.edits import (
    SARA_CLEAR,
    change_action,
    changed_reply,
    read_due,
    read_rag,
    read_sara,
    read_status,
    read_text,
)
from partnership.lookup import find_action, find_person
from partnership.messages import actions as say
from partnership.perms import require_change
from storage.models import Action, Rag, Sara, Status

FIELDS = ("rag", "status", "due", "note", "owner", "sara")


@command(
    "action update",
    usage="<ref> [rag:red|amber|green] [status:<status>] [due:<date>] [sara:<stage>] [<note text>]",
    examples=(
        '/csp action update A-17 rag:amber "venue confirmed, launch slips to May"',
        "/csp action update 1.2 update: lighting survey booked for 10:30 on Friday",
        "/csp action update A-17 due:31/05/2027",
        "/csp action update A-17 sara:analysis",
        "/csp action update A-17",
    ),
    positional=("ref",),
    rest="note",
    keys=("rag", "status", "due", "owner", "sara", "note", "ref"),
    aliases={
        "by": "due",
        "date": "due",
        "state": "status",
        "for": "owner",
        "stage": "sara",
        **NOTE_KEYS,
    },
    date_keys=("due",),
    person_keys=("owner",),
)
def action_update(ctx: Context, args: Args) -> Result:
    """Change an action's RAG, status or due date and add a progress note.

    The reference comes first, as `/csp action list` shows it (`A-17`, `7`,
    `1.2`); give only the reference to open a form with the current values.
    Every other word that is not `key:value` is the note, kept as typed;
    `note:`, `comment:`, `progress:` or `update:` may start it. Dates are UK
    dates (03/04/2027 is 3 April), or `today`, `+2w`, `end of quarter`.
    Problem-solving work takes its SARA stage: `sara:scanning`, `analysis`,
    `response` or `assessment` (`sara:none` clears it). A `word:` that is none
    of these keys is refused; quote a note that holds one (`"venue: hall"`).
    """
    action = find_action(ctx, args.get("ref"))
    require_change(ctx, action)
    if not any(name in args for name in FIELDS):
        return update_form(ctx, action)
    check_version(action, args.get("version"))
    wanted, note = read_update(ctx, args)
    entry = change_action(ctx, action, wanted, note)
    return changed_reply(ctx, action, entry)


def read_update(ctx: Context, args: Args) -> tuple[dict[str, Any], str | None]:
    """Validate every field at once, so a form shows all its problems together."""
    wanted: dict[str, Any] = {}
    errors: dict[str, str] = {}
    messages: list[str] = []
    readers: dict[str, Any] = {
        "rag": read_rag,
        "status": read_status,
        "due": lambda v: read_due(ctx, v),
        "owner": lambda v: find_person(ctx, v),
        "sara": read_sara,
    }
    target = {
        "rag": "rag",
        "status": "status",
        "due": "due_date",
        "owner": "owner",
        "sara": "sara_stage",
    }
    for name, reader in readers.items():
        value = args.get(name)
        if value is None:
            continue
        try:
            wanted[target[name]] = reader(value)
        except UserError as exc:
            errors.update(exc.fields or {name: exc.message})
            messages.append(exc.message)
    note = None
    try:
        note = read_text(args.get("note"), "note")
    except UserError as exc:
        errors.update(exc.fields)
        messages.append(exc.message)
    if errors:
        raise UserError(" ".join(messages), fields=errors)
    return wanted, note


def check_version(action: Action, version: str | None) -> None:
    """Refuse a form's submission if the action changed since the form was opened."""
    if version is not None and version.isdigit() and int(version) != action.version:
        raise UserError(
            say.changed_meanwhile(ref=action.ref),
            fields={"note": "Changed by someone else since you opened this form"},
        )


def update_form(ctx: Context, action: Action) -> Form:
    """The update form, pre-filled with the action's current values."""
    return Form(
        name="action_update",
        title=say.update_form(ref=action.ref),
        values={
            "ref": action.ref,
            "title": action.title,
            "rag": action.rag.value if action.rag else "",
            "status": action.status.value,
            "due": action.due_date.isoformat() if action.due_date else "",
            "timescale": action.timescale or "",
            "sara": action.sara_stage.value if action.sara_stage else SARA_CLEAR,
            "note": "",
            "version": str(action.version),
            "max_length": str(MAX_TEXT),
        },
        options={
            "rag": [(r.value.title(), r.value) for r in Rag],
            "status": [(s.value.replace("_", " ").capitalize(), s.value) for s in Status],
            "sara": [(s.value.capitalize(), s.value) for s in Sara] + [(say.NO_SARA, SARA_CLEAR)],
        },
        meta={"ref": action.ref, "version": str(action.version)},
    )
