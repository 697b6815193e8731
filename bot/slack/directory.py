"""Finding a person's Slack account by email address, for ``/csp person add``.

Both classes implement :class:`partnership.context.Directory`: :class:`SlackDirectory`
asks Slack (``users.lookupByEmail``, scope ``users:read.email``); the console's
:class:`ConsoleDirectory` has no Slack and says so. A failure is a
:class:`Found` without an id saying why, never raised, so ``person add`` keeps
the rest of what was typed.
"""

from __future__ import annotations

import copy
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from partnership.context import Found
from storage.models import Partnership

log = logging.getLogger("csp_bot.directory")

# A look-up runs inside a command's ack (3 seconds): its own short timeout, no retries.
LOOKUP_TIMEOUT = 2
NOT_FOUND = ("users_not_found", "user_not_found")


class SlackDirectory:
    """``users.lookupByEmail`` with the request's bot token."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def user_by_email(self, partnership: Partnership, email: str) -> Found:
        """The Slack user with this address, or why not; never raises."""
        return lookup_email(self.client, email)


def lookup_email(client: WebClient, email: str) -> Found:
    """The Slack user whose address is ``email`` in ``client``'s workspace, or why not."""
    quick = copy.copy(client)  # the same token and URL; its own timeout, no retries
    quick.timeout, quick.retry_handlers = LOOKUP_TIMEOUT, []
    try:
        user = quick.users_lookupByEmail(email=email).get("user") or {}
    except SlackApiError as exc:
        error = str(exc.response.get("error", "slack_error"))
        log.warning("users.lookupByEmail failed: %s", error)  # never the address
        if error in NOT_FOUND:
            return Found(None, f"no one in this Slack workspace has the address {email}")
        if error == "missing_scope":
            return Found(
                None,
                "the Slack app may not look up addresses: it needs the `users:read.email` "
                "scope (reinstall it from manifest.yml)",
            )
        return Found(None, f"Slack would not look the address up ({error})")
    except (SlackClientError, OSError) as exc:
        log.warning("users.lookupByEmail failed: %s", type(exc).__name__)
        return Found(None, "Slack could not be reached to look the address up")
    user_id = str(user.get("id") or "")
    if not user_id:
        return Found(None, "Slack's answer held no user")
    if user.get("deleted"):
        return Found(None, f"the Slack account with the address {email} is deactivated")
    if user.get("is_bot"):
        return Found(None, f"the Slack account with the address {email} is a bot")
    return Found(user_id)


class ConsoleDirectory:
    """The console's stand-in: it has no Slack connection, so it looks nobody up."""

    def user_by_email(self, partnership: Partnership, email: str) -> Found:
        """Say the address was not looked up (the person is still added)."""
        return Found(
            None, "the console is not connected to Slack, so the address was not looked up"
        )
