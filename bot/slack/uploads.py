"""Files sent to the asker's direct messages with slack-sdk's ``files_upload_v2``.

A command that hands someone a file (``/csp export``, ``/csp digest paper``)
returns a reply whose ``data["upload"]`` lists the files (see
partnership/exports.py); the edge runs it after the ack (it is ``slow``) and
:func:`deliver` opens the DM, uploads each file and returns the reply to show:
what was sent, or that Slack would not take it. Nothing is retried here: the
person asked once and is told once.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.render.documents import render_document, render_pdf
from commands.framework.dispatch import error_reply
from partnership.context import Reply, UserError
from partnership.exports import FILE_SENT
from partnership.messages import files as say

log = logging.getLogger("csp_bot.slack")


def _content(item: dict[str, Any]) -> bytes:
    """A file's bytes: given, or the board paper rendered in its format."""
    if item.get("render") == "pdf":
        # WeasyPrint and matplotlib load here, after the ack, on the first paper.
        return render_pdf(dict(item["model"]))
    if "render" in item:
        return render_document(dict(item["model"]), str(item["render"])).encode("utf-8")
    return bytes(item["content"])


def deliver(client: WebClient, user: str, reply: Reply) -> Reply:
    """Upload the files ``reply`` asks for to ``user``'s DM; the reply to show afterwards."""
    if reply.template != FILE_SENT or not reply.data.get("upload"):
        return reply
    try:
        opened = client.conversations_open(users=user)
        channel = str((opened.get("channel") or {}).get("id") or "")
    except (SlackApiError, SlackClientError) as exc:
        log.warning("conversations.open for an upload failed: %s", type(exc).__name__)
        return error_reply(UserError(say.DM_FAILED))
    if not channel:
        return error_reply(UserError(say.DM_FAILED))
    sent: list[str] = []
    for item in reply.data["upload"]:
        try:
            client.files_upload_v2(
                channel=channel,
                filename=str(item["filename"]),
                title=str(item["title"]),
                content=_content(item),
            )
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("files_upload_v2 failed: %s", type(exc).__name__)
            return error_reply(UserError(say.UPLOAD_FAILED))
        sent.append(str(item["filename"]))
    message = say.export_sent(what=str(reply.data["what"]), names=", ".join(sent))
    return Reply(FILE_SENT, {"message": message, "what": "", "names": ""}, text=message)
