"""A reply as Slack messages: its blocks rendered, buttons tagged, paged to the limits.

Shared by the Slack edge, the scheduler's senders and the console, which all
show the same reply the same way.
"""

from __future__ import annotations

from typing import Any

from bot.render.blocks import Block, fallback_text, pages
from bot.render.environment import mrkdwn, render_blocks
from partnership.context import Reply


def reply_pages(reply: Reply, partnership: str | None = None) -> list[list[Block]]:
    """A reply's blocks, split into messages of at most 50 blocks.

    With ``partnership``, every action button carries it (``A-1@riverside``):
    a button pressed in a direct message, where no channel says which
    partnership is meant, still acts in the right one.
    """
    return pages(tag_buttons(render_blocks(reply.template, reply.data), partnership))


def tag_buttons(blocks: list[Block], partnership: str | None) -> list[Block]:
    """Add ``@partnership`` to the value of every action button and menu option."""
    if not partnership:
        return blocks
    for block in blocks:
        elements = list(block.get("elements", [])) if block.get("type") == "actions" else []
        if "accessory" in block:
            elements.append(block["accessory"])
        for element in elements:
            if element.get("type") == "button" and str(element.get("action_id")).startswith(
                "action_"
            ):
                element["value"] = f"{element.get('value', '')}@{partnership}"
            elif element.get("type") == "overflow" and element.get("action_id") == "action_menu":
                for option in element.get("options", []):
                    option["value"] = f"{option['value']}@{partnership}"
    return blocks


def message(blocks: list[Block], reply: Reply) -> dict[str, Any]:
    """Keyword arguments for one message page (blocks plus notification text)."""
    return {"blocks": blocks, "text": mrkdwn(reply.text) if reply.text else fallback_text(blocks)}
