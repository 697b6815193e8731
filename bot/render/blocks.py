"""Fitting rendered blocks to Slack's limits, and reading them back as plain text.

Block Kit limits (https://api.slack.com/reference/block-kit/blocks): 50 blocks
in a message, 100 in a modal or the Home tab, 3,000 characters in a section's
text, 150 in a header, 75 in a button label. A plan of any size must never be
rejected by Slack, so long sections are split at line breaks, long messages
become several pages (sent as follow-ups), and a modal or Home tab that would
overflow ends with a line saying how to see the rest.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from storage.words import plural

Block = dict[str, Any]

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100
SECTION_CHARS = 3000
HEADER_CHARS = 150
LABEL_CHARS = 75
CONTEXT_CHARS = 2000

# Commands the console shows for each button, so buttons have a typed equivalent.
BUTTON_COMMANDS = {
    "action_update": "/csp action update {ref}",
    "action_done": "/csp action done {ref}",
    "action_snooze": "/csp action snooze {ref}",
    "action_snooze_until": "/csp action snooze {ref} until",
    "return_submit": "/csp return submit",
    "action_show": "/csp action show {ref}",
}


# chat.postMessage refuses a message whose blocks hold about 12,000 characters
# of text (msg_blocks_too_long, undocumented; slackapi/bolt-js#2509): page well
# below it.
MESSAGE_CHARS = 10_000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _split_text(text: str, limit: int) -> list[str]:
    """Split text into pieces under ``limit``, at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one enormous line: cut it, but never mid-entity
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            amp = line.rfind("&", cut - 6, cut)
            if amp != -1 and ";" not in line[amp:cut]:
                cut = amp
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def fit(blocks: list[Block]) -> list[Block]:
    """Each block within its own limits: long sections split, long labels cut."""
    out: list[Block] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "section" and "text" in block and len(block["text"]["text"]) > SECTION_CHARS:
            parts = _split_text(block["text"]["text"], SECTION_CHARS)
            for i, part in enumerate(parts):
                piece = {"type": "section", "text": {"type": "mrkdwn", "text": part}}
                if i == len(parts) - 1 and "accessory" in block:
                    piece["accessory"] = block["accessory"]
                out.append(piece)
            continue
        if kind == "header":
            block["text"]["text"] = _cut(block["text"]["text"], HEADER_CHARS)
        if kind == "context":
            for element in block.get("elements", []):
                if "text" in element:
                    element["text"] = _cut(element["text"], CONTEXT_CHARS)
        for element in _buttons(block):
            element["text"]["text"] = _cut(element["text"]["text"], LABEL_CHARS)
        out.append(block)
    return out


def _buttons(block: Block) -> list[Block]:
    elements = list(block.get("elements", [])) if block.get("type") == "actions" else []
    if "accessory" in block:
        elements.append(block["accessory"])
    return [e for e in elements if e.get("type") == "button"]


def _chars(block: Block) -> int:
    """The visible text in a block, which Slack also limits per message."""
    text = block.get("text")
    size = len(str(text.get("text", ""))) if isinstance(text, dict) else 0
    for element in block.get("elements", []):
        if isinstance(element, dict):
            size += len(str(element.get("text", "")))
    return size


def pages(
    blocks: list[Block], limit: int = MESSAGE_BLOCKS, chars: int = MESSAGE_CHARS
) -> list[list[Block]]:
    """Split a message's blocks into pages of at most ``limit`` blocks and ``chars`` text.

    A page never ends on a divider or starts with one, and an ``actions`` block
    stays on the same page as the section before it (it belongs to it).
    """
    blocks = fit(blocks)
    result: list[list[Block]] = []
    current: list[Block] = []
    size = 0
    for i, block in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        keep_with_next = nxt is not None and nxt.get("type") == "actions"
        room = limit - (1 if keep_with_next else 0)
        if len(current) >= room or (current and size + _chars(block) > chars):
            while current and current[-1].get("type") == "divider":
                current.pop()
            result.append(current)
            current, size = [], 0
        if not current and block.get("type") == "divider":
            continue
        current.append(block)
        size += _chars(block)
    if current or not result:
        result.append(current)
    return result


def cap(blocks: list[Block], limit: int = SURFACE_BLOCKS, more: str = "") -> list[Block]:
    """At most ``limit`` blocks for a modal or Home tab; the last says what was left out."""
    blocks = fit(blocks)
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    while kept and kept[-1].get("type") in ("divider", "actions"):
        kept.pop()
    hidden = len(blocks) - len(kept)
    note = f"…and more not shown here ({plural(hidden, 'block')}). {more}".strip()
    kept.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return kept


def fallback_text(blocks: list[Block], limit: int = 300) -> str:
    """A short plain summary for notifications (the message's ``text``)."""
    for block in blocks:
        if block.get("type") in ("header", "section") and "text" in block:
            return _cut(block["text"]["text"], limit)
    return "csp-bot"


def to_text(blocks: list[Block], inline: Callable[[str], str] = html.unescape) -> str:
    """Blocks as text, each piece of mrkdwn read by ``inline`` (default: entities undone).

    The console passes :func:`bot.render.terminal.inline`, which also renders bold,
    emoji and links for a terminal; tests read the mrkdwn as it is.
    """
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = block["text"]["text"]
            lines += ["", title, "=" * min(len(title), 72)]
        elif kind == "section":
            if "text" in block:
                lines.append(_piece(block["text"], inline))
            for f in block.get("fields", []):
                lines.append("  " + _piece(f, inline))
            if "accessory" in block:
                lines += _console_buttons([block["accessory"]])
        elif kind == "context":
            lines += ["  " + _piece(e, inline) for e in block.get("elements", [])]
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines += _console_buttons(block.get("elements", []))
        elif kind == "input":
            label = block["label"]["text"]
            lines.append(f"  {label}: {_initial(block.get('element', {}))}")
    return "\n".join(lines).strip("\n")


def _piece(element: Block, inline: Callable[[str], str]) -> str:
    """A text object's text: mrkdwn through ``inline``, plain text unescaped only."""
    text = str(element.get("text", ""))
    return inline(text) if element.get("type", "mrkdwn") == "mrkdwn" else html.unescape(text)


def _console_buttons(elements: list[Block]) -> list[str]:
    typed = []
    for e in elements:
        if e.get("type") == "button" and e.get("action_id") in BUTTON_COMMANDS:
            ref = str(e.get("value", "")).partition("@")[0]
            typed.append(BUTTON_COMMANDS[e["action_id"]].format(ref=ref))
        elif e.get("type") == "overflow":
            for option in e.get("options", []):
                action, _, ref = str(option.get("value", "")).partition("@")[0].partition(":")
                if f"action_{action}" in BUTTON_COMMANDS:
                    typed.append(BUTTON_COMMANDS[f"action_{action}"].format(ref=ref))
    return ["  ↳ " + "  ·  ".join(typed)] if typed else []


def _initial(element: Block) -> str:
    if "initial_value" in element:
        return str(element["initial_value"])
    if "initial_date" in element:
        return str(element["initial_date"])
    if "initial_option" in element:
        return str(element["initial_option"]["text"]["text"])
    return ""
