"""What a signed Slack request must look like before Bolt (or any listener) reads it.

Bolt's request building and matchers index into payloads assuming Slack's
shapes (``body["actions"][0]``, ``"id" in team``), so a correctly signed body
of another shape raised inside Bolt and became a 500. The front door
(:mod:`bot.slack.front`) parses the body once, classifies it, and checks here every
key that Bolt or our listeners read, with the types Slack sends; a body that
fails is acknowledged with nothing done.

Only the keys that are read are checked, at the depth they are read; anything
else in a payload (blocks, message text, state values) is Slack's business.
"""

from __future__ import annotations

from typing import Any

# Keys read at the top of a payload or of its ``event``, with the types Slack sends.
# An id-or-object key holds an id string, or an object whose ids are strings.
_ID_OR_OBJECT = ("team", "user", "channel", "enterprise", "bot")
_STRINGS = (
    "type",
    "token",
    "team_id",
    "user_id",
    "channel_id",
    "enterprise_id",
    "api_app_id",
    "trigger_id",
    "response_url",
    "command",
    "text",
    "event_id",
    "callback_id",
    "user_team",
    "tab",
    "subtype",
    "bot_id",
    "context_team_id",
    "context_enterprise_id",
    "function_execution_id",
    "challenge",
)
_OBJECTS = ("view", "container", "event", "message", "previous_message", "state", "function_data")
_LISTS = ("actions", "authorizations")
_OBJECT_IDS = ("id", "team_id", "enterprise_id", "app_installed_team_id")
_VIEW_STRINGS = ("id", "type", "callback_id", "private_metadata", "team_id", "hash")
_ACTION_STRINGS = ("action_id", "block_id", "type", "value", "action_ts")
# The payload types the app answers; anything else is acknowledged and ignored.
HANDLED = frozenset({"command", "block_actions", "view_submission", "event_callback"})


class ShapeError(ValueError):
    """A signed body that is not what Slack sends: acknowledged, nothing done."""


def _check_scalars(obj: dict[str, Any], where: str) -> None:
    for key in _STRINGS:
        if key in obj and obj[key] is not None and not isinstance(obj[key], str):
            raise ShapeError(f"{where}.{key} is not a string")
    for key in _ID_OR_OBJECT:
        value = obj.get(key)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict):
            raise ShapeError(f"{where}.{key} is neither an id nor an object")
        for sub in _OBJECT_IDS:
            if sub in value and value[sub] is not None and not isinstance(value[sub], str):
                raise ShapeError(f"{where}.{key}.{sub} is not a string")
    for key in _OBJECTS:
        if key in obj and obj[key] is not None and not isinstance(obj[key], dict):
            raise ShapeError(f"{where}.{key} is not an object")
    for key in _LISTS:
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ShapeError(f"{where}.{key} is not a list of objects")


def _check_strings(obj: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        if key in obj and obj[key] is not None and not isinstance(obj[key], str):
            raise ShapeError(f"{where}.{key} is not a string")


def require(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
    """``obj[key]`` if it is a ``kind``; else raise :class:`ShapeError`."""
    value = obj.get(key)
    if not isinstance(value, kind):
        raise ShapeError(f"{where}.{key} is missing or of the wrong type")
    return value


def check(kind: str, body: dict[str, Any]) -> None:
    """Raise :class:`ShapeError` unless ``body`` (of payload type ``kind``) is as Slack sends it."""
    _check_scalars(body, "body")
    for auth in body.get("authorizations") or []:
        _check_scalars(auth, "authorizations[]")
    if kind == "command":
        for key in ("command", "user_id"):
            require(body, key, str, "body")
        return
    if kind == "block_actions":
        require(body, "user", dict, "body")
        actions = body.get("actions")
        if not actions:
            raise ShapeError("body.actions is empty")
        for action in actions:
            _check_strings(action, _ACTION_STRINGS, "actions[]")
            require(action, "action_id", str, "actions[]")
            selected = action.get("selected_option")
            if selected is not None:
                if not isinstance(selected, dict):
                    raise ShapeError("actions[].selected_option is not an object")
                _check_strings(selected, ("value",), "actions[].selected_option")
        return
    if kind == "view_submission":
        require(body, "user", dict, "body")
        view = require(body, "view", dict, "body")
        _check_scalars(view, "view")
        _check_strings(view, _VIEW_STRINGS, "view")
        require(view, "callback_id", str, "view")
        state = view.get("state")
        if state is not None and not isinstance(state.get("values", {}), dict):
            raise ShapeError("view.state.values is not an object")
        return
    if kind == "event_callback":
        event = require(body, "event", dict, "body")
        require(body, "event_id", str, "body")
        require(event, "type", str, "event")
        _check_scalars(event, "event")


def classify(body: dict[str, Any]) -> str:
    """The payload's kind: ``command`` for a slash command's form, else its ``type``."""
    if "command" in body and "type" not in body:
        return "command"
    kind = body.get("type")
    return kind if isinstance(kind, str) else ""
