"""The scheduler's Slack sender: posts outbox payloads and finds ones already posted.

Every scheduled message carries its outbox key in Slack's message metadata
(``event_type: csp_bot_notification``). After a crash the outbox asks
:meth:`SlackSender.already_posted`, which reads the conversation's recent
history for that key, so a message Slack accepted just before the crash is
not sent again. Needs the ``im:history`` / ``channels:history`` /
``groups:history`` scopes (in ``manifest.yml``); without them it cannot tell,
and the outbox errs on the side of sending.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.render.replies import message, reply_pages
from bot.render.terminal import PLAIN, Style, terminal_text
from bot.schedule import chart_upload
from commands.framework.core import Delivery
from partnership.context import Reply
from partnership.digest_uploads import CHARTS
from partnership.messages import charts as chart_say

log = logging.getLogger("csp_bot.sender")

EVENT_TYPE = "csp_bot_notification"
# Slack errors worth trying again later: the client has already retried rate
# limits (honouring Retry-After) and server errors a few times by then.
TRANSIENT = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "unreachable",
    }
)
# How far back to look for a message after a crash: two pages of history.
HISTORY_PAGES = 2


class SlackSender:
    """Posts scheduled messages with ``chat.postMessage``; long ones continue in a thread."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def prepare(self, reply: Reply, slug: str) -> dict[str, Any]:
        """Render a reply into pages of blocks plus the notification text.

        A digest's payload also keeps its charts (``attach``), uploaded into its
        thread once it is sent; the charts' own payload is their files.
        """
        if reply.template == CHARTS:
            return chart_upload.payload(reply)
        pages = reply_pages(reply, slug)
        return {
            "pages": pages,
            "text": message(pages[0], reply)["text"],
            **chart_upload.attachments(reply),
        }

    def post(self, address: str, payload: dict[str, Any], key: str) -> Delivery:
        """Post the first page with the key in its metadata, the rest in its thread.

        A charts payload is uploaded into the thread of the digest it follows.
        """
        if "uploads" in payload:
            return chart_upload.upload(self.client, address, payload, key, self.find_posted)
        pages: list[list[dict[str, Any]]] = payload.get("pages") or [[]]
        text = str(payload.get("text") or "")
        thread: tuple[str, str] | None = None
        for number, page in enumerate(pages):
            try:
                if thread is None:
                    response = self.client.chat_postMessage(
                        channel=address,
                        blocks=page,
                        text=text,
                        metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}},
                        unfurl_links=False,
                        unfurl_media=False,
                    )
                    thread = (str(response["channel"]), str(response["ts"]))
                else:
                    self.client.chat_postMessage(
                        channel=thread[0], thread_ts=thread[1], blocks=page, text=text
                    )
            except SlackApiError as exc:
                error = str(exc.response.get("error", "slack_error"))
                transient = error in TRANSIENT or exc.response.status_code >= 500
                if number > 0:
                    # The message exists; resending it would repeat the first page.
                    log.warning("continuation page %d of %s failed: %s", number + 1, key, error)
                    return Delivery(address, True)
                return Delivery(address, False, error, transient=transient)
            except (SlackClientError, OSError) as exc:
                log.warning("post of %s failed: %s", key, type(exc).__name__)
                if number > 0:
                    return Delivery(address, True)
                return Delivery(address, False, "unreachable", transient=True)
        return Delivery(address, True)

    def already_posted(self, address: str, key: str) -> bool:
        """Whether a recent message in the conversation carries this key.

        A digest's charts carry no metadata: they are there when the digest's
        thread holds a file of theirs.
        """
        if key.startswith(CHARTS + "|"):
            return chart_upload.in_thread(self.client, address, key, self.find_posted)
        return self.find_posted(address, key) is not None

    def find_posted(self, address: str, key: str) -> tuple[str, str] | None:
        """The (channel, ts) of a recent message in the conversation carrying this key."""
        try:
            channel = address
            if address[:1] in ("U", "W"):
                opened = self.client.conversations_open(users=address)
                channel = str(opened["channel"]["id"])
            cursor: str | None = None
            for _ in range(HISTORY_PAGES):
                history = self.client.conversations_history(
                    channel=channel, limit=100, include_all_metadata=True, cursor=cursor
                )
                for item in history.get("messages") or []:
                    meta = item.get("metadata") or {}
                    if (
                        meta.get("event_type") == EVENT_TYPE
                        and (meta.get("event_payload") or {}).get("key") == key
                    ):
                        return channel, str(item.get("ts") or "")
                cursor = (history.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except (SlackApiError, SlackClientError, OSError, KeyError) as exc:
            log.warning("could not read history to check %s: %s", key, type(exc).__name__)
        return None


class PrintSender:
    """``run-due --dry-run`` and the console: print each message instead of sending it."""

    def __init__(self, out: Callable[[str], None], style: Style = PLAIN) -> None:
        self.out = out
        self.style = style

    def prepare(self, reply: Reply, slug: str) -> dict[str, Any]:
        """Render a reply to pages of blocks, as Slack would get them (charts as files)."""
        if reply.template == CHARTS:
            return chart_upload.payload(reply)
        return {
            "pages": reply_pages(reply, slug),
            "text": reply.text,
            **chart_upload.attachments(reply),
        }

    def post(self, address: str, payload: dict[str, Any], key: str) -> Delivery:
        """Print the message as text; a digest's charts are named, not drawn."""
        self.out(f"  ┌ {self.heading(address, key)}\n{self.body(payload)}")
        return Delivery(address, True)

    def heading(self, address: str, key: str) -> str:
        """Who a printed message is to (the demo names them)."""
        return f"to {address} ({key})"

    def body(self, payload: dict[str, Any]) -> str:
        """A message's text as printed, each line behind a bar."""
        if "uploads" in payload:
            uploads = payload["uploads"]
            titles = "; ".join(str(u["title"]) for u in uploads)
            return "  │ " + chart_say.charts_would_attach(n=len(uploads), titles=titles)
        pages = payload.get("pages") or []
        text = "\n".join(terminal_text(page, self.style) for page in pages)
        return "\n".join("  │ " + line for line in text.splitlines())

    def already_posted(self, address: str, key: str) -> bool:
        """Printed messages leave no trace to find."""
        return False
