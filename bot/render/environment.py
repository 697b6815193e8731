"""Jinja2 rendering: Block Kit for Slack, plain text for the terminal.

Two environments, one loader (the ``templates`` package):

* ``*.txt.j2`` — plain text for the CLI; user text is shown as typed.
* ``*.json.j2`` — Block Kit, one JSON block per line. In these, **every**
  ``{{ expression }}`` that yields a string is escaped for Slack mrkdwn by the
  environment's ``finalize`` hook, so a template cannot forget: a title holding
  ``<!channel>`` shows as text and pings nobody. JSON is only ever produced by
  ``tojson`` inside the macros of ``_blocks.j2``; those take plain-text values
  (headers, button labels, input values, where Slack parses no markup) as
  arguments, and mrkdwn bodies from ``{% call %}`` blocks, which are escaped.
  Jinja never evaluates user strings, so ``{{ 7*7 }}`` in a title shows as typed.

:mod:`bot.render.blocks` then fits the blocks to Slack's limits.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from partnership.context import NOTICES
from storage.dates import uk
from storage.words import days_and_working_days, how_long, plural


def mrkdwn(value: object) -> str:
    """Escape text for Slack mrkdwn: &, < and > become entities (Slack's own rule)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pass_context
def _finalize(context: Context, value: Any) -> Any:
    """Escape every string a Block Kit template outputs, unless it is already safe.

    Inside the macro libraries (``_*.j2``) nothing is escaped: a macro's whole
    output is escaped once where it is used (their literal text holds no
    ``&``, ``<`` or ``>``), so nothing is escaped twice.
    """
    if value is None:
        return ""
    if isinstance(value, Markup) or _is_library(context.name):
        return value
    if isinstance(value, str):
        return mrkdwn(value)
    return value


def base_environment(**options: Any) -> Environment:
    """An environment on templates/ with our filters; ``options`` set its escaping."""
    options.setdefault("autoescape", False)
    env = Environment(
        loader=PackageLoader("templates", ""),
        undefined=StrictUndefined,  # a misspelt variable is an error, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )
    env.filters["mrkdwn"] = mrkdwn
    env.filters["uk"] = uk
    env.filters["mention"] = mention
    env.filters["channel"] = channel
    env.filters["plural"] = plural
    env.filters["and_list"] = and_list
    env.filters["how_long"] = how_long
    env.filters["days_and_working_days"] = days_and_working_days
    env.globals.update(
        buttons=buttons,
        overflow=overflow,
        text_input=text_input,
        select_input=select_input,
        date_input=date_input,
        link_button=link_button,
    )
    return env


@cache
def environment() -> Environment:
    """The plain-text environment (CLI output)."""
    return base_environment()


def _is_library(name: str | None) -> bool:
    """Whether a template is a macro library (``_*.j2``)."""
    return bool(name) and str(name).rsplit("/", 1)[-1].startswith("_")


@cache
def slack_environment() -> Environment:
    """The Block Kit environment: every output string escaped for mrkdwn."""
    return base_environment(finalize=_finalize)


def render(template: str, **context: Any) -> str:
    """Render a plain-text template by name with a view-model."""
    return environment().get_template(template).render(**context)


def render_blocks(template: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Render ``templates/<template>.json.j2`` into a list of Block Kit blocks."""
    text = slack_environment().get_template(f"{template}.json.j2").render(**data)
    blocks = [json.loads(line) for line in text.splitlines() if line.strip()]
    for notice in data.get(NOTICES) or ():  # lines any reply may carry (partnership.context)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn(notice)}]})
    return blocks


def and_list(items: list[str]) -> str:
    """``a, b and c``: the items joined as a sentence lists them."""
    if not items:
        return ""
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def mention(slack_user_id: str | None) -> Markup:
    """A Slack user mention for an id we hold (never for typed text)."""
    if slack_user_id and slack_user_id.isalnum():
        return Markup(f"<@{slack_user_id}>")
    return Markup("")


def channel(slack_channel_id: str | None) -> Markup:
    """A Slack channel link for an id we hold (never for typed text)."""
    if slack_channel_id and slack_channel_id.isalnum():
        return Markup(f"<#{slack_channel_id}>")
    return Markup("")


# Block Kit elements as Python values, for the macros in templates/_blocks.j2.
# Every argument here lands in a plain_text object or an id, never in mrkdwn.

ACTION_VERBS = (
    ("update", "Update…"),
    ("done", "Mark done"),
    ("snooze", "Snooze a week"),
    ("show", "History"),
)


def plain_text(text: str, limit: int = 75, *, ellipsis: bool = False) -> dict[str, Any]:
    """A Block Kit plain_text object of at most ``limit`` characters.

    Cut short, it ends in "…" with ``ellipsis`` (a modal's title), else it is cut
    (and an empty text is one space, which Slack accepts where "" is refused).
    """
    if ellipsis:
        text = text if len(text) <= limit else text[: limit - 1] + "…"
    else:
        text = (text or " ")[:limit]
    return {"type": "plain_text", "text": text, "emoji": True}


def buttons(ref: str, snooze: bool = True) -> list[dict[str, Any]]:
    """Update / Mark done / Snooze buttons for one action."""
    out = []
    for verb, label in ACTION_VERBS[:3]:
        if verb == "snooze" and not snooze:
            continue
        button: dict[str, Any] = {
            "type": "button",
            "text": plain_text(f"Update {ref}" if verb == "update" else label),
            "action_id": f"action_{verb}",
            "value": ref,
        }
        if verb == "done":
            button["style"] = "primary"
        out.append(button)
    return out


def overflow(ref: str, snooze: bool = True) -> dict[str, Any]:
    """An overflow menu with the same choices, one block per action in long lists."""
    options = [
        {"text": plain_text(label), "value": f"{verb}:{ref}"}
        for verb, label in ACTION_VERBS
        if snooze or verb != "snooze"
    ]
    return {"type": "overflow", "action_id": "action_menu", "options": options}


def text_input(
    block_id: str,
    label: str,
    initial: str | None = None,
    *,
    multiline: bool = False,
    optional: bool = True,
    max_length: int = 2000,
    placeholder: str = "",
    hint: str = "",
) -> dict[str, Any]:
    """A plain-text input block for a modal."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain_text(placeholder, 150)
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain_text(hint, 2000)
    return block


def select_input(
    block_id: str,
    label: str,
    options: list[tuple[str, str]],
    initial: str | None = None,
    *,
    optional: bool = True,
) -> dict[str, Any]:
    """A static select (at most 100 options, Slack's limit) for a modal."""
    opts = [{"text": plain_text(text), "value": value[:150]} for text, value in options[:100]]
    element: dict[str, Any] = {"type": "static_select", "action_id": block_id, "options": opts}
    chosen = [o for o in opts if o["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label, 2000),
        "element": element,
        "optional": optional,
    }


def link_button(slug: str, name: str) -> dict[str, Any] | None:
    """The "Pick their Slack account" button, running ``person link "<name>"`` (person_link.py).

    None when the name holds both kinds of quote, so no typed line could name it.
    """
    quote = '"' if '"' not in name else ("'" if "'" not in name else "")
    if not quote:
        return None
    return {
        "type": "button",
        "text": plain_text("Pick their Slack account"),
        "action_id": "person_link",
        "value": f"in:{slug} person link {quote}{name}{quote}"[:2000],
    }


def date_input(
    block_id: str, label: str, initial: str | None = None, *, optional: bool = True
) -> dict[str, Any]:
    """A date picker for a modal; ``initial`` is an ISO date."""
    element: dict[str, Any] = {"type": "datepicker", "action_id": block_id}
    if initial:
        element["initial_date"] = initial
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label, 2000),
        "element": element,
        "optional": optional,
    }
