"""The Slack Web API client every process uses: our base URL, a timeout, retries.

Its own module so the Bolt app, OAuth and the clock share it without importing
each other.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings
from bot.slack.reach import proxy_for


def web_client(
    settings: Settings, *, rate_limit_retries: int = 2, connection_retries: int = 1
) -> WebClient:
    """The Web API client: our base URL, a timeout, and retries for 429/5xx/resets.

    429s are retried after the ``Retry-After`` Slack gives; the scheduler, which
    has no person waiting on an ack, asks for more patience than the web process.
    """
    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=connection_retries),
        ],
    )
    # After construction: slack-sdk reads HTTPS_PROXY itself, ignoring NO_PROXY.
    client.proxy = proxy_for(settings.slack_api_url)
    return client
