"""Sending direct messages: through Slack's Web API, or printed by the console.

Both implement :class:`commands.core.Notifier`. A Slack error for one person
(deactivated account, unknown user, rate limit after retries) is returned as a
failed :class:`Delivery`, never raised, so a chase or a sweep goes on to the
next person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks import to_text
from bot.views import message, reply_pages
from commands.core import Delivery, Reply
from storage.models import Person

log = logging.getLogger("csp_bot.notifier")


class SlackNotifier:
    """Direct messages through the Web API (``chat.postMessage`` to the user's id)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def direct(self, person: Person, reply: Reply) -> Delivery:
        """Send every page of ``reply`` to ``person``; report failure instead of raising."""
        if not person.slack_user_id:
            return Delivery(person.name, False, "not on Slack")
        try:
            for page in reply_pages(reply, person.partnership.slug):
                self.client.chat_postMessage(channel=person.slack_user_id, **message(page, reply))
        except SlackApiError as exc:
            error = str(exc.response.get("error", "slack_error"))
            log.warning("direct message failed: %s", error)
            return Delivery(person.name, False, error)
        except (SlackClientError, OSError) as exc:
            log.warning("direct message failed: %s", type(exc).__name__)
            return Delivery(person.name, False, "Slack could not be reached")
        return Delivery(person.name, True)


class ConsoleNotifier:
    """The console's stand-in: prints each direct message instead of sending it."""

    def __init__(self, out: Callable[[str], None]) -> None:
        self.out = out

    def direct(self, person: Person, reply: Reply) -> Delivery:
        """Print the message that would go to ``person``."""
        text = "\n".join(to_text(page) for page in reply_pages(reply))
        where = "" if person.slack_user_id else " (not on Slack: shown here only)"
        indented = "\n".join("  │ " + line for line in text.splitlines())
        self.out(f"  ┌ direct message to {person.name}{where}\n{indented}")
        return Delivery(person.name, True)
