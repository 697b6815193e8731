"""What Slack sends and shows, built and read: view state, buttons, every text of blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def state_for(view: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """A submitted view's ``state.values``: each input's initial value unless ``values`` says."""
    state: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        block_id = block["block_id"]
        element = block["element"]
        kind = element["type"]
        given = values.get(block_id)
        if kind == "static_select":
            initial = element.get("initial_option")
            chosen = (
                {"text": {"type": "plain_text", "text": given}, "value": given}
                if given is not None
                else initial
            )
            entry: dict[str, Any] = {"type": kind, "selected_option": chosen}
        elif kind == "datepicker":
            entry = {"type": kind, "selected_date": given or element.get("initial_date")}
        elif kind == "users_select":
            entry = {"type": kind, "selected_user": given or element.get("initial_user")}
        else:
            entry = {
                "type": kind,
                "value": given if given is not None else element.get("initial_value"),
            }
        state[block_id] = {element.get("action_id", block_id): entry}
    return state


def button(action_id: str, ref: str) -> dict[str, Any]:
    """A button press as it appears in a block_actions payload."""
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": action_id.removeprefix("action_").title()},
        "value": ref,
    }


def overflow(value: str, action_id: str = "action_menu") -> dict[str, Any]:
    """An overflow-menu choice (``verb:ref``) as it appears in a block_actions payload."""
    return {
        "type": "overflow",
        "action_id": action_id,
        "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
    }


def texts(value: Any) -> list[str]:
    """Every ``text`` string anywhere inside blocks, a view or a message."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                found.append(item)
            else:
                found += texts(item)
    elif isinstance(value, list):
        for item in value:
            found += texts(item)
    return found


def all_text(value: Any) -> str:
    """Every text string inside ``value``, joined by newlines (for ``in`` assertions)."""
    return "\n".join(texts(value))


def validate(blocks: list[dict[str, Any]], limit: int = 50) -> list[dict[str, Any]]:
    """Assert blocks pass slack_sdk's Block Kit validation and Slack's count limit."""
    from slack_sdk.models.blocks import Block

    assert len(blocks) <= limit, f"{len(blocks)} blocks > {limit}"
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
    return blocks
