"""What a Slack payload says (team, user, channel, a form's metadata), and answering it.

Plain functions over Bolt's ``body`` dicts, so the listeners hand plain values on.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

from slack_sdk import WebClient, WebhookClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.render.replies import message, reply_pages
from bot.slack.reach import proxy_for
from bot.slack.views import form_view, input_ids
from commands.framework.core import Form
from commands.framework.dispatch import Outcome
from partnership.context import Reply

log = logging.getLogger("csp_bot.slack")
# Seconds to wait for Slack to take a post to a response_url (Bolt's default is 30).
RESPOND_TIMEOUT = 10
# Seconds to wait for views.open before telling the person to type the values.
FORM_TIMEOUT = 2


def team(body: dict[str, Any]) -> str | None:
    """The asker's own workspace: in a Slack Connect channel, not the channel's host.

    Buttons and forms carry it as ``user.team_id`` (``team.id`` is where the app
    answered); slash commands as ``team_id``; events as ``event.user_team``.
    """
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("user_team"), str):
        return str(event["user_team"])
    team = body.get("user_team") or body.get("team_id") or (body.get("team") or {}).get("id")
    return str(team) if team else None


def user(body: dict[str, Any]) -> str:
    """The Slack user id of whoever sent the payload (command, action or event)."""
    if "user_id" in body:
        return str(body["user_id"])
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    event = body.get("event") or {}
    return str(event.get("user", ""))


def channel(body: dict[str, Any]) -> str | None:
    """The channel the payload came from, if any."""
    if "channel_id" in body:
        return str(body["channel_id"])
    channel = body.get("channel")
    if isinstance(channel, dict):
        return channel.get("id")
    return None


def ephemeral(reply: Reply) -> dict[str, Any]:
    """A reply's first page as an ephemeral message, for an ack's body."""
    pages = reply_pages(reply)
    return {"response_type": "ephemeral", **message(pages[0], reply)}


def respond(body: dict[str, Any], pages: list[list[dict[str, Any]]], reply: Reply) -> None:
    """Post pages of a reply to the request's response URL (after the ack)."""
    url = body.get("response_url")
    if not url:
        log.warning("no response_url to post %d page(s) to", len(pages))
        return
    hook = WebhookClient(str(url), timeout=RESPOND_TIMEOUT)
    hook.proxy = proxy_for(str(url))
    for page in pages:
        try:
            answer = hook.send_dict(
                {
                    "response_type": "in_channel" if reply.public else "ephemeral",
                    "replace_original": False,
                    **message(page, reply),
                }
            )
        except Exception as exc:  # Slack unreachable or too slow: log, don't crash
            log.warning("respond failed: %s", type(exc).__name__)
            return
        if answer.status_code != 200:  # an expired response_url (30 min, 5 uses)
            log.warning("respond refused: HTTP %s", answer.status_code)
            return


def metadata(view: dict[str, Any]) -> dict[str, str] | None:
    """A form's private_metadata as we wrote it (an object of strings), or None."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except (ValueError, RecursionError, TypeError):
        return None
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        return None
    return meta


def field_errors(outcome: Outcome, view: dict[str, Any]) -> dict[str, str]:
    """Per-field messages for the inputs that exist in the view."""
    ids = input_ids(view)
    error = outcome.error
    fields = {k: v for k, v in (error.fields if error else {}).items() if k in ids}
    if not fields and ids:
        text = error.message if error else "Sorry, something went wrong; nothing was saved."
        fields = {ids[-1]: text[:2000]}
    return {k: v[:2000] for k, v in fields.items()}


def open_form(
    client: WebClient,
    body: dict[str, Any],
    form: Form,
    partnership: str | None,
    *,
    from_home: bool = False,
) -> bool:
    """Open a form's modal; its metadata says where it came from and for which partnership."""
    meta = {
        "channel": channel(body) or "",
        "from": "home" if from_home else "",
        "partnership": partnership or "",
    }
    # Opening a form happens inside the ack, and a trigger_id is only good for
    # 3 seconds anyway: a Slack that does not answer must not hold the ack past
    # that, so this call gets its own short timeout and no retries.
    quick = copy.copy(client)  # the same token and URL; its own timeout, no retries
    quick.timeout, quick.retry_handlers = FORM_TIMEOUT, []
    try:
        quick.views_open(trigger_id=body["trigger_id"], view=form_view(form, meta))
    except (SlackApiError, SlackClientError, KeyError, OSError) as exc:
        log.warning("views.open failed: %s", type(exc).__name__)
        return False
    return True


def direct(client: WebClient, user: str, reply: Reply) -> None:
    """Send a reply to a user as a direct message (where there is no reply area)."""
    for page in reply_pages(reply):
        try:
            client.chat_postMessage(channel=user, **message(page, reply))
        except (SlackApiError, SlackClientError) as exc:
            log.warning("direct message failed: %s", type(exc).__name__)


def confirm(client: WebClient, body: dict[str, Any], meta: dict[str, str], reply: Reply) -> None:
    """Tell the person what their form did: privately in the channel, else by DM."""
    asker = user(body)
    for page in reply_pages(reply):
        try:
            if meta.get("channel"):
                client.chat_postEphemeral(
                    channel=meta["channel"], user=asker, **message(page, reply)
                )
                continue
        except SlackApiError:
            pass  # a channel the bot is not in: fall back to a direct message
        try:
            client.chat_postMessage(channel=asker, **message(page, reply))
        except (SlackApiError, SlackClientError) as exc:
            log.warning("confirmation failed: %s", type(exc).__name__)
