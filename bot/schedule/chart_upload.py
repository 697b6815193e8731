"""A digest's charts, uploaded into its thread with ``files_upload_v2``.

The digest's outbox payload keeps the chart specs (``attach``); once the
digest is sent, bot/schedule/digest_charts.py claims the charts under their
own outbox key and the sender calls :func:`upload`: it finds the digest's
message by its key (as a take-over does), draws the PNGs (matplotlib is
imported here, never on the web process's ack path) and shares them in one
call, each with its alt text; a figure whose words Slack would cut is written
out in full in the thread, so a screen reader and a phone show the same facts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from commands.framework.core import Delivery
from partnership.context import Reply
from partnership.digest_uploads import CHARTS, chart_files, left_out
from partnership.messages import charts as say

log = logging.getLogger("csp_bot.sender")

Finder = Callable[[str, str], "tuple[str, str] | None"]
# The longest comment shared with the files (Slack advises messages under 4000).
COMMENT_CHARS = 3900
# Slack errors worth trying again later (as for messages).
TRANSIENT = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
    }
)


def attachments(reply: Reply) -> dict[str, Any]:
    """What a digest's payload keeps of its charts (nothing for other replies or none)."""
    if reply.template != "digest":
        return {}
    files = chart_files(reply.data)
    if not files:
        return {}
    dropped = left_out(reply.data)
    return {"attach": files, "left_out": dropped} if dropped else {"attach": files}


def payload(reply: Reply) -> dict[str, Any]:
    """The stored payload of a digest's charts: the files and the digest they follow."""
    return {
        "uploads": list(reply.data["files"]),
        "thread_of": str(reply.data["thread_of"]),
        "comment": reply.text,
    }


def _draw(item: dict[str, Any]) -> bytes:
    """One chart's PNG (matplotlib loads on the first)."""
    from bot.render import charts

    spec = dict(item["spec"])
    return charts.measure_png(spec) if item["draw"] == "measure" else charts.grid_png(spec)


def upload(
    client: WebClient, address: str, data: dict[str, Any], key: str, find: Finder
) -> Delivery:
    """Upload the charts into the digest's thread; never raises for Slack errors."""
    found = find(address, str(data["thread_of"]))
    if found is None:
        # Not in the history (yet, or no history scope): tried again, then reported.
        return Delivery(address, False, "digest_not_found", transient=True)
    channel, ts = found
    uploads: list[dict[str, Any]] = data["uploads"]
    files = [
        {
            "content": _draw(item),
            "filename": str(item["filename"]),
            "title": str(item["title"]),
            "alt_txt": str(item["alt"]),
        }
        for item in uploads
    ]
    comment = str(data.get("comment") or "")
    words = [
        say.chart_words(title=str(item["title"]), words=str(item["words"]))
        for item in uploads
        if item.get("words")
    ]
    together = "\n\n".join([comment, *words])
    # The full words of a cut description go with the pictures when they fit one message.
    later = words if len(together) > COMMENT_CHARS else []
    try:
        client.files_upload_v2(
            channel=channel,
            thread_ts=ts,
            file_uploads=files,
            initial_comment=_escape(comment if later else together),
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error", "slack_error"))
        transient = error in TRANSIENT or exc.response.status_code >= 500
        log.warning("upload of %s failed: %s", key, error)
        return Delivery(address, False, error, transient=transient)
    except (SlackClientError, OSError) as exc:
        # The upload URL refused the bytes, or Slack could not be reached.
        log.warning("upload of %s failed: %s", key, type(exc).__name__)
        return Delivery(address, False, "upload_failed", transient=True)
    for text in later:
        try:
            client.chat_postMessage(channel=channel, thread_ts=ts, text=_escape(text))
        except (SlackApiError, SlackClientError, OSError) as exc:
            # The pictures are there with their (cut) descriptions; resending would repeat them.
            log.warning("full words of a chart of %s failed: %s", key, type(exc).__name__)
            break
    return Delivery(address, True)


def _escape(text: str) -> str:
    """Plain text for a Slack message: its three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def in_thread(client: WebClient, address: str, key: str, find: Finder) -> bool:
    """Whether the digest's thread already holds one of its chart files (after a crash)."""
    found = find(address, digest_key(key))
    if found is None:
        return False
    channel, ts = found
    try:
        replies = client.conversations_replies(channel=channel, ts=ts, limit=200)
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("could not read the thread to check %s: %s", key, type(exc).__name__)
        return False
    for item in replies.get("messages") or []:
        for f in item.get("files") or []:
            name = str(f.get("name") or "")
            if name.startswith("digest-") and name.endswith(".png"):
                return True
    return False


def digest_key(key: str) -> str:
    """The outbox key of the digest a charts key follows (same recipient and meeting)."""
    return "digest|" + key.split("|", 1)[1] if key.startswith(CHARTS + "|") else key
