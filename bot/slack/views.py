"""Replies, forms and the Home tab as Slack payloads (messages, modals, views).

Forms are rendered from ``templates/form_<name>.json.j2``; their input blocks
use the argument names as ``block_id`` so a submission's values map straight
back onto the command's arguments, and ``response_action: errors`` can point
at the very field that was wrong.
"""

from __future__ import annotations

import json
from typing import Any

from bot.render.blocks import cap
from bot.render.environment import plain_text, render_blocks
from bot.render.replies import tag_buttons
from commands.framework.core import Form
from partnership.context import Reply

MODAL_TITLE = 24
PRIVATE_METADATA = 3000

# Which command a form's submission runs.
FORM_COMMANDS = {
    "action_update": "action update",
    "action_add": "action add",
    "action_snooze": "action snooze",
    "return_submit": "return submit",
    "person_link": "person link",
}

# A form's submit button when "Save" would say the wrong thing.
SUBMIT = {"import_plan": "Preview"}


def split_value(value: str) -> tuple[str, str | None]:
    """``A-1@riverside`` -> (``A-1``, ``riverside``); a bare ref has no partnership."""
    ref, _, partnership = value.partition("@")
    return ref, (partnership or None)


def form_view(form: Form, meta: dict[str, str]) -> dict[str, Any]:
    """The modal for a form, pre-filled, with ``meta`` carried in private_metadata."""
    blocks = cap(render_blocks(f"form_{form.name}", {"form": form, "values": form.values}))
    metadata = json.dumps({**form.meta, **meta}, separators=(",", ":"))
    if len(metadata) > PRIVATE_METADATA:
        metadata = json.dumps(form.meta, separators=(",", ":"))
    return {
        "type": "modal",
        "callback_id": form.name,
        "title": plain_text(form.title, MODAL_TITLE, ellipsis=True),
        "submit": plain_text(SUBMIT.get(form.name, "Save"), MODAL_TITLE, ellipsis=True),
        "close": plain_text("Cancel", MODAL_TITLE, ellipsis=True),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def input_ids(view: dict[str, Any]) -> list[str]:
    """The block ids of a view's input blocks, in order."""
    blocks = view.get("blocks")
    return [
        str(b["block_id"])
        for b in (blocks if isinstance(blocks, list) else [])
        if isinstance(b, dict) and b.get("type") == "input" and isinstance(b.get("block_id"), str)
    ]


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """A submitted view's state as argument name → text (selects and dates included)."""
    values: dict[str, str] = {}
    state = (view.get("state") or {}).get("values") or {}
    for block_id, actions in state.items():
        # Anything but Slack's own shape (a tampered or broken payload) is skipped, so
        # the command says which value is missing instead of the form failing.
        if not isinstance(actions, dict):
            continue
        for element in actions.values():
            if not isinstance(element, dict):
                continue
            kind = element.get("type")
            if kind == "plain_text_input":
                value = element.get("value")
            elif kind == "static_select":
                option = element.get("selected_option") or {}
                value = option.get("value")
            elif kind == "datepicker":
                value = element.get("selected_date")
            elif kind == "users_select":
                user = element.get("selected_user")
                value = f"<@{user}>" if user else None
            else:
                value = None
            values[block_id] = value if isinstance(value, str) else ""
    return values


def home_view(reply: Reply, partnership: str | None = None) -> dict[str, Any]:
    """The Home tab view for a reply (at most 100 blocks)."""
    blocks = tag_buttons(render_blocks(reply.template, reply.data), partnership)
    blocks = cap(blocks, more="Type `/csp action list mine`.")
    return {"type": "home", "blocks": blocks}
